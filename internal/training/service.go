package training

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"qualify/internal/audit"
	"qualify/internal/cadre"
	"qualify/internal/calendar"
	"qualify/internal/identity"
	"qualify/internal/org"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
)

// Store is what the training service needs from persistence.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	OrgByID(ctx context.Context, id int64) (*org.Org, error)
	CadreByID(ctx context.Context, id int64) (*cadre.Cadre, error)
	Ladder(ctx context.Context) (*cadre.Ladder, error)

	// School returns the school row of an org, or nil when it has none yet.
	School(ctx context.Context, orgID int64) (*School, error)
	PutSchool(ctx context.Context, s School) error
	CreateVenue(ctx context.Context, v *Venue) error
	Venues(ctx context.Context, schoolOrgID int64) ([]Venue, error)
	CreateTeacher(ctx context.Context, t *Teacher) error
	Teachers(ctx context.Context, schoolOrgID int64) ([]Teacher, error)
	CreateCourse(ctx context.Context, c *Course) error
	Courses(ctx context.Context, schoolOrgID int64) ([]Course, error)
	CourseByID(ctx context.Context, id int64) (*Course, error)
	MarkCourseCredited(ctx context.Context, id int64, at time.Time) error

	// CreateSessions inserts the sessions and sets their IDs.
	CreateSessions(ctx context.Context, ss []Session) error
	DeleteSessions(ctx context.Context, ids []int64) error
	SessionByID(ctx context.Context, id int64) (*Session, error)
	// SessionsOfCourse returns a course's sessions by start.
	SessionsOfCourse(ctx context.Context, courseID int64) ([]Session, error)
	// SessionsBetween returns the sessions of every school overlapping [from, to).
	SessionsBetween(ctx context.Context, from, to time.Time) ([]Session, error)
	// SessionsOfSchool returns a school's sessions with course, venue and teacher names.
	SessionsOfSchool(ctx context.Context, schoolOrgID int64) ([]Session, error)
	// SessionsOfCadre returns the sessions of the courses the cadre is enrolled in (not waitlisted).
	SessionsOfCadre(ctx context.Context, cadreID int64) ([]Session, error)

	Enrollments(ctx context.Context, courseID int64) ([]Enrollment, error)
	// EnrolledCadres maps each course to its enrolled (not waitlisted) cadres.
	EnrolledCadres(ctx context.Context, courseIDs []int64) (map[int64][]int64, error)
	CreateEnrollment(ctx context.Context, e *Enrollment) error
	// CountEnrolled counts a course's enrolled (not waitlisted) cadres.
	CountEnrolled(ctx context.Context, courseID int64) (int, error)
	AttendanceOfCourse(ctx context.Context, courseID int64) ([]Attendance, error)
	// PutAttendance inserts or replaces the records.
	PutAttendance(ctx context.Context, as []Attendance) error

	// AppendLedger inserts the entries and sets their IDs; entries are never updated.
	AppendLedger(ctx context.Context, es []LedgerEntry) error
	Ledger(ctx context.Context, cadreID int64) ([]LedgerEntry, error)
}

// Auditor appends to the audit log within the caller's transaction.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Calendars supplies the holiday calendar in force.
type Calendars interface {
	Calendar(ctx context.Context) (*calendar.Calendar, error)
}

// Service schedules a school's courses and keeps cadres' training records. A scheduler (school
// role) works on the school that is their own org; a cadre sees their own training; personnel
// read the ledgers of cadres in their scope.
type Service struct {
	store Store
	audit Auditor
	cals  Calendars
	loc   *time.Location
	now   func() time.Time
}

// NewService returns a training service; slots and dates are taken in loc.
func NewService(s Store, a Auditor, c Calendars, loc *time.Location) *Service {
	if loc == nil {
		loc = shanghai()
	}
	return &Service{store: s, audit: a, cals: c, loc: loc, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func forbidden() error {
	return apperr.New(apperr.Forbidden, "forbidden", "当前角色无权执行此操作")
}

func isSystem(p identity.Principal) bool { return p.Username == "system" && p.UserID == 0 }

func actorID(p identity.Principal) *int64 {
	if p.UserID == 0 {
		return nil
	}
	id := p.UserID
	return &id
}

func (s *Service) record(ctx context.Context, actor identity.Principal, action, targetType string, id int64, before, after any) error {
	return s.audit.Record(ctx, audit.Entry{ActorID: actorID(actor), ActorName: actor.Username, Action: action,
		TargetType: targetType, TargetID: strconv.FormatInt(id, 10), Before: before, After: after})
}

// schoolOf returns the school (with defaults when it has no row yet) of org id.
func (s *Service) schoolOf(ctx context.Context, id int64) (School, *org.Org, error) {
	o, err := s.store.OrgByID(ctx, id)
	if err != nil {
		return School{}, nil, apperr.Wrap(err, "find org")
	}
	if o == nil {
		return School{}, nil, apperr.NotFoundf("培训机构不存在")
	}
	sc, err := s.store.School(ctx, id)
	if err != nil {
		return School{}, nil, apperr.Wrap(err, "find school")
	}
	if sc == nil {
		sc = &School{OrgID: id, Settings: DefaultSettings()}
	}
	sc.Name, sc.OrgPath = o.Name, o.Path
	return *sc, o, nil
}

// mySchool is the scheduler's school: the org they belong to. Errors: forbidden.
func (s *Service) mySchool(ctx context.Context, actor identity.Principal) (School, error) {
	if !actor.Has(identity.RoleSchool) && !isSystem(actor) {
		return School{}, forbidden()
	}
	sc, _, err := s.schoolOf(ctx, actor.OrgID)
	return sc, err
}

// ownCourse loads a course of the scheduler's school. Errors: forbidden, not_found.
func (s *Service) ownCourse(ctx context.Context, actor identity.Principal, id int64) (Course, School, error) {
	sc, err := s.mySchool(ctx, actor)
	if err != nil {
		return Course{}, School{}, err
	}
	c, err := s.store.CourseByID(ctx, id)
	if err != nil {
		return Course{}, School{}, apperr.Wrap(err, "find course")
	}
	if c == nil || c.SchoolOrgID != sc.OrgID {
		return Course{}, School{}, apperr.NotFoundf("课程不存在")
	}
	return *c, sc, nil
}

// GetSchool returns a school's settings (its scheduler, or personnel with it in scope).
// Errors: forbidden, not_found.
func (s *Service) GetSchool(ctx context.Context, actor identity.Principal, id int64) (School, error) {
	sc, o, err := s.schoolOf(ctx, id)
	if err != nil {
		return School{}, err
	}
	own := actor.Has(identity.RoleSchool) && actor.OrgID == id
	if !own && !(actor.Has(identity.RolePersonnel) && org.Contains(actor.OrgPath, o.Path)) {
		return School{}, apperr.NotFoundf("培训机构不存在")
	}
	return sc, nil
}

// SchoolUpdate changes a school; nil fields stay.
type SchoolUpdate struct {
	Recognized *bool
	Settings   *Settings
}

// UpdateSchool changes a school's settings (its scheduler) or recognition (personnel with the
// school in scope: recognition is the cadre-training authority's call). Errors: forbidden,
// not_found, validation_failed.
func (s *Service) UpdateSchool(ctx context.Context, actor identity.Principal, id int64, u SchoolUpdate) (School, error) {
	before, o, err := s.schoolOf(ctx, id)
	if err != nil {
		return School{}, err
	}
	own := (actor.Has(identity.RoleSchool) && actor.OrgID == id) || isSystem(actor)
	authority := (actor.Has(identity.RolePersonnel) && org.Contains(actor.OrgPath, o.Path)) || isSystem(actor)
	if (u.Settings != nil && !own) || (u.Recognized != nil && !authority) || (!own && !authority) {
		return School{}, forbidden()
	}
	sc := before
	if u.Settings != nil {
		if fe := validateSettings(*u.Settings); len(fe) > 0 {
			return School{}, apperr.InvalidFields("validation_failed", "排课设置校验未通过", fe...)
		}
		sc.Settings = *u.Settings
	}
	if u.Recognized != nil {
		sc.Recognized = *u.Recognized
	}
	sc.UpdatedAt = s.now().UTC()
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.PutSchool(ctx, sc); err != nil {
			return apperr.Wrap(err, "store school")
		}
		return s.record(ctx, actor, "training.school.update", "school", id, schoolView(before), schoolView(sc))
	})
	return sc, err
}

func schoolView(s School) map[string]any {
	spans := func(ss []Span) []string {
		out := make([]string, len(ss))
		for i, x := range ss {
			out[i] = x.String()
		}
		return out
	}
	return map[string]any{"recognized": s.Recognized, "evening": spans(s.Settings.Policy.Evening), "day": spans(s.Settings.Policy.Day),
		"keepFree": s.Settings.Policy.KeepFree, "maxPerWeek": s.Settings.MaxPerWeek, "hours": s.Settings.Hours}
}

func validateSettings(st Settings) []apperr.FieldError {
	var fe []apperr.FieldError
	check := func(field string, ss []Span) {
		for i, a := range ss {
			if a.Start < 0 || a.End > 24*60 || a.End <= a.Start {
				fe = append(fe, apperr.FieldError{Field: field, Message: "时段无效"})
				return
			}
			for _, b := range ss[i+1:] {
				if a.Start < b.End && b.Start < a.End {
					fe = append(fe, apperr.FieldError{Field: field, Message: "时段不能重叠"})
					return
				}
			}
		}
	}
	check("eveningSlots", st.Policy.Evening)
	check("daySlots", st.Policy.Day)
	if st.MaxPerWeek < 1 || st.MaxPerWeek > 14 {
		fe = append(fe, apperr.FieldError{Field: "maxPerWeek", Message: "每周最多课次应在 1 到 14 之间"})
	}
	if !st.Hours.Valid() {
		fe = append(fe, apperr.FieldError{Field: "hourRule", Message: "学时折算规则无效"})
	}
	return fe
}

// CreateVenue adds a venue to the scheduler's school. Errors: forbidden, validation_failed,
// name_taken.
func (s *Service) CreateVenue(ctx context.Context, actor identity.Principal, v Venue) (Venue, error) {
	sc, err := s.mySchool(ctx, actor)
	if err != nil {
		return Venue{}, err
	}
	v.Name = strings.TrimSpace(v.Name)
	if v.Name == "" || v.Capacity < 1 {
		return Venue{}, apperr.InvalidFields("validation_failed", "教室信息校验未通过", apperr.FieldError{Field: "capacity", Message: "名称必填，容量至少为 1"})
	}
	v.ID, v.SchoolOrgID, v.CreatedAt = 0, sc.OrgID, s.now().UTC()
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		existing, err := s.store.Venues(ctx, sc.OrgID)
		if err != nil {
			return apperr.Wrap(err, "list venues")
		}
		for _, x := range existing {
			if x.Name == v.Name {
				return apperr.InvalidFields("name_taken", "本校已有同名教室", apperr.FieldError{Field: "name", Message: "名称已存在"})
			}
		}
		if err := s.store.CreateVenue(ctx, &v); err != nil {
			return apperr.Wrap(err, "create venue")
		}
		return s.record(ctx, actor, "training.venue.create", "venue", v.ID, nil, map[string]any{"name": v.Name, "capacity": v.Capacity})
	})
	return v, err
}

// Venues lists the scheduler's school's venues. Errors: forbidden.
func (s *Service) Venues(ctx context.Context, actor identity.Principal) ([]Venue, error) {
	sc, err := s.mySchool(ctx, actor)
	if err != nil {
		return nil, err
	}
	out, err := s.store.Venues(ctx, sc.OrgID)
	return out, apperr.Wrap(err, "list venues")
}

// CreateTeacher adds a teacher to the scheduler's school's pool. Errors: forbidden,
// validation_failed, name_taken.
func (s *Service) CreateTeacher(ctx context.Context, actor identity.Principal, t Teacher) (Teacher, error) {
	sc, err := s.mySchool(ctx, actor)
	if err != nil {
		return Teacher{}, err
	}
	t.Name = strings.TrimSpace(t.Name)
	var fe []apperr.FieldError
	if t.Name == "" {
		fe = append(fe, apperr.FieldError{Field: "name", Message: "姓名必填"})
	}
	for _, u := range t.Unavailable {
		if !u.End.After(u.Start) {
			fe = append(fe, apperr.FieldError{Field: "unavailable", Message: "不可授课时间的结束须晚于开始"})
			break
		}
	}
	if len(fe) > 0 {
		return Teacher{}, apperr.InvalidFields("validation_failed", "教师信息校验未通过", fe...)
	}
	t.ID, t.SchoolOrgID, t.CreatedAt = 0, sc.OrgID, s.now().UTC()
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		existing, err := s.store.Teachers(ctx, sc.OrgID)
		if err != nil {
			return apperr.Wrap(err, "list teachers")
		}
		for _, x := range existing {
			if x.Name == t.Name {
				return apperr.InvalidFields("name_taken", "师资库已有同名教师", apperr.FieldError{Field: "name", Message: "姓名已存在"})
			}
		}
		if err := s.store.CreateTeacher(ctx, &t); err != nil {
			return apperr.Wrap(err, "create teacher")
		}
		return s.record(ctx, actor, "training.teacher.create", "teacher", t.ID, nil, map[string]any{"name": t.Name, "disciplines": t.Disciplines})
	})
	return t, err
}

// Teachers lists the scheduler's school's teachers. Errors: forbidden.
func (s *Service) Teachers(ctx context.Context, actor identity.Principal) ([]Teacher, error) {
	sc, err := s.mySchool(ctx, actor)
	if err != nil {
		return nil, err
	}
	out, err := s.store.Teachers(ctx, sc.OrgID)
	return out, apperr.Wrap(err, "list teachers")
}

// CreateCourse adds a course to the scheduler's school. Errors: forbidden, validation_failed,
// code_taken.
func (s *Service) CreateCourse(ctx context.Context, actor identity.Principal, c Course) (Course, error) {
	sc, err := s.mySchool(ctx, actor)
	if err != nil {
		return Course{}, err
	}
	l, err := s.store.Ladder(ctx)
	if err != nil {
		return Course{}, apperr.Wrap(err, "load ladder")
	}
	c.Code, c.Title = strings.TrimSpace(c.Code), strings.TrimSpace(c.Title)
	var fe []apperr.FieldError
	if c.Code == "" || c.Title == "" {
		fe = append(fe, apperr.FieldError{Field: "title", Message: "编号与名称必填"})
	}
	if !ValidMode(c.Mode) {
		fe = append(fe, apperr.FieldError{Field: "kind", Message: "培训方式应为 full_time、centralized、online 或 self_study"})
	}
	for _, lv := range c.TargetLevels {
		if _, ok := l.LevelByCode(lv); !ok {
			fe = append(fe, apperr.FieldError{Field: "targetLevels", Message: "未知的职务层次 " + lv})
		}
	}
	for _, cat := range c.TargetCategories {
		if _, ok := l.CategoryByCode(cat); !ok {
			fe = append(fe, apperr.FieldError{Field: "targetCategories", Message: "未知的职务类别 " + cat})
		}
	}
	if c.PlannedHours <= 0 || c.Capacity < 1 || c.Sessions < 0 || c.Sessions > 200 || c.MaxPerWeek < 0 {
		fe = append(fe, apperr.FieldError{Field: "plannedHours", Message: "计划学时须大于 0，容量至少为 1，课次 0 到 200"})
	}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if c.TeacherID != nil {
			ts, err := s.store.Teachers(ctx, sc.OrgID)
			if err != nil {
				return apperr.Wrap(err, "list teachers")
			}
			if !containsID(len(ts), func(i int) int64 { return ts[i].ID }, *c.TeacherID) {
				fe = append(fe, apperr.FieldError{Field: "teacherId", Message: "教师不在本校师资库"})
			}
		}
		if c.VenueID != nil {
			vs, err := s.store.Venues(ctx, sc.OrgID)
			if err != nil {
				return apperr.Wrap(err, "list venues")
			}
			if !containsID(len(vs), func(i int) int64 { return vs[i].ID }, *c.VenueID) {
				fe = append(fe, apperr.FieldError{Field: "venueId", Message: "教室不属于本校"})
			}
		}
		if len(fe) > 0 {
			return apperr.InvalidFields("validation_failed", "课程信息校验未通过", fe...)
		}
		existing, err := s.store.Courses(ctx, sc.OrgID)
		if err != nil {
			return apperr.Wrap(err, "list courses")
		}
		for _, x := range existing {
			if x.Code == c.Code {
				return apperr.InvalidFields("code_taken", "本校已有该编号的课程", apperr.FieldError{Field: "code", Message: "编号已存在"})
			}
		}
		c.ID, c.SchoolOrgID, c.CreatedAt, c.CreditedAt = 0, sc.OrgID, s.now().UTC(), nil
		if err := s.store.CreateCourse(ctx, &c); err != nil {
			return apperr.Wrap(err, "create course")
		}
		return s.record(ctx, actor, "training.course.create", "course", c.ID, nil, map[string]any{"code": c.Code, "title": c.Title,
			"kind": c.Mode, "plannedHours": c.PlannedHours, "sessions": c.Sessions})
	})
	return c, err
}

func containsID(n int, at func(int) int64, id int64) bool {
	for i := 0; i < n; i++ {
		if at(i) == id {
			return true
		}
	}
	return false
}

// Courses lists the scheduler's school's courses. Errors: forbidden.
func (s *Service) Courses(ctx context.Context, actor identity.Principal) ([]Course, error) {
	sc, err := s.mySchool(ctx, actor)
	if err != nil {
		return nil, err
	}
	out, err := s.store.Courses(ctx, sc.OrgID)
	return out, apperr.Wrap(err, "list courses")
}

// CourseSessions lists a course's sessions (its school's scheduler). Errors: forbidden, not_found.
func (s *Service) CourseSessions(ctx context.Context, actor identity.Principal, courseID int64) ([]Session, error) {
	if _, _, err := s.ownCourse(ctx, actor, courseID); err != nil {
		return nil, err
	}
	out, err := s.store.SessionsOfCourse(ctx, courseID)
	return out, apperr.Wrap(err, "list sessions")
}

// occupancy indexes the sessions overlapping [from, to) with their cohorts, leaving out the
// sessions of course skip.
// occupancy returns the bookings overlapping [from, to), leaving out one course's sessions
// (skip, when rescheduling it) and one session (skipSession, when moving it).
func (s *Service) occupancy(ctx context.Context, from, to time.Time, skip, skipSession int64) (*Occupancy, error) {
	ss, err := s.store.SessionsBetween(ctx, from, to)
	if err != nil {
		return nil, apperr.Wrap(err, "list sessions")
	}
	var ids []int64
	for _, x := range ss {
		ids = append(ids, x.CourseID)
	}
	members, err := s.store.EnrolledCadres(ctx, ids)
	if err != nil {
		return nil, apperr.Wrap(err, "list cohorts")
	}
	bs := make([]Booking, 0, len(ss))
	for _, x := range ss {
		if x.CourseID != skip && x.ID != skipSession {
			bs = append(bs, bookingOf(x, members[x.CourseID]))
		}
	}
	return NewOccupancy(bs), nil
}

func bookingOf(x Session, members []int64) Booking {
	b := Booking{ID: x.ID, CourseID: x.CourseID, Start: x.Start, End: x.End, Members: members}
	if x.VenueID != nil {
		b.VenueID = *x.VenueID
	}
	if x.TeacherID != nil {
		b.TeacherID = *x.TeacherID
	}
	return b
}

func sessionView(x Session) map[string]any {
	return map[string]any{"id": x.ID, "courseId": x.CourseID, "startsAt": x.Start.UTC().Format(time.RFC3339),
		"endsAt": x.End.UTC().Format(time.RFC3339), "venueId": x.VenueID, "teacherId": x.TeacherID}
}

func conflictError(cs []Conflict) error {
	msgs := make([]string, len(cs))
	fields := make([]apperr.FieldError, len(cs))
	for i, c := range cs {
		msgs[i] = c.Message()
		field := map[string]string{"venue": "venueId", "capacity": "venueId", "teacher": "teacherId", "unavailable": "teacherId"}[c.Resource]
		if field == "" {
			field = "cadreId"
		}
		fields[i] = apperr.FieldError{Field: field, Message: c.Message()}
	}
	e := apperr.New(apperr.Conflict, "schedule_conflict", "排课冲突："+strings.Join(msgs, "；"))
	e.Fields = fields
	return e
}

// NewSession is a session placed by hand.
type NewSession struct {
	CourseID  int64
	Start     time.Time
	End       time.Time
	VenueID   int64
	TeacherID int64 // 0: the course's teacher
}

// CreateSession places one session by hand (the course's school's scheduler). Errors:
// forbidden, not_found, validation_failed, slot_not_allowed (422, with the reason),
// schedule_conflict (409: the venue, the teacher or an enrolled cadre is already booked, the
// teacher is unavailable, or the venue is too small).
func (s *Service) CreateSession(ctx context.Context, actor identity.Principal, in NewSession) (Session, error) {
	c, sc, err := s.ownCourse(ctx, actor, in.CourseID)
	if err != nil {
		return Session{}, err
	}
	if in.TeacherID == 0 && c.TeacherID != nil {
		in.TeacherID = *c.TeacherID
	}
	if err := s.checkSlot(ctx, sc, in); err != nil {
		return Session{}, err
	}
	var out Session
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		venue, err := s.checkPlacement(ctx, c, sc, in, 0)
		if err != nil {
			return err
		}
		x := Session{CourseID: c.ID, Start: in.Start.UTC(), End: in.End.UTC(), VenueID: &venue.ID, CreatedAt: s.now().UTC()}
		if in.TeacherID != 0 {
			x.TeacherID = &in.TeacherID
		}
		ss := []Session{x}
		if err := s.store.CreateSessions(ctx, ss); err != nil {
			return apperr.Wrap(err, "create session")
		}
		out = ss[0]
		return s.record(ctx, actor, "training.session.create", "session", out.ID, nil, sessionView(out))
	})
	return out, err
}

// checkSlot refuses a session outside the school's allowed slots (slot_not_allowed).
func (s *Service) checkSlot(ctx context.Context, sc School, in NewSession) error {
	cal, err := s.cals.Calendar(ctx)
	if err != nil {
		return err
	}
	if ok, why := CheckSlot(cal, sc.Settings.Policy, s.loc, in.Start, in.End); !ok {
		return apperr.New(apperr.FailedPrecondition, "slot_not_allowed", "不在允许的上课时段："+why)
	}
	return nil
}

// checkPlacement checks a session's venue and teacher belong to the school and that nothing
// conflicts (venue, teacher, an enrolled cadre, the teacher's unavailability, capacity); skip is
// a session being moved, ignored in the occupancy. It returns the venue.
func (s *Service) checkPlacement(ctx context.Context, c Course, sc School, in NewSession, skip int64) (*Venue, error) {
	vs, err := s.store.Venues(ctx, sc.OrgID)
	if err != nil {
		return nil, apperr.Wrap(err, "list venues")
	}
	var venue *Venue
	for i := range vs {
		if vs[i].ID == in.VenueID {
			venue = &vs[i]
		}
	}
	var teacher *Teacher
	if in.TeacherID != 0 {
		ts, err := s.store.Teachers(ctx, sc.OrgID)
		if err != nil {
			return nil, apperr.Wrap(err, "list teachers")
		}
		for i := range ts {
			if ts[i].ID == in.TeacherID {
				teacher = &ts[i]
			}
		}
	}
	if venue == nil || (in.TeacherID != 0 && teacher == nil) {
		return nil, apperr.InvalidFields("validation_failed", "教室或教师不属于本校", apperr.FieldError{Field: "venueId", Message: "教室或教师不属于本校"})
	}
	occ, err := s.occupancy(ctx, in.Start.Add(-24*time.Hour), in.End.Add(24*time.Hour), 0, skip)
	if err != nil {
		return nil, err
	}
	members, err := s.store.EnrolledCadres(ctx, []int64{c.ID})
	if err != nil {
		return nil, apperr.Wrap(err, "list cohort")
	}
	b := Booking{CourseID: c.ID, Start: in.Start, End: in.End, VenueID: venue.ID, TeacherID: in.TeacherID, Members: members[c.ID]}
	cs := occ.Conflicts(b)
	if teacher != nil && anyOverlap(teacher.Unavailable, Interval{in.Start, in.End}) {
		cs = append(cs, Conflict{Resource: "unavailable", ID: teacher.ID})
	}
	if venue.Capacity < max(c.Capacity, len(members[c.ID])) {
		cs = append(cs, Conflict{Resource: "capacity", ID: venue.ID})
	}
	if len(cs) > 0 {
		return nil, conflictError(cs)
	}
	return venue, nil
}

// MaxScheduleDays bounds the window of an automatic scheduling.
const MaxScheduleDays = 370

// ScheduleResult is what automatic scheduling did.
type ScheduleResult struct {
	Sessions []Session // every session of the course after scheduling
	Kept     int       // sessions in the window left where they were
	Added    int
	Removed  int
}

// Schedule places a course's sessions in the free allowed slots between from and to
// (inclusive; the course's school's scheduler). Other courses are never moved: their sessions
// are fixed, and this course's own sessions in the window stay where they are while they are
// still allowed and free, or once attendance has been taken; only the shortfall is placed,
// spread over the weeks, at most the weekly cap a week and one a day. Errors: forbidden,
// not_found, validation_failed, schedule_infeasible (422, saying why).
func (s *Service) Schedule(ctx context.Context, actor identity.Principal, courseID int64, from, to civil.Date) (ScheduleResult, error) {
	c, sc, err := s.ownCourse(ctx, actor, courseID)
	if err != nil {
		return ScheduleResult{}, err
	}
	if from.IsZero() || to.IsZero() || to.Before(from) || from.DaysUntil(to) > MaxScheduleDays {
		return ScheduleResult{}, apperr.InvalidFields("validation_failed", "排课日期范围无效",
			apperr.FieldError{Field: "from", Message: "from 与 to 必填，to 不早于 from，跨度不超过 370 天"})
	}
	cal, err := s.cals.Calendar(ctx)
	if err != nil {
		return ScheduleResult{}, err
	}
	winStart, winEnd := from.In(s.loc), to.AddDays(1).In(s.loc)
	var res ScheduleResult
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		own, err := s.store.SessionsOfCourse(ctx, c.ID)
		if err != nil {
			return apperr.Wrap(err, "list sessions")
		}
		att, err := s.store.AttendanceOfCourse(ctx, c.ID)
		if err != nil {
			return apperr.Wrap(err, "list attendance")
		}
		taken := map[int64]bool{}
		for _, a := range att {
			taken[a.SessionID] = true
		}
		occ, err := s.occupancy(ctx, winStart, winEnd, c.ID, 0)
		if err != nil {
			return err
		}
		members, err := s.store.EnrolledCadres(ctx, []int64{c.ID})
		if err != nil {
			return apperr.Wrap(err, "list cohort")
		}
		cohort := members[c.ID]
		var kept []Booking
		var drop []int64
		outside := 0
		for _, x := range own {
			b := bookingOf(x, cohort)
			switch {
			case x.End.Before(winStart) || !x.Start.Before(winEnd):
				outside++
			case taken[x.ID]:
				kept = append(kept, b)
				occ.Add(b)
			default:
				ok, _ := CheckSlot(cal, sc.Settings.Policy, s.loc, x.Start, x.End)
				if ok && len(occ.Conflicts(b)) == 0 && !sameDay(kept, b, s.loc) {
					kept = append(kept, b)
					occ.Add(b)
				} else {
					drop = append(drop, x.ID)
				}
			}
		}
		need, err := s.need(ctx, c, sc, cohort, kept)
		if err != nil {
			return err
		}
		need.Sessions = c.Sessions - outside - len(kept)
		placed, err := Plan(need, from, AllowedSlots(cal, sc.Settings.Policy, from, to), occ, s.loc)
		if err != nil {
			return apperr.New(apperr.FailedPrecondition, "schedule_infeasible", "无法完成排课："+err.Error())
		}
		if len(drop) > 0 {
			if err := s.store.DeleteSessions(ctx, drop); err != nil {
				return apperr.Wrap(err, "delete sessions")
			}
		}
		now := s.now().UTC()
		news := make([]Session, len(placed))
		for i, b := range placed {
			news[i] = Session{CourseID: c.ID, Start: b.Start.UTC(), End: b.End.UTC(), CreatedAt: now}
			v := b.VenueID
			news[i].VenueID = &v
			if b.TeacherID != 0 {
				t := b.TeacherID
				news[i].TeacherID = &t
			}
		}
		if len(news) > 0 {
			if err := s.store.CreateSessions(ctx, news); err != nil {
				return apperr.Wrap(err, "create sessions")
			}
		}
		res.Kept, res.Added, res.Removed = len(kept), len(news), len(drop)
		if res.Sessions, err = s.store.SessionsOfCourse(ctx, c.ID); err != nil {
			return apperr.Wrap(err, "list sessions")
		}
		return s.record(ctx, actor, "training.course.schedule", "course", c.ID, map[string]any{"removed": drop},
			map[string]any{"from": from.String(), "to": to.String(), "kept": res.Kept, "added": mapViews(news)})
	})
	return res, err
}

func mapViews(ss []Session) []map[string]any {
	out := make([]map[string]any, len(ss))
	for i, x := range ss {
		out[i] = sessionView(x)
	}
	return out
}

func sameDay(bs []Booking, b Booking, loc *time.Location) bool {
	for _, x := range bs {
		if civil.Of(x.Start.In(loc)) == civil.Of(b.Start.In(loc)) {
			return true
		}
	}
	return false
}

// need describes a course for the scheduler.
func (s *Service) need(ctx context.Context, c Course, sc School, cohort []int64, kept []Booking) (Need, error) {
	vs, err := s.store.Venues(ctx, sc.OrgID)
	if err != nil {
		return Need{}, apperr.Wrap(err, "list venues")
	}
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Capacity < vs[j].Capacity })
	n := Need{CourseID: c.ID, Members: cohort, Seats: c.Capacity, MaxPerWeek: c.MaxPerWeek, Placed: kept}
	if n.MaxPerWeek == 0 {
		n.MaxPerWeek = sc.Settings.MaxPerWeek
	}
	for _, v := range vs {
		if c.VenueID == nil || *c.VenueID == v.ID {
			n.Venues = append(n.Venues, Room{ID: v.ID, Capacity: v.Capacity})
		}
	}
	if c.TeacherID != nil {
		n.TeacherID = *c.TeacherID
		ts, err := s.store.Teachers(ctx, sc.OrgID)
		if err != nil {
			return Need{}, apperr.Wrap(err, "list teachers")
		}
		for _, t := range ts {
			if t.ID == n.TeacherID {
				n.Unavailable = t.Unavailable
			}
		}
	}
	return n, nil
}

// Enroll puts a cadre in a course, or on its waiting list when it is full. The course's
// school's scheduler may enroll any cadre; a cadre may enroll themself; personnel may enroll
// cadres in their scope. Enrolling again returns the existing place. Errors: forbidden,
// not_found, cadre_not_found.
func (s *Service) Enroll(ctx context.Context, actor identity.Principal, courseID, cadreID int64) (Enrollment, bool, error) {
	c, err := s.store.CourseByID(ctx, courseID)
	if err != nil {
		return Enrollment{}, false, apperr.Wrap(err, "find course")
	}
	if c == nil {
		return Enrollment{}, false, apperr.NotFoundf("课程不存在")
	}
	cd, err := s.store.CadreByID(ctx, cadreID)
	if err != nil {
		return Enrollment{}, false, apperr.Wrap(err, "find cadre")
	}
	self := actor.CadreID != nil && *actor.CadreID == cadreID
	scheduler := actor.Has(identity.RoleSchool) && actor.OrgID == c.SchoolOrgID
	personnel := actor.Has(identity.RolePersonnel) && cd != nil && org.Contains(actor.OrgPath, cd.OrgPath)
	if !self && !scheduler && !personnel && !isSystem(actor) {
		if actor.Has(identity.RolePersonnel) {
			return Enrollment{}, false, apperr.InvalidFields("cadre_not_found", "干部不存在或不在管理范围内", apperr.FieldError{Field: "cadreId", Message: "干部不存在"})
		}
		return Enrollment{}, false, forbidden()
	}
	if cd == nil {
		return Enrollment{}, false, apperr.InvalidFields("cadre_not_found", "干部不存在", apperr.FieldError{Field: "cadreId", Message: "干部不存在"})
	}
	var out Enrollment
	created := false
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		es, err := s.store.Enrollments(ctx, courseID)
		if err != nil {
			return apperr.Wrap(err, "list enrollments")
		}
		for _, e := range es {
			if e.CadreID == cadreID {
				out = e
				return nil
			}
		}
		n, err := s.store.CountEnrolled(ctx, courseID)
		if err != nil {
			return apperr.Wrap(err, "count enrolled")
		}
		out = Enrollment{CourseID: courseID, CadreID: cadreID, Status: Enrolled, CreatedAt: s.now().UTC()}
		if n >= c.Capacity {
			out.Status, out.Position = Waitlisted, len(es)-n+1
		}
		if err := s.store.CreateEnrollment(ctx, &out); err != nil {
			return apperr.Wrap(err, "create enrollment")
		}
		created = true
		return s.record(ctx, actor, "training.enroll", "course", courseID, nil, map[string]any{"cadreId": cadreID, "status": out.Status})
	})
	return out, created, err
}

// Mark is one line of an attendance sheet.
type Mark struct {
	CadreID int64
	Present bool
}

// RecordAttendance records who was present at a session (the course's school's scheduler),
// for enrolled cadres, once the session has started. Errors: forbidden, not_found,
// validation_failed, session_not_started, course_credited.
func (s *Service) RecordAttendance(ctx context.Context, actor identity.Principal, sessionID int64, marks []Mark) ([]Attendance, error) {
	x, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return nil, apperr.Wrap(err, "find session")
	}
	if x == nil {
		return nil, apperr.NotFoundf("课次不存在")
	}
	c, _, err := s.ownCourse(ctx, actor, x.CourseID)
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return nil, apperr.NotFoundf("课次不存在")
		}
		return nil, err
	}
	if s.now().Before(x.Start) {
		return nil, apperr.New(apperr.FailedPrecondition, "session_not_started", "课次尚未开始，不能登记考勤")
	}
	if c.CreditedAt != nil {
		return nil, apperr.New(apperr.Conflict, "course_credited", "课程学时已登记，考勤不能再修改")
	}
	var out []Attendance
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		members, err := s.store.EnrolledCadres(ctx, []int64{c.ID})
		if err != nil {
			return apperr.Wrap(err, "list cohort")
		}
		in := map[int64]bool{}
		for _, m := range members[c.ID] {
			in[m] = true
		}
		var fe []apperr.FieldError
		now := s.now().UTC()
		for i, m := range marks {
			if !in[m.CadreID] {
				fe = append(fe, apperr.FieldError{Field: fmt.Sprintf("[%d].cadreId", i), Message: "该干部未报名本课程"})
			}
			out = append(out, Attendance{SessionID: sessionID, CadreID: m.CadreID, Present: m.Present, RecordedAt: now})
		}
		if len(fe) > 0 || len(marks) == 0 {
			if len(marks) == 0 {
				fe = append(fe, apperr.FieldError{Field: "", Message: "考勤名单为空"})
			}
			return apperr.InvalidFields("validation_failed", "考勤登记校验未通过", fe...)
		}
		if err := s.store.PutAttendance(ctx, out); err != nil {
			return apperr.Wrap(err, "store attendance")
		}
		view := make([]map[string]any, len(out))
		for i, a := range out {
			view[i] = map[string]any{"cadreId": a.CadreID, "present": a.Present}
		}
		return s.record(ctx, actor, "training.attendance", "session", sessionID, nil, view)
	})
	return out, err
}

// CreditLine is the outcome of crediting one cadre.
type CreditLine struct {
	CadreID int64
	Credit  Credit
	Entries []LedgerEntry // appended now (none when not eligible or already credited)
}

// CreditCourse closes a finished course: for each enrolled cadre it applies the hour rule and
// the 1/7 leave rule and appends the hours to the ledger, split by year (the course's school's
// scheduler). Crediting again appends nothing new. Errors: forbidden, not_found,
// course_not_finished, course_has_no_sessions.
func (s *Service) CreditCourse(ctx context.Context, actor identity.Principal, courseID int64) ([]CreditLine, error) {
	c, sc, err := s.ownCourse(ctx, actor, courseID)
	if err != nil {
		return nil, err
	}
	var out []CreditLine
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		ss, err := s.store.SessionsOfCourse(ctx, c.ID)
		if err != nil {
			return apperr.Wrap(err, "list sessions")
		}
		if len(ss) == 0 {
			return apperr.New(apperr.FailedPrecondition, "course_has_no_sessions", "课程没有任何课次")
		}
		now := s.now()
		ivs := make([]Interval, len(ss))
		for i, x := range ss {
			if x.End.After(now) {
				return apperr.New(apperr.FailedPrecondition, "course_not_finished", "课程尚未结束，不能登记学时")
			}
			ivs[i] = Interval{x.Start, x.End}
		}
		att, err := s.store.AttendanceOfCourse(ctx, c.ID)
		if err != nil {
			return apperr.Wrap(err, "list attendance")
		}
		present := map[[2]int64]bool{}
		for _, a := range att {
			present[[2]int64{a.SessionID, a.CadreID}] = a.Present
		}
		members, err := s.store.EnrolledCadres(ctx, []int64{c.ID})
		if err != nil {
			return apperr.Wrap(err, "list cohort")
		}
		for _, cadreID := range members[c.ID] {
			attended := make([]bool, len(ss))
			for i, x := range ss {
				attended[i] = present[[2]int64{x.ID, cadreID}]
			}
			cr := CourseCredit(sc.Settings.Hours, ivs, attended, s.loc)
			line := CreditLine{CadreID: cadreID, Credit: cr}
			if cr.Eligible {
				ledger, err := s.store.Ledger(ctx, cadreID)
				if err != nil {
					return apperr.Wrap(err, "read ledger")
				}
				for _, y := range cr.Years {
					if credited(ledger, c.ID, y.Year) {
						continue
					}
					cid, school := c.ID, sc.OrgID
					line.Entries = append(line.Entries, LedgerEntry{CadreID: cadreID, CourseID: &cid, CourseTitle: c.Title, SchoolOrgID: &school,
						SchoolName: sc.Name, Mode: c.Mode, Recognized: sc.Recognized, Hours: y.Hours, From: y.From, To: y.To, Year: y.Year,
						CreatedAt: now.UTC(), CreatedBy: actor.Username})
				}
				if len(line.Entries) > 0 {
					if err := s.store.AppendLedger(ctx, line.Entries); err != nil {
						return apperr.Wrap(err, "append ledger")
					}
					if err := s.record(ctx, actor, "training.ledger.credit", "cadre", cadreID, nil, map[string]any{"courseId": c.ID,
						"courseHours": cr.CourseHours, "attended": cr.Attended, "leave": cr.Leave, "years": cr.Years}); err != nil {
						return err
					}
				}
			}
			out = append(out, line)
		}
		return s.store.MarkCourseCredited(ctx, c.ID, now.UTC())
	})
	return out, err
}

func credited(ledger []LedgerEntry, courseID int64, year int) bool {
	for _, e := range ledger {
		if e.CourseID != nil && *e.CourseID == courseID && e.Year == year {
			return true
		}
	}
	return false
}

// Record is a cadre's training record: progress against their requirement, the hours by year
// and by mode, and the ledger behind them.
type Record struct {
	CadreID  int64
	Progress Progress
	Years    []YearSummary
	Ledger   []LedgerEntry
}

// MyTraining returns the actor's own training record. Errors: not_found (no cadre linked).
func (s *Service) MyTraining(ctx context.Context, actor identity.Principal) (Record, error) {
	if actor.CadreID == nil {
		return Record{}, apperr.NotFoundf("当前账户未关联干部档案")
	}
	return s.recordOf(ctx, *actor.CadreID)
}

// CadreTraining returns a cadre's training record (personnel with the cadre in scope). Errors:
// forbidden, not_found.
func (s *Service) CadreTraining(ctx context.Context, actor identity.Principal, cadreID int64) (Record, error) {
	if !actor.Has(identity.RolePersonnel) {
		return Record{}, forbidden()
	}
	cd, err := s.store.CadreByID(ctx, cadreID)
	if err != nil {
		return Record{}, apperr.Wrap(err, "find cadre")
	}
	if cd == nil || !org.Contains(actor.OrgPath, cd.OrgPath) {
		return Record{}, apperr.NotFoundf("干部不存在")
	}
	return s.recordOf(ctx, cadreID)
}

func (s *Service) recordOf(ctx context.Context, cadreID int64) (Record, error) {
	cd, err := s.store.CadreByID(ctx, cadreID)
	if err != nil {
		return Record{}, apperr.Wrap(err, "find cadre")
	}
	if cd == nil {
		return Record{}, apperr.NotFoundf("干部不存在")
	}
	l, err := s.store.Ladder(ctx)
	if err != nil {
		return Record{}, apperr.Wrap(err, "load ladder")
	}
	ledger, err := s.store.Ledger(ctx, cadreID)
	if err != nil {
		return Record{}, apperr.Wrap(err, "read ledger")
	}
	req := RequirementFor(l, cd.PostLevel, cd.RankCategory, cd.RankCode)
	today := civil.Of(s.now().In(s.loc))
	return Record{CadreID: cadreID, Progress: ProgressOf(req, ledger, today), Years: Summarize(ledger), Ledger: ledger}, nil
}

func (s *Service) events(ss []Session) []Event {
	stamp := s.now()
	out := make([]Event, len(ss))
	for i, x := range ss {
		desc := x.SchoolName
		if x.TeacherName != "" {
			desc += "\n授课教师：" + x.TeacherName
		}
		out[i] = Event{UID: fmt.Sprintf("session-%d@qualify", x.ID), Start: x.Start, End: x.End, Summary: x.CourseTitle,
			Location: x.VenueName, Description: desc, Stamp: stamp}
	}
	return out
}

// MyCalendar returns the actor's sessions as an RFC 5545 calendar. Errors: not_found (no cadre).
func (s *Service) MyCalendar(ctx context.Context, actor identity.Principal) ([]byte, error) {
	if actor.CadreID == nil {
		return nil, apperr.NotFoundf("当前账户未关联干部档案")
	}
	ss, err := s.store.SessionsOfCadre(ctx, *actor.CadreID)
	if err != nil {
		return nil, apperr.Wrap(err, "list sessions")
	}
	return ICS("我的培训课表", s.events(ss)), nil
}

// SchoolCalendar returns every session of a school as an RFC 5545 calendar (any signed-in
// user: a school's timetable is published to the cadres it trains). Errors: not_found.
func (s *Service) SchoolCalendar(ctx context.Context, _ identity.Principal, schoolID int64) ([]byte, error) {
	sc, _, err := s.schoolOf(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	ss, err := s.store.SessionsOfSchool(ctx, schoolID)
	if err != nil {
		return nil, apperr.Wrap(err, "list sessions")
	}
	return ICS(sc.Name+"课表", s.events(ss)), nil
}
