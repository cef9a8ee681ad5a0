package training

import (
	"testing"

	"qualify/internal/cadre"
	"qualify/internal/platform/civil"
)

func iv(date, from, to string) Interval { return Interval{at(date, from), at(date, to)} }

func TestHourRule(t *testing.T) {
	r := DefaultHourRule()
	cases := []struct {
		name     string
		sessions []Interval
		want     float64
	}{
		{"evening 3h", []Interval{iv("2026-03-02", "18:30", "21:30")}, 3},
		{"evening 2h45 rounds down to 2.5", []Interval{iv("2026-03-02", "18:30", "21:15")}, 2.5},
		{"half day", []Interval{iv("2026-03-01", "08:30", "12:00")}, 4},
		{"full day", []Interval{iv("2026-03-01", "08:30", "12:00"), iv("2026-03-01", "14:00", "17:30")}, 8},
		{"two half days on two dates", []Interval{iv("2026-03-01", "08:30", "12:00"), iv("2026-03-07", "14:00", "17:30")}, 8},
		{"short daytime counts by hour", []Interval{iv("2026-03-01", "09:00", "11:00")}, 2},
		{"three half days", []Interval{iv("2026-03-01", "08:30", "12:00"), iv("2026-03-01", "14:00", "17:30"), iv("2026-03-07", "08:30", "12:00")}, 12},
		{"nothing", nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.Total(tc.sessions, cst); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("configurable", func(t *testing.T) {
		r := HourRule{FullDay: 6, HalfDay: 3, PerHour: 1, HalfDayMinutes: 180}
		if got := r.Total([]Interval{iv("2026-03-01", "08:30", "12:00"), iv("2026-03-01", "14:00", "17:30")}, cst); got != 6 {
			t.Fatalf("Nanjing rule: %v", got)
		}
	})
}

func TestCourseCredit(t *testing.T) {
	r := DefaultHourRule()
	evenings := func(n int) []Interval {
		var out []Interval
		d := civil.MustParse("2026-03-02")
		for i := 0; i < n; i++ {
			out = append(out, Interval{d.AddDays(i).In(cst).Add(18*3600e9 + 30*60e9), d.AddDays(i).In(cst).Add(21*3600e9 + 30*60e9)})
		}
		return out
	}
	all := func(n int, absent ...int) []bool {
		out := make([]bool, n)
		for i := range out {
			out[i] = true
		}
		for _, a := range absent {
			out[a] = false
		}
		return out
	}
	cases := []struct {
		name     string
		sessions []Interval
		attended []bool
		eligible bool
		hours    float64
	}{
		{"all present", evenings(7), all(7), true, 21},
		{"leave exactly 1/7", evenings(7), all(7, 3), true, 18},
		{"leave above 1/7", evenings(7), all(7, 3, 4), false, 15},
		{"leave 1/14", evenings(14), all(14, 0), true, 39},
		{"none present", evenings(3), all(3, 0, 1, 2), false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := CourseCredit(r, tc.sessions, tc.attended, cst)
			if c.Eligible != tc.eligible || c.Attended != tc.hours {
				t.Fatalf("%+v", c)
			}
		})
	}
	t.Run("split at the year boundary", func(t *testing.T) {
		s := []Interval{iv("2025-12-30", "18:30", "21:30"), iv("2025-12-31", "18:30", "21:30"), iv("2026-01-04", "18:30", "21:30"),
			iv("2026-01-10", "08:30", "12:00"), iv("2026-01-10", "14:00", "17:30")}
		c := CourseCredit(r, s, all(5), cst)
		if !c.Eligible || len(c.Years) != 2 || c.Years[0].Year != 2025 || c.Years[0].Hours != 6 || c.Years[1].Hours != 11 ||
			c.Years[0].From != civil.MustParse("2025-12-30") || c.Years[1].To != civil.MustParse("2026-01-10") {
			t.Fatalf("%+v", c)
		}
	})
}

func TestHoursInWindowAndProgress(t *testing.T) {
	e := func(year int, mode Mode, recognized bool, h float64) LedgerEntry {
		d := civil.New(year, 6, 1)
		return LedgerEntry{Mode: mode, Recognized: recognized, Hours: h, From: d, To: d, Year: year}
	}
	ledger := []LedgerEntry{e(2021, Centralized, true, 100), e(2022, FullTime, true, 200), e(2024, Centralized, false, 50),
		e(2025, Online, true, 60), e(2026, Centralized, true, 95), e(2026, SelfStudy, true, 10)}
	cases := []struct {
		name     string
		from, to string
		pred     func(LedgerEntry) bool
		want     float64
	}{
		{"all", "2020-01-01", "2026-12-31", nil, 515},
		{"centralized", "2020-01-01", "2026-12-31", CountsAsCentralized, 395},
		{"2026 only", "2026-01-01", "2026-12-31", CountsAsCentralized, 95},
		{"window edge", "2022-06-01", "2022-06-01", nil, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := HoursInWindow(ledger, civil.MustParse(tc.from), civil.MustParse(tc.to), tc.pred); got != tc.want {
				t.Fatalf("got %v", got)
			}
		})
	}
	t.Run("junior 2026 met", func(t *testing.T) {
		p := ProgressOf(RequirementJunior, ledger, civil.MustParse("2026-08-01"))
		if p.Hours != 95 || !p.Met || p.From != civil.MustParse("2026-01-01") {
			t.Fatalf("%+v", p)
		}
	})
	t.Run("senior 2022-2026 not met", func(t *testing.T) {
		p := ProgressOf(RequirementSenior, ledger, civil.MustParse("2026-08-01"))
		if p.Hours != 295 || p.Met || p.From != civil.MustParse("2022-01-01") {
			t.Fatalf("%+v", p)
		}
	})
	t.Run("summary", func(t *testing.T) {
		s := Summarize(ledger)
		if len(s) != 5 || s[0].Year != 2026 || s[0].Total != 105 || s[0].Centralized != 95 || s[0].ByMode[SelfStudy] != 10 {
			t.Fatalf("%+v", s)
		}
	})
}

func testLadder() *cadre.Ladder {
	levels := []cadre.PostLevel{{Code: "bureau_deputy", Ord: 6}, {Code: "county_principal", Ord: 7}, {Code: "county_deputy", Ord: 8},
		{Code: "township_principal", Ord: 9}, {Code: "township_deputy", Ord: 10}}
	ranks := []cadre.Rank{{Category: "general", Code: "researcher_4", Ord: 6}, {Category: "general", Code: "senior_staff_1", Ord: 7},
		{Category: "general", Code: "staff_1", Ord: 11}}
	eqs := []cadre.Equivalence{{PostLevel: "county_deputy", RankCategory: "general", RankCode: "researcher_4"},
		{PostLevel: "township_principal", RankCategory: "general", RankCode: "senior_staff_1"}}
	return cadre.NewLadder(levels, ranks, nil, nil, eqs)
}

func TestRequirementFor(t *testing.T) {
	l := testLadder()
	cases := []struct {
		name, level, rank string
		want              float64
	}{
		{"bureau deputy", "bureau_deputy", "", 550},
		{"county deputy", "county_deputy", "", 550},
		{"township principal", "township_principal", "", 90},
		{"四级调研员", "", "researcher_4", 550},
		{"一级主任科员", "", "senior_staff_1", 90},
		{"一级科员", "", "staff_1", 90},
		{"township post with 四级调研员 rank", "township_principal", "researcher_4", 550},
		{"nothing", "", "", 90},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cat := ""
			if tc.rank != "" {
				cat = "general"
			}
			if got := RequirementFor(l, tc.level, cat, tc.rank); got.Hours != tc.want {
				t.Fatalf("got %+v", got)
			}
		})
	}
}
