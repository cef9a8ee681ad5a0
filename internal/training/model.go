package training

import (
	"time"
)

// Settings are a school's configurable rules: its slots, the festivals kept free, the weekly
// cap per course, and the conversion of attendance to 学时.
type Settings struct {
	Policy     Policy
	MaxPerWeek int
	Hours      HourRule
}

// DefaultSettings are the defaults of the issue: DefaultPolicy, 2 sessions a week, 8/4/1 hours.
func DefaultSettings() Settings {
	return Settings{Policy: DefaultPolicy(), MaxPerWeek: 2, Hours: DefaultHourRule()}
}

// School is a training school (党校、行政学院、干部学院 …): an org unit with its settings.
// Recognized says whether the cadre-training authority recognizes it, which decides whether its
// courses count as 集中培训.
type School struct {
	OrgID      int64
	Name       string // the org's name, filled on reads
	OrgPath    string // filled on reads
	Recognized bool
	Settings   Settings
	UpdatedAt  time.Time
}

// Venue is a room of a school (教室) with its seats.
type Venue struct {
	ID          int64
	SchoolOrgID int64
	Name        string
	Capacity    int
	Address     string
	CreatedAt   time.Time
}

// Teacher is a member of the faculty pool (师资库) with disciplines, topics and the times they
// cannot teach.
type Teacher struct {
	ID          int64
	SchoolOrgID int64
	Name        string
	Title       string
	Disciplines []string
	Topics      []string
	Unavailable []Interval
	CreatedAt   time.Time
}

// Outline is a self-study outline (自学提纲).
type Outline struct {
	Topics    []string
	Readings  []string
	Questions []string
}

// Course is a course of a school, tailored by level and category (分级分类).
type Course struct {
	ID               int64
	SchoolOrgID      int64
	Code             string
	Title            string
	Mode             Mode
	TargetLevels     []string
	TargetCategories []string
	PlannedHours     float64
	Sessions         int // sessions to schedule
	Capacity         int // seats; beyond them enrollments wait
	MaxPerWeek       int // 0: the school's setting
	TeacherID        *int64
	VenueID          *int64 // nil: any venue of the school large enough
	Outline          Outline
	CreditedAt       *time.Time
	CreatedAt        time.Time
}

// Session is one class meeting (课次).
type Session struct {
	ID        int64
	CourseID  int64
	Start     time.Time
	End       time.Time
	VenueID   *int64
	TeacherID *int64
	CreatedAt time.Time
	// Filled on reads for display.
	CourseTitle string
	VenueName   string
	TeacherName string
	SchoolName  string
}

// EnrollmentStatus is where a cadre stands in a course.
type EnrollmentStatus string

// The enrollment statuses.
const (
	Enrolled   EnrollmentStatus = "enrolled"   // 已报名
	Waitlisted EnrollmentStatus = "waitlisted" // 候补
)

// Enrollment is a cadre's place in a course.
type Enrollment struct {
	ID        int64
	CourseID  int64
	CadreID   int64
	Status    EnrollmentStatus
	Position  int // place on the waiting list (1-based), 0 when enrolled
	CreatedAt time.Time
}

// Attendance is a cadre's presence at one session.
type Attendance struct {
	SessionID  int64
	CadreID    int64
	Present    bool
	RecordedAt time.Time
}
