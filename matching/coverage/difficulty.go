package coverage

import (
	"fmt"
	"math"
)

// People in difficulty with digital tools. The programme of the conseillers
// numériques was launched on a published national figure, about 13 million
// people "éloignés du numérique"; nothing publishes it per commune. The
// digital fragility index (0–10, higher = more fragile) ranks communes but
// is not a share of people, so the engine estimates one:
//
//	share(c) = min(1, a × index(c) / 10)
//
// with a single national factor a chosen so that
//
//	Σ_c population(c) × share(c) = DifficultyNationalTotal
//
// over the communes that have an index. Σ is increasing and continuous in a,
// so a is found by bisection (while no share reaches 1 it is simply the
// target over Σ population × index / 10, about 0.37 on the 2023 index). The
// share is therefore proportional to the index, commune by commune: an
// estimate that keeps the index's ranking and the national total, not a
// measure. Communes without an index count 0 and their inhabitants are
// reported as population_without_index.

// DifficultyNationalTotal is the published number of people in difficulty
// with digital tools the national total is calibrated on.
const DifficultyNationalTotal = 13_000_000

// DemandDifficulty values a cell by its people in difficulty (Σ over the
// communes holding a share of the cell of that share × the commune's
// difficulty share): the demand= of recommendations and accessibility
// that favour the digitally fragile.
const DemandDifficulty = "difficulty"

// DemandPopulation weighs every inhabitant the same: the value of a site is
// the population it newly brings within reach.
const DemandPopulation = "population"

// difficultyCalibration is the result of calibrateDifficulty.
type difficultyCalibration struct {
	Factor float64 // a in share = min(1, a × index / 10)
	Total  float64 // Σ population × share, equal to the target within 1e-6 relative
}

// calibrateDifficulty solves for the factor a such that
// Σ pops[i] × min(1, a × index[i] / 10) = target, skipping indexes that are
// NaN (unknown). It fails when the target cannot be reached: it exceeds the
// population of the communes with a positive index, or is negative.
func calibrateDifficulty(pops []int, index []float64, target float64) (difficultyCalibration, error) {
	total := func(a float64) float64 {
		s := 0.0
		for i, x := range index {
			if x == x && x > 0 && pops[i] > 0 {
				s += float64(pops[i]) * math.Min(1, a*x/10)
			}
		}
		return s
	}
	if target < 0 || math.IsNaN(target) {
		return difficultyCalibration{}, fmt.Errorf("people in difficulty: target %v is not a count", target)
	}
	if target == 0 {
		return difficultyCalibration{}, nil
	}
	// Every share reaches 1 once a × min positive index / 10 >= 1.
	minIdx := math.Inf(1)
	for i, x := range index {
		if x == x && x > 0 && pops[i] > 0 {
			minIdx = math.Min(minIdx, x)
		}
	}
	if math.IsInf(minIdx, 1) {
		return difficultyCalibration{}, fmt.Errorf("people in difficulty: no commune with a positive fragility index and inhabitants")
	}
	hi := 10 / minIdx
	if max := total(hi); max < target {
		return difficultyCalibration{}, fmt.Errorf("people in difficulty: target %.0f exceeds the %.0f inhabitants of the communes with an index", target, max)
	}
	lo := 0.0
	for range 200 {
		mid := (lo + hi) / 2
		if mid == lo || mid == hi {
			break
		}
		if total(mid) < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return difficultyCalibration{Factor: hi, Total: total(hi)}, nil
}

// difficultyShare is the share of a commune of fragility index x (NaN when
// unknown) in difficulty under factor a: NaN when unknown.
func difficultyShare(a, x float64) float64 {
	if x != x {
		return math.NaN()
	}
	return math.Max(0, math.Min(1, a*x/10))
}
