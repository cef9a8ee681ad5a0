package calendar

import (
	"testing"

	"qualify/internal/platform/civil"
)

func TestOfficialDays(t *testing.T) {
	c := New(Official(), nil)
	cases := []struct {
		date string
		kind Kind
		name string
	}{
		{"2025-01-01", Holiday, "元旦"},
		{"2025-01-26", MakeupWorkday, "春节"},
		{"2025-01-28", Holiday, "春节"},
		{"2025-02-08", MakeupWorkday, "春节"},
		{"2025-04-27", MakeupWorkday, "劳动节"},
		{"2025-05-03", Holiday, "劳动节"},
		{"2025-09-28", MakeupWorkday, "国庆节、中秋节"},
		{"2025-10-06", Holiday, "国庆节、中秋节"},
		{"2025-10-11", MakeupWorkday, "国庆节、中秋节"},
		{"2025-10-12", Weekend, ""},
		{"2025-10-13", Workday, ""},
		{"2026-01-04", MakeupWorkday, "元旦"},
		{"2026-02-14", MakeupWorkday, "春节"},
		{"2026-02-17", Holiday, "春节"},
		{"2026-02-28", MakeupWorkday, "春节"},
		{"2026-03-01", Weekend, ""},
		{"2026-05-09", MakeupWorkday, "劳动节"},
		{"2026-09-20", MakeupWorkday, "国庆节"},
		{"2026-10-03", Holiday, "国庆节"},
		{"2026-10-10", MakeupWorkday, "国庆节"},
		{"2026-10-12", Workday, ""},
		{"2027-01-02", Weekend, ""}, // 2027 not published: weekdays only
	}
	for _, tc := range cases {
		t.Run(tc.date, func(t *testing.T) {
			d := c.Day(civil.MustParse(tc.date))
			if d.Kind != tc.kind || (tc.name != "" && d.Name != tc.name) {
				t.Fatalf("got %s %q, want %s %q", d.Kind, d.Name, tc.kind, tc.name)
			}
		})
	}
}

func TestYearTotals(t *testing.T) {
	// domain.md §5.2/5.3: 117 rest days and 248 working days in each year.
	c := New(Official(), nil)
	for _, y := range []int{2025, 2026} {
		t.Run(civil.New(y, 1, 1).String(), func(t *testing.T) {
			rest, work, makeup := 0, 0, 0
			for _, d := range c.Days(civil.New(y, 1, 1), civil.New(y, 12, 31)) {
				if d.Kind.IsRest() {
					rest++
				} else {
					work++
				}
				if d.Kind == MakeupWorkday {
					makeup++
				}
			}
			want := map[int]int{2025: 5, 2026: 6}[y]
			if rest != 117 || work != 248 || makeup != want || !c.Known(y) {
				t.Fatalf("rest %d work %d makeup %d", rest, work, makeup)
			}
		})
	}
}

func TestOverrideWins(t *testing.T) {
	c := New(Official(), []Override{{Date: civil.MustParse("2026-03-02"), Kind: Holiday, Name: "三月三"},
		{Date: civil.MustParse("2026-02-17"), Kind: Workday}})
	for _, tc := range []struct {
		date string
		kind Kind
	}{{"2026-03-02", Holiday}, {"2026-02-17", Workday}, {"2026-02-18", Holiday}} {
		t.Run(tc.date, func(t *testing.T) {
			if got := c.Day(civil.MustParse(tc.date)).Kind; got != tc.kind {
				t.Fatalf("got %s", got)
			}
		})
	}
}

func TestParseYear(t *testing.T) {
	cases := []struct {
		name, json string
		ok         bool
	}{
		{"valid", `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"春节","date":"2027-02-06","isOffDay":false}]}`, true},
		{"not json", `{`, false},
		{"bad year", `{"year":1,"days":[]}`, false},
		{"empty", `{"year":2027,"days":[]}`, false},
		{"bad date", `{"year":2027,"days":[{"name":"元旦","date":"2027-13-01","isOffDay":true}]}`, false},
		{"other year", `{"year":2027,"days":[{"name":"元旦","date":"2029-01-01","isOffDay":true}]}`, false},
		{"no name", `{"year":2027,"days":[{"name":"","date":"2027-01-01","isOffDay":true}]}`, false},
		{"no isOffDay", `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01"}]}`, false},
		{"duplicate", `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"元旦","date":"2027-01-01","isOffDay":true}]}`, false},
		{"weekday makeup", `{"year":2027,"days":[{"name":"元旦","date":"2027-01-04","isOffDay":false}]}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseYear([]byte(tc.json))
			if (err == nil) != tc.ok {
				t.Fatalf("err %v", err)
			}
		})
	}
}
