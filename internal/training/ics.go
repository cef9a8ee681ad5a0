package training

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one VEVENT of an iCalendar feed.
type Event struct {
	UID         string
	Start       time.Time
	End         time.Time
	Summary     string
	Location    string
	Description string
	Stamp       time.Time // DTSTAMP: when the feed was produced
}

// vtimezone is Asia/Shanghai (China Standard Time, no daylight saving since 1991).
const vtimezone = "BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\nX-LIC-LOCATION:Asia/Shanghai\r\n" +
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nTZNAME:CST\r\nDTSTART:19700101T000000\r\n" +
	"END:STANDARD\r\nEND:VTIMEZONE\r\n"

// ICS renders events as an RFC 5545 calendar in Asia/Shanghai local time: CRLF line endings,
// lines folded at 75 octets (never inside a UTF-8 character), TEXT values escaped, UID and
// DTSTAMP on every VEVENT.
func ICS(name string, events []Event) []byte {
	loc := shanghai()
	var b bytes.Buffer
	line := func(s string) { b.WriteString(fold(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Qualify//Training//ZH")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escapeText(name))
	line("X-WR-TIMEZONE:Asia/Shanghai")
	b.WriteString(vtimezone)
	for _, e := range events {
		line("BEGIN:VEVENT")
		line("UID:" + e.UID)
		line("DTSTAMP:" + e.Stamp.UTC().Format("20060102T150405Z"))
		line("DTSTART;TZID=Asia/Shanghai:" + e.Start.In(loc).Format("20060102T150405"))
		line("DTEND;TZID=Asia/Shanghai:" + e.End.In(loc).Format("20060102T150405"))
		line("SUMMARY:" + escapeText(e.Summary))
		if e.Location != "" {
			line("LOCATION:" + escapeText(e.Location))
		}
		if e.Description != "" {
			line("DESCRIPTION:" + escapeText(e.Description))
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.Bytes()
}

func shanghai() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}

// escapeText escapes a TEXT value (RFC 5545 §3.3.11).
func escapeText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// fold splits a content line into lines of at most 75 octets, continuation lines starting with
// a space, each ending with CRLF (RFC 5545 §3.1).
func fold(s string) string {
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}
