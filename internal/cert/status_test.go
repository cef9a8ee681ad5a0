package cert

import (
	"testing"

	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
)

func TestEffectiveStatus(t *testing.T) {
	exp := civil.MustParse("2029-05-10")
	cases := []struct {
		name   string
		stored Status
		asOf   string
		want   Status
	}{
		{"valid before expiry", Valid, "2027-01-01", Valid},
		{"valid on the expiry date", Valid, "2029-05-10", Valid},
		{"valid the day after", Valid, "2029-05-11", Expired},
		{"suspended before expiry", Suspended, "2029-05-10", Suspended},
		{"suspended after expiry", Suspended, "2030-01-01", Expired},
		{"revoked before expiry", Revoked, "2028-01-01", Revoked},
		{"revoked after expiry", Revoked, "2031-01-01", Revoked},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := EffectiveStatus(tc.stored, exp, civil.MustParse(tc.asOf)); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestExpiryFor(t *testing.T) {
	cases := []struct {
		issued, want string
		years        int
	}{
		{"2026-05-11", "2029-05-10", 3},
		{"2024-02-29", "2027-02-28", 3}, // AddDate normalizes 2027-02-29 to 03-01; the day before is 02-28
		{"2026-01-01", "2030-12-31", 5},
	}
	for _, tc := range cases {
		t.Run(tc.issued, func(t *testing.T) {
			if got := ExpiryFor(civil.MustParse(tc.issued), tc.years); got.String() != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestTransition(t *testing.T) {
	cases := []struct {
		from   Status
		action Action
		want   Status
		code   string
	}{
		{Valid, Revoke, Revoked, ""},
		{Suspended, Revoke, Revoked, ""},
		{Revoked, Revoke, "", "status_transition_invalid"},
		{Valid, Suspend, Suspended, ""},
		{Suspended, Suspend, "", "status_transition_invalid"},
		{Revoked, Suspend, "", "status_transition_invalid"},
		{Suspended, Reinstate, Valid, ""},
		{Revoked, Reinstate, Valid, ""},
		{Valid, Reinstate, "", "status_transition_invalid"},
		{Valid, "delete", "", "unknown_action"},
	}
	for _, tc := range cases {
		t.Run(string(tc.from)+"_"+string(tc.action), func(t *testing.T) {
			got, err := Transition(tc.from, tc.action)
			if tc.code != "" {
				if !apperr.Is(err, tc.code) {
					t.Fatalf("err %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %s %v, want %s", got, err, tc.want)
			}
		})
	}
}

func TestMaskName(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"one character", "张", "*"},
		{"two characters", "张三", "张*"},
		{"three characters", "张三明", "张*明"},
		{"four characters", "张王晓明", "张**明"},
		{"compound surname, three", "欧阳修", "欧阳*"},
		{"compound surname, four", "欧阳晓明", "欧阳*明"},
		{"compound surname, four (司马)", "司马相如", "司马*如"},
		{"two characters starting like a compound", "司马", "司*"},
		{"transliterated with dot", "买买提·艾力", "买****力"},
		{"spaces trimmed", " 李四 ", "李*"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := MaskName(tc.in); got != tc.want {
				t.Fatalf("MaskName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseValidity(t *testing.T) {
	cases := []struct {
		in      string
		def     int
		subject string
		years   int
		bad     bool
	}{
		{"", 3, "political_theory", 3, false},
		{"3", 3, "political_theory", 3, false},
		{"5", 5, "innovation", 5, false},
		{"3,political_theory=5", 3, "political_theory", 5, false},
		{"4, party_affairs = 2", 4, "party_affairs", 2, false},
		{"0", 0, "", 0, true},
		{"x", 0, "", 0, true},
		{"3,4", 0, "", 0, true},
		{"3,=4", 0, "", 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			v, err := ParseValidity(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil || v.Default != tc.def || v.Years(tc.subject) != tc.years {
				t.Fatalf("got %+v %v", v, err)
			}
		})
	}
}
