package siting

import (
	"context"
	"sync/atomic"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/num"
	"github.com/maillage/maillage/matching/internal/par"
)

// ScenarioComparison is the coverage of the existing network with a
// scenario's sites added, against the network alone, nationally, per région
// and per département. Covered figures are over the population located on
// the grid, as in Coverage (whose figures are the "before" ones).
type ScenarioComparison struct {
	Layers       []string       `json:"layers"`
	Reach        coverage.Reach `json:"reach"`
	Sites        int            `json:"sites"`
	National     AreaChange     `json:"national"`
	Regions      []AreaChange   `json:"regions"`      // every région, by code
	Departements []AreaChange   `json:"departements"` // every département, by code
	Communes     []CommuneGain  `json:"communes"`     // communes gaining, by population gained
}

// AreaChange is an area's coverage before and after a scenario.
type AreaChange struct {
	Level              string  `json:"level"`
	Code               string  `json:"code"`
	Name               string  `json:"nom"`
	Population         int     `json:"population"`
	PopulationLocated  int     `json:"population_located"`
	CoveredBefore      int     `json:"covered_population_before"`
	CoveredAfter       int     `json:"covered_population_after"`
	GainPopulation     int     `json:"gain_population"`
	CoveredShareBefore float64 `json:"covered_share_before"`
	CoveredShareAfter  float64 `json:"covered_share_after"`
}

// CompareScenario measures what adding sites to the existing network of
// q.Layers would change (q.RedundancyM is not used). Sites need a lon/lat
// Point. It stops when ctx is done.
func CompareScenario(ctx context.Context, e *matching.Engine, sites []people.Structure, q SitingQuery) (*ScenarioComparison, error) {
	if len(sites) == 0 {
		return nil, ErrNoProposals
	}
	if err := checkPoints(sites, "site"); err != nil {
		return nil, err
	}
	b, err := resolveSiting(e, q.Layers, q.Reach)
	if err != nil {
		return nil, err
	}
	ix := b.ix
	d, err := b.openDemand(ctx, ix.National, nil)
	if err != nil {
		return nil, err
	}
	hit := make([]int32, d.len())
	pool := b.scratchPool()
	const perChunk = 16
	err = par.ChunksCtx(ctx, "scenario", e.Workers(), (len(sites)+perChunk-1)/perChunk, func(c int) {
		w := pool.Get().(*sitingScratch)
		for i := c * perChunk; i < min(len(sites), (c+1)*perChunk); i++ {
			w.buf = d.within(e.Grid(), sites[i].Point, w.buf)
			for _, k := range w.buf {
				if atomic.LoadInt32(&hit[k]) == 0 {
					atomic.StoreInt32(&hit[k], 1)
				}
			}
		}
		pool.Put(w)
	})
	if err != nil {
		return nil, err
	}
	var newly []int32
	for k, h := range hit {
		if h != 0 {
			newly = append(newly, int32(k))
		}
	}
	tally := communeTally{pop: make([]float64, len(e.Territory().Communes))}
	tally.add(ix, d, newly, nil)
	depGain := make([]float64, len(ix.Deps))
	regGain := make([]float64, len(ix.Regs))
	for _, ci := range tally.touched {
		if dep := ix.CommuneDep[ci]; dep >= 0 {
			depGain[dep] += tally.pop[ci]
		}
		if reg := ix.CommuneReg[ci]; reg >= 0 {
			regGain[reg] += tally.pop[ci]
		}
	}
	sc := &ScenarioComparison{Layers: b.layers, Reach: b.reach, Sites: len(sites), Communes: tally.list(e)}
	sc.National = b.areaChange(ix.National, d.popSum(newly))
	sc.Regions = make([]AreaChange, len(ix.Regs))
	for r, s := range ix.Regs {
		sc.Regions[r] = b.areaChange(s, regGain[r])
	}
	sc.Departements = make([]AreaChange, len(ix.Deps))
	for dep, s := range ix.Deps {
		sc.Departements[dep] = b.areaChange(s, depGain[dep])
	}
	return sc, nil
}

// areaChange is a scope's coverage before and after gaining gain
// inhabitants.
func (b *sitingBase) areaChange(s *coverage.CellScope, gain float64) AreaChange {
	a := AreaChange{Level: s.Level, Code: s.Code, Name: s.Name, GainPopulation: num.RoundPop(gain)}
	var located, before float64
	a.Population, located, before = b.scopePopulationF(s)
	// Each figure is its fractional inhabitants rounded once.
	a.PopulationLocated, a.CoveredBefore, a.CoveredAfter = num.RoundPop(located), num.RoundPop(before), num.RoundPop(before+gain)
	a.CoveredShareBefore = share(a.CoveredBefore, a.PopulationLocated)
	a.CoveredShareAfter = share(a.CoveredAfter, a.PopulationLocated)
	return a
}
