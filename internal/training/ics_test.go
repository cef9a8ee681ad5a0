package training

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ical "github.com/emersion/go-ical"
)

func TestICSParsesAndFollowsRFC5545(t *testing.T) {
	stamp := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	long := strings.Repeat("习近平新时代中国特色社会主义思想专题研讨，", 8)
	events := []Event{
		{UID: "session-1@qualify", Start: at("2026-03-02", "18:30"), End: at("2026-03-02", "21:30"), Summary: "党史, 学习; 第1讲",
			Location: "1号教室\\东楼", Description: long + "\n第二行", Stamp: stamp},
		{UID: "session-2@qualify", Start: at("2026-03-08", "08:30"), End: at("2026-03-08", "12:00"), Summary: "短", Stamp: stamp},
	}
	out := ICS("省委党校课表", events)
	t.Run("CRLF only", func(t *testing.T) {
		if bytes.Contains(bytes.ReplaceAll(out, []byte("\r\n"), nil), []byte("\n")) || !bytes.HasSuffix(out, []byte("\r\n")) {
			t.Fatal("bare LF")
		}
	})
	t.Run("folded at 75 octets", func(t *testing.T) {
		folded := 0
		for _, l := range strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n") {
			if len(l) > 75 || !utf8.ValidString(l) {
				t.Fatalf("line of %d octets: %q", len(l), l)
			}
			if strings.HasPrefix(l, " ") {
				folded++
			}
		}
		if folded == 0 {
			t.Fatal("nothing folded")
		}
	})
	t.Run("parses", func(t *testing.T) {
		cal, err := ical.NewDecoder(bytes.NewReader(out)).Decode()
		if err != nil {
			t.Fatal(err)
		}
		if len(cal.Children) == 0 || cal.Children[0].Name != ical.CompTimezone {
			t.Fatal("no VTIMEZONE first")
		}
		evs := cal.Events()
		if len(evs) != 2 {
			t.Fatalf("%d events", len(evs))
		}
		e := evs[0]
		if uid, _ := e.Props.Text(ical.PropUID); uid != "session-1@qualify" {
			t.Fatalf("uid %q", uid)
		}
		if e.Props.Get(ical.PropDateTimeStamp) == nil {
			t.Fatal("no DTSTAMP")
		}
		if s, _ := e.Props.Text(ical.PropSummary); s != "党史, 学习; 第1讲" {
			t.Fatalf("summary %q", s)
		}
		if s, _ := e.Props.Text(ical.PropLocation); s != "1号教室\\东楼" {
			t.Fatalf("location %q", s)
		}
		if s, _ := e.Props.Text(ical.PropDescription); s != long+"\n第二行" {
			t.Fatalf("description %q", s)
		}
		start, err := e.DateTimeStart(time.UTC)
		if err != nil || !start.Equal(at("2026-03-02", "18:30")) {
			t.Fatalf("start %v %v", start, err)
		}
		if p := e.Props.Get(ical.PropDateTimeStart); p.Params.Get(ical.ParamTimezoneID) != "Asia/Shanghai" {
			t.Fatalf("tzid %v", p.Params)
		}
	})
}

func TestFold(t *testing.T) {
	cases := []struct {
		name string
		in   string
	}{{"short", "SUMMARY:x"}, {"ascii 200", "X:" + strings.Repeat("a", 200)}, {"cjk", "X:" + strings.Repeat("党", 100)},
		{"exactly 75", strings.Repeat("b", 75)}, {"76", strings.Repeat("b", 76)}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := fold(tc.in)
			lines := strings.Split(strings.TrimSuffix(f, "\r\n"), "\r\n")
			joined := lines[0]
			for _, l := range lines[1:] {
				if l[0] != ' ' {
					t.Fatalf("continuation without space")
				}
				joined += l[1:]
			}
			for _, l := range lines {
				if len(l) > 75 || !utf8.ValidString(l) {
					t.Fatalf("bad line %q", l)
				}
			}
			if joined != tc.in {
				t.Fatal("unfold differs")
			}
		})
	}
}
