package training

import (
	"testing"
	"time"

	"qualify/internal/calendar"
	"qualify/internal/platform/civil"
)

var cst = shanghai()

func realCalendar() *calendar.Calendar { return calendar.New(calendar.Official(), nil) }

func TestSlotsOnRealCalendars(t *testing.T) {
	cal, p := realCalendar(), DefaultPolicy()
	cases := []struct {
		name, date       string
		evening, daySlot int
	}{
		{"makeup Saturday 2026-02-14", "2026-02-14", 1, 0},
		{"makeup Saturday 2026-02-28", "2026-02-28", 1, 0},
		{"makeup Saturday 2026-10-10", "2026-10-10", 1, 0},
		{"makeup Sunday 2025-01-26", "2025-01-26", 1, 0},
		{"makeup Sunday 2026-09-20", "2026-09-20", 1, 0},
		{"国庆 holiday 2026-10-02", "2026-10-02", 0, 2},
		{"国庆 holiday 2025-10-03", "2025-10-03", 0, 2},
		{"国庆中秋 merged 2025-10-06", "2025-10-06", 0, 2},
		{"春节 2026-02-17 kept free", "2026-02-17", 0, 0},
		{"春节 weekend 2026-02-21 kept free", "2026-02-21", 0, 0},
		{"春节 2025-01-29 kept free", "2025-01-29", 0, 0},
		{"ordinary Sunday", "2026-03-01", 0, 2},
		{"ordinary Saturday", "2025-06-14", 0, 2},
		{"ordinary Monday", "2026-03-02", 1, 0},
		{"元旦 holiday", "2026-01-02", 0, 2},
		{"劳动节 holiday", "2026-05-04", 0, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ev, dy int
			for _, s := range SlotsOn(cal.Day(civil.MustParse(tc.date)), p) {
				if s.Kind == Evening {
					ev++
				} else {
					dy++
				}
			}
			if ev != tc.evening || dy != tc.daySlot {
				t.Fatalf("evening %d day %d, want %d %d", ev, dy, tc.evening, tc.daySlot)
			}
		})
	}
}

func TestNothingDuringSpringFestival(t *testing.T) {
	cal, p := realCalendar(), DefaultPolicy()
	for _, r := range [][2]string{{"2025-01-28", "2025-02-04"}, {"2026-02-15", "2026-02-23"}} {
		t.Run(r[0], func(t *testing.T) {
			if s := AllowedSlots(cal, p, civil.MustParse(r[0]), civil.MustParse(r[1])); len(s) != 0 {
				t.Fatalf("slots during 春节: %v", s)
			}
		})
	}
	p.KeepFree = nil
	if s := AllowedSlots(cal, p, civil.MustParse("2026-02-15"), civil.MustParse("2026-02-23")); len(s) != 18 {
		t.Fatalf("without keep-free: %d slots, want 18", len(s))
	}
}

func at(date, clock string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, cst)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCheckSlot(t *testing.T) {
	cal, p := realCalendar(), DefaultPolicy()
	cases := []struct {
		name, date, from, to string
		ok                   bool
	}{
		{"workday evening", "2026-03-02", "18:30", "21:30", true},
		{"workday evening inside", "2026-03-02", "19:00", "21:00", true},
		{"workday afternoon", "2026-03-02", "14:00", "17:30", false},
		{"workday too late", "2026-03-02", "19:00", "22:00", false},
		{"makeup Saturday evening", "2026-02-14", "18:30", "21:30", true},
		{"makeup Saturday morning", "2026-02-14", "08:30", "12:00", false},
		{"Sunday morning", "2026-03-01", "08:30", "12:00", true},
		{"Sunday afternoon", "2026-03-01", "14:00", "17:30", true},
		{"Sunday across lunch", "2026-03-01", "11:00", "14:30", false},
		{"Sunday evening", "2026-03-01", "18:30", "21:30", false},
		{"国庆 morning", "2026-10-02", "08:30", "12:00", true},
		{"春节 morning", "2026-02-17", "08:30", "12:00", false},
		{"reversed", "2026-03-01", "12:00", "08:30", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok, why := CheckSlot(cal, p, cst, at(tc.date, tc.from), at(tc.date, tc.to))
			if ok != tc.ok || (!ok && why == "") {
				t.Fatalf("ok %v why %q", ok, why)
			}
		})
	}
	t.Run("across midnight", func(t *testing.T) {
		if ok, _ := CheckSlot(cal, p, cst, at("2026-03-02", "20:00"), at("2026-03-03", "01:00")); ok {
			t.Fatal("accepted")
		}
	})
}

func TestParseSpan(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{{"18:30-21:30", true}, {" 08:30 - 12:00 ", true}, {"12:00-08:00", false}, {"x", false}, {"25:00-26:00", false}} {
		t.Run(tc.in, func(t *testing.T) {
			s, err := ParseSpan(tc.in)
			if (err == nil) != tc.ok || (tc.ok && s.String() != map[string]string{"18:30-21:30": "18:30-21:30", " 08:30 - 12:00 ": "08:30-12:00"}[tc.in]) {
				t.Fatalf("%v %v", s, err)
			}
		})
	}
}
