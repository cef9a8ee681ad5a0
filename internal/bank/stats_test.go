package bank

import (
	"slices"
	"testing"
)

// obs builds n observations: the first `right` candidates answer correctly; totals descend.
func obs(n, right int) []Observation {
	var out []Observation
	for i := 0; i < n; i++ {
		p := 0.0
		sel := []string{"B"}
		if i < right {
			p, sel = 1, []string{"A"}
		}
		out = append(out, Observation{Points: p, Max: 1, Total: float64(100 - i), Selected: sel})
	}
	return out
}

func TestAnalyze(t *testing.T) {
	cases := []struct {
		name      string
		obs       []Observation
		p, d      float64
		flags     []string
		rpbAbove  float64
		rpbBelow  float64
		optionA   int
		noFlagsOK bool
	}{
		{"ideal discriminator", obs(100, 50), 0.5, 1, nil, 0.8, 1.01, 50, false},
		{"too easy", obs(100, 97), 0.97, 0.111, []string{"区分度低于 0.2", "难度值 P 高于 0.95（过易）"}, 0, 1.01, 97, false},
		{"too hard", obs(100, 5), 0.05, 0.185, []string{"区分度低于 0.2", "难度值 P 低于 0.1（过难）"}, 0, 1.01, 5, false},
		{"small sample raises no flag", obs(5, 5), 1, 0, nil, -0.01, 0.01, 5, true},
		{"everyone right: r undefined is 0", obs(20, 20), 1, 0, []string{"区分度低于 0.2", "难度值 P 高于 0.95（过易）"}, -0.01, 0.01, 20, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Analyze(c.obs)
			if s.Facility != c.p || s.Discrimination != c.d {
				t.Fatalf("P=%v D=%v, want P=%v D=%v", s.Facility, s.Discrimination, c.p, c.d)
			}
			if !slices.Equal(s.Flags, c.flags) {
				t.Fatalf("flags %v, want %v", s.Flags, c.flags)
			}
			if s.PointBiserial <= c.rpbAbove || s.PointBiserial >= c.rpbBelow {
				t.Fatalf("r_pb %v outside (%v, %v)", s.PointBiserial, c.rpbAbove, c.rpbBelow)
			}
			if s.OptionCounts["A"] != c.optionA {
				t.Fatalf("option A chosen %d, want %d", s.OptionCounts["A"], c.optionA)
			}
		})
	}
	// A subjective item: P = mean / max; top group scores higher.
	sub := []Observation{{8, 10, 90, nil}, {6, 10, 70, nil}, {4, 10, 50, nil}, {2, 10, 30, nil}}
	s := Analyze(sub)
	if s.Facility != 0.5 || s.Discrimination != 0.6 {
		t.Fatalf("subjective P=%v D=%v", s.Facility, s.Discrimination)
	}
	if Analyze(nil).N != 0 {
		t.Fatal("empty")
	}
}
