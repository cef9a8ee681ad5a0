package cert

import (
	"strings"
	"testing"
)

func TestFormatAndParseNumber(t *testing.T) {
	cases := []struct {
		name, issuer, subject string
		year                  int
		serial                int64
		want                  string
	}{
		{"political theory", "QC", "political_theory", 2026, 123, "QC-2026-PT-000123-"},
		{"party affairs", "QC", "party_affairs", 2025, 1, "QC-2025-PA-000001-"},
		{"unknown subject initials", "QC", "public_speaking", 2026, 7, "QC-2026-PS-000007-"},
		{"one-word subject", "QC", "law", 2026, 7, "QC-2026-LA-000007-"},
		{"long serial", "QC", "innovation", 2030, 1234567, "QC-2030-IN-1234567-"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := FormatNumber(tc.issuer, tc.year, SubjectAbbrev(tc.subject), tc.serial)
			if !strings.HasPrefix(n, tc.want) || len(n) != len(tc.want)+1 {
				t.Fatalf("FormatNumber = %q, want %q + check", n, tc.want)
			}
			norm, parsed, ok := ParseNumber(" " + strings.ToLower(n) + " ")
			if !ok || norm != n || parsed.Year != tc.year || parsed.Serial != tc.serial || parsed.Issuer != tc.issuer {
				t.Fatalf("ParseNumber(%q) = %q %+v %v", n, norm, parsed, ok)
			}
		})
	}
}

// TestCheckCharKnownValues pins the MOD 37-2 computation (ISO 7064 pure system, radix 2).
func TestCheckCharKnownValues(t *testing.T) {
	cases := []struct{ in, want string }{
		{"0", "1"},                // p = 0 -> (38-0)%37 = 1
		{"1", "*"},                // p = 2 -> 36
		{"A", "I"},                // p = 20 -> 18
		{"QC-2026-PT-000123", ""}, // filled below from the definition
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := CheckChar(tc.in)
			if !ok {
				t.Fatal("not ok")
			}
			// Validation: with the check value appended, the weighted sum is 1 modulo 37.
			p := 0
			for _, c := range strings.ReplaceAll(tc.in, "-", "") {
				p = (p + strings.IndexRune(mod37Alphabet, c)) * 2 % 37
			}
			if (p+strings.IndexByte(mod37Alphabet, got))%37 != 1 {
				t.Fatalf("check %q does not satisfy MOD 37-2", got)
			}
			if tc.want != "" && string(got) != tc.want {
				t.Fatalf("CheckChar(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if _, ok := CheckChar("QC_2026"); ok {
		t.Fatal("underscore accepted")
	}
}

// TestCheckCharCatchesErrors takes a sample of numbers and checks that every single-character
// substitution and every adjacent transposition yields a number that ParseNumber refuses.
func TestCheckCharCatchesErrors(t *testing.T) {
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*-"
	subjects := []string{"political_theory", "decision_making", "coordination", "innovation", "administration", "party_affairs"}
	var sample []string
	for i, s := range subjects {
		for _, serial := range []int64{1, 9, 10, 99, 123, 4567, 99999, 100000 + int64(i)*7919} {
			sample = append(sample, FormatNumber("QC", 2024+i%3, SubjectAbbrev(s), serial))
		}
	}
	for _, n := range sample {
		t.Run(n, func(t *testing.T) {
			if _, _, ok := ParseNumber(n); !ok {
				t.Fatalf("valid number %q refused", n)
			}
			b := []byte(n)
			for i := range b {
				for j := 0; j < len(chars); j++ {
					if chars[j] == n[i] {
						continue
					}
					m := append([]byte(nil), b...)
					m[i] = chars[j]
					if _, _, ok := ParseNumber(string(m)); ok {
						t.Errorf("substitution at %d (%q) not caught: %s", i, chars[j], m)
					}
				}
				if i+1 < len(b) && b[i] != b[i+1] {
					m := append([]byte(nil), b...)
					m[i], m[i+1] = m[i+1], m[i]
					if _, _, ok := ParseNumber(string(m)); ok {
						t.Errorf("transposition at %d not caught: %s", i, m)
					}
				}
			}
		})
	}
}
