package cert

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Certificate numbers (证书编号) read QC-2026-PT-000123-K:
//
//	QC      issuer code (configurable, 2–6 capital letters)
//	2026    year of issue
//	PT      subject abbreviation (SubjectAbbrev)
//	000123  serial, counted per issuer, year and subject, never reused
//	K       check character, ISO 7064 MOD 37-2 over the alphanumeric characters before it
//
// MOD 37-2 is the pure ISO 7064 system for alphanumeric data: characters 0–9 and A–Z take the
// values 0–35, and the check character is one of 0–9, A–Z or '*' (value 36). Because 37 is prime
// and the weights are powers of 2 (never 0 modulo 37), it detects every single-character
// substitution and every transposition of two adjacent characters. A transposition with a hyphen
// breaks the format and is caught by ParseNumber.

const mod37Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"

var numberRe = regexp.MustCompile(`^([A-Z]{2,6})-(\d{4})-([A-Z]{2,4})-(\d{6,9})-([0-9A-Z*])$`)

// subjectAbbrevs are the abbreviations of the contract's subjects.
var subjectAbbrevs = map[string]string{
	"political_theory": "PT", // 马克思主义政治理论
	"decision_making":  "DM", // 决策能力
	"coordination":     "CO", // 协调能力
	"innovation":       "IN", // 创新能力
	"administration":   "AD", // 行政职业能力
	"party_affairs":    "PA", // 党务工作程序和业务能力
}

// SubjectNames are the Chinese names of the contract's subjects, used when an issue request
// carries none.
var SubjectNames = map[string]string{
	"political_theory": "马克思主义政治理论", "decision_making": "决策能力", "coordination": "协调能力",
	"innovation": "创新能力", "administration": "行政职业能力", "party_affairs": "党务工作程序和业务能力",
}

// SubjectAbbrev returns the two-to-four-letter abbreviation of a subject code: the table above,
// else the initials of its words ("public_speaking" -> "PS"), else its first two letters.
func SubjectAbbrev(code string) string {
	if a, ok := subjectAbbrevs[code]; ok {
		return a
	}
	var b strings.Builder
	words := strings.FieldsFunc(strings.ToUpper(code), func(r rune) bool { return r < 'A' || r > 'Z' })
	if len(words) >= 2 {
		for _, w := range words[:min(4, len(words))] {
			b.WriteByte(w[0])
		}
		return b.String()
	}
	if len(words) == 1 && len(words[0]) >= 2 {
		return words[0][:2]
	}
	return "XX"
}

// CheckChar returns the ISO 7064 MOD 37-2 check character of the alphanumeric characters of s
// (other characters, such as hyphens, are skipped); ok is false if s has a character outside
// 0–9, A–Z and '-'.
func CheckChar(s string) (byte, bool) {
	p := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' {
			continue
		}
		v := strings.IndexByte(mod37Alphabet[:36], c)
		if v < 0 {
			return 0, false
		}
		p = (p + v) * 2 % 37
	}
	return mod37Alphabet[(38-p)%37], true
}

// FormatNumber builds a certificate number with its check character.
func FormatNumber(issuerCode string, year int, subjectAbbrev string, serial int64) string {
	body := fmt.Sprintf("%s-%04d-%s-%06d", issuerCode, year, subjectAbbrev, serial)
	c, _ := CheckChar(body)
	return body + "-" + string(c)
}

// Number is a parsed certificate number.
type Number struct {
	Issuer  string
	Year    int
	Subject string
	Serial  int64
}

// ParseNumber normalizes s (trimmed, upper case) and checks its format and check character.
func ParseNumber(s string) (string, Number, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	m := numberRe.FindStringSubmatch(s)
	if m == nil {
		return s, Number{}, false
	}
	want, ok := CheckChar(s[:len(s)-2])
	if !ok || want != m[5][0] {
		return s, Number{}, false
	}
	year, _ := strconv.Atoi(m[2])
	serial, _ := strconv.ParseInt(m[4], 10, 64)
	return s, Number{Issuer: m[1], Year: year, Subject: m[3], Serial: serial}, true
}
