package bank

import (
	"math"
	"sort"
	"time"
)

// Observation is one candidate's result on one item within an exam: the points earned, the
// item's maximum, the candidate's total score on the paper, and for choice items the options
// chosen.
type Observation struct {
	Points   float64
	Max      float64
	Total    float64
	Selected []string
}

// Stats are an item's classical statistics from one exam (domain.md §8).
type Stats struct {
	N              int
	Facility       float64 // P: mean score / max (share correct for 0/1 items)
	Discrimination float64 // D: P(top 27%) - P(bottom 27%), by total score
	PointBiserial  float64 // correlation of item score with total score (NaN-free: 0 when undefined)
	OptionCounts   map[string]int
	Flags          []string // reasons for review, in Chinese
}

// Flag thresholds (domain.md §8): D < 0.2, or P below 0.1 or above 0.95.
const (
	MinDiscrimination = 0.2
	MinFacility       = 0.1
	MaxFacility       = 0.95
	MinSampleForFlags = 10
)

// Analyze computes an item's statistics from observations. With fewer than
// MinSampleForFlags observations, figures are given but no flags are raised.
func Analyze(obs []Observation) Stats {
	s := Stats{N: len(obs), OptionCounts: map[string]int{}}
	if len(obs) == 0 {
		return s
	}
	for _, o := range obs {
		for _, k := range o.Selected {
			s.OptionCounts[k]++
		}
	}
	s.Facility = facility(obs)
	sorted := make([]Observation, len(obs))
	copy(sorted, obs)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Total > sorted[j].Total })
	k := int(math.Round(0.27 * float64(len(sorted))))
	if k < 1 {
		k = 1
	}
	s.Discrimination = round3(facility(sorted[:k]) - facility(sorted[len(sorted)-k:]))
	s.PointBiserial = round3(correlation(obs))
	s.Facility = round3(s.Facility)
	if s.N >= MinSampleForFlags {
		if s.Discrimination < MinDiscrimination {
			s.Flags = append(s.Flags, "区分度低于 0.2")
		}
		if s.Facility < MinFacility {
			s.Flags = append(s.Flags, "难度值 P 低于 0.1（过难）")
		}
		if s.Facility > MaxFacility {
			s.Flags = append(s.Flags, "难度值 P 高于 0.95（过易）")
		}
	}
	return s
}

func facility(obs []Observation) float64 {
	var got, max float64
	for _, o := range obs {
		got += o.Points
		max += o.Max
	}
	if max == 0 {
		return 0
	}
	return got / max
}

// correlation is Pearson's r between item score and total score (the point-biserial for 0/1 items).
func correlation(obs []Observation) float64 {
	n := float64(len(obs))
	var sx, sy float64
	for _, o := range obs {
		sx += o.Points
		sy += o.Total
	}
	mx, my := sx/n, sy/n
	var cov, vx, vy float64
	for _, o := range obs {
		dx, dy := o.Points-mx, o.Total-my
		cov += dx * dy
		vx += dx * dx
		vy += dy * dy
	}
	if vx == 0 || vy == 0 {
		return 0
	}
	return cov / math.Sqrt(vx*vy)
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// VersionStats are an item version's statistics from one exam.
type VersionStats struct {
	ExamID     int64
	Version    int
	Stats      Stats
	ComputedAt time.Time
}
