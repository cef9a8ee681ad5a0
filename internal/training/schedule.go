package training

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"qualify/internal/platform/civil"
)

// Booking is a session as the scheduler sees it: a time, a venue, a teacher and the cadres who
// attend it (the course's enrolled cohort).
type Booking struct {
	ID        int64 // session id (0: not stored yet)
	CourseID  int64
	Start     time.Time
	End       time.Time
	VenueID   int64
	TeacherID int64
	Members   []int64
}

// Interval is a span of time [Start, End).
type Interval struct {
	Start time.Time
	End   time.Time
}

func overlaps(a, b Interval) bool { return a.Start.Before(b.End) && b.Start.Before(a.End) }

// Conflict is one reason a booking cannot be placed.
type Conflict struct {
	Resource string // venue, teacher, cadre, capacity, unavailable
	ID       int64  // the venue, teacher or cadre
	With     int64  // the session it collides with (0 for capacity and unavailability)
}

// Message is a Chinese description of the conflict.
func (c Conflict) Message() string {
	switch c.Resource {
	case "venue":
		return fmt.Sprintf("教室 %d 在该时间已有课（课次 %d）", c.ID, c.With)
	case "teacher":
		return fmt.Sprintf("教师 %d 在该时间已有课（课次 %d）", c.ID, c.With)
	case "cadre":
		return fmt.Sprintf("已报名学员（干部 %d）在该时间已有其他课程（课次 %d）", c.ID, c.With)
	case "capacity":
		return fmt.Sprintf("教室 %d 容量不足以容纳已报名学员", c.ID)
	case "unavailable":
		return fmt.Sprintf("教师 %d 在该时间不可授课", c.ID)
	}
	return c.Resource
}

type resKey struct {
	kind byte // 'v' venue, 't' teacher, 'c' cadre
	id   int64
	day  int64 // UTC day number
}

type held struct {
	id       int64
	interval Interval
}

// Occupancy indexes bookings by venue, teacher and cadre, per day, to answer "is this free?"
// quickly. The zero value is not usable; build one with NewOccupancy.
type Occupancy struct {
	m map[resKey][]held
}

// NewOccupancy indexes bookings.
func NewOccupancy(bs []Booking) *Occupancy {
	o := &Occupancy{m: make(map[resKey][]held, len(bs)*4)}
	for _, b := range bs {
		o.Add(b)
	}
	return o
}

func days(iv Interval) (int64, int64) {
	return iv.Start.Unix() / 86400, (iv.End.Unix() - 1) / 86400
}

func (o *Occupancy) each(b Booking, fn func(k resKey)) {
	d0, d1 := days(Interval{b.Start, b.End})
	for d := d0; d <= d1; d++ {
		if b.VenueID != 0 {
			fn(resKey{'v', b.VenueID, d})
		}
		if b.TeacherID != 0 {
			fn(resKey{'t', b.TeacherID, d})
		}
		for _, m := range b.Members {
			fn(resKey{'c', m, d})
		}
	}
}

// Add books b.
func (o *Occupancy) Add(b Booking) {
	h := held{b.ID, Interval{b.Start, b.End}}
	o.each(b, func(k resKey) { o.m[k] = append(o.m[k], h) })
}

// Remove unbooks the booking with b's id (b must carry the same resources it was added with).
func (o *Occupancy) Remove(b Booking) {
	o.each(b, func(k resKey) {
		hs := o.m[k]
		for i, h := range hs {
			if h.id == b.ID && h.interval.Start.Equal(b.Start) {
				o.m[k] = append(hs[:i:i], hs[i+1:]...)
				break
			}
		}
	})
}

func (o *Occupancy) busy(kind byte, id int64, iv Interval, self int64) int64 {
	d0, d1 := days(iv)
	for d := d0; d <= d1; d++ {
		for _, h := range o.m[resKey{kind, id, d}] {
			if (self == 0 || h.id != self) && overlaps(h.interval, iv) {
				if h.id == 0 {
					return -1
				}
				return h.id
			}
		}
	}
	return 0
}

// Conflicts lists what b collides with: the venue, the teacher, each member already booked
// (bookings with b's own non-zero ID are ignored, so a session may be moved).
func (o *Occupancy) Conflicts(b Booking) []Conflict {
	iv := Interval{b.Start, b.End}
	var out []Conflict
	if w := o.busy('v', b.VenueID, iv, b.ID); b.VenueID != 0 && w != 0 {
		out = append(out, Conflict{"venue", b.VenueID, max(w, 0)})
	}
	if w := o.busy('t', b.TeacherID, iv, b.ID); b.TeacherID != 0 && w != 0 {
		out = append(out, Conflict{"teacher", b.TeacherID, max(w, 0)})
	}
	for _, m := range b.Members {
		if w := o.busy('c', m, iv, b.ID); w != 0 {
			out = append(out, Conflict{"cadre", m, max(w, 0)})
		}
	}
	return out
}

// Room is a venue as the scheduler sees it.
type Room struct {
	ID       int64
	Capacity int
}

// Need is one course to place: how many sessions, by whom, where, for whom, and how often.
type Need struct {
	CourseID    int64
	Sessions    int     // sessions still to place
	TeacherID   int64   // 0: none
	Venues      []Room  // candidates, in order of preference
	Members     []int64 // the cohort (enrolled cadres)
	Seats       int     // seats needed (at least len(Members))
	MaxPerWeek  int     // 0: no limit
	Unavailable []Interval
	Placed      []Booking // sessions of the course already held in the window (they count per week and per day)
}

// Infeasible says why a course could not be placed.
type Infeasible struct {
	CourseID int64
	Needed   int
	Placed   int
	Reason   string
}

func (e *Infeasible) Error() string { return e.Reason }

type candidate struct {
	slot  Slot
	iv    Interval
	week  int
	dateN int64
}

// weekOf returns the week index of d counted from the Monday on or before from.
func weekOf(from, d civil.Date) int {
	monday := from.AddDays(-((int(from.Weekday()) + 6) % 7))
	return monday.DaysUntil(d) / 7
}

// Plan places need.Sessions sessions in the slots (all within the window from..to, in time
// order), never double-booking a venue, the teacher or a member in occ, never in the teacher's
// unavailable times, at most one session of the course a day and MaxPerWeek a week, spread
// evenly over the weeks. On success the new bookings are added to occ and returned. When not
// every session fits, nothing is added and an *Infeasible says why.
func Plan(need Need, from civil.Date, slots []Slot, occ *Occupancy, loc *time.Location) ([]Booking, error) {
	if need.Sessions <= 0 {
		return nil, nil
	}
	seats := max(need.Seats, len(need.Members))
	var venues []Room
	for _, v := range need.Venues {
		if v.Capacity >= seats {
			venues = append(venues, v)
		}
	}
	weeks := 0
	cands := make([]candidate, len(slots))
	for i, s := range slots {
		cands[i] = candidate{slot: s, iv: Interval{s.Start(loc), s.End(loc)}, week: weekOf(from, s.Date)}
		weeks = max(weeks, cands[i].week+1)
	}
	byWeek := make([][]int, weeks)
	for i, c := range cands {
		byWeek[c.week] = append(byWeek[c.week], i)
	}
	perWeek := make([]int, weeks)
	usedDay := map[civil.Date]bool{}
	for _, b := range need.Placed {
		d := civil.Of(b.Start.In(loc))
		usedDay[d] = true
		if w := weekOf(from, d); w >= 0 && w < weeks {
			perWeek[w]++
		}
	}
	var placed []Booking
	undo := func() {
		for _, b := range placed {
			occ.Remove(b)
		}
	}
	free := func(c candidate) (int64, bool) {
		if usedDay[c.slot.Date] {
			return 0, false
		}
		for _, u := range need.Unavailable {
			if overlaps(u, c.iv) {
				return 0, false
			}
		}
		if need.TeacherID != 0 && occ.busy('t', need.TeacherID, c.iv, 0) != 0 {
			return 0, false
		}
		for _, m := range need.Members {
			if occ.busy('c', m, c.iv, 0) != 0 {
				return 0, false
			}
		}
		for _, v := range venues {
			if occ.busy('v', v.ID, c.iv, 0) == 0 {
				return v.ID, true
			}
		}
		return 0, false
	}
	for i := 0; i < need.Sessions; i++ {
		target := 0
		if weeks > 0 {
			target = i * weeks / need.Sessions
		}
		ok := false
		for _, w := range weekOrder(target, weeks) {
			if ok {
				break
			}
			if need.MaxPerWeek > 0 && perWeek[w] >= need.MaxPerWeek {
				continue
			}
			for _, ci := range byWeek[w] {
				c := cands[ci]
				venue, fits := free(c)
				if !fits {
					continue
				}
				b := Booking{CourseID: need.CourseID, Start: c.iv.Start, End: c.iv.End, VenueID: venue, TeacherID: need.TeacherID, Members: need.Members}
				occ.Add(b)
				placed = append(placed, b)
				perWeek[w]++
				usedDay[c.slot.Date] = true
				ok = true
				break
			}
		}
		if !ok {
			undo()
			return nil, &Infeasible{CourseID: need.CourseID, Needed: need.Sessions, Placed: i,
				Reason: diagnose(need, cands, venues, seats, weeks, occ, i)}
		}
	}
	return placed, nil
}

// weekOrder is target, the weeks after it, then the weeks before it (nearest first).
func weekOrder(target, weeks int) []int {
	out := make([]int, 0, weeks)
	for w := target; w < weeks; w++ {
		out = append(out, w)
	}
	for w := target - 1; w >= 0; w-- {
		out = append(out, w)
	}
	return out
}

// diagnose explains why only placedN of need.Sessions sessions fit.
func diagnose(need Need, cands []candidate, venues []Room, seats, weeks int, occ *Occupancy, placedN int) string {
	var unavailable, teacherBusy, cadreBusy, noVenue int
	for _, c := range cands {
		switch {
		case anyOverlap(need.Unavailable, c.iv):
			unavailable++
		case need.TeacherID != 0 && occ.busy('t', need.TeacherID, c.iv, 0) != 0:
			teacherBusy++
		case membersBusy(need.Members, c.iv, occ):
			cadreBusy++
		default:
			free := false
			for _, v := range venues {
				if occ.busy('v', v.ID, c.iv, 0) == 0 {
					free = true
					break
				}
			}
			if !free {
				noVenue++
			}
		}
	}
	var why []string
	why = append(why, fmt.Sprintf("该时间范围内共有 %d 个允许的上课时段", len(cands)))
	if len(venues) == 0 {
		why = append(why, fmt.Sprintf("没有容量不少于 %d 人的教室", seats))
	}
	if unavailable > 0 {
		why = append(why, fmt.Sprintf("%d 个时段授课教师不可授课", unavailable))
	}
	if teacherBusy > 0 {
		why = append(why, fmt.Sprintf("%d 个时段授课教师已有其他课", teacherBusy))
	}
	if cadreBusy > 0 {
		why = append(why, fmt.Sprintf("%d 个时段有学员已有其他课程", cadreBusy))
	}
	if noVenue > 0 && len(venues) > 0 {
		why = append(why, fmt.Sprintf("%d 个时段没有空闲且容量足够的教室", noVenue))
	}
	if need.MaxPerWeek > 0 {
		why = append(why, fmt.Sprintf("每周最多 %d 次、每天最多 1 次，%d 周内最多安排 %d 次", need.MaxPerWeek, weeks, need.MaxPerWeek*weeks))
	}
	return fmt.Sprintf("需安排 %d 次课，只能安排 %d 次：%s", need.Sessions, placedN, strings.Join(why, "；"))
}

func anyOverlap(ivs []Interval, iv Interval) bool {
	for _, u := range ivs {
		if overlaps(u, iv) {
			return true
		}
	}
	return false
}

func membersBusy(ms []int64, iv Interval, occ *Occupancy) bool {
	for _, m := range ms {
		if occ.busy('c', m, iv, 0) != 0 {
			return true
		}
	}
	return false
}

// ScheduleTerm places every need in turn over the same slots and occupancy (the largest cohorts
// and longest courses first, as they are the hardest to fit). It returns the bookings placed and
// the needs that did not fit.
func ScheduleTerm(needs []Need, from civil.Date, slots []Slot, occ *Occupancy, loc *time.Location) ([]Booking, []*Infeasible) {
	order := make([]int, len(needs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		x, y := needs[order[a]], needs[order[b]]
		if len(x.Members) != len(y.Members) {
			return len(x.Members) > len(y.Members)
		}
		return x.Sessions > y.Sessions
	})
	var all []Booking
	var failed []*Infeasible
	for _, i := range order {
		bs, err := Plan(needs[i], from, slots, occ, loc)
		if err != nil {
			failed = append(failed, err.(*Infeasible))
			continue
		}
		all = append(all, bs...)
	}
	return all, failed
}
