package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"qualify/internal/calendar"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
	"qualify/internal/training"
)

type calendarDayDTO struct {
	Date civil.Date `json:"date"`
	Kind string     `json:"kind"`
	Name string     `json:"name,omitempty"`
}

type overrideRequest struct {
	Kind string `json:"kind" validate:"required,oneof=workday weekend holiday makeup_workday"`
	Name string `json:"name" validate:"max=50"`
}

type overrideDTO struct {
	Date      civil.Date `json:"date"`
	Kind      string     `json:"kind"`
	Name      string     `json:"name"`
	UpdatedAt string     `json:"updatedAt"`
	UpdatedBy string     `json:"updatedBy"`
}

type holidayYearDTO struct {
	Year   int      `json:"year"`
	Days   int      `json:"days"`
	Papers []string `json:"papers"`
}

type hourRuleDTO struct {
	FullDay        float64 `json:"fullDay"`
	HalfDay        float64 `json:"halfDay"`
	PerHour        float64 `json:"perHour"`
	HalfDayMinutes int     `json:"halfDayMinutes"`
}

type schoolDTO struct {
	OrgID        int64       `json:"orgId"`
	Name         string      `json:"name"`
	Recognized   bool        `json:"recognized"`
	EveningSlots []string    `json:"eveningSlots"`
	DaySlots     []string    `json:"daySlots"`
	KeepFree     []string    `json:"keepFree"`
	MaxPerWeek   int         `json:"maxPerWeek"`
	HourRule     hourRuleDTO `json:"hourRule"`
}

// schoolRequest changes the fields present: slots as "HH:MM-HH:MM".
type schoolRequest struct {
	Recognized   *bool        `json:"recognized"`
	EveningSlots []string     `json:"eveningSlots"`
	DaySlots     []string     `json:"daySlots"`
	KeepFree     []string     `json:"keepFree"`
	MaxPerWeek   *int         `json:"maxPerWeek"`
	HourRule     *hourRuleDTO `json:"hourRule"`
}

type venueRequest struct {
	Name     string `json:"name" validate:"required,max=100"`
	Capacity int    `json:"capacity" validate:"required,gt=0"`
	Address  string `json:"address" validate:"max=200"`
}

type venueDTO struct {
	ID       int64  `json:"id"`
	SchoolID int64  `json:"schoolId"`
	Name     string `json:"name"`
	Capacity int    `json:"capacity"`
	Address  string `json:"address"`
}

type intervalDTO struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

type teacherRequest struct {
	Name        string        `json:"name" validate:"required,max=50"`
	Title       string        `json:"title" validate:"max=50"`
	Disciplines []string      `json:"disciplines"`
	Topics      []string      `json:"topics"`
	Unavailable []intervalDTO `json:"unavailable"`
}

type teacherDTO struct {
	ID          int64         `json:"id"`
	SchoolID    int64         `json:"schoolId"`
	Name        string        `json:"name"`
	Title       string        `json:"title"`
	Disciplines []string      `json:"disciplines"`
	Topics      []string      `json:"topics"`
	Unavailable []intervalDTO `json:"unavailable"`
}

type outlineDTO struct {
	Topics    []string `json:"topics"`
	Readings  []string `json:"readings"`
	Questions []string `json:"questions"`
}

type courseRequest struct {
	Code             string     `json:"code" validate:"required,max=32"`
	Title            string     `json:"title" validate:"required,max=200"`
	Kind             string     `json:"kind" validate:"required,oneof=full_time centralized online self_study"`
	TargetLevels     []string   `json:"targetLevels"`
	TargetCategories []string   `json:"targetCategories"`
	PlannedHours     float64    `json:"plannedHours" validate:"gt=0"`
	Sessions         int        `json:"sessions" validate:"gte=0,lte=200"`
	Capacity         int        `json:"capacity" validate:"gt=0"`
	MaxPerWeek       int        `json:"maxPerWeek" validate:"gte=0,lte=14"`
	TeacherID        *int64     `json:"teacherId"`
	VenueID          *int64     `json:"venueId"`
	Outline          outlineDTO `json:"outline"`
}

type courseDTO struct {
	ID               int64      `json:"id"`
	SchoolID         int64      `json:"schoolId"`
	Code             string     `json:"code"`
	Title            string     `json:"title"`
	Kind             string     `json:"kind"`
	KindName         string     `json:"kindName"`
	TargetLevels     []string   `json:"targetLevels"`
	TargetCategories []string   `json:"targetCategories"`
	PlannedHours     float64    `json:"plannedHours"`
	Sessions         int        `json:"sessions"`
	Capacity         int        `json:"capacity"`
	MaxPerWeek       int        `json:"maxPerWeek"`
	TeacherID        *int64     `json:"teacherId"`
	VenueID          *int64     `json:"venueId"`
	Outline          outlineDTO `json:"outline"`
	CreditedAt       *string    `json:"creditedAt"`
}

type classSessionRequest struct {
	CourseID  int64     `json:"courseId" validate:"required,gt=0"`
	StartsAt  time.Time `json:"startsAt" validate:"required"`
	EndsAt    time.Time `json:"endsAt" validate:"required"`
	VenueID   int64     `json:"venueId" validate:"required,gt=0"`
	TeacherID int64     `json:"teacherId" validate:"gte=0"`
}

type classSessionDTO struct {
	ID          int64  `json:"id"`
	CourseID    int64  `json:"courseId"`
	CourseTitle string `json:"courseTitle,omitempty"`
	StartsAt    string `json:"startsAt"`
	EndsAt      string `json:"endsAt"`
	VenueID     *int64 `json:"venueId"`
	VenueName   string `json:"venueName,omitempty"`
	TeacherID   *int64 `json:"teacherId"`
	TeacherName string `json:"teacherName,omitempty"`
}

type scheduleRequest struct {
	From civil.Date `json:"from"`
	To   civil.Date `json:"to"`
}

type scheduleDTO struct {
	Sessions []classSessionDTO `json:"sessions"`
	Kept     int               `json:"kept"`
	Added    int               `json:"added"`
	Removed  int               `json:"removed"`
}

type enrollRequest struct {
	CadreID int64 `json:"cadreId" validate:"required,gt=0"`
}

type enrollmentDTO struct {
	ID       int64  `json:"id"`
	CourseID int64  `json:"courseId"`
	CadreID  int64  `json:"cadreId"`
	Status   string `json:"status"`
	Position int    `json:"position,omitempty"`
}

type attendanceMark struct {
	CadreID int64 `json:"cadreId" validate:"required,gt=0"`
	Present bool  `json:"present"`
}

type attendanceDTO struct {
	SessionID int64 `json:"sessionId"`
	CadreID   int64 `json:"cadreId"`
	Present   bool  `json:"present"`
}

type yearPartDTO struct {
	Year  int        `json:"year"`
	Hours float64    `json:"hours"`
	From  civil.Date `json:"from"`
	To    civil.Date `json:"to"`
}

type creditDTO struct {
	CadreID     int64         `json:"cadreId"`
	CourseHours float64       `json:"courseHours"`
	Attended    float64       `json:"attended"`
	Leave       float64       `json:"leave"`
	Eligible    bool          `json:"eligible"`
	Credited    []yearPartDTO `json:"credited"`
}

type ledgerDTO struct {
	ID          int64      `json:"id"`
	CourseID    *int64     `json:"courseId"`
	CourseTitle string     `json:"courseTitle"`
	SchoolID    *int64     `json:"schoolId"`
	SchoolName  string     `json:"schoolName"`
	Kind        string     `json:"kind"`
	KindName    string     `json:"kindName"`
	Recognized  bool       `json:"recognized"`
	Centralized bool       `json:"countsAsCentralized"`
	Hours       float64    `json:"hours"`
	From        civil.Date `json:"from"`
	To          civil.Date `json:"to"`
	Year        int        `json:"year"`
	CreatedAt   string     `json:"createdAt"`
}

type yearHoursDTO struct {
	Year        int                `json:"year"`
	Total       float64            `json:"total"`
	Centralized float64            `json:"centralized"`
	ByKind      map[string]float64 `json:"byKind"`
}

type requirementDTO struct {
	Hours       float64    `json:"hours"`
	Years       int        `json:"years"`
	Label       string     `json:"label"`
	WindowFrom  civil.Date `json:"windowFrom"`
	WindowTo    civil.Date `json:"windowTo"`
	Centralized float64    `json:"centralizedHours"`
	Met         bool       `json:"met"`
}

type trainingRecordDTO struct {
	CadreID     int64          `json:"cadreId"`
	Requirement requirementDTO `json:"requirement"`
	Years       []yearHoursDTO `json:"years"`
	Records     []ledgerDTO    `json:"records"`
}

func toSchoolDTO(s training.School) schoolDTO {
	spans := func(ss []training.Span) []string {
		out := make([]string, len(ss))
		for i, x := range ss {
			out[i] = x.String()
		}
		return out
	}
	keep := s.Settings.Policy.KeepFree
	if keep == nil {
		keep = []string{}
	}
	h := s.Settings.Hours
	return schoolDTO{OrgID: s.OrgID, Name: s.Name, Recognized: s.Recognized, EveningSlots: spans(s.Settings.Policy.Evening),
		DaySlots: spans(s.Settings.Policy.Day), KeepFree: keep, MaxPerWeek: s.Settings.MaxPerWeek,
		HourRule: hourRuleDTO{h.FullDay, h.HalfDay, h.PerHour, h.HalfDayMinutes}}
}

func strs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toVenueDTO(v training.Venue) venueDTO {
	return venueDTO{ID: v.ID, SchoolID: v.SchoolOrgID, Name: v.Name, Capacity: v.Capacity, Address: v.Address}
}

func toTeacherDTO(t training.Teacher) teacherDTO {
	un := make([]intervalDTO, len(t.Unavailable))
	for i, u := range t.Unavailable {
		un[i] = intervalDTO{u.Start.In(shanghai), u.End.In(shanghai)}
	}
	return teacherDTO{ID: t.ID, SchoolID: t.SchoolOrgID, Name: t.Name, Title: t.Title, Disciplines: strs(t.Disciplines),
		Topics: strs(t.Topics), Unavailable: un}
}

func toCourseDTO(c training.Course) courseDTO {
	return courseDTO{ID: c.ID, SchoolID: c.SchoolOrgID, Code: c.Code, Title: c.Title, Kind: string(c.Mode), KindName: training.ModeNames[c.Mode],
		TargetLevels: strs(c.TargetLevels), TargetCategories: strs(c.TargetCategories), PlannedHours: c.PlannedHours, Sessions: c.Sessions,
		Capacity: c.Capacity, MaxPerWeek: c.MaxPerWeek, TeacherID: c.TeacherID, VenueID: c.VenueID,
		Outline:    outlineDTO{Topics: strs(c.Outline.Topics), Readings: strs(c.Outline.Readings), Questions: strs(c.Outline.Questions)},
		CreditedAt: rfc3339Ptr(c.CreditedAt)}
}

func toClassSessionDTO(x training.Session) classSessionDTO {
	return classSessionDTO{ID: x.ID, CourseID: x.CourseID, CourseTitle: x.CourseTitle, StartsAt: rfc3339(x.Start), EndsAt: rfc3339(x.End),
		VenueID: x.VenueID, VenueName: x.VenueName, TeacherID: x.TeacherID, TeacherName: x.TeacherName}
}

func toRecordDTO(r training.Record) trainingRecordDTO {
	p := r.Progress
	out := trainingRecordDTO{CadreID: r.CadreID, Requirement: requirementDTO{Hours: p.Requirement.Hours, Years: p.Requirement.Years,
		Label: p.Requirement.Label, WindowFrom: p.From, WindowTo: p.To, Centralized: p.Hours, Met: p.Met},
		Years: []yearHoursDTO{}, Records: []ledgerDTO{}}
	for _, y := range r.Years {
		by := map[string]float64{}
		for m, h := range y.ByMode {
			by[string(m)] = h
		}
		out.Years = append(out.Years, yearHoursDTO{Year: y.Year, Total: y.Total, Centralized: y.Centralized, ByKind: by})
	}
	for _, e := range r.Ledger {
		out.Records = append(out.Records, ledgerDTO{ID: e.ID, CourseID: e.CourseID, CourseTitle: e.CourseTitle, SchoolID: e.SchoolOrgID,
			SchoolName: e.SchoolName, Kind: string(e.Mode), KindName: training.ModeNames[e.Mode], Recognized: e.Recognized,
			Centralized: training.CountsAsCentralized(e), Hours: e.Hours, From: e.From, To: e.To, Year: e.Year, CreatedAt: rfc3339(e.CreatedAt)})
	}
	return out
}

func (r schoolRequest) toUpdate(current training.Settings) (training.SchoolUpdate, error) {
	u := training.SchoolUpdate{Recognized: r.Recognized}
	if r.EveningSlots == nil && r.DaySlots == nil && r.KeepFree == nil && r.MaxPerWeek == nil && r.HourRule == nil {
		return u, nil
	}
	st := current
	var fe []apperr.FieldError
	parse := func(field string, in []string, dst *[]training.Span) {
		if in == nil {
			return
		}
		*dst = nil
		for _, s := range in {
			sp, err := training.ParseSpan(s)
			if err != nil {
				fe = append(fe, apperr.FieldError{Field: field, Message: err.Error()})
				return
			}
			*dst = append(*dst, sp)
		}
	}
	parse("eveningSlots", r.EveningSlots, &st.Policy.Evening)
	parse("daySlots", r.DaySlots, &st.Policy.Day)
	if r.KeepFree != nil {
		st.Policy.KeepFree = r.KeepFree
	}
	if r.MaxPerWeek != nil {
		st.MaxPerWeek = *r.MaxPerWeek
	}
	if r.HourRule != nil {
		st.Hours = training.HourRule{FullDay: r.HourRule.FullDay, HalfDay: r.HourRule.HalfDay, PerHour: r.HourRule.PerHour,
			HalfDayMinutes: r.HourRule.HalfDayMinutes}
	}
	if len(fe) > 0 {
		return u, apperr.InvalidFields("validation_failed", "排课设置校验未通过", fe...)
	}
	u.Settings = &st
	return u, nil
}

func (a *API) trainingRoutes(authed *gin.RouterGroup) {
	all := a.signedIn(authed, "培训")
	all.handle(route{Method: "GET", Path: "/calendar/days", Summary: "节假日日历：每天为工作日、周末、节假日或调休上班日（官方安排 + 本地调整）",
		Query: []string{"from", "to"}, Response: []calendarDayDTO{}}, a.calendarDays)
	all.handle(route{Method: "GET", Path: "/calendar/overrides", Summary: "本地日历调整列表", Response: []overrideDTO{}}, a.calendarOverrides)
	all.handle(route{Method: "GET", Path: "/me/training", Summary: "本人培训学时：按年度、按培训方式汇总，对照职级要求（每年 90 或每 5 年 550 学时）及其明细",
		Response: trainingRecordDTO{}}, a.myTraining)
	all.handle(route{Method: "GET", Path: "/me/calendar.ics", Summary: "本人培训课表（RFC 5545 iCalendar，Asia/Shanghai）", Raw: "text/calendar"}, a.myCalendar)
	all.handle(route{Method: "GET", Path: "/schools/:id/calendar.ics", Summary: "培训机构全部课次（RFC 5545 iCalendar）", Raw: "text/calendar"}, a.schoolCalendar)
	all.handle(route{Method: "POST", Path: "/courses/:id/enrollments", Summary: "报名课程（满员则进入候补）：排课员可为任何干部报名，干部可为本人报名，组织人事部门可为管理范围内干部报名",
		Request: enrollRequest{}, Response: enrollmentDTO{}, Status: 201}, a.enroll)

	admin := a.restricted(authed, "培训", identity.RoleSysadmin)
	admin.handle(route{Method: "POST", Path: "/calendar/years", Summary: "导入一年的官方节假日安排（holiday-cn JSON：{year, papers, days:[{name,date,isOffDay}]}），替换该年已有安排",
		Response: holidayYearDTO{}, Status: 201}, a.importHolidayYear)
	admin.handle(route{Method: "PUT", Path: "/calendar/overrides/:date", Summary: "本地调整某日类型（如地方性节日）", Request: overrideRequest{}, Response: overrideDTO{}}, a.putOverride)
	admin.handle(route{Method: "DELETE", Path: "/calendar/overrides/:date", Summary: "撤销某日的本地调整", Status: 204}, a.deleteOverride)

	schoolOrPersonnel := a.restricted(authed, "培训", identity.RoleSchool, identity.RolePersonnel)
	schoolOrPersonnel.handle(route{Method: "GET", Path: "/schools/:id", Summary: "培训机构排课设置与认可状态", Response: schoolDTO{}}, a.getSchool)
	schoolOrPersonnel.handle(route{Method: "PATCH", Path: "/schools/:id", Summary: "修改排课设置（本校排课员）或认可状态（组织人事部门）",
		Request: schoolRequest{}, Response: schoolDTO{}}, a.updateSchool)

	school := a.restricted(authed, "培训", identity.RoleSchool)
	school.handle(route{Method: "GET", Path: "/venues", Summary: "本校教室", Response: []venueDTO{}}, a.listVenues)
	school.handle(route{Method: "POST", Path: "/venues", Summary: "新增教室", Request: venueRequest{}, Response: venueDTO{}, Status: 201}, a.createVenue)
	school.handle(route{Method: "GET", Path: "/teachers", Summary: "本校师资库", Response: []teacherDTO{}}, a.listTeachers)
	school.handle(route{Method: "POST", Path: "/teachers", Summary: "新增教师（学科、专题、不可授课时间）", Request: teacherRequest{}, Response: teacherDTO{}, Status: 201}, a.createTeacher)
	school.handle(route{Method: "GET", Path: "/courses", Summary: "本校课程", Response: []courseDTO{}}, a.listCourses)
	school.handle(route{Method: "POST", Path: "/courses", Summary: "新增课程（面向职务层次与类别、培训方式、计划学时、自学提纲）", Request: courseRequest{}, Response: courseDTO{}, Status: 201}, a.createCourse)
	school.handle(route{Method: "GET", Path: "/courses/:id/sessions", Summary: "课程的课次", Response: []classSessionDTO{}}, a.courseSessions)
	school.handle(route{Method: "POST", Path: "/courses/:id/schedule", Summary: "自动排课：在允许的空闲时段内安排课程的课次（不移动其他课程），不可行时 422 schedule_infeasible",
		Request: scheduleRequest{}, Response: scheduleDTO{}}, a.scheduleCourse)
	school.handle(route{Method: "POST", Path: "/courses/:id/credit", Summary: "课程结束后登记学时：按折算规则与请假不超过 1/7 规则记入培训档案（跨年拆分）",
		Response: []creditDTO{}}, a.creditCourse)
	school.handle(route{Method: "POST", Path: "/sessions", Summary: "手工排课：不在允许时段 422 slot_not_allowed，教室、教师或学员冲突 409 schedule_conflict",
		Request: classSessionRequest{}, Response: classSessionDTO{}, Status: 201}, a.createSession)
	school.handle(route{Method: "POST", Path: "/sessions/:id/attendance", Summary: "登记考勤 [{cadreId, present}]", Request: []attendanceMark{}, Response: []attendanceDTO{}}, a.recordAttendance)

	personnel := a.restricted(authed, "培训", identity.RolePersonnel)
	personnel.handle(route{Method: "GET", Path: "/cadres/:id/training", Summary: "管理范围内干部的培训学时与档案", Response: trainingRecordDTO{}}, a.cadreTraining)
}

func queryDate(c *gin.Context, name string) civil.Date {
	d, _ := civil.Parse(c.Query(name))
	return d
}

func (a *API) calendarDays(c *gin.Context) {
	days, err := a.d.Calendar.Days(c.Request.Context(), queryDate(c, "from"), queryDate(c, "to"))
	respond(c, http.StatusOK, mapSlice(days, func(d calendar.Day) calendarDayDTO { return calendarDayDTO{d.Date, string(d.Kind), d.Name} }), err)
}

func toOverrideDTO(o calendar.Override) overrideDTO {
	return overrideDTO{Date: o.Date, Kind: string(o.Kind), Name: o.Name, UpdatedAt: rfc3339(o.UpdatedAt), UpdatedBy: o.UpdatedBy}
}

func (a *API) calendarOverrides(c *gin.Context) {
	out, err := a.d.Calendar.Overrides(c.Request.Context())
	respond(c, http.StatusOK, mapSlice(out, toOverrideDTO), err)
}

func (a *API) importHolidayYear(c *gin.Context) {
	var raw json.RawMessage
	if !a.bind(c, &raw) {
		return
	}
	y, err := a.d.Calendar.ImportYear(c.Request.Context(), actor(c), raw)
	respond(c, http.StatusCreated, holidayYearDTO{Year: y.Year, Days: len(y.Entries), Papers: strs(y.Papers)}, err)
}

func pathDate(c *gin.Context) (civil.Date, bool) {
	d, err := civil.Parse(c.Param("date"))
	if err != nil {
		renderError(c, apperr.NotFoundf("日期格式应为 YYYY-MM-DD"))
		return civil.Date{}, false
	}
	return d, true
}

func (a *API) putOverride(c *gin.Context) {
	d, ok := pathDate(c)
	var req overrideRequest
	if !ok || !a.bind(c, &req) {
		return
	}
	o, err := a.d.Calendar.SetOverride(c.Request.Context(), actor(c), calendar.Override{Date: d, Kind: calendar.Kind(req.Kind), Name: req.Name})
	respond(c, http.StatusOK, toOverrideDTO(o), err)
}

func (a *API) deleteOverride(c *gin.Context) {
	if d, ok := pathDate(c); ok {
		respond(c, http.StatusNoContent, nil, a.d.Calendar.DeleteOverride(c.Request.Context(), actor(c), d))
	}
}

func (a *API) getSchool(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		s, err := a.d.Training.GetSchool(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, toSchoolDTO(s), err)
	}
}

func (a *API) updateSchool(c *gin.Context) {
	id, ok := pathID(c, "id")
	var req schoolRequest
	if !ok || !a.bind(c, &req) {
		return
	}
	cur := training.DefaultSettings()
	if s, err := a.d.Training.GetSchool(c.Request.Context(), actor(c), id); err == nil {
		cur = s.Settings
	}
	u, err := req.toUpdate(cur)
	if err != nil {
		renderError(c, err)
		return
	}
	s, err := a.d.Training.UpdateSchool(c.Request.Context(), actor(c), id, u)
	respond(c, http.StatusOK, toSchoolDTO(s), err)
}

func (a *API) listVenues(c *gin.Context) {
	out, err := a.d.Training.Venues(c.Request.Context(), actor(c))
	respond(c, http.StatusOK, mapSlice(out, toVenueDTO), err)
}

func (a *API) createVenue(c *gin.Context) {
	var req venueRequest
	if !a.bind(c, &req) {
		return
	}
	v, err := a.d.Training.CreateVenue(c.Request.Context(), actor(c), training.Venue{Name: req.Name, Capacity: req.Capacity, Address: req.Address})
	respond(c, http.StatusCreated, toVenueDTO(v), err)
}

func (a *API) listTeachers(c *gin.Context) {
	out, err := a.d.Training.Teachers(c.Request.Context(), actor(c))
	respond(c, http.StatusOK, mapSlice(out, toTeacherDTO), err)
}

func (a *API) createTeacher(c *gin.Context) {
	var req teacherRequest
	if !a.bind(c, &req) {
		return
	}
	t := training.Teacher{Name: req.Name, Title: req.Title, Disciplines: req.Disciplines, Topics: req.Topics,
		Unavailable: mapSlice(req.Unavailable, func(i intervalDTO) training.Interval { return training.Interval{Start: i.Start, End: i.End} })}
	out, err := a.d.Training.CreateTeacher(c.Request.Context(), actor(c), t)
	respond(c, http.StatusCreated, toTeacherDTO(out), err)
}

func (a *API) listCourses(c *gin.Context) {
	out, err := a.d.Training.Courses(c.Request.Context(), actor(c))
	respond(c, http.StatusOK, mapSlice(out, toCourseDTO), err)
}

func (a *API) createCourse(c *gin.Context) {
	var r courseRequest
	if !a.bind(c, &r) {
		return
	}
	in := training.Course{Code: r.Code, Title: r.Title, Mode: training.Mode(r.Kind), TargetLevels: r.TargetLevels, TargetCategories: r.TargetCategories,
		PlannedHours: r.PlannedHours, Sessions: r.Sessions, Capacity: r.Capacity, MaxPerWeek: r.MaxPerWeek, TeacherID: r.TeacherID, VenueID: r.VenueID,
		Outline: training.Outline{Topics: r.Outline.Topics, Readings: r.Outline.Readings, Questions: r.Outline.Questions}}
	out, err := a.d.Training.CreateCourse(c.Request.Context(), actor(c), in)
	respond(c, http.StatusCreated, toCourseDTO(out), err)
}

func (a *API) courseSessions(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		out, err := a.d.Training.CourseSessions(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, mapSlice(out, toClassSessionDTO), err)
	}
}

func (a *API) createSession(c *gin.Context) {
	var r classSessionRequest
	if !a.bind(c, &r) {
		return
	}
	out, err := a.d.Training.CreateSession(c.Request.Context(), actor(c), training.NewSession{CourseID: r.CourseID, Start: r.StartsAt,
		End: r.EndsAt, VenueID: r.VenueID, TeacherID: r.TeacherID})
	respond(c, http.StatusCreated, toClassSessionDTO(out), err)
}

func (a *API) scheduleCourse(c *gin.Context) {
	id, ok := pathID(c, "id")
	var r scheduleRequest
	if !ok || !a.bind(c, &r) {
		return
	}
	res, err := a.d.Training.Schedule(c.Request.Context(), actor(c), id, r.From, r.To)
	respond(c, http.StatusOK, scheduleDTO{Sessions: mapSlice(res.Sessions, toClassSessionDTO), Kept: res.Kept, Added: res.Added, Removed: res.Removed}, err)
}

func (a *API) enroll(c *gin.Context) {
	id, ok := pathID(c, "id")
	var r enrollRequest
	if !ok || !a.bind(c, &r) {
		return
	}
	e, created, err := a.d.Training.Enroll(c.Request.Context(), actor(c), id, r.CadreID)
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	respond(c, status, enrollmentDTO{ID: e.ID, CourseID: e.CourseID, CadreID: e.CadreID, Status: string(e.Status), Position: e.Position}, err)
}

func (a *API) recordAttendance(c *gin.Context) {
	id, ok := pathID(c, "id")
	var r []attendanceMark
	if !ok || !a.bind(c, &r) {
		return
	}
	for i, m := range r {
		if err := validateStruct(&r[i]); err != nil || m.CadreID <= 0 {
			renderError(c, apperr.InvalidFields("validation_failed", "考勤登记校验未通过", apperr.FieldError{Field: "cadreId", Message: "必填"}))
			return
		}
	}
	marks := mapSlice(r, func(m attendanceMark) training.Mark { return training.Mark{CadreID: m.CadreID, Present: m.Present} })
	out, err := a.d.Training.RecordAttendance(c.Request.Context(), actor(c), id, marks)
	respond(c, http.StatusOK, mapSlice(out, func(x training.Attendance) attendanceDTO {
		return attendanceDTO{SessionID: x.SessionID, CadreID: x.CadreID, Present: x.Present}
	}), err)
}

func (a *API) creditCourse(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		lines, err := a.d.Training.CreditCourse(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, mapSlice(lines, func(l training.CreditLine) creditDTO {
			d := creditDTO{CadreID: l.CadreID, CourseHours: l.Credit.CourseHours, Attended: l.Credit.Attended, Leave: l.Credit.Leave,
				Eligible: l.Credit.Eligible, Credited: []yearPartDTO{}}
			for _, e := range l.Entries {
				d.Credited = append(d.Credited, yearPartDTO{Year: e.Year, Hours: e.Hours, From: e.From, To: e.To})
			}
			return d
		}), err)
	}
}

func (a *API) myTraining(c *gin.Context) {
	r, err := a.d.Training.MyTraining(c.Request.Context(), actor(c))
	respond(c, http.StatusOK, toRecordDTO(r), err)
}

func (a *API) cadreTraining(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		r, err := a.d.Training.CadreTraining(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, toRecordDTO(r), err)
	}
}

func ics(c *gin.Context, b []byte, err error) {
	if err != nil {
		renderError(c, err)
		return
	}
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", b)
}

func (a *API) myCalendar(c *gin.Context) {
	b, err := a.d.Training.MyCalendar(c.Request.Context(), actor(c))
	ics(c, b, err)
}

func (a *API) schoolCalendar(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		b, err := a.d.Training.SchoolCalendar(c.Request.Context(), actor(c), id)
		ics(c, b, err)
	}
}

// moveSessionRequest gives a session a new time; venue and teacher stay unless given.
type moveSessionRequest struct {
	StartsAt  time.Time `json:"startsAt" validate:"required"`
	EndsAt    time.Time `json:"endsAt" validate:"required"`
	VenueID   int64     `json:"venueId" validate:"gte=0"`
	TeacherID int64     `json:"teacherId" validate:"gte=0"`
}

type courseEnrollmentDTO struct {
	ID       int64  `json:"id"`
	CourseID int64  `json:"courseId"`
	CadreID  int64  `json:"cadreId"`
	Status   string `json:"status"`
	Position int    `json:"position,omitempty"`
	Name     string `json:"name"`
	OrgName  string `json:"orgName"`
}

func (a *API) sessionEditRoutes(authed *gin.RouterGroup) {
	school := a.restricted(authed, "培训", identity.RoleSchool)
	school.handle(route{Method: "PATCH", Path: "/sessions/:id", Summary: "调整课次（时间、教室、教师），检查同新建课次；已登记考勤的课次不能调整",
		Request: moveSessionRequest{}, Response: classSessionDTO{}}, a.moveSession)
	school.handle(route{Method: "DELETE", Path: "/sessions/:id", Summary: "取消尚未进行、未登记考勤的课次", Status: 204}, a.cancelSession)
	school.handle(route{Method: "GET", Path: "/courses/:id/enrollments", Summary: "课程的报名名单（含候补），用于考勤表", Response: []courseEnrollmentDTO{}}, a.courseEnrollments)
}

func (a *API) moveSession(c *gin.Context) {
	id, ok := pathID(c, "id")
	var r moveSessionRequest
	if !ok || !a.bind(c, &r) {
		return
	}
	out, err := a.d.Training.MoveSession(c.Request.Context(), actor(c), id, training.NewSession{Start: r.StartsAt, End: r.EndsAt,
		VenueID: r.VenueID, TeacherID: r.TeacherID})
	respond(c, http.StatusOK, toClassSessionDTO(out), err)
}

func (a *API) cancelSession(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		respond(c, http.StatusNoContent, nil, a.d.Training.CancelSession(c.Request.Context(), actor(c), id))
	}
}

func (a *API) courseEnrollments(c *gin.Context) {
	if id, ok := pathID(c, "id"); ok {
		es, err := a.d.Training.CourseEnrollments(c.Request.Context(), actor(c), id)
		respond(c, http.StatusOK, mapSlice(es, func(e training.EnrolledCadre) courseEnrollmentDTO {
			return courseEnrollmentDTO{ID: e.ID, CourseID: e.CourseID, CadreID: e.CadreID, Status: string(e.Status),
				Position: e.Position, Name: e.Name, OrgName: e.OrgName}
		}), err)
	}
}
