// Package calendar holds the holiday calendar (法定节假日与调休, domain.md §5): the official
// schedules published by the State Council each year, shipped with the project as data and
// importable for a new year in the same JSON layout (holiday-cn), plus local overrides by an
// administrator. Every date is a workday, a weekend, a holiday or a make-up workday (调休上班).
package calendar

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"qualify/internal/platform/civil"
)

// Kind is what a date is for scheduling.
type Kind string

// The kinds of day.
const (
	Workday       Kind = "workday"        // 工作日
	Weekend       Kind = "weekend"        // 周末（休息日）
	Holiday       Kind = "holiday"        // 法定节假日（含调休放假）
	MakeupWorkday Kind = "makeup_workday" // 调休上班的周末
)

// KindNames are the Chinese names of the kinds.
var KindNames = map[Kind]string{Workday: "工作日", Weekend: "周末", Holiday: "节假日", MakeupWorkday: "调休上班"}

// ValidKind reports whether k is one of the four kinds.
func ValidKind(k Kind) bool { _, ok := KindNames[k]; return ok }

// IsRest reports whether cadres are off work on a day of this kind (domain.md §5.5 isRestDay).
func (k Kind) IsRest() bool { return k == Weekend || k == Holiday }

// Day is one classified date. Name is the festival (春节, 国庆节 ...) for holidays and make-up
// workdays, or the administrator's label for an override.
type Day struct {
	Date civil.Date
	Kind Kind
	Name string
}

// Entry is one listed day of an official schedule: a rest day of a holiday block (OffDay) or a
// weekend day that is a make-up workday (!OffDay).
type Entry struct {
	Date   civil.Date
	Name   string
	OffDay bool
}

// Year is one year's official schedule.
type Year struct {
	Year    int
	Papers  []string
	Entries []Entry
}

// Override is a local administrator's decision about one date (a local holiday, an
// ethnic-autonomous-region holiday, a correction); it wins over the official schedule.
type Override struct {
	Date      civil.Date
	Kind      Kind
	Name      string
	UpdatedAt time.Time
	UpdatedBy string
}

// Calendar classifies dates from official years and overrides. The zero value knows no
// holidays: every weekday is a workday, every Saturday and Sunday a weekend.
type Calendar struct {
	entries   map[civil.Date]Entry
	overrides map[civil.Date]Override
	years     map[int]bool
}

// New builds a calendar. Later years replace earlier ones of the same year number, so an
// imported year replaces the shipped one.
func New(years []Year, overrides []Override) *Calendar {
	c := &Calendar{entries: map[civil.Date]Entry{}, overrides: map[civil.Date]Override{}, years: map[int]bool{}}
	byYear := map[int]Year{}
	for _, y := range years {
		byYear[y.Year] = y
	}
	for _, y := range byYear {
		c.years[y.Year] = true
		for _, e := range y.Entries {
			c.entries[e.Date] = e
		}
	}
	for _, o := range overrides {
		c.overrides[o.Date] = o
	}
	return c
}

// Known reports whether the official schedule of year is loaded (a calendar for an unknown
// year treats every weekend as rest and every weekday as work).
func (c *Calendar) Known(year int) bool { return c != nil && c.years[year] }

// Day classifies d: an override first, then the official schedule, then the day of the week.
func (c *Calendar) Day(d civil.Date) Day {
	if c != nil {
		if o, ok := c.overrides[d]; ok {
			return Day{Date: d, Kind: o.Kind, Name: o.Name}
		}
		if e, ok := c.entries[d]; ok {
			if e.OffDay {
				return Day{Date: d, Kind: Holiday, Name: e.Name}
			}
			return Day{Date: d, Kind: MakeupWorkday, Name: e.Name}
		}
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return Day{Date: d, Kind: Weekend}
	}
	return Day{Date: d, Kind: Workday}
}

// Days classifies every date from from to to inclusive (nothing when to is before from).
func (c *Calendar) Days(from, to civil.Date) []Day {
	var out []Day
	for d := from; !d.After(to); d = d.AddDays(1) {
		out = append(out, c.Day(d))
	}
	return out
}

//go:embed holidays/*.json
var shipped embed.FS

// Official returns the official schedules shipped with the project (2025 and 2026), by year.
func Official() []Year {
	files, err := shipped.ReadDir("holidays")
	if err != nil {
		panic(err)
	}
	var out []Year
	for _, f := range files {
		b, err := shipped.ReadFile("holidays/" + f.Name())
		if err != nil {
			panic(err)
		}
		y, err := ParseYear(b)
		if err != nil {
			panic(fmt.Sprintf("shipped holiday file %s: %v", f.Name(), err))
		}
		out = append(out, y)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out
}

type yearFile struct {
	Year   int      `json:"year"`
	Papers []string `json:"papers"`
	Days   []struct {
		Name     string `json:"name"`
		Date     string `json:"date"`
		IsOffDay *bool  `json:"isOffDay"`
	} `json:"days"`
}

// ParseYear reads one year in the holiday-cn JSON layout ({year, papers, days: [{name, date,
// isOffDay}]}). It returns an error (in Chinese) naming the first problem: a bad date, a date
// outside the year (December dates of the next year's notice are kept only within year and
// year+1's January), a missing name or isOffDay, a duplicate date, or a make-up workday that is
// not a weekend day.
func ParseYear(b []byte) (Year, error) {
	var f yearFile
	if err := json.Unmarshal(b, &f); err != nil {
		return Year{}, fmt.Errorf("节假日文件不是有效的 JSON：%v", err)
	}
	if f.Year < 2000 || f.Year > 2100 {
		return Year{}, fmt.Errorf("节假日文件的 year 字段无效：%d", f.Year)
	}
	y := Year{Year: f.Year, Papers: f.Papers}
	seen := map[civil.Date]bool{}
	for i, d := range f.Days {
		at := fmt.Sprintf("days[%d]", i)
		date, err := civil.Parse(d.Date)
		if err != nil {
			return Year{}, fmt.Errorf("%s：%v", at, err)
		}
		if date.Year != f.Year && !(date.Year == f.Year-1 && date.Month == time.December) && !(date.Year == f.Year+1 && date.Month == time.January) {
			return Year{}, fmt.Errorf("%s：日期 %s 不属于 %d 年", at, d.Date, f.Year)
		}
		if strings.TrimSpace(d.Name) == "" {
			return Year{}, fmt.Errorf("%s：缺少节日名称 name", at)
		}
		if d.IsOffDay == nil {
			return Year{}, fmt.Errorf("%s：缺少 isOffDay", at)
		}
		if seen[date] {
			return Year{}, fmt.Errorf("%s：日期 %s 重复", at, d.Date)
		}
		seen[date] = true
		if wd := date.Weekday(); !*d.IsOffDay && wd != time.Saturday && wd != time.Sunday {
			return Year{}, fmt.Errorf("%s：%s 不是周末，不能是调休上班日", at, d.Date)
		}
		y.Entries = append(y.Entries, Entry{Date: date, Name: strings.TrimSpace(d.Name), OffDay: *d.IsOffDay})
	}
	if len(y.Entries) == 0 {
		return Year{}, fmt.Errorf("节假日文件没有任何日期（%d 年的安排可能尚未发布）", f.Year)
	}
	sort.Slice(y.Entries, func(i, j int) bool { return y.Entries[i].Date.Before(y.Entries[j].Date) })
	return y, nil
}
