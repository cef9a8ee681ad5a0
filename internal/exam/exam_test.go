package exam

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"qualify/internal/bank"
)

func f(x float64) *float64 { return &x }

func TestResolve(t *testing.T) {
	cases := []struct {
		name  string
		m     Marks
		tol   float64
		stage Stage
		final float64
	}{
		{"nothing yet", Marks{}, 3, NeedFirst, 0},
		{"one mark", Marks{First: f(12)}, 3, NeedSecond, 0},
		{"agree exactly", Marks{First: f(12), Second: f(12)}, 3, Done, 12},
		{"within tolerance: mean", Marks{First: f(12), Second: f(14.5)}, 3, Done, 13.25},
		{"at tolerance boundary", Marks{First: f(10), Second: f(13)}, 3, Done, 11.5},
		{"just beyond tolerance", Marks{First: f(10), Second: f(13.5)}, 3, NeedThird, 0},
		{"third near first", Marks{First: f(10), Second: f(16), Third: f(11)}, 3, Done, 10.5},
		{"third near second", Marks{First: f(10), Second: f(16), Third: f(15)}, 3, Done, 15.5},
		{"third within both: closer wins", Marks{First: f(10), Second: f(15), Third: f(13)}, 3, Done, 14},
		{"third equidistant: first", Marks{First: f(10), Second: f(16), Third: f(13)}, 3, Done, 11.5},
		{"third near neither", Marks{First: f(4), Second: f(16), Third: f(10)}, 3, NeedArbiter, 0},
		{"arbitration final", Marks{First: f(4), Second: f(16), Third: f(10), Arbiter: f(9)}, 3, Done, 9},
		{"zero tolerance, equal", Marks{First: f(5), Second: f(5)}, 0, Done, 5},
		{"zero tolerance, different", Marks{First: f(5), Second: f(5.5)}, 0, NeedThird, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, fin := Resolve(c.m, c.tol)
			if st != c.stage || fin != c.final {
				t.Fatalf("Resolve = %s %v, want %s %v", st, fin, c.stage, c.final)
			}
		})
	}
}

// pool builds n items per type with difficulties cycling 1..5.
func pool(n int, types ...bank.Type) []PoolItem {
	var out []PoolItem
	id := int64(0)
	for _, ty := range types {
		for i := 0; i < n; i++ {
			id++
			it := PoolItem{ItemID: id, Version: 1, Type: ty, Difficulty: float64(i%5 + 1)}
			if i%2 == 0 {
				it.Tags = []string{"seven.reform"}
			}
			if ty.Choice() {
				it.Options = []string{"A", "B", "C", "D"}
			}
			out = append(out, it)
		}
	}
	return out
}

func hundred() Blueprint {
	return Blueprint{Sections: []Section{
		{Type: bank.Single, Count: 40, Points: 1},
		{Type: bank.Multiple, Count: 10, Points: 2},
		{Type: bank.TrueFalse, Count: 10, Points: 1},
		{Type: bank.CaseAnalysis, Count: 2, Points: 15},
	}, Tolerance: 0.25}
}

func TestAssembleMeetsBlueprintAndIsReproducible(t *testing.T) {
	p := pool(80, bank.Single, bank.Multiple, bank.TrueFalse, bank.CaseAnalysis)
	b := hundred()
	if b.TotalPoints() != 100 {
		t.Fatalf("total %v", b.TotalPoints())
	}
	target := Target(b, p)
	for seed := uint64(1); seed <= 50; seed++ {
		paper, err := Assemble(b, p, seed, nil)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[int]int{}
		ids := map[int64]bool{}
		total := 0.0
		byID := map[int64]PoolItem{}
		for _, it := range p {
			byID[it.ItemID] = it
		}
		for _, q := range paper.Questions {
			counts[q.Section]++
			if ids[q.ItemID] {
				t.Fatalf("seed %d: item %d twice", seed, q.ItemID)
			}
			ids[q.ItemID] = true
			total += q.Points
			if byID[q.ItemID].Type != b.Sections[q.Section].Type {
				t.Fatalf("seed %d: wrong type in section %d", seed, q.Section)
			}
			if byID[q.ItemID].Type.Choice() && (len(q.Order) != 4 || !sameSet(q.Order, []string{"A", "B", "C", "D"})) {
				t.Fatalf("seed %d: option order %v", seed, q.Order)
			}
		}
		for si, s := range b.Sections {
			if counts[si] != s.Count {
				t.Fatalf("seed %d: section %d has %d, want %d", seed, si, counts[si], s.Count)
			}
		}
		if total != 100 {
			t.Fatalf("seed %d: total points %v", seed, total)
		}
		if math.Abs(paper.Difficulty-target) > b.Tolerance {
			t.Fatalf("seed %d: difficulty %.3f, target %.3f ± %.2f", seed, paper.Difficulty, target, b.Tolerance)
		}
		again, _ := Assemble(b, p, seed, nil)
		if !reflect.DeepEqual(paper, again) {
			t.Fatalf("seed %d: paper not reproducible", seed)
		}
	}
	a, _ := Assemble(b, p, 1, nil)
	c, _ := Assemble(b, p, 2, nil)
	if reflect.DeepEqual(a.Questions, c.Questions) {
		t.Fatal("two seeds gave the same paper")
	}
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func TestAssembleAvoidsSeenItemsWhilePoolAllows(t *testing.T) {
	p := pool(40, bank.Single)
	b := Blueprint{Sections: []Section{{Type: bank.Single, Count: 20, Points: 1}}, Tolerance: 2}
	first, _ := Assemble(b, p, 7, nil)
	seen := map[int64]bool{}
	for _, q := range first.Questions {
		seen[q.ItemID] = true
	}
	second, _ := Assemble(b, p, 8, seen)
	for _, q := range second.Questions {
		if seen[q.ItemID] {
			t.Fatalf("item %d repeated although 20 unseen remain", q.ItemID)
		}
	}
	// A pool of 30: the second paper must reuse 10, never more.
	small := pool(30, bank.Single)
	first, _ = Assemble(b, small, 7, nil)
	seen = map[int64]bool{}
	for _, q := range first.Questions {
		seen[q.ItemID] = true
	}
	second, _ = Assemble(b, small, 9, seen)
	reused := 0
	for _, q := range second.Questions {
		if seen[q.ItemID] {
			reused++
		}
	}
	if reused != 10 {
		t.Fatalf("reused %d, want 10", reused)
	}
}

func TestCheckNamesShortfalls(t *testing.T) {
	p := pool(10, bank.Single, bank.Multiple)
	cases := []struct {
		name string
		b    Blueprint
		want []Shortfall // sections and counts only
	}{
		{"feasible", Blueprint{Sections: []Section{{Type: bank.Single, Count: 10, Points: 1}}}, nil},
		{"too many singles", Blueprint{Sections: []Section{{Type: bank.Single, Count: 12, Points: 1}}}, []Shortfall{{Section: 0, Want: 12, Got: 10}}},
		{"no essays", Blueprint{Sections: []Section{{Type: bank.Single, Count: 5, Points: 1}, {Type: bank.Essay, Count: 1, Points: 30}}},
			[]Shortfall{{Section: 1, Want: 1, Got: 0}}},
		{"difficulty band", Blueprint{Sections: []Section{{Type: bank.Multiple, Count: 3, Points: 2, Difficulty: &Band{5, 5}}}},
			[]Shortfall{{Section: 0, Want: 3, Got: 2}}},
		{"tag filter", Blueprint{Sections: []Section{{Type: bank.Single, Count: 6, Points: 1, Tags: []string{"seven.reform"}}}},
			[]Shortfall{{Section: 0, Want: 6, Got: 5}}},
		// Two overlapping sections: 5 tagged singles are shared; 4 + 6 = 10 fits exactly only if
		// the untagged section does not take tagged items it does not need.
		{"overlap fits", Blueprint{Sections: []Section{{Type: bank.Single, Count: 6, Points: 1}, {Type: bank.Single, Count: 4, Points: 1, Tags: []string{"seven.reform"}}}}, nil},
		{"overlap exceeds", Blueprint{Sections: []Section{{Type: bank.Single, Count: 7, Points: 1}, {Type: bank.Single, Count: 4, Points: 1, Tags: []string{"seven.reform"}}}},
			[]Shortfall{{Section: 1, Want: 4, Got: 3}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(c.b, p)
			if c.want == nil {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				if _, err := Assemble(c.b, p, 3, nil); err != nil {
					t.Fatalf("assemble: %v", err)
				}
				return
			}
			var inf *Infeasible
			if !errors.As(err, &inf) {
				t.Fatalf("want Infeasible, got %v", err)
			}
			if len(inf.Shortfalls) != len(c.want) {
				t.Fatalf("shortfalls %+v", inf.Shortfalls)
			}
			for i, w := range c.want {
				g := inf.Shortfalls[i]
				if g.Section != w.Section || g.Want != w.Want || g.Got != w.Got {
					t.Fatalf("shortfall %+v, want %+v", g, w)
				}
			}
			if inf.Error() == "" {
				t.Fatal("empty message")
			}
		})
	}
}

func TestDisplayKeys(t *testing.T) {
	q := Question{Order: []string{"C", "A", "D", "B"}}
	for i, authored := range q.Order {
		d := string(rune('A' + i))
		if q.DisplayKey(authored) != d || q.AuthoredKey(d) != authored {
			t.Fatalf("mapping broken at %d", i)
		}
	}
	if q.AuthoredKey("E") != "" || q.AuthoredKey("") != "" || q.DisplayKey("Z") != "" {
		t.Fatal("out of range keys must map to nothing")
	}
}

func BenchmarkAssemble100kBank(b *testing.B) {
	p := pool(25000, bank.Single, bank.Multiple, bank.TrueFalse, bank.CaseAnalysis)
	bp := hundred()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Assemble(bp, p, uint64(i), nil); err != nil {
			b.Fatal(err)
		}
	}
	_ = fmt.Sprint()
}

// A bank the size of one subject's, half used by one paper (40 of 80 singles), as the
// load suite's start storm draws from.
func BenchmarkAssembleSubjectBank(b *testing.B) {
	p := pool(80, bank.Single, bank.Multiple, bank.TrueFalse, bank.CaseAnalysis)
	bp := hundred()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Assemble(bp, p, uint64(i), nil); err != nil {
			b.Fatal(err)
		}
	}
}
