package bank

import (
	"math"
	"slices"
)

// Response is a candidate's answer to an item; which field is used depends on the type.
type Response struct {
	Choice  string   // single
	Choices []string // multiple
	Bool    *bool    // true_false
	Blanks  []string // fill_blank
	Text    string   // written types
	Empty   bool     // nothing answered
}

// ScoreObjective returns the points a response earns on an objective item worth points, under
// the item's scoring rule (or override, when not empty, for multiple choice). Written items
// return 0 and false: people mark them.
func ScoreObjective(it Item, r Response, points float64, override Scoring) (float64, bool) {
	if it.Type.Written() {
		return 0, false
	}
	if r.Empty {
		return 0, true
	}
	switch it.Type {
	case Single:
		if r.Choice == it.Key.Choice {
			return points, true
		}
		return 0, true
	case TrueFalse:
		if r.Bool != nil && it.Key.Bool != nil && *r.Bool == *it.Key.Bool {
			return points, true
		}
		return 0, true
	case Multiple:
		rule := it.Scoring
		if override != "" {
			rule = override
		}
		return scoreMultiple(it.Key.Choices, r.Choices, points, rule), true
	case FillBlank:
		return scoreBlanks(it.Key.Blanks, r.Blanks, points), true
	}
	return 0, true
}

func scoreMultiple(key, chosen []string, points float64, rule Scoring) float64 {
	chosen = slices.Compact(slices.Sorted(slices.Values(chosen)))
	if len(chosen) == 0 {
		return 0
	}
	correct := 0
	for _, c := range chosen {
		if !slices.Contains(key, c) {
			return 0 // any wrong option earns nothing, under every rule
		}
		correct++
	}
	if correct == len(key) {
		return points
	}
	switch rule {
	case PartialA:
		return round2(points * float64(correct) / float64(len(key)))
	case PartialB:
		return math.Min(points, 0.5*float64(correct))
	}
	return 0
}

func scoreBlanks(key [][]string, given []string, points float64) float64 {
	if len(key) == 0 {
		return 0
	}
	right := 0
	for i, alts := range key {
		if i >= len(given) {
			break
		}
		g := NormalizeBlank(given[i])
		if g == "" {
			continue
		}
		for _, a := range alts {
			if NormalizeBlank(a) == g {
				right++
				break
			}
		}
	}
	return round2(points * float64(right) / float64(len(key)))
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
