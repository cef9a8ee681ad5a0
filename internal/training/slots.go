// Package training holds cadre training (干部教育培训): training schools and their slot rules
// (夜校, Sunday and holiday classes), venues, teachers (师资库), courses, sessions and their
// scheduling, enrollment, attendance and the append-only training ledger with the hour rules of
// 《干部教育培训工作条例》 (domain.md §3). The pure parts (slot rules, the scheduler, hour rules,
// the iCalendar writer) take plain values; the Service applies them over a Store.
package training

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"qualify/internal/calendar"
	"qualify/internal/platform/civil"
)

// Span is a time of day range in minutes after local midnight, [Start, End).
type Span struct {
	Start int
	End   int
}

// ParseSpan reads "HH:MM-HH:MM".
func ParseSpan(s string) (Span, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Span{}, fmt.Errorf("时段 %q 格式应为 HH:MM-HH:MM", s)
	}
	start, err1 := parseClock(a)
	end, err2 := parseClock(b)
	if err1 != nil || err2 != nil || end <= start {
		return Span{}, fmt.Errorf("时段 %q 格式应为 HH:MM-HH:MM，且结束晚于开始", s)
	}
	return Span{start, end}, nil
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// String formats the span as "HH:MM-HH:MM".
func (s Span) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", s.Start/60, s.Start%60, s.End/60, s.End%60)
}

// Minutes is the length of the span.
func (s Span) Minutes() int { return s.End - s.Start }

// SlotKind says which rule offers a slot.
type SlotKind string

// The slot kinds.
const (
	Evening SlotKind = "evening" // 夜校：工作日（含调休上班日）晚间
	Daytime SlotKind = "day"     // 休息日（周末、节假日）白天
)

// Policy is a school's slot configuration: evening slots on working days (make-up workdays
// included), day slots on rest days (weekends that are not make-up workdays, and holidays), and
// festivals kept free (holidays of these names offer nothing).
type Policy struct {
	Evening  []Span
	Day      []Span
	KeepFree []string
}

// DefaultPolicy is 18:30-21:30 on working days; 08:30-12:00 and 14:00-17:30 on rest days; 春节
// kept free.
func DefaultPolicy() Policy {
	return Policy{Evening: []Span{{18*60 + 30, 21*60 + 30}}, Day: []Span{{8*60 + 30, 12 * 60}, {14 * 60, 17*60 + 30}},
		KeepFree: []string{"春节"}}
}

// Slot is one allowed teaching window on a date.
type Slot struct {
	Date civil.Date
	Span Span
	Kind SlotKind
}

// Start returns the slot's start instant in loc.
func (s Slot) Start(loc *time.Location) time.Time {
	return s.Date.In(loc).Add(time.Duration(s.Span.Start) * time.Minute)
}

// End returns the slot's end instant in loc.
func (s Slot) End(loc *time.Location) time.Time {
	return s.Date.In(loc).Add(time.Duration(s.Span.End) * time.Minute)
}

// SlotsOn returns the slots a school may use on one day of the calendar.
func SlotsOn(day calendar.Day, p Policy) []Slot {
	var spans []Span
	kind := Evening
	switch day.Kind {
	case calendar.Workday, calendar.MakeupWorkday:
		spans = p.Evening
	case calendar.Weekend:
		spans, kind = p.Day, Daytime
	case calendar.Holiday:
		if slices.Contains(p.KeepFree, day.Name) {
			return nil
		}
		spans, kind = p.Day, Daytime
	}
	out := make([]Slot, 0, len(spans))
	for _, s := range spans {
		out = append(out, Slot{Date: day.Date, Span: s, Kind: kind})
	}
	return out
}

// AllowedSlots returns every slot from from to to inclusive, in time order.
func AllowedSlots(cal *calendar.Calendar, p Policy, from, to civil.Date) []Slot {
	var out []Slot
	for _, d := range cal.Days(from, to) {
		out = append(out, SlotsOn(d, p)...)
	}
	return out
}

// CheckSlot says whether [start, end) fits inside one allowed slot, and why not when it does
// not (a Chinese reason for the slot_not_allowed problem).
func CheckSlot(cal *calendar.Calendar, p Policy, loc *time.Location, start, end time.Time) (bool, string) {
	start, end = start.In(loc), end.In(loc)
	if !end.After(start) {
		return false, "结束时间须晚于开始时间"
	}
	d := civil.Of(start)
	if civil.Of(end.Add(-time.Nanosecond)) != d {
		return false, "一次课不能跨日"
	}
	from := start.Hour()*60 + start.Minute()
	to := from + int(end.Sub(start)/time.Minute)
	day := cal.Day(d)
	slots := SlotsOn(day, p)
	for _, s := range slots {
		if from >= s.Span.Start && to <= s.Span.End {
			return true, ""
		}
	}
	label := d.String() + "（" + calendar.KindNames[day.Kind]
	if day.Name != "" {
		label += "·" + day.Name
	}
	label += "）"
	if len(slots) == 0 {
		if day.Kind == calendar.Holiday {
			return false, label + "在本校设置的不排课节日内，不安排课程"
		}
		return false, label + "没有可用时段"
	}
	spans := make([]string, len(slots))
	for i, s := range slots {
		spans[i] = s.Span.String()
	}
	if slots[0].Kind == Evening {
		return false, label + "是工作日，只能在晚间时段 " + strings.Join(spans, "、") + " 内上课"
	}
	return false, label + "是休息日，只能在 " + strings.Join(spans, "、") + " 内上课"
}
