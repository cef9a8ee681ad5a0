package training

import (
	"math"
	"sort"
	"time"

	"qualify/internal/cadre"
	"qualify/internal/platform/civil"
)

// Mode is how a course is delivered (培训方式), which decides the ledger bucket.
type Mode string

// The modes.
const (
	FullTime    Mode = "full_time"   // 脱产培训
	Centralized Mode = "centralized" // 集中培训
	Online      Mode = "online"      // 网络培训
	SelfStudy   Mode = "self_study"  // 自学
)

// ModeNames are the Chinese names of the modes.
var ModeNames = map[Mode]string{FullTime: "脱产培训", Centralized: "集中培训", Online: "网络培训", SelfStudy: "自学"}

// ValidMode reports whether m is a known mode.
func ValidMode(m Mode) bool { _, ok := ModeNames[m]; return ok }

// HourRule converts attendance to 学时 (domain.md §3.4): FullDay per full day (two half-day
// sessions on one date), HalfDay per half day (a daytime session of at least HalfDayMinutes),
// PerHour for every other hour (evening classes), counted in half hours.
type HourRule struct {
	FullDay        float64
	HalfDay        float64
	PerHour        float64
	HalfDayMinutes int
}

// DefaultHourRule is 8 per full day, 4 per half day, 1 per hour; a half day is a daytime session
// of 3 hours or more.
func DefaultHourRule() HourRule {
	return HourRule{FullDay: 8, HalfDay: 4, PerHour: 1, HalfDayMinutes: 180}
}

// Valid reports whether every figure is positive and sensible.
func (r HourRule) Valid() bool {
	return r.FullDay > 0 && r.HalfDay > 0 && r.PerHour > 0 && r.FullDay <= 24 && r.HalfDay <= r.FullDay && r.HalfDayMinutes > 0
}

// isHalfDay reports whether a session counts as a half day: long enough and ending by 18:00.
func (r HourRule) isHalfDay(iv Interval, loc *time.Location) bool {
	end := iv.End.In(loc)
	return iv.End.Sub(iv.Start) >= time.Duration(r.HalfDayMinutes)*time.Minute && end.Hour()*60+end.Minute() <= 18*60
}

// Hours returns the 学时 of sessions by date (in loc): on each date, pairs of half days count
// FullDay, a lone half day HalfDay, other sessions PerHour per hour rounded down to the half
// hour.
func (r HourRule) Hours(sessions []Interval, loc *time.Location) map[civil.Date]float64 {
	halves := map[civil.Date]int{}
	out := map[civil.Date]float64{}
	for _, s := range sessions {
		d := civil.Of(s.Start.In(loc))
		if r.isHalfDay(s, loc) {
			halves[d]++
			continue
		}
		h := math.Floor(s.End.Sub(s.Start).Hours()*2) / 2
		out[d] += h * r.PerHour
	}
	for d, n := range halves {
		out[d] += float64(n/2)*r.FullDay + float64(n%2)*r.HalfDay
	}
	return out
}

// Total is the sum of Hours.
func (r HourRule) Total(sessions []Interval, loc *time.Location) float64 {
	t := 0.0
	for _, h := range r.Hours(sessions, loc) {
		t += h
	}
	return t
}

// YearPart is the credit of one calendar year.
type YearPart struct {
	Year  int
	Hours float64
	From  civil.Date
	To    civil.Date
}

// Credit is the outcome of a course for one cadre.
type Credit struct {
	CourseHours float64 // all sessions of the course
	Attended    float64
	Leave       float64 // CourseHours - Attended
	Eligible    bool    // leave within 1/7 of the course hours
	Years       []YearPart
}

// CourseCredit applies the leave rule (请假累计不超过总学时的 1/7, domain.md §3.2) and splits
// the attended hours at year boundaries. sessions are all the course's sessions, attended[i]
// whether the cadre was present at sessions[i].
func CourseCredit(r HourRule, sessions []Interval, attended []bool, loc *time.Location) Credit {
	var present []Interval
	for i, s := range sessions {
		if i < len(attended) && attended[i] {
			present = append(present, s)
		}
	}
	c := Credit{CourseHours: r.Total(sessions, loc)}
	byDate := r.Hours(present, loc)
	years := map[int]*YearPart{}
	for d, h := range byDate {
		c.Attended += h
		y := years[d.Year]
		if y == nil {
			y = &YearPart{Year: d.Year, From: d, To: d}
			years[d.Year] = y
		}
		y.Hours += h
		if d.Before(y.From) {
			y.From = d
		}
		if d.After(y.To) {
			y.To = d
		}
	}
	c.Leave = c.CourseHours - c.Attended
	c.Eligible = c.CourseHours > 0 && c.Attended > 0 && c.Leave*7 <= c.CourseHours+1e-9
	for _, y := range years {
		c.Years = append(c.Years, *y)
	}
	sort.Slice(c.Years, func(i, j int) bool { return c.Years[i].Year < c.Years[j].Year })
	return c
}

// LedgerEntry is one line of a cadre's training ledger (培训档案). Entries are appended, never
// changed; a course spanning two years gives one entry per year.
type LedgerEntry struct {
	ID          int64
	CadreID     int64
	CourseID    *int64
	CourseTitle string
	SchoolOrgID *int64
	SchoolName  string
	Mode        Mode
	Recognized  bool // the school is recognized by the cadre-training authority
	Hours       float64
	From        civil.Date
	To          civil.Date
	Year        int
	CreatedAt   time.Time
	CreatedBy   string
}

// CountsAsCentralized reports whether an entry counts toward the 550/90 requirement: recognized
// full-time or centralized training (domain.md §3.3; online training is a separate bucket).
func CountsAsCentralized(e LedgerEntry) bool {
	return e.Recognized && (e.Mode == FullTime || e.Mode == Centralized)
}

// HoursInWindow sums the hours of the entries that start within [from, to] and satisfy pred
// (nil: every entry).
func HoursInWindow(ledger []LedgerEntry, from, to civil.Date, pred func(LedgerEntry) bool) float64 {
	t := 0.0
	for _, e := range ledger {
		if e.From.Before(from) || e.From.After(to) || (pred != nil && !pred(e)) {
			continue
		}
		t += e.Hours
	}
	return t
}

// Requirement is the training time a cadre must reach (第十四条): Hours within Years calendar
// years.
type Requirement struct {
	Hours float64
	Years int
	Label string
}

// The two requirements of the 2023 regulation.
var (
	RequirementSenior = Requirement{Hours: 550, Years: 5, Label: "县处级及以上（含四级调研员及相当层次职级以上）：每 5 年累计不少于 550 学时"}
	RequirementJunior = Requirement{Hours: 90, Years: 1, Label: "乡科级及以下（含一级主任科员及相当层次职级以下）：每年累计不少于 90 学时"}
)

// RequirementFor returns the requirement of a cadre's grade: county level and above, or a rank
// equivalent to it (四级调研员 and above), 550 in 5 years; everyone else 90 a year.
func RequirementFor(l *cadre.Ladder, postLevel, rankCategory, rankCode string) Requirement {
	g := l.Order(postLevel, rankCategory, rankCode)
	line, ok := l.LevelByCode("county_deputy")
	if g.Valid && ok && g.Major <= line.Ord {
		return RequirementSenior
	}
	if postLevel != "" && rankCode != "" {
		if r := l.Order("", rankCategory, rankCode); r.Valid && ok && r.Major <= line.Ord {
			return RequirementSenior
		}
	}
	return RequirementJunior
}

// Progress is a cadre's standing against their requirement as of a date.
type Progress struct {
	Requirement Requirement
	From, To    civil.Date // the window: the last Years calendar years up to asOf's year
	Hours       float64    // centralized hours in the window
	Met         bool
}

// ProgressOf measures the ledger against req in the calendar-year window ending with asOf's
// year (the 5-year window is taken as the 5 calendar years up to this one; domain.md §3.5
// leaves rolling vs planning-cycle open).
func ProgressOf(req Requirement, ledger []LedgerEntry, asOf civil.Date) Progress {
	from := civil.New(asOf.Year-req.Years+1, time.January, 1)
	to := civil.New(asOf.Year, time.December, 31)
	h := HoursInWindow(ledger, from, to, CountsAsCentralized)
	return Progress{Requirement: req, From: from, To: to, Hours: h, Met: h >= req.Hours}
}

// YearSummary is a year's hours by mode.
type YearSummary struct {
	Year        int
	Total       float64
	Centralized float64 // counts toward the requirement
	ByMode      map[Mode]float64
}

// Summarize groups the ledger by year, newest first.
func Summarize(ledger []LedgerEntry) []YearSummary {
	by := map[int]*YearSummary{}
	for _, e := range ledger {
		y := by[e.Year]
		if y == nil {
			y = &YearSummary{Year: e.Year, ByMode: map[Mode]float64{}}
			by[e.Year] = y
		}
		y.Total += e.Hours
		y.ByMode[e.Mode] += e.Hours
		if CountsAsCentralized(e) {
			y.Centralized += e.Hours
		}
	}
	out := make([]YearSummary, 0, len(by))
	for _, y := range by {
		out = append(out, *y)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year > out[j].Year })
	return out
}
