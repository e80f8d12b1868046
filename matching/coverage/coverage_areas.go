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
	return a.resultInto(level, code, name, make([]CommuneRef, len(a.worst)))
}

// resultInto is result with the worst communes written to refs, of
// len(a.worst).
func (a *areaAcc) resultInto(level, code, name string, refs []CommuneRef) AreaCoverage {
	f := roundArea(a.pop, a.located, a.covered, a.sumDist, a.used, a.communesUnlocated)
	r := AreaCoverage{Level: level, Code: code, Name: name, Population: a.pop,
		CoveredPopulation: f.covered, UncoveredPopulation: f.uncovered, PopulationUnlocated: f.unlocated,
		CoveredShare: f.share, MeanDistanceM: f.meanDistM, NoDataReason: f.noData,
		Communes: a.used, CommunesUncovered: a.communesUncovered, CommunesUnlocated: a.communesUnlocated,
		WorstCommunes:          refs,
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
	// The nation, then the régions, départements and EPCIs, in one array;
	// their worst communes in another, WorstCommunesPerArea slots each, so
	// that ranking allocates nothing per area.
	const w = WorstCommunesPerArea
	nr, nd := len(t.Regions), len(t.Departements)
	accs := make([]areaAcc, 1+nr+nd+len(t.EPCIs))
	worst := make([]*CommuneCoverage, w*len(accs))
	for i := range accs {
		accs[i].worst = worst[w*i : w*i : w*(i+1)]
	}
	nat, regs, deps, epcis := &accs[0], accs[1:1+nr], accs[1+nr:1+nr+nd], accs[1+nr+nd:]
	for k := range cv.Communes {
		c := &cv.Communes[k]
		// Worst communes: every area keeps its WorstCommunesPerArea worst
		// located, inhabited communes, by insertion (no global sort).
		offer := c.Located && c.CoveredPopulation+c.UncoveredPopulation > 0
		nat.addOffer(c, offer)
		if r := ix.CommuneReg[c.id]; r >= 0 {
			regs[r].addOffer(c, offer)
		}
		if d := ix.CommuneDep[c.id]; d >= 0 {
			deps[d].addOffer(c, offer)
		}
		if p := ix.CommuneEPCI[c.id]; p >= 0 {
			epcis[p].addOffer(c, offer)
		}
	}
	cv.fromBuckets(nat, regs, deps)

	nRefs := 0
	for i := range accs {
		nRefs += len(accs[i].worst)
	}
	refs := make([]CommuneRef, nRefs)
	result := func(a *areaAcc, level, code, name string) AreaCoverage {
		n := len(a.worst)
		r := a.resultInto(level, code, name, refs[:n:n])
		refs = refs[n:]
		return r
	}
	cv.Summary = result(nat, cv.sc.Level, cv.sc.Code, cv.sc.Name)
	cv.Regions = cv.Regions[:0]
	for i := range regs {
		if regs[i].used > 0 {
			cv.Regions = append(cv.Regions, result(&regs[i], LevelRegion, t.Regions[i].Code, t.Regions[i].Name))
		}
	}
	cv.Departements = cv.Departements[:0]
	for i := range deps {
		if deps[i].used > 0 {
			cv.Departements = append(cv.Departements, result(&deps[i], LevelDepartement, t.Departements[i].Code, t.Departements[i].Name))
		}
	}
	cv.EPCIs = cv.EPCIs[:0]
	for i := range epcis {
		if epcis[i].used > 0 {
			cv.EPCIs = append(cv.EPCIs, result(&epcis[i], LevelEPCI, t.EPCIs[i].Code, t.EPCIs[i].Name))
		}
	}
	byCode := func(a, b AreaCoverage) int { return cmp.Compare(a.Code, b.Code) }
	slices.SortFunc(cv.Regions, byCode)
	slices.SortFunc(cv.Departements, byCode)
	slices.SortFunc(cv.EPCIs, byCode)
}

// addOffer adds c to the area, and offers it among the worst communes
// when offer is set.
func (a *areaAcc) addOffer(c *CommuneCoverage, offer bool) {
	a.add(c)
	if offer {
		a.offer(c)
	}
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
