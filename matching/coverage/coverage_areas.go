package coverage

import (
	"cmp"
	"slices"

	"github.com/maillage/maillage/matching/internal/num"
)

// areaAcc accumulates the coverage of one area.
type areaAcc struct {
	used                                 int
	pop                                  int
	located, covered                     float64 // fractional inhabitants (CommuneCoverage.located, covered)
	sumDist                              float64
	communesUncovered, communesUnlocated int
	worst                                []*CommuneCoverage // the worst communes, worst first
	need                                 needAcc
}

func (a *areaAcc) add(c *CommuneCoverage) {
	a.used++
	a.pop += c.Population
	a.located += c.located
	a.covered += c.covered
	a.sumDist += Value(c.MeanDistanceM) * c.located
	if c.located > 0 && c.covered == 0 {
		a.communesUncovered++
	}
	if !c.Located {
		a.communesUnlocated++
	}
	a.need.addCommune(c)
}

// offer inserts c among the area's worst communes when it ranks there.
func (a *areaAcc) offer(c *CommuneCoverage) {
	n := len(a.worst)
	if n == WorstCommunesPerArea && worseCommune(c, a.worst[n-1]) >= 0 {
		return
	}
	if n < WorstCommunesPerArea {
		a.worst = append(a.worst, c)
	} else {
		a.worst[n-1] = c
	}
	for i := len(a.worst) - 1; i > 0 && worseCommune(a.worst[i], a.worst[i-1]) < 0; i-- {
		a.worst[i], a.worst[i-1] = a.worst[i-1], a.worst[i]
	}
}

func (a *areaAcc) result(level, code, name string) AreaCoverage {
	f := roundArea(a.pop, a.located, a.covered, a.sumDist, a.used, a.communesUnlocated)
	r := AreaCoverage{Level: level, Code: code, Name: name, Population: a.pop,
		CoveredPopulation: f.covered, UncoveredPopulation: f.uncovered, PopulationUnlocated: f.unlocated,
		CoveredShare: f.share, MeanDistanceM: f.meanDistM, NoDataReason: f.noData,
		Communes: a.used, CommunesUncovered: a.communesUncovered, CommunesUnlocated: a.communesUnlocated,
		WorstCommunes:          make([]CommuneRef, len(a.worst)),
		PopulationInDifficulty: a.need.difficulty, UncoveredPopulationInDifficulty: a.need.uncoveredDifficulty,
		PopulationWithoutIndex: num.RoundPop(a.need.withoutIndex), ZRRPopulation: num.RoundPop(a.need.zrr),
		ZRRPartialPopulation: num.RoundPop(a.need.zrrPartial), UncoveredZRRPopulation: num.RoundPop(a.need.uncoveredZRR)}
	for i, c := range a.worst {
		r.WorstCommunes[i] = communeRef(c)
	}
	return r
}

// areaPop is an area's population figures built from its fractional sums,
// for AreaCoverage and AreaFigures alike.
type areaPop struct {
	covered, uncovered, unlocated int
	share, meanDistM              *float64 // nil when no inhabitant is located
	noData                        string   // why share and meanDistM are nil
}

// roundArea rounds an area's fractional located and covered populations
// once, so that covered + uncovered + unlocated = population, and sets its
// share and mean distance, or the reason they are missing.
func roundArea(pop int, located, covered, sumDist float64, communes, communesUnlocated int) areaPop {
	l, c := num.RoundPop(located), num.RoundPop(covered)
	f := areaPop{covered: c, uncovered: l - c, unlocated: pop - l}
	switch {
	case located > 0:
		f.share, f.meanDistM = ptr(covered/located), ptr(sumDist/located)
	case communesUnlocated == communes:
		f.noData = NoDataNoBoundary
	default:
		f.noData = NoDataNoPopulation
	}
	return f
}

// worseCommune orders communes from the most uncovered inhabitants down, then
// by mean distance, then by code.
func worseCommune(a, b *CommuneCoverage) int {
	if c := cmp.Compare(b.UncoveredPopulation, a.UncoveredPopulation); c != 0 {
		return c
	}
	if c := cmp.Compare(Value(b.MeanDistanceM), Value(a.MeanDistanceM)); c != 0 {
		return c
	}
	return cmp.Compare(a.Code, b.Code)
}

func communeRef(c *CommuneCoverage) CommuneRef {
	return CommuneRef{Code: c.Code, Name: c.Name, Population: c.Population,
		UncoveredPopulation: c.UncoveredPopulation, CoveredShare: Value(c.CoveredShare), MeanDistanceM: Value(c.MeanDistanceM),
		Spread: c.Spread}
}

// computeAreas fills Summary, Regions, Departements and EPCIs from Communes.
func (cv *Coverage) computeAreas() {
	t, ix := cv.c.territory, cv.ix
	var nat areaAcc
	regs := make([]areaAcc, len(t.Regions))
	deps := make([]areaAcc, len(t.Departements))
	epcis := make([]areaAcc, len(t.EPCIs))
	// inAreas calls fn on the accumulators of the nation and of the areas
	// commune c belongs to.
	inAreas := func(c *CommuneCoverage, fn func(*areaAcc, *CommuneCoverage)) {
		fn(&nat, c)
		if r := ix.CommuneReg[c.id]; r >= 0 {
			fn(&regs[r], c)
		}
		if d := ix.CommuneDep[c.id]; d >= 0 {
			fn(&deps[d], c)
		}
		if p := ix.CommuneEPCI[c.id]; p >= 0 {
			fn(&epcis[p], c)
		}
	}
	for k := range cv.Communes {
		inAreas(&cv.Communes[k], (*areaAcc).add)
	}
	cv.fromBuckets(&nat, regs, deps)

	// Worst communes: every area keeps its WorstCommunesPerArea worst
	// located, inhabited communes, by insertion (no global sort).
	for k := range cv.Communes {
		c := &cv.Communes[k]
		if c.Located && c.CoveredPopulation+c.UncoveredPopulation > 0 {
			inAreas(c, (*areaAcc).offer)
		}
	}

	cv.Summary = nat.result(cv.sc.Level, cv.sc.Code, cv.sc.Name)
	cv.Regions = cv.Regions[:0]
	for i := range regs {
		if regs[i].used > 0 {
			cv.Regions = append(cv.Regions, regs[i].result(LevelRegion, t.Regions[i].Code, t.Regions[i].Name))
		}
	}
	cv.Departements = cv.Departements[:0]
	for i := range deps {
		if deps[i].used > 0 {
			cv.Departements = append(cv.Departements, deps[i].result(LevelDepartement, t.Departements[i].Code, t.Departements[i].Name))
		}
	}
	cv.EPCIs = cv.EPCIs[:0]
	for i := range epcis {
		if epcis[i].used > 0 {
			cv.EPCIs = append(cv.EPCIs, epcis[i].result(LevelEPCI, t.EPCIs[i].Code, t.EPCIs[i].Name))
		}
	}
	byCode := func(a, b AreaCoverage) int { return cmp.Compare(a.Code, b.Code) }
	slices.SortFunc(cv.Regions, byCode)
	slices.SortFunc(cv.Departements, byCode)
	slices.SortFunc(cv.EPCIs, byCode)
}

// fromBuckets sets the located and covered populations of the scope, its
// régions and départements to the sums ComputeFigures reads from the
// profile's buckets. They are the sums over communes, but fractional
// populations added in another order may differ in the last bit, and
// ComputeFigures must equal Compute exactly; summed bucket by bucket in
// the same order, covered equals located when every inhabitant is within
// reach.
func (cv *Coverage) fromBuckets(nat *areaAcc, regs, deps []areaAcc) {
	t, maxM := cv.c.territory, cv.Reach.MaxM
	fs := cv.pf.scopes[cv.sc]
	set := func(acc *areaAcc, a *areaBase) {
		if a != nil { // an area is always in its scope's figures; nil would keep the sums over communes
			acc.located = a.located
			acc.covered, _ = a.covered(cv.pf, maxM)
		}
	}
	set(nat, &fs.summary)
	for i := range regs {
		if regs[i].used > 0 {
			set(&regs[i], areaByCode(fs.regions, t.Regions[i].Code))
		}
	}
	for i := range deps {
		if deps[i].used > 0 {
			set(&deps[i], areaByCode(fs.deps, t.Departements[i].Code))
		}
	}
}
