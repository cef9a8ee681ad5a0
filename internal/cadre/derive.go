package cadre

import (
	"sort"
	"strconv"
	"strings"

	"qualify/internal/platform/civil"
)

// The derivations below are pure functions over a post history and an as-of date. Conventions:
//
//   - A record covers the days [Start, End): End is the day the cadre left the post. An open
//     record (zero End) runs on. Records starting after asOf are ignored; the rest are cut at
//     asOf, so a post taken up on asOf has served zero days.
//   - Calendar years are counted with civil.Date.FullYearsUntil (a post from 2020-02-29 reaches
//     one year on 2021-03-01). When several separate periods are added up, each contributes its
//     whole years and leftover days, and every 365 leftover days make one more year.

// Tenure is an amount of service: whole years plus days, and the days in all.
type Tenure struct {
	Since     civil.Date // start of the continuous period (TimeInGrade only)
	Years     int
	Days      int // days beyond Years (under 365 once summed)
	TotalDays int
}

// AtLeast reports whether the tenure reaches n whole years.
func (t Tenure) AtLeast(years int) bool { return t.Years >= years }

// String formats the tenure in Chinese, e.g. "3年12天".
func (t Tenure) String() string {
	return strconv.Itoa(t.Years) + "年" + strconv.Itoa(t.Days) + "天"
}

type span struct{ start, end civil.Date } // [start, end)

// clip returns the part of p within [p.Start, asOf), or false when it is empty.
func clip(p PostRecord, asOf civil.Date) (span, bool) {
	if p.Start.IsZero() || !p.Start.Before(asOf) {
		return span{}, false
	}
	end := asOf
	if !p.End.IsZero() && p.End.Before(asOf) {
		end = p.End
	}
	if !p.Start.Before(end) {
		return span{}, false
	}
	return span{p.Start, end}, true
}

// merge sorts spans and joins those that overlap or lie within gap days of each other.
func merge(spans []span, gap int) []span {
	sort.Slice(spans, func(i, j int) bool { return spans[i].start.Before(spans[j].start) })
	var out []span
	for _, s := range spans {
		if n := len(out); n > 0 && !s.start.After(out[n-1].end.AddDays(gap)) {
			if s.end.After(out[n-1].end) {
				out[n-1].end = s.end
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// between returns the tenure from a to b.
func between(a, b civil.Date) Tenure {
	y := a.FullYearsUntil(b)
	return Tenure{Years: y, Days: a.AddYears(y).DaysUntil(b), TotalDays: a.DaysUntil(b)}
}

// sum adds up separate periods (see the conventions above).
func sum(spans []span) Tenure {
	var t Tenure
	for _, s := range spans {
		x := between(s.start, s.end)
		t.Years += x.Years
		t.Days += x.Days
		t.TotalDays += x.TotalDays
	}
	if len(spans) > 1 { // a single period stays exact: 2020-02-29 to 2021-02-28 is 365 days, not a year
		t.Years += t.Days / 365
		t.Days %= 365
	}
	return t
}

// YearsOfWork returns the completed years of work (工龄) on asOf, counted from workStart, or
// from the earliest post when workStart is unknown; 0 when neither is known or both are later.
func YearsOfWork(workStart civil.Date, posts []PostRecord, asOf civil.Date) int {
	start := workStart
	if start.IsZero() {
		for _, p := range posts {
			if !p.Start.IsZero() && (start.IsZero() || p.Start.Before(start)) {
				start = p.Start
			}
		}
	}
	if start.IsZero() {
		return 0
	}
	return start.FullYearsUntil(asOf)
}

// GrassrootsYears returns the grassroots experience (基层工作经历) up to asOf: the union of the
// periods of grassroots records, so overlapping records are not counted twice.
func GrassrootsYears(posts []PostRecord, asOf civil.Date) Tenure {
	var spans []span
	for _, p := range posts {
		if s, ok := clip(p, asOf); ok && p.Grassroots {
			spans = append(spans, s)
		}
	}
	return sum(merge(spans, 0))
}

// activeOn reports whether p is held on day d.
func activeOn(p PostRecord, d civil.Date) bool {
	return !p.Start.IsZero() && !p.Start.After(d) && (p.End.IsZero() || p.End.After(d))
}

func gradeOf(l *Ladder, p PostRecord) Grade { return l.Order(p.PostLevel, p.RankCategory, p.RankCode) }

// bestOn returns the highest grade held on day d.
func bestOn(l *Ladder, posts []PostRecord, d civil.Date) Grade {
	var best Grade
	for _, p := range posts {
		if g := gradeOf(l, p); activeOn(p, d) && g.Higher(best) {
			best = g
		}
	}
	return best
}

// CurrentGrade returns the highest post level or rank held on asOf (invalid when none).
func CurrentGrade(l *Ladder, posts []PostRecord, asOf civil.Date) Grade {
	return bestOn(l, posts, asOf)
}

// TimeInGrade returns the continuous time, up to asOf, at the grade held on asOf: at that post
// level or at a rank equivalent to it (相当层次). Periods at the same tier separated by at most
// one day are continuous (records kept with an inclusive end date leave that one-day gap). The
// zero Tenure means the cadre holds no grade on asOf.
func TimeInGrade(l *Ladder, posts []PostRecord, asOf civil.Date) Tenure {
	cur := bestOn(l, posts, asOf)
	if !cur.Valid {
		return Tenure{}
	}
	var spans []span
	for _, p := range posts {
		if !gradeOf(l, p).SameTier(cur) {
			continue
		}
		if s, ok := clip(p, asOf.AddDays(1)); ok { // include asOf so that the current period is found
			spans = append(spans, s)
		}
	}
	for _, s := range merge(spans, 1) {
		if !s.start.After(asOf) && s.end.After(asOf) {
			t := between(s.start, asOf)
			t.Since = s.start
			return t
		}
	}
	return Tenure{}
}

// PostsAtLevel returns how many distinct leadership posts at level were taken up by asOf. A post
// is its title at its unit: a re-appointment to the same post counts once.
func PostsAtLevel(posts []PostRecord, level string, asOf civil.Date) int {
	seen := map[string]bool{}
	for _, p := range posts {
		if p.PostLevel != level || p.Start.IsZero() || p.Start.After(asOf) {
			continue
		}
		unit := strings.TrimSpace(p.UnitName)
		if p.UnitOrgID != nil {
			unit = "#" + strconv.FormatInt(*p.UnitOrgID, 10)
		}
		seen[unit+"|"+strings.TrimSpace(p.Title)] = true
	}
	return len(seen)
}

// LastPromotionDate returns the last day, up to asOf, on which the cadre's highest grade rose
// above the one held the day before (or, after a gap, above the one held last). A first post is
// an appointment, not a promotion. The zero Date means no promotion.
func LastPromotionDate(l *Ladder, posts []PostRecord, asOf civil.Date) civil.Date {
	var starts []civil.Date
	for _, p := range posts {
		if !p.Start.IsZero() && !p.Start.After(asOf) && gradeOf(l, p).Valid {
			starts = append(starts, p.Start)
		}
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	var last civil.Date
	for i, s := range starts {
		if i > 0 && starts[i-1] == s {
			continue
		}
		prev := bestOn(l, posts, s.AddDays(-1))
		if !prev.Valid {
			prev = lastHeldBefore(l, posts, s)
		}
		if prev.Valid && bestOn(l, posts, s).Higher(prev) {
			last = s
		}
	}
	return last
}

// lastHeldBefore returns the highest grade among the records that ended last on or before d.
func lastHeldBefore(l *Ladder, posts []PostRecord, d civil.Date) Grade {
	var end civil.Date
	var best Grade
	for _, p := range posts {
		if p.End.IsZero() || p.End.After(d) || !gradeOf(l, p).Valid {
			continue
		}
		switch {
		case end.IsZero() || p.End.After(end):
			end, best = p.End, gradeOf(l, p)
		case p.End == end && gradeOf(l, p).Higher(best):
			best = gradeOf(l, p)
		}
	}
	return best
}

// InProbation reports whether, on asOf, the cadre is within the probation (任职试用期) of a post
// still held: Start <= asOf < ProbationEnd.
func InProbation(posts []PostRecord, asOf civil.Date) bool {
	for _, p := range posts {
		if !p.ProbationEnd.IsZero() && activeOn(p, asOf) && asOf.Before(p.ProbationEnd) {
			return true
		}
	}
	return false
}

// Derive computes a cadre's facts as of asOf.
func Derive(l *Ladder, c Cadre, posts []PostRecord, asOf civil.Date) Facts {
	f := Facts{AsOf: asOf, YearsOfWork: YearsOfWork(c.WorkStartDate, posts, asOf), Grassroots: GrassrootsYears(posts, asOf),
		TimeInGrade: TimeInGrade(l, posts, asOf), LastPromotion: LastPromotionDate(l, posts, asOf), InProbation: InProbation(posts, asOf)}
	if below, ok := l.LevelBelow(c.PostLevel); ok {
		f.PostsAtLevelBelow = PostsAtLevel(posts, below.Code, asOf)
	}
	return f
}
