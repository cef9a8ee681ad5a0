package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm/clause"

	"qualify/internal/calendar"
	"qualify/internal/platform/civil"
	"qualify/internal/training"
)

// ---- calendar ----

type holidayDayRow struct {
	Date   civil.Date `gorm:"primaryKey"`
	Year   int
	Name   string
	OffDay bool
}

func (holidayDayRow) TableName() string { return "holiday_days" }

type calendarOverrideRow struct {
	Date      civil.Date `gorm:"primaryKey"`
	Kind      string
	Name      string
	UpdatedAt time.Time
	UpdatedBy string
}

func (calendarOverrideRow) TableName() string { return "calendar_overrides" }

// HolidayYears returns the imported official years.
func (s *Store) HolidayYears(ctx context.Context) ([]calendar.Year, error) {
	var rows []holidayDayRow
	if err := s.conn(ctx).Order("date").Find(&rows).Error; err != nil {
		return nil, err
	}
	by := map[int]*calendar.Year{}
	var order []int
	for _, r := range rows {
		y := by[r.Year]
		if y == nil {
			y = &calendar.Year{Year: r.Year}
			by[r.Year] = y
			order = append(order, r.Year)
		}
		y.Entries = append(y.Entries, calendar.Entry{Date: r.Date, Name: r.Name, OffDay: r.OffDay})
	}
	out := make([]calendar.Year, 0, len(order))
	for _, y := range order {
		out = append(out, *by[y])
	}
	return out, nil
}

// ReplaceHolidayYear replaces the stored entries of y.Year with y's.
func (s *Store) ReplaceHolidayYear(ctx context.Context, y calendar.Year) error {
	if err := s.conn(ctx).Where("year = ?", y.Year).Delete(&holidayDayRow{}).Error; err != nil {
		return err
	}
	rows := make([]holidayDayRow, len(y.Entries))
	for i, e := range y.Entries {
		rows[i] = holidayDayRow{Date: e.Date, Year: y.Year, Name: e.Name, OffDay: e.OffDay}
	}
	if len(rows) == 0 {
		return nil
	}
	// A date listed by two years' notices (late December) keeps the newest import.
	return s.conn(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&rows).Error
}

// CalendarOverrides returns the local overrides by date.
func (s *Store) CalendarOverrides(ctx context.Context) ([]calendar.Override, error) {
	var rows []calendarOverrideRow
	if err := s.conn(ctx).Order("date").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]calendar.Override, len(rows))
	for i, r := range rows {
		out[i] = calendar.Override{Date: r.Date, Kind: calendar.Kind(r.Kind), Name: r.Name, UpdatedAt: r.UpdatedAt.UTC(), UpdatedBy: r.UpdatedBy}
	}
	return out, nil
}

// PutCalendarOverride inserts or replaces the override of o.Date.
func (s *Store) PutCalendarOverride(ctx context.Context, o calendar.Override) error {
	r := calendarOverrideRow{Date: o.Date, Kind: string(o.Kind), Name: o.Name, UpdatedAt: o.UpdatedAt, UpdatedBy: o.UpdatedBy}
	return s.conn(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&r).Error
}

// DeleteCalendarOverride removes the override of d, reporting whether there was one.
func (s *Store) DeleteCalendarOverride(ctx context.Context, d civil.Date) (bool, error) {
	res := s.conn(ctx).Where("date = ?", d).Delete(&calendarOverrideRow{})
	return res.RowsAffected > 0, res.Error
}

// ---- training ----

// jsonText encodes v for a JSON text column ("null" never: nil slices become []).
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return "[]"
	}
	return string(b)
}

func fromJSONText[T any](s string) T {
	var v T
	_ = json.Unmarshal([]byte(s), &v)
	return v
}

type schoolRow struct {
	OrgID      int64 `gorm:"primaryKey"`
	Recognized bool
	Settings   string
	UpdatedAt  time.Time
}

func (schoolRow) TableName() string { return "training_schools" }

// schoolSettingsDoc is the stored shape of training.Settings.
type schoolSettingsDoc struct {
	Evening    []string          `json:"evening"`
	Day        []string          `json:"day"`
	KeepFree   []string          `json:"keepFree"`
	MaxPerWeek int               `json:"maxPerWeek"`
	Hours      training.HourRule `json:"hours"`
}

func spansText(ss []training.Span) []string {
	out := make([]string, len(ss))
	for i, x := range ss {
		out[i] = x.String()
	}
	return out
}

func spansOf(ss []string) []training.Span {
	var out []training.Span
	for _, x := range ss {
		if sp, err := training.ParseSpan(x); err == nil {
			out = append(out, sp)
		}
	}
	return out
}

func settingsText(st training.Settings) string {
	return jsonText(schoolSettingsDoc{Evening: spansText(st.Policy.Evening), Day: spansText(st.Policy.Day), KeepFree: st.Policy.KeepFree,
		MaxPerWeek: st.MaxPerWeek, Hours: st.Hours})
}

func settingsOf(s string) training.Settings {
	d := fromJSONText[schoolSettingsDoc](s)
	st := training.Settings{Policy: training.Policy{Evening: spansOf(d.Evening), Day: spansOf(d.Day), KeepFree: d.KeepFree},
		MaxPerWeek: d.MaxPerWeek, Hours: d.Hours}
	if !st.Hours.Valid() {
		st.Hours = training.DefaultHourRule()
	}
	if st.MaxPerWeek < 1 {
		st.MaxPerWeek = training.DefaultSettings().MaxPerWeek
	}
	return st
}

// School returns the school row of an org, or nil.
func (s *Store) School(ctx context.Context, orgID int64) (*training.School, error) {
	var rows []schoolRow
	if err := s.conn(ctx).Where("org_id = ?", orgID).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	r := rows[0]
	return &training.School{OrgID: r.OrgID, Recognized: r.Recognized, Settings: settingsOf(r.Settings), UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// PutSchool inserts or replaces a school row.
func (s *Store) PutSchool(ctx context.Context, sc training.School) error {
	r := schoolRow{OrgID: sc.OrgID, Recognized: sc.Recognized, Settings: settingsText(sc.Settings), UpdatedAt: sc.UpdatedAt}
	return s.conn(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&r).Error
}

type venueRow struct {
	ID          int64 `gorm:"primaryKey"`
	SchoolOrgID int64
	Name        string
	Capacity    int
	Address     string
	CreatedAt   time.Time
}

func (venueRow) TableName() string { return "venues" }

// CreateVenue inserts v and sets its ID.
func (s *Store) CreateVenue(ctx context.Context, v *training.Venue) error {
	r := venueRow{SchoolOrgID: v.SchoolOrgID, Name: v.Name, Capacity: v.Capacity, Address: v.Address, CreatedAt: v.CreatedAt}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	v.ID = r.ID
	return nil
}

// Venues lists a school's venues by name.
func (s *Store) Venues(ctx context.Context, schoolOrgID int64) ([]training.Venue, error) {
	var rows []venueRow
	if err := s.conn(ctx).Where("school_org_id = ?", schoolOrgID).Order("name, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]training.Venue, len(rows))
	for i, r := range rows {
		out[i] = training.Venue{ID: r.ID, SchoolOrgID: r.SchoolOrgID, Name: r.Name, Capacity: r.Capacity, Address: r.Address, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

type teacherRow struct {
	ID          int64 `gorm:"primaryKey"`
	SchoolOrgID int64
	Name        string
	Title       string
	Disciplines string
	Topics      string
	Unavailable string
	CreatedAt   time.Time
}

func (teacherRow) TableName() string { return "teachers" }

type teacherIntervalDoc struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// CreateTeacher inserts t and sets its ID.
func (s *Store) CreateTeacher(ctx context.Context, t *training.Teacher) error {
	un := make([]teacherIntervalDoc, len(t.Unavailable))
	for i, u := range t.Unavailable {
		un[i] = teacherIntervalDoc{u.Start.UTC(), u.End.UTC()}
	}
	r := teacherRow{SchoolOrgID: t.SchoolOrgID, Name: t.Name, Title: t.Title, Disciplines: jsonText(t.Disciplines), Topics: jsonText(t.Topics),
		Unavailable: jsonText(un), CreatedAt: t.CreatedAt}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	t.ID = r.ID
	return nil
}

// Teachers lists a school's teachers by name.
func (s *Store) Teachers(ctx context.Context, schoolOrgID int64) ([]training.Teacher, error) {
	var rows []teacherRow
	if err := s.conn(ctx).Where("school_org_id = ?", schoolOrgID).Order("name, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]training.Teacher, len(rows))
	for i, r := range rows {
		var un []training.Interval
		for _, u := range fromJSONText[[]teacherIntervalDoc](r.Unavailable) {
			un = append(un, training.Interval{Start: u.Start, End: u.End})
		}
		out[i] = training.Teacher{ID: r.ID, SchoolOrgID: r.SchoolOrgID, Name: r.Name, Title: r.Title,
			Disciplines: fromJSONText[[]string](r.Disciplines), Topics: fromJSONText[[]string](r.Topics), Unavailable: un, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

type courseRow struct {
	ID               int64 `gorm:"primaryKey"`
	SchoolOrgID      int64
	Code             string
	Title            string
	Mode             string
	TargetLevels     string
	TargetCategories string
	PlannedHours     float64
	Sessions         int
	Capacity         int
	MaxPerWeek       int
	TeacherID        *int64
	VenueID          *int64
	Outline          string
	CreditedAt       *time.Time
	CreatedAt        time.Time
}

func (courseRow) TableName() string { return "courses" }

type courseOutlineDoc struct {
	Topics    []string `json:"topics"`
	Readings  []string `json:"readings"`
	Questions []string `json:"questions"`
}

func toCourse(r courseRow) training.Course {
	o := fromJSONText[courseOutlineDoc](r.Outline)
	c := training.Course{ID: r.ID, SchoolOrgID: r.SchoolOrgID, Code: r.Code, Title: r.Title, Mode: training.Mode(r.Mode),
		TargetLevels: fromJSONText[[]string](r.TargetLevels), TargetCategories: fromJSONText[[]string](r.TargetCategories),
		PlannedHours: r.PlannedHours, Sessions: r.Sessions, Capacity: r.Capacity, MaxPerWeek: r.MaxPerWeek, TeacherID: r.TeacherID,
		VenueID: r.VenueID, Outline: training.Outline{Topics: o.Topics, Readings: o.Readings, Questions: o.Questions}, CreatedAt: r.CreatedAt.UTC()}
	if r.CreditedAt != nil {
		t := r.CreditedAt.UTC()
		c.CreditedAt = &t
	}
	return c
}

// CreateCourse inserts c and sets its ID.
func (s *Store) CreateCourse(ctx context.Context, c *training.Course) error {
	r := courseRow{SchoolOrgID: c.SchoolOrgID, Code: c.Code, Title: c.Title, Mode: string(c.Mode), TargetLevels: jsonText(c.TargetLevels),
		TargetCategories: jsonText(c.TargetCategories), PlannedHours: c.PlannedHours, Sessions: c.Sessions, Capacity: c.Capacity,
		MaxPerWeek: c.MaxPerWeek, TeacherID: c.TeacherID, VenueID: c.VenueID,
		Outline: jsonText(courseOutlineDoc{Topics: c.Outline.Topics, Readings: c.Outline.Readings, Questions: c.Outline.Questions}), CreatedAt: c.CreatedAt}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	c.ID = r.ID
	return nil
}

// Courses lists a school's courses by code.
func (s *Store) Courses(ctx context.Context, schoolOrgID int64) ([]training.Course, error) {
	var rows []courseRow
	if err := s.conn(ctx).Where("school_org_id = ?", schoolOrgID).Order("code, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]training.Course, len(rows))
	for i, r := range rows {
		out[i] = toCourse(r)
	}
	return out, nil
}

// CourseByID returns the course, or nil.
func (s *Store) CourseByID(ctx context.Context, id int64) (*training.Course, error) {
	var rows []courseRow
	if err := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	c := toCourse(rows[0])
	return &c, nil
}

// MarkCourseCredited sets the time a course's hours were credited.
func (s *Store) MarkCourseCredited(ctx context.Context, id int64, at time.Time) error {
	return s.conn(ctx).Model(&courseRow{}).Where("id = ?", id).Update("credited_at", at).Error
}

type classSessionRow struct {
	ID        int64 `gorm:"primaryKey"`
	CourseID  int64
	StartsAt  time.Time
	EndsAt    time.Time
	VenueID   *int64
	TeacherID *int64
	CreatedAt time.Time
}

func (classSessionRow) TableName() string { return "training_sessions" }

// classSessionViewRow is a session with the names shown in calendars.
type classSessionViewRow struct {
	ID          int64
	CourseID    int64
	StartsAt    time.Time
	EndsAt      time.Time
	VenueID     *int64
	TeacherID   *int64
	CreatedAt   time.Time
	CourseTitle string
	VenueName   string
	TeacherName string
	SchoolName  string
}

func toClassSession(r classSessionRow) training.Session {
	return training.Session{ID: r.ID, CourseID: r.CourseID, Start: r.StartsAt.UTC(), End: r.EndsAt.UTC(), VenueID: r.VenueID,
		TeacherID: r.TeacherID, CreatedAt: r.CreatedAt.UTC()}
}

// CreateSessions inserts the sessions and sets their IDs.
func (s *Store) CreateSessions(ctx context.Context, ss []training.Session) error {
	rows := make([]classSessionRow, len(ss))
	for i, x := range ss {
		rows[i] = classSessionRow{CourseID: x.CourseID, StartsAt: x.Start.UTC(), EndsAt: x.End.UTC(), VenueID: x.VenueID, TeacherID: x.TeacherID, CreatedAt: x.CreatedAt}
	}
	if err := s.conn(ctx).CreateInBatches(&rows, 200).Error; err != nil {
		return err
	}
	for i := range ss {
		ss[i].ID = rows[i].ID
	}
	return nil
}

// DeleteSessions deletes sessions (and nothing else: sessions with attendance are kept by the
// service).
func (s *Store) DeleteSessions(ctx context.Context, ids []int64) error {
	return s.conn(ctx).Where("id IN ?", ids).Delete(&classSessionRow{}).Error
}

// SessionByID returns the session, or nil.
func (s *Store) SessionByID(ctx context.Context, id int64) (*training.Session, error) {
	var rows []classSessionRow
	if err := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	x := toClassSession(rows[0])
	return &x, nil
}

func (s *Store) sessions(ctx context.Context, where string, args ...any) ([]training.Session, error) {
	var rows []classSessionViewRow
	err := s.conn(ctx).Table("training_sessions AS s").
		Select("s.*, c.title AS course_title, COALESCE(v.name, '') AS venue_name, COALESCE(t.name, '') AS teacher_name, o.name AS school_name").
		Joins("JOIN courses c ON c.id = s.course_id").
		Joins("JOIN orgs o ON o.id = c.school_org_id").
		Joins("LEFT JOIN venues v ON v.id = s.venue_id").
		Joins("LEFT JOIN teachers t ON t.id = s.teacher_id").
		Where(where, args...).Order("s.starts_at, s.id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]training.Session, len(rows))
	for i, r := range rows {
		out[i] = toClassSession(classSessionRow{ID: r.ID, CourseID: r.CourseID, StartsAt: r.StartsAt, EndsAt: r.EndsAt, VenueID: r.VenueID,
			TeacherID: r.TeacherID, CreatedAt: r.CreatedAt})
		out[i].CourseTitle, out[i].VenueName, out[i].TeacherName, out[i].SchoolName = r.CourseTitle, r.VenueName, r.TeacherName, r.SchoolName
	}
	return out, nil
}

// SessionsOfCourse returns a course's sessions by start.
func (s *Store) SessionsOfCourse(ctx context.Context, courseID int64) ([]training.Session, error) {
	return s.sessions(ctx, "s.course_id = ?", courseID)
}

// SessionsBetween returns every school's sessions overlapping [from, to).
func (s *Store) SessionsBetween(ctx context.Context, from, to time.Time) ([]training.Session, error) {
	return s.sessions(ctx, "s.starts_at < ? AND s.ends_at > ?", to.UTC(), from.UTC())
}

// SessionsOfSchool returns a school's sessions.
func (s *Store) SessionsOfSchool(ctx context.Context, schoolOrgID int64) ([]training.Session, error) {
	return s.sessions(ctx, "c.school_org_id = ?", schoolOrgID)
}

// SessionsOfCadre returns the sessions of the courses a cadre is enrolled in.
func (s *Store) SessionsOfCadre(ctx context.Context, cadreID int64) ([]training.Session, error) {
	return s.sessions(ctx, "s.course_id IN (SELECT course_id FROM enrollments WHERE cadre_id = ? AND status = 'enrolled')", cadreID)
}

type enrollmentRow struct {
	ID        int64 `gorm:"primaryKey"`
	CourseID  int64
	CadreID   int64
	Status    string
	CreatedAt time.Time
}

func (enrollmentRow) TableName() string { return "enrollments" }

// Enrollments lists a course's enrollments in order of arrival, with waiting-list positions.
func (s *Store) Enrollments(ctx context.Context, courseID int64) ([]training.Enrollment, error) {
	var rows []enrollmentRow
	if err := s.conn(ctx).Where("course_id = ?", courseID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]training.Enrollment, len(rows))
	pos := 0
	for i, r := range rows {
		out[i] = training.Enrollment{ID: r.ID, CourseID: r.CourseID, CadreID: r.CadreID, Status: training.EnrollmentStatus(r.Status), CreatedAt: r.CreatedAt.UTC()}
		if out[i].Status == training.Waitlisted {
			pos++
			out[i].Position = pos
		}
	}
	return out, nil
}

// EnrolledCadres maps each course to its enrolled cadres.
func (s *Store) EnrolledCadres(ctx context.Context, courseIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(courseIDs) == 0 {
		return out, nil
	}
	var rows []enrollmentRow
	if err := s.conn(ctx).Where("course_id IN ? AND status = 'enrolled'", courseIDs).Order("course_id, cadre_id").Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.CourseID] = append(out[r.CourseID], r.CadreID)
	}
	return out, nil
}

// CreateEnrollment inserts e and sets its ID.
func (s *Store) CreateEnrollment(ctx context.Context, e *training.Enrollment) error {
	r := enrollmentRow{CourseID: e.CourseID, CadreID: e.CadreID, Status: string(e.Status), CreatedAt: e.CreatedAt}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	e.ID = r.ID
	return nil
}

// CountEnrolled counts a course's enrolled cadres.
func (s *Store) CountEnrolled(ctx context.Context, courseID int64) (int, error) {
	var n int64
	err := s.conn(ctx).Model(&enrollmentRow{}).Where("course_id = ? AND status = 'enrolled'", courseID).Count(&n).Error
	return int(n), err
}

type attendanceRow struct {
	SessionID  int64 `gorm:"primaryKey"`
	CadreID    int64 `gorm:"primaryKey"`
	Present    bool
	RecordedAt time.Time
}

func (attendanceRow) TableName() string { return "attendance" }

// AttendanceOfCourse returns the attendance of every session of a course.
func (s *Store) AttendanceOfCourse(ctx context.Context, courseID int64) ([]training.Attendance, error) {
	var rows []attendanceRow
	if err := s.conn(ctx).Where("session_id IN (SELECT id FROM training_sessions WHERE course_id = ?)", courseID).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]training.Attendance, len(rows))
	for i, r := range rows {
		out[i] = training.Attendance{SessionID: r.SessionID, CadreID: r.CadreID, Present: r.Present, RecordedAt: r.RecordedAt.UTC()}
	}
	return out, nil
}

// PutAttendance inserts or replaces the records.
func (s *Store) PutAttendance(ctx context.Context, as []training.Attendance) error {
	rows := make([]attendanceRow, len(as))
	for i, a := range as {
		rows[i] = attendanceRow{SessionID: a.SessionID, CadreID: a.CadreID, Present: a.Present, RecordedAt: a.RecordedAt}
	}
	return s.conn(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(&rows).Error
}

type ledgerRow struct {
	ID          int64 `gorm:"primaryKey"`
	CadreID     int64
	CourseID    *int64
	CourseTitle string
	SchoolOrgID *int64
	SchoolName  string
	Mode        string
	Recognized  bool
	Hours       float64
	FromDate    civil.Date
	ToDate      civil.Date
	Year        int
	CreatedAt   time.Time
	CreatedBy   string
}

func (ledgerRow) TableName() string { return "training_ledger" }

// AppendLedger inserts the entries and sets their IDs.
func (s *Store) AppendLedger(ctx context.Context, es []training.LedgerEntry) error {
	rows := make([]ledgerRow, len(es))
	for i, e := range es {
		rows[i] = ledgerRow{CadreID: e.CadreID, CourseID: e.CourseID, CourseTitle: e.CourseTitle, SchoolOrgID: e.SchoolOrgID, SchoolName: e.SchoolName,
			Mode: string(e.Mode), Recognized: e.Recognized, Hours: e.Hours, FromDate: e.From, ToDate: e.To, Year: e.Year, CreatedAt: e.CreatedAt, CreatedBy: e.CreatedBy}
	}
	if err := s.conn(ctx).Create(&rows).Error; err != nil {
		return err
	}
	for i := range es {
		es[i].ID = rows[i].ID
	}
	return nil
}

// Ledger returns a cadre's ledger, newest first.
func (s *Store) Ledger(ctx context.Context, cadreID int64) ([]training.LedgerEntry, error) {
	var rows []ledgerRow
	if err := s.conn(ctx).Where("cadre_id = ?", cadreID).Order("from_date DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]training.LedgerEntry, len(rows))
	for i, r := range rows {
		out[i] = toLedgerEntry(r)
	}
	return out, nil
}

func toLedgerEntry(r ledgerRow) training.LedgerEntry {
	return training.LedgerEntry{ID: r.ID, CadreID: r.CadreID, CourseID: r.CourseID, CourseTitle: r.CourseTitle, SchoolOrgID: r.SchoolOrgID,
		SchoolName: r.SchoolName, Mode: training.Mode(r.Mode), Recognized: r.Recognized, Hours: r.Hours, From: r.FromDate, To: r.ToDate,
		Year: r.Year, CreatedAt: r.CreatedAt.UTC(), CreatedBy: r.CreatedBy}
}

// The store satisfies the calendar and training services' interfaces.
var (
	_ calendar.Store = (*Store)(nil)
	_ training.Store = (*Store)(nil)
)
