package matching

import "sync"

// priorityOnce holds the per-commune flags of the priority rule, computed
// on first use.
type priorityOnce struct {
	once  sync.Once
	gap   []bool // per commune index
	rural []bool
	err   error
}

// PriorityFlags returns, per commune index of the territory, whether it is
// in a coverage gap (its covered_share below RuralGapShareMin for the
// default layer and reach) and whether it is rural (density below
// RuralDensityMaxKm2): the flags of the priority weights of a match
// (registry.PriorityWeights). They are computed once per engine. Do not
// modify them.
func (e *Engine) PriorityFlags() (gap, rural []bool, err error) {
	p := &e.priority
	p.once.Do(func() {
		cv, err := e.Coverage(CoverageQuery{NoGaps: true})
		if err != nil {
			p.err = err
			return
		}
		n := len(e.territory.Communes)
		p.gap, p.rural = make([]bool, n), make([]bool, n)
		for k := range cv.Communes {
			c := &cv.Communes[k]
			if !c.Located {
				continue
			}
			p.gap[c.id] = c.CoveredShare != nil && *c.CoveredShare < RuralGapShareMin
			p.rural[c.id] = c.AreaKm2 > 0 && c.DensityPerKm2 < RuralDensityMaxKm2
		}
	})
	return p.gap, p.rural, p.err
}
