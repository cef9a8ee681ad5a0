package exam

import "math"

// Stage is the next step a written answer's marking needs.
type Stage string

// The marking stages of domain.md §7.2 (2+1+1: double marking, a third marker, a chief's arbitration).
const (
	NeedFirst   Stage = "first"
	NeedSecond  Stage = "second"
	NeedThird   Stage = "third"
	NeedArbiter Stage = "arbitration"
	Done        Stage = "done"
)

// Marks are the scores given to one written answer so far (nil: not yet given).
type Marks struct {
	First, Second, Third, Arbiter *float64
}

// Resolve applies the double-marking rule with tolerance T:
//   - |s1 - s2| <= T: the mean of s1 and s2;
//   - otherwise a third marker: if s3 is within T of s1 or s2, the mean of s3 and the closer of
//     them (s1 on a tie);
//   - otherwise the chief marker's arbitration score is final.
//
// It returns the next stage and, when Done, the final score rounded to two decimals.
func Resolve(m Marks, tolerance float64) (Stage, float64) {
	switch {
	case m.Arbiter != nil:
		return Done, round2(*m.Arbiter)
	case m.First == nil:
		return NeedFirst, 0
	case m.Second == nil:
		return NeedSecond, 0
	}
	s1, s2 := *m.First, *m.Second
	if math.Abs(s1-s2) <= tolerance+1e-9 {
		return Done, round2((s1 + s2) / 2)
	}
	if m.Third == nil {
		return NeedThird, 0
	}
	s3 := *m.Third
	d1, d2 := math.Abs(s3-s1), math.Abs(s3-s2)
	switch {
	case d1 <= tolerance+1e-9 && d1 <= d2:
		return Done, round2((s3 + s1) / 2)
	case d2 <= tolerance+1e-9:
		return Done, round2((s3 + s2) / 2)
	}
	return NeedArbiter, 0
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
