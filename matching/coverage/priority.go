package coverage

import "sync"

// priorityOnce holds the per-commune flags of the priority rule, computed
// on first use.
type priorityOnce struct {
	once  sync.Once
	gap   []bool // per commune index
	rural []bool
	err   error
}

// PriorityFlags returns, per commune index, whether the commune is in a
// gap (less than RuralGapShareMin of its located inhabitants within the
// default reach of the default layer) and whether it is rural (fewer than
// RuralDensityMaxKm2 inhabitants per km²): the flags of the priority
// weights of matching (matching.PriorityWeights). They are computed on
// first use and kept. Do not modify them.
func (c *Cache) PriorityFlags() (gap, rural []bool, err error) {
	p := &c.priority
	p.once.Do(func() {
		cv, err := Compute(c, Query{NoGaps: true})
		if err != nil {
			p.err = err
			return
		}
		n := len(c.territory.Communes)
		p.gap, p.rural = make([]bool, n), make([]bool, n)
		for k := range cv.Communes {
			cc := &cv.Communes[k]
			if !cc.Located {
				continue
			}
			p.gap[cc.id] = cc.CoveredShare != nil && *cc.CoveredShare < RuralGapShareMin
			p.rural[cc.id] = cc.AreaKm2 > 0 && cc.DensityPerKm2 < RuralDensityMaxKm2
		}
	})
	return p.gap, p.rural, p.err
}
