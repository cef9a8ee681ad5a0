package training

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"qualify/internal/platform/civil"
)

func sess(id int64, date, from, to string, venue, teacher int64, members ...int64) Booking {
	return Booking{ID: id, Start: at(date, from), End: at(date, to), VenueID: venue, TeacherID: teacher, Members: members}
}

func TestConflicts(t *testing.T) {
	occ := NewOccupancy([]Booking{sess(1, "2026-03-02", "18:30", "21:30", 10, 20, 100, 101)})
	cases := []struct {
		name string
		b    Booking
		want []string
	}{
		{"free", sess(0, "2026-03-03", "18:30", "21:30", 10, 20, 100), nil},
		{"venue", sess(0, "2026-03-02", "19:00", "20:00", 10, 21, 200), []string{"venue"}},
		{"teacher", sess(0, "2026-03-02", "18:30", "21:30", 11, 20, 200), []string{"teacher"}},
		{"cadre", sess(0, "2026-03-02", "18:30", "21:30", 11, 21, 200, 101), []string{"cadre"}},
		{"all", sess(0, "2026-03-02", "18:30", "21:30", 10, 20, 100), []string{"venue", "teacher", "cadre"}},
		{"touching is fine", sess(0, "2026-03-02", "21:30", "22:00", 10, 20, 100), nil},
		{"itself when moved", sess(1, "2026-03-02", "19:00", "21:30", 10, 20, 100), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := occ.Conflicts(tc.b)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v", got)
			}
			for i, c := range got {
				if c.Resource != tc.want[i] || c.Message() == "" {
					t.Fatalf("got %v", got)
				}
			}
		})
	}
}

func TestPlan(t *testing.T) {
	cal, p := realCalendar(), DefaultPolicy()
	from, to := civil.MustParse("2026-03-02"), civil.MustParse("2026-03-29") // 4 weeks
	slots := AllowedSlots(cal, p, from, to)
	venues := []Room{{1, 50}, {2, 20}}
	cases := []struct {
		name     string
		need     Need
		occ      []Booking
		feasible bool
	}{
		{"simple", Need{CourseID: 1, Sessions: 6, TeacherID: 7, Venues: venues, Members: []int64{1, 2}, MaxPerWeek: 2}, nil, true},
		{"weekly cap too tight", Need{CourseID: 1, Sessions: 9, TeacherID: 7, Venues: venues, MaxPerWeek: 2}, nil, false},
		{"no big venue", Need{CourseID: 1, Sessions: 2, Venues: venues, Seats: 80}, nil, false},
		{"teacher unavailable all month", Need{CourseID: 1, Sessions: 1, TeacherID: 7, Venues: venues,
			Unavailable: []Interval{{at("2026-03-01", "00:00"), at("2026-03-30", "00:00")}}}, nil, false},
		{"one per day", Need{CourseID: 1, Sessions: 28, Venues: venues}, nil, true},
		{"one per day exceeded", Need{CourseID: 1, Sessions: 29, Venues: venues}, nil, false},
		{"cadre busy every evening, one more", Need{CourseID: 1, Sessions: 9, Venues: venues, Members: []int64{5}},
			busyEvenings(cal, p, from, to, 5), false},
		{"cadre busy every evening", Need{CourseID: 1, Sessions: 8, Venues: venues, Members: []int64{5}},
			busyEvenings(cal, p, from, to, 5), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			occ := NewOccupancy(tc.occ)
			bs, err := Plan(tc.need, from, slots, occ, cst)
			if (err == nil) != tc.feasible {
				t.Fatalf("feasible %v, err %v", err == nil, err)
			}
			if err != nil {
				if ie, ok := err.(*Infeasible); !ok || ie.Reason == "" {
					t.Fatalf("err %#v", err)
				}
				if countHeld(occ) != countHeld(NewOccupancy(tc.occ)) {
					t.Fatal("infeasible plan left bookings behind")
				}
				return
			}
			if len(bs) != tc.need.Sessions {
				t.Fatalf("placed %d", len(bs))
			}
			checkValid(t, cal, p, append(append([]Booking{}, tc.occ...), bs...), map[int64]int{1: 50, 2: 20}, map[int64]Need{1: tc.need}, from)
		})
	}
}

func countHeld(o *Occupancy) int {
	n := 0
	for _, hs := range o.m {
		n += len(hs)
	}
	return n
}

func busyEvenings(_ any, p Policy, from, to civil.Date, cadreID int64) []Booking {
	var out []Booking
	for _, s := range AllowedSlots(realCalendar(), p, from, to) {
		if s.Kind == Evening {
			out = append(out, Booking{ID: 999, Start: s.Start(cst), End: s.End(cst), Members: []int64{cadreID}})
		}
	}
	return out
}

// checkValid asserts: no venue, teacher or cadre double-booked; every session in an allowed
// slot; venue capacity; teacher availability; weekly cap and one a day per course.
func checkValid(t *testing.T, cal interface{}, p Policy, bs []Booking, capacity map[int64]int, needs map[int64]Need, from civil.Date) {
	t.Helper()
	c := realCalendar()
	for i, a := range bs {
		if a.CourseID != 0 {
			if ok, why := CheckSlot(c, p, cst, a.Start, a.End); !ok {
				t.Fatalf("session %d outside slots: %s", i, why)
			}
			n := needs[a.CourseID]
			if a.VenueID != 0 && capacity[a.VenueID] < max(n.Seats, len(n.Members)) {
				t.Fatalf("venue %d too small", a.VenueID)
			}
			if anyOverlap(n.Unavailable, Interval{a.Start, a.End}) {
				t.Fatalf("teacher unavailable")
			}
		}
		for _, b := range bs[i+1:] {
			if !overlaps(Interval{a.Start, a.End}, Interval{b.Start, b.End}) {
				if a.CourseID != 0 && a.CourseID == b.CourseID && civil.Of(a.Start.In(cst)) == civil.Of(b.Start.In(cst)) {
					t.Fatalf("course %d twice on a day", a.CourseID)
				}
				continue
			}
			if a.VenueID != 0 && a.VenueID == b.VenueID {
				t.Fatalf("venue %d double-booked: %v %v", a.VenueID, a, b)
			}
			if a.TeacherID != 0 && a.TeacherID == b.TeacherID {
				t.Fatalf("teacher %d double-booked", a.TeacherID)
			}
			for _, m := range a.Members {
				for _, n := range b.Members {
					if m == n {
						t.Fatalf("cadre %d double-booked", m)
					}
				}
			}
		}
	}
	week := map[[2]int64]int{}
	for _, b := range bs {
		if n, ok := needs[b.CourseID]; ok && b.CourseID != 0 {
			k := [2]int64{b.CourseID, int64(weekOf(from, civil.Of(b.Start.In(cst))))}
			week[k]++
			if n.MaxPerWeek > 0 && week[k] > n.MaxPerWeek {
				t.Fatalf("course %d over %d a week", b.CourseID, n.MaxPerWeek)
			}
		}
	}
}

// randomTerm builds a term: courses with teachers, cohorts drawn from a pool of cadres (so
// cohorts overlap), venues of mixed capacity, some teacher unavailability.
func randomTerm(r *rand.Rand, courses, sessions, venues, teachers, cadres int, from civil.Date) ([]Need, map[int64]int) {
	vs := make([]Room, venues)
	capacity := map[int64]int{}
	for i := range vs {
		vs[i] = Room{ID: int64(i + 1), Capacity: 20 + r.IntN(60)}
		capacity[vs[i].ID] = vs[i].Capacity
	}
	needs := make([]Need, courses)
	for i := range needs {
		n := Need{CourseID: int64(i + 1), Sessions: 1 + r.IntN(2*sessions/courses), TeacherID: int64(1 + r.IntN(teachers)),
			Venues: vs, MaxPerWeek: 1 + r.IntN(3)}
		size := r.IntN(30)
		seen := map[int64]bool{}
		for j := 0; j < size; j++ {
			m := int64(1 + r.IntN(cadres))
			if !seen[m] {
				seen[m] = true
				n.Members = append(n.Members, m)
			}
		}
		if r.IntN(4) == 0 {
			d := from.AddDays(r.IntN(60))
			n.Unavailable = []Interval{{d.In(cst), d.AddDays(1 + r.IntN(10)).In(cst)}}
		}
		needs[i] = n
	}
	return needs, capacity
}

func TestScheduleTermNeverConflicts(t *testing.T) {
	cal, p := realCalendar(), DefaultPolicy()
	for seed := uint64(1); seed <= 300; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 2026))
			from := civil.MustParse("2025-09-01").AddDays(r.IntN(300))
			to := from.AddDays(14 + r.IntN(80))
			courses := 2 + r.IntN(15)
			needs, capacity := randomTerm(r, courses, courses*(2+r.IntN(6)), 1+r.IntN(4), 1+r.IntN(6), 5+r.IntN(60), from)
			// some pre-existing sessions (another school's) the plan must respect
			var fixed []Booking
			for _, s := range AllowedSlots(cal, p, from, to) {
				if r.IntN(8) == 0 {
					fixed = append(fixed, Booking{ID: int64(10000 + len(fixed)), Start: s.Start(cst), End: s.End(cst),
						TeacherID: int64(1 + r.IntN(6)), Members: []int64{int64(1 + r.IntN(60))}})
				}
			}
			occ := NewOccupancy(fixed)
			placed, failed := ScheduleTerm(needs, from, AllowedSlots(cal, p, from, to), occ, cst)
			byID := map[int64]Need{}
			for _, n := range needs {
				byID[n.CourseID] = n
			}
			got := map[int64]int{}
			for _, b := range placed {
				got[b.CourseID]++
			}
			for _, f := range failed {
				if f.Reason == "" || got[f.CourseID] != 0 {
					t.Fatalf("failed course %d: %q, placed %d", f.CourseID, f.Reason, got[f.CourseID])
				}
				delete(byID, f.CourseID)
			}
			for id, n := range byID {
				if got[id] != n.Sessions {
					t.Fatalf("course %d placed %d of %d", id, got[id], n.Sessions)
				}
			}
			checkValid(t, cal, p, append(fixed, placed...), capacity, byID, from)
		})
	}
}

func TestPlanSpreadsOverWeeks(t *testing.T) {
	cal, p := realCalendar(), DefaultPolicy()
	from, to := civil.MustParse("2026-03-02"), civil.MustParse("2026-05-24") // 12 weeks
	bs, err := Plan(Need{CourseID: 1, Sessions: 6, Venues: []Room{{1, 10}}, MaxPerWeek: 3}, from, AllowedSlots(cal, p, from, to), NewOccupancy(nil), cst)
	if err != nil {
		t.Fatal(err)
	}
	weeks := map[int]bool{}
	for _, b := range bs {
		weeks[weekOf(from, civil.Of(b.Start.In(cst)))] = true
	}
	if len(weeks) != 6 {
		t.Fatalf("6 sessions in %d distinct weeks, want 6", len(weeks))
	}
}

// BenchmarkScheduleTerm schedules a school's whole term with the pure scheduler: 200 courses of
// 10 sessions (2,000 sessions), 20 venues, 100 teachers, 2,000 cadres in 50 classes of 40 (each
// class takes 4 courses; one extra cadre per course crosses classes), over the autumn 2026 term (2026-09-01 .. 2027-01-31).
func BenchmarkScheduleTerm(b *testing.B) {
	cal, p := realCalendar(), DefaultPolicy()
	from, to := civil.MustParse("2026-09-01"), civil.MustParse("2027-01-31")
	slots := AllowedSlots(cal, p, from, to)
	r := rand.New(rand.NewPCG(42, 42))
	vs := make([]Room, 20)
	for i := range vs {
		vs[i] = Room{ID: int64(i + 1), Capacity: 40 + 5*i}
	}
	// 50 classes (班次) of 40 cadres; each class takes 4 courses; a few cadres sit in two classes.
	needs := make([]Need, 200)
	for i := range needs {
		class := i / 4
		n := Need{CourseID: int64(i + 1), Sessions: 10, TeacherID: int64(1 + r.IntN(100)), Venues: vs, MaxPerWeek: 2}
		for j := 0; j < 40; j++ {
			n.Members = append(n.Members, int64(class*40+j+1))
		}
		n.Members = append(n.Members, int64(1+r.IntN(2000)))
		needs[i] = n
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		placed, failed := ScheduleTerm(needs, from, slots, NewOccupancy(nil), cst)
		if len(failed) != 0 || len(placed) != 2000 {
			b.Fatalf("placed %d, failed %d", len(placed), len(failed))
		}
	}
}
