package calendar

import (
	"context"
	"strconv"
	"time"

	"qualify/internal/audit"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
)

// MaxRange is the longest span Days answers (a little over two years).
const MaxRange = 800

// Store is what the calendar service needs from persistence.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// HolidayYears returns the imported years (those replace the shipped years of that number).
	HolidayYears(ctx context.Context) ([]Year, error)
	// ReplaceHolidayYear deletes the stored entries of y.Year and inserts y's.
	ReplaceHolidayYear(ctx context.Context, y Year) error
	CalendarOverrides(ctx context.Context) ([]Override, error)
	PutCalendarOverride(ctx context.Context, o Override) error
	// DeleteCalendarOverride removes the override of d, reporting whether there was one.
	DeleteCalendarOverride(ctx context.Context, d civil.Date) (bool, error)
}

// Auditor appends to the audit log within the caller's transaction.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Service reads the calendar (every signed-in user) and lets the system administrator import a
// year and override days. Holiday data is platform configuration, hence sysadmin (三员分立: the
// system administrator keeps settings); schools only read it.
type Service struct {
	store Store
	audit Auditor
	now   func() time.Time
}

// NewService returns a calendar service.
func NewService(s Store, a Auditor) *Service { return &Service{store: s, audit: a, now: time.Now} }

// Calendar returns the calendar in force: shipped years, replaced by imported ones, with the
// overrides on top.
func (s *Service) Calendar(ctx context.Context) (*Calendar, error) {
	imported, err := s.store.HolidayYears(ctx)
	if err != nil {
		return nil, apperr.Wrap(err, "load holiday years")
	}
	ovs, err := s.store.CalendarOverrides(ctx)
	if err != nil {
		return nil, apperr.Wrap(err, "load calendar overrides")
	}
	return New(append(Official(), imported...), ovs), nil
}

// Days classifies the dates from from to to inclusive. Errors: validation_failed (missing or
// reversed dates, or a span over MaxRange days).
func (s *Service) Days(ctx context.Context, from, to civil.Date) ([]Day, error) {
	if from.IsZero() || to.IsZero() || to.Before(from) || from.DaysUntil(to) > MaxRange {
		return nil, apperr.InvalidFields("validation_failed", "日期范围无效", apperr.FieldError{Field: "from",
			Message: "from 与 to 必填（YYYY-MM-DD），to 不早于 from，跨度不超过 800 天"})
	}
	c, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	return c.Days(from, to), nil
}

func forbidden() error {
	return apperr.New(apperr.Forbidden, "forbidden", "仅系统管理员可以维护节假日安排")
}

func actorID(p identity.Principal) *int64 {
	if p.UserID == 0 {
		return nil
	}
	id := p.UserID
	return &id
}

// ImportYear stores a year's official schedule from a holiday-cn JSON file (sysadmin); it
// replaces the shipped or previously imported schedule of that year. Errors: forbidden,
// holiday_file_invalid.
func (s *Service) ImportYear(ctx context.Context, actor identity.Principal, file []byte) (Year, error) {
	if !actor.Has(identity.RoleSysadmin) {
		return Year{}, forbidden()
	}
	y, err := ParseYear(file)
	if err != nil {
		return Year{}, apperr.InvalidFields("holiday_file_invalid", "节假日文件无效", apperr.FieldError{Field: "file", Message: err.Error()})
	}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.ReplaceHolidayYear(ctx, y); err != nil {
			return apperr.Wrap(err, "store holiday year")
		}
		return s.audit.Record(ctx, audit.Entry{ActorID: actorID(actor), ActorName: actor.Username, Action: "calendar.year.import",
			TargetType: "holiday_year", TargetID: strconv.Itoa(y.Year),
			After: map[string]any{"year": y.Year, "days": len(y.Entries), "papers": y.Papers}})
	})
	return y, err
}

// SetOverride sets the kind of one date (sysadmin). Errors: forbidden, validation_failed.
func (s *Service) SetOverride(ctx context.Context, actor identity.Principal, o Override) (Override, error) {
	if !actor.Has(identity.RoleSysadmin) {
		return Override{}, forbidden()
	}
	if o.Date.IsZero() || !ValidKind(o.Kind) || len([]rune(o.Name)) > 50 {
		return Override{}, apperr.InvalidFields("validation_failed", "调整信息无效", apperr.FieldError{Field: "kind",
			Message: "日期必填；kind 应为 workday、weekend、holiday 或 makeup_workday；名称不超过 50 字"})
	}
	o.UpdatedAt, o.UpdatedBy = s.now().UTC(), actor.Username
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.PutCalendarOverride(ctx, o); err != nil {
			return apperr.Wrap(err, "store override")
		}
		return s.audit.Record(ctx, audit.Entry{ActorID: actorID(actor), ActorName: actor.Username, Action: "calendar.override.set",
			TargetType: "calendar_day", TargetID: o.Date.String(), After: map[string]any{"kind": o.Kind, "name": o.Name}})
	})
	return o, err
}

// DeleteOverride removes a date's override (sysadmin). Errors: forbidden, not_found.
func (s *Service) DeleteOverride(ctx context.Context, actor identity.Principal, d civil.Date) error {
	if !actor.Has(identity.RoleSysadmin) {
		return forbidden()
	}
	return s.store.InTx(ctx, func(ctx context.Context) error {
		ok, err := s.store.DeleteCalendarOverride(ctx, d)
		if err != nil {
			return apperr.Wrap(err, "delete override")
		}
		if !ok {
			return apperr.NotFoundf("该日期没有本地调整")
		}
		return s.audit.Record(ctx, audit.Entry{ActorID: actorID(actor), ActorName: actor.Username, Action: "calendar.override.delete",
			TargetType: "calendar_day", TargetID: d.String()})
	})
}

// Overrides lists the local overrides by date (every signed-in user).
func (s *Service) Overrides(ctx context.Context) ([]Override, error) {
	out, err := s.store.CalendarOverrides(ctx)
	return out, apperr.Wrap(err, "list overrides")
}
