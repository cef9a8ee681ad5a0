// Package exam runs qualification exams (任职资格考试): definitions with blueprints, papers drawn
// per candidate, delivery that never loses an acknowledged answer, scoring and blind double
// marking.
package exam

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"qualify/internal/bank"
)

// Band is an inclusive range of authored difficulty (1..5).
type Band struct {
	Min, Max int
}

// Section is one part of a blueprint: Count items of Type, each worth Points.
type Section struct {
	Type       bank.Type
	Count      int
	Points     float64
	Difficulty *Band    // optional
	Tags       []string // optional: an item qualifies when it carries any of them
}

// Blueprint says what every paper of an exam contains.
type Blueprint struct {
	Sections []Section
	// Tolerance is how far a paper's mean difficulty may stray from the target (default 0.25).
	Tolerance float64
}

// TotalPoints is the paper's full marks.
func (b Blueprint) TotalPoints() float64 {
	t := 0.0
	for _, s := range b.Sections {
		t += float64(s.Count) * s.Points
	}
	return t
}

// PoolItem is a published item version as paper assembly sees it.
type PoolItem struct {
	ItemID     int64
	Version    int
	Type       bank.Type
	Difficulty float64 // authored 1..5, or measured when known
	Tags       []string
	Options    []string // option keys in authored order (choice items)
}

// Question is one question of a paper.
type Question struct {
	ItemID  int64
	Version int
	Section int
	Points  float64
	// Order lists the item's option keys in the order shown; the candidate sees them re-lettered
	// A, B, C... so Order[i] is the authored key behind display letter i.
	Order []string
}

// Paper is a candidate's paper; it can be regenerated from its seed and pool.
type Paper struct {
	Seed       uint64
	Questions  []Question
	Difficulty float64 // points-weighted mean difficulty
}

// Shortfall names a section the pool cannot fill.
type Shortfall struct {
	Section   int // 0-based
	Want, Got int
	Describe  string
}

// Infeasible is the error of a blueprint the pool cannot fill.
type Infeasible struct{ Shortfalls []Shortfall }

func (e *Infeasible) Error() string {
	var parts []string
	for _, s := range e.Shortfalls {
		parts = append(parts, fmt.Sprintf("第 %d 部分（%s）需要 %d 道，题库仅有 %d 道可用，缺 %d 道", s.Section+1, s.Describe, s.Want, s.Got, s.Want-s.Got))
	}
	return strings.Join(parts, "；")
}

// Describe renders a section in Chinese, e.g. "单项选择题×20，每题1分，难度2-4".
func (s Section) Describe() string {
	d := fmt.Sprintf("%s×%d，每题%g分", bank.TypeName(s.Type), s.Count, s.Points)
	if s.Difficulty != nil {
		d += fmt.Sprintf("，难度%d-%d", s.Difficulty.Min, s.Difficulty.Max)
	}
	if len(s.Tags) > 0 {
		d += "，标签" + strings.Join(s.Tags, "/")
	}
	return d
}

func (s Section) accepts(it PoolItem) bool {
	if it.Type != s.Type {
		return false
	}
	if s.Difficulty != nil && (it.Difficulty < float64(s.Difficulty.Min) || it.Difficulty > float64(s.Difficulty.Max)) {
		return false
	}
	if len(s.Tags) == 0 {
		return true
	}
	for _, t := range s.Tags {
		if slices.Contains(it.Tags, t) {
			return true
		}
	}
	return false
}

// Validate checks the blueprint's own shape (not the pool).
func (b Blueprint) Validate() []string {
	var out []string
	if len(b.Sections) == 0 {
		out = append(out, "组卷蓝图至少需要一个部分")
	}
	for i, s := range b.Sections {
		switch {
		case !s.Type.Valid():
			out = append(out, fmt.Sprintf("第 %d 部分题型无效", i+1))
		case s.Count < 1 || s.Count > 500:
			out = append(out, fmt.Sprintf("第 %d 部分题数须在 1 到 500 之间", i+1))
		case !(s.Points > 0) || s.Points > 100:
			out = append(out, fmt.Sprintf("第 %d 部分每题分值须大于 0 且不超过 100", i+1))
		case s.Difficulty != nil && (s.Difficulty.Min < 1 || s.Difficulty.Max > 5 || s.Difficulty.Min > s.Difficulty.Max):
			out = append(out, fmt.Sprintf("第 %d 部分难度范围须在 1 到 5 之间且下限不大于上限", i+1))
		}
	}
	if b.Tolerance < 0 || b.Tolerance > 2 {
		out = append(out, "难度容差须在 0 到 2 之间")
	}
	return out
}

// accepted returns, per section, the indexes of the pool items it accepts.
func accepted(b Blueprint, pool []PoolItem) [][]int {
	per := make([][]int, len(b.Sections))
	for si, s := range b.Sections {
		for i, it := range pool {
			if s.accepts(it) {
				per[si] = append(per[si], i)
			}
		}
	}
	return per
}

// matcher assigns distinct pool items to sections (a bipartite b-matching by augmenting paths),
// trying each section's candidates in its preference order. owner and visited are indexed by
// pool index: owner is -1 for a free item; visited[i] == stamp marks items seen by the current
// search.
type matcher struct {
	pref    [][]int
	owner   []int
	visited []uint32
	stamp   uint32
	got     [][]int
}

// augment finds one more item for section si, re-homing other sections' items along a path if
// need be. Items si already holds are passed over (re-homing an item within its own section
// changes nothing), which keeps the search linear in the preference list.
func (m *matcher) augment(si int) bool {
	for _, i := range m.pref[si] {
		if m.visited[i] == m.stamp {
			continue
		}
		m.visited[i] = m.stamp
		o := m.owner[i]
		if o == si || (o >= 0 && !m.augment(o)) {
			continue
		}
		if o >= 0 {
			m.got[o] = slices.DeleteFunc(m.got[o], func(x int) bool { return x == i })
		}
		m.owner[i] = si
		m.got[si] = append(m.got[si], i)
		return true
	}
	return false
}

// match fills every section's count from its preference list, or reports the shortfalls.
func match(b Blueprint, pref [][]int) ([][]int, *Infeasible) {
	n := 0
	for _, p := range pref {
		for _, i := range p {
			n = max(n, i+1)
		}
	}
	m := &matcher{pref: pref, owner: make([]int, n), visited: make([]uint32, n), got: make([][]int, len(b.Sections))}
	for i := range m.owner {
		m.owner[i] = -1
	}
	var inf Infeasible
	for si, s := range b.Sections {
		for k := 0; k < s.Count; k++ {
			m.stamp++
			if !m.augment(si) {
				inf.Shortfalls = append(inf.Shortfalls, Shortfall{Section: si, Want: s.Count, Got: k, Describe: s.Describe()})
				break
			}
		}
	}
	if len(inf.Shortfalls) > 0 {
		return nil, &inf
	}
	return m.got, nil
}

// Check reports whether the pool can fill the blueprint with distinct items; the error is
// *Infeasible, naming each section that falls short.
func Check(b Blueprint, pool []PoolItem) error {
	if _, inf := match(b, accepted(b, pool)); inf != nil {
		return inf
	}
	return nil
}

// Target is the points-weighted mean difficulty a paper should have: the mean of each section's
// candidate difficulties, weighted by the section's points.
func Target(b Blueprint, pool []PoolItem) float64 {
	per := accepted(b, pool)
	var num, den float64
	for si, s := range b.Sections {
		mean := 0.0
		for _, i := range per[si] {
			mean += pool[i].Difficulty
		}
		if len(per[si]) == 0 {
			return 0
		}
		mean /= float64(len(per[si]))
		w := float64(s.Count) * s.Points
		num += mean * w
		den += w
	}
	return num / den
}

// maxTries bounds the draws made while looking for a paper near the target difficulty.
const maxTries = 64

// Assemble draws a paper for the blueprint from the pool, reproducibly from seed. Items in seen
// (earlier attempts of the candidate) are avoided while the pool allows. The paper's difficulty
// is within the blueprint's tolerance of Target when the pool allows; otherwise the closest of
// the draws is returned. Options of choice items are shuffled.
func Assemble(b Blueprint, pool []PoolItem, seed uint64, seen map[int64]bool) (Paper, error) {
	per := accepted(b, pool)
	if _, inf := match(b, per); inf != nil {
		return Paper{}, inf
	}
	tol := b.Tolerance
	if tol == 0 {
		tol = 0.25
	}
	target := Target(b, pool)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var best Paper
	bestGap := math.Inf(1)
	for try := 0; try < maxTries; try++ {
		p := draw(b, pool, per, rng, seen)
		p.Seed = seed
		gap := math.Abs(p.Difficulty - target)
		if gap < bestGap {
			best, bestGap = p, gap
		}
		if gap <= tol {
			break
		}
	}
	return best, nil
}

func draw(b Blueprint, pool []PoolItem, per [][]int, rng *rand.Rand, seen map[int64]bool) Paper {
	pref := make([][]int, len(per))
	for si := range per {
		cand := slices.Clone(per[si])
		rng.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
		// Unseen items first, keeping the shuffled order within each group.
		sort.SliceStable(cand, func(i, j int) bool { return !seen[pool[cand[i]].ItemID] && seen[pool[cand[j]].ItemID] })
		pref[si] = cand
	}
	got, _ := match(b, pref) // feasible: checked by the caller
	var p Paper
	var num, den float64
	for si, s := range b.Sections {
		rank := map[int]int{}
		for r, i := range pref[si] {
			rank[i] = r
		}
		chosen := slices.Clone(got[si])
		sort.Slice(chosen, func(a, c int) bool { return rank[chosen[a]] < rank[chosen[c]] })
		for _, i := range chosen {
			it := pool[i]
			q := Question{ItemID: it.ItemID, Version: it.Version, Section: si, Points: s.Points}
			if len(it.Options) > 0 {
				q.Order = slices.Clone(it.Options)
				rng.Shuffle(len(q.Order), func(a, c int) { q.Order[a], q.Order[c] = q.Order[c], q.Order[a] })
			}
			p.Questions = append(p.Questions, q)
			num += it.Difficulty * s.Points
			den += s.Points
		}
	}
	if den > 0 {
		p.Difficulty = num / den
	}
	return p
}

// DisplayKey returns the letter shown for authored key k in a question ("" when absent).
func (q Question) DisplayKey(k string) string {
	for i, o := range q.Order {
		if o == k {
			return string(rune('A' + i))
		}
	}
	return ""
}

// AuthoredKey returns the authored key behind display letter d ("" when out of range).
func (q Question) AuthoredKey(d string) string {
	if len(d) != 1 {
		return ""
	}
	i := int(d[0] - 'A')
	if i < 0 || i >= len(q.Order) {
		return ""
	}
	return q.Order[i]
}
