package coverage

import (
	"errors"
	"fmt"
	"math"

	"github.com/maillage/maillage/data/indicators"

	"github.com/maillage/maillage/data"
)

// Who needs it most. Every commune carries the digital fragility index and
// the ZRR class of indicators.LoadIndicators, joined by current code. Coverage
// reports, beside each population:
//
//   - population_in_difficulty: population × the commune's share of people
//     in difficulty with digital tools, an estimate derived from its
//     fragility index and calibrated on the national 13 million
//     (difficulty.go). Communes without an index count 0 and their
//     inhabitants are reported as population_without_index, so the figure
//     is a lower bound where the index is missing.
//   - zrr_population: the population of communes classed C (classée en
//     ZRR); the communes classed P (partly classed, or formed of classed
//     and unclassed former communes) are counted apart in
//     zrr_partial_population, never halved or merged into C: the file does
//     not say which part of them is classed.

// Ranking keys of gap zones and rural mairies (Query.RankBy).
const (
	RankByPopulation = "population" // the default: inhabitants (gap zones), uncovered inhabitants (mairies)
	RankByFragility  = "fragility"  // people in difficulty (gap zones), uncovered people in difficulty (mairies)
	RankByZRR        = "zrr"        // ZRR population then partial ZRR population (gap zones); class C, P, NC, unknown (mairies)
)

// Errors of the "who needs it most" options, wrapped with the offending
// value.
var (
	ErrBadRankBy     = errors.New("unknown rank_by") // Query.RankBy
	ErrUnknownDemand = errors.New("unknown demand")  // CellDemand, DemandWeights
)

// ZRR classes as stored per commune, ordered from the most to the least
// classified (the order of RankByZRR).
const (
	zrrC uint8 = iota
	zrrP
	zrrNC
	zrrUnknown
)

// Need holds the indicators of every commune by commune id, for the
// hot loops of coverage: the share of its inhabitants in difficulty
// (difficulty.go; NaN when the index is unknown), the fragility itself
// (nil when unknown) and the ZRR class. The zero value is a territory
// without indicators. It never changes once built (NewNeed), so engines
// over the same territory and indicators share it.
type Need struct {
	share  []float64
	frag   []*indicators.Fragility
	zrr    []uint8
	calib  difficultyCalibration
	target float64 // the total the shares were calibrated on (Options.DifficultyTotal)
	err    error   // why the shares could not be calibrated (every share is then NaN)
}

// NewNeed lays the indicators out by commune id and calibrates the shares
// of people in difficulty on target (difficulty.go; 0 means
// DifficultyNationalTotal). When the target cannot be reached, every share
// is unknown (NaN), the rest of the indicators are set, and Err says why.
func NewNeed(t *data.Territory, ind indicators.Indicators, target float64) *Need {
	if target <= 0 {
		target = DifficultyNationalTotal
	}
	nc := len(t.Communes)
	n := &Need{share: make([]float64, nc), frag: make([]*indicators.Fragility, nc), zrr: make([]uint8, nc)}
	pops := make([]int, nc)
	for i := range t.Communes {
		ci, ok := ind[t.Communes[i].Code]
		n.share[i] = math.NaN()
		if ok && ci.Fragility != nil {
			n.share[i], n.frag[i] = ci.Fragility.Total, ci.Fragility
		}
		pops[i] = t.Communes[i].Population
		n.zrr[i] = zrrCode(ci.ZRR)
	}
	calib, err := calibrateDifficulty(pops, n.share, target)
	for i, x := range n.share {
		if err != nil {
			n.share[i] = math.NaN()
			n.frag[i] = nil
		} else {
			n.share[i] = difficultyShare(calib.Factor, x)
		}
	}
	n.calib, n.target, n.err = calib, target, err
	return n
}

// Err returns why the shares of people in difficulty could not be
// calibrated (every commune then counts without index), nil when they were
// or for a nil n.
func (n *Need) Err() error {
	if n == nil {
		return nil
	}
	return n.err
}

// Target returns the total the shares were calibrated on, 0 for a nil n.
func (n *Need) Target() float64 {
	if n == nil {
		return 0
	}
	return n.target
}

// DifficultyFactor returns the factor a of the shares of people in
// difficulty, share = min(1, a × fragility index / 10), and the national
// total it gives (difficulty.go); 0, 0 without indicators.
func (c *Cache) DifficultyFactor() (factor, total float64) {
	return c.need.calib.Factor, c.need.calib.Total
}

// zrrCode maps a data ZRR class to its stored code.
func zrrCode(class string) uint8 {
	switch class {
	case indicators.ZRRClassified:
		return zrrC
	case indicators.ZRRPartial:
		return zrrP
	case indicators.ZRRNotClassified:
		return zrrNC
	}
	return zrrUnknown
}

// zrrClass is the data class of a stored code ("" when unknown).
func zrrClass(code uint8) string {
	switch code {
	case zrrC:
		return indicators.ZRRClassified
	case zrrP:
		return indicators.ZRRPartial
	case zrrNC:
		return indicators.ZRRNotClassified
	}
	return ""
}

// DifficultyShare returns the estimated share of the inhabitants of the
// commune of index id in Territory.Communes who are in difficulty with
// digital tools (difficulty.go); false when its fragility index is unknown.
func (c *Cache) DifficultyShare(id int) (float64, bool) {
	if c.need.share == nil {
		return 0, false
	}
	f := c.need.share[id]
	return f, f == f
}

// fill sets the indicator fields of cc, the coverage of commune ci whose
// population figures are set.
func (n *Need) fill(cc *CommuneCoverage, ci int32) {
	if n.frag == nil {
		return
	}
	if f := n.share[ci]; f == f { // not NaN
		cc.Fragility = n.frag[ci]
		cc.DifficultyShare = f
		cc.PopulationInDifficulty = float64(cc.Population) * f
		cc.UncoveredPopulationInDifficulty = (cc.located - cc.covered) * f
	}
	cc.ZRR = zrrClass(n.zrr[ci])
	switch n.zrr[ci] {
	case zrrC:
		cc.ZRRPopulation = cc.Population
	case zrrP:
		cc.ZRRPartialPopulation = cc.Population
	}
}

// needAcc accumulates the "who needs it most" figures of an area or a gap
// zone.
type needAcc struct {
	difficulty, uncoveredDifficulty float64
	withoutIndex                    float64 // population of communes without index
	zrr, zrrPartial, uncoveredZRR   float64 // fractional: gap zones add cell shares
}

// addCommune adds a commune's figures (set by fill).
func (a *needAcc) addCommune(c *CommuneCoverage) {
	a.difficulty += c.PopulationInDifficulty
	a.uncoveredDifficulty += c.UncoveredPopulationInDifficulty
	if c.Fragility == nil {
		a.withoutIndex += float64(c.Population)
	}
	a.zrr += float64(c.ZRRPopulation)
	a.zrrPartial += float64(c.ZRRPartialPopulation)
	if c.ZRR == indicators.ZRRClassified {
		a.uncoveredZRR += c.located - c.covered
	}
}

// addShare adds pop inhabitants of commune ci, all out of reach (a share
// of a gap zone's cell).
func (a *needAcc) addShare(n *Need, ci int32, pop float64) {
	if n.frag == nil {
		a.withoutIndex += pop
		return
	}
	if f := n.share[ci]; f == f {
		a.difficulty += pop * f
		a.uncoveredDifficulty += pop * f
	} else {
		a.withoutIndex += pop
	}
	switch n.zrr[ci] {
	case zrrC:
		a.zrr += pop
		a.uncoveredZRR += pop
	case zrrP:
		a.zrrPartial += pop
	}
}

// checkRankBy validates a ranking key ("" is RankByPopulation).
func checkRankBy(s string) (string, error) {
	switch s {
	case "", RankByPopulation:
		return RankByPopulation, nil
	case RankByFragility, RankByZRR:
		return s, nil
	}
	return "", fmt.Errorf("%w %q: want %s, %s or %s", ErrBadRankBy, s, RankByPopulation, RankByFragility, RankByZRR)
}

// CellDemand returns the demand of every grid cell of c (aligned with
// Grid.Cells) for a demand name: "population" (or "") gives its
// inhabitants; DemandDifficulty its people in difficulty, Σ over the
// communes holding a share of the cell of that share × the commune's
// difficulty share (0 for communes without index). The sum over cells of
// the difficulty demand is the population in difficulty of the communes
// located on the grid.
func CellDemand(c *Cache, kind string) ([]float64, error) {
	g := c.grid
	out := make([]float64, len(g.Cells))
	switch kind {
	case "", DemandPopulation:
		copy(out, g.Population)
		return out, nil
	case DemandDifficulty:
	default:
		return nil, fmt.Errorf("%w %q (want %s or %s)", ErrUnknownDemand, kind, DemandPopulation, DemandDifficulty)
	}
	if c.need.share == nil {
		return out, nil
	}
	for ci := 0; ci+1 < len(g.ShareStart); ci++ {
		f := c.need.share[ci]
		if f != f {
			continue
		}
		for _, s := range g.Shares[g.ShareStart[ci]:g.ShareStart[ci+1]] {
			out[s.Cell] += s.Population * f
		}
	}
	return out, nil
}

// DemandWeights returns the per-cell multiplier of the population of c's
// grid that gives the demand kind (the shape siting's
// RecommendQuery.DemandWeights takes): nil
// for "population" (or ""), CellDemand / population for DemandDifficulty (0
// in cells without inhabitants). In a département or région query whose
// border cuts a cell, the multiplier is the cell's mean over all its
// communes, not only those of the scope.
func DemandWeights(c *Cache, kind string) ([]float64, error) {
	if kind == "" || kind == DemandPopulation {
		return nil, nil
	}
	d, err := CellDemand(c, kind)
	if err != nil {
		return nil, err
	}
	for i, p := range c.grid.Population {
		if p > 0 {
			d[i] /= p
		} else {
			d[i] = 0
		}
	}
	return d, nil
}
