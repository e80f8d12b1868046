package coverage

import (
	"cmp"
	"math"
	"slices"

	"github.com/maillage/maillage/data"
)

// Figures is the fast answer of a coverage query: the population
// figures of the scope, its régions and its départements, read from the
// population profile by distance (coverage_profile.go) with a binary search
// per area, in microseconds at any threshold. Every figure equals the one of
// the same name in the full Coverage.
type Figures struct {
	Layers       []string      `json:"layers"`
	Reach        Reach         `json:"reach"`
	Scope        Scope         `json:"scope"`
	Summary      AreaFigures   `json:"summary"`
	Regions      []AreaFigures `json:"regions"`      // régions with communes in scope, by code
	Departements []AreaFigures `json:"departements"` // départements with communes in scope, by code
}

// AreaFigures are the population figures of an area, as in AreaCoverage
// (same rounding, same null shares with a reason).
type AreaFigures struct {
	Level               string   `json:"level"`
	Code                string   `json:"code"`
	Name                string   `json:"nom"`
	Population          int      `json:"population"`
	CoveredPopulation   int      `json:"covered_population"`
	UncoveredPopulation int      `json:"uncovered_population"`
	PopulationUnlocated int      `json:"population_unlocated"`
	CoveredShare        *float64 `json:"covered_share"`   // covered / located population, 0–1; nil (null) when no inhabitant is located, NoDataReason says why
	MeanDistanceM       *float64 `json:"mean_distance_m"` // population-weighted, over located inhabitants; nil with CoveredShare
	NoDataReason        string   `json:"no_data_reason,omitempty"`
	Communes            int      `json:"communes"`
	CommunesUncovered   int      `json:"communes_uncovered"`
	CommunesUnlocated   int      `json:"communes_unlocated"`
}

// figureScope is what ComputeFigures needs of one scope whatever the
// threshold: its areas with their threshold-independent figures.
type figureScope struct {
	summary       areaBase
	regions, deps []areaBase // by code
}

// areaBase is an area's threshold-independent figures and the buckets of
// the profile holding its communes in scope.
type areaBase struct {
	level, code, name       string
	pop                     int
	located                 float64 // fractional, the buckets' totals summed in the order covered sums them
	sumDist                 float64 // fractional, summed commune by commune as areaAcc does
	communes, communesUnloc int
	inhabited               int // located communes with located inhabitants
	buckets                 []int32
}

// covered returns the fractional covered population of a at maxM, summed
// bucket by bucket, and the number of its inhabited communes with at least
// one covered inhabitant.
func (a *areaBase) covered(p *coverageProfile, maxM float64) (pop float64, communes int) {
	for _, bi := range a.buckets {
		c, n := p.bucketCovered(&p.buckets[bi], maxM)
		pop += c
		communes += n
	}
	return pop, communes
}

// figures returns the figures of a at maxM, rounded as AreaCoverage's.
func (a *areaBase) figures(p *coverageProfile, maxM float64) AreaFigures {
	covered, coveredCommunes := a.covered(p, maxM)
	r := roundArea(a.pop, a.located, covered, a.sumDist, a.communes, a.communesUnloc)
	return AreaFigures{Level: a.level, Code: a.code, Name: a.name, Population: a.pop,
		CoveredPopulation: r.covered, UncoveredPopulation: r.uncovered, PopulationUnlocated: r.unlocated,
		CoveredShare: r.share, MeanDistanceM: r.meanDistM, NoDataReason: r.noData,
		Communes: a.communes, CommunesUncovered: a.inhabited - coveredCommunes, CommunesUnlocated: a.communesUnloc}
}

// areaByCode returns the area of the given code among areas (sorted by code), nil
// when there is none.
func areaByCode(areas []areaBase, code string) *areaBase {
	i, ok := slices.BinarySearchFunc(areas, code, func(a areaBase, code string) int { return cmp.Compare(a.code, code) })
	if !ok {
		return nil
	}
	return &areas[i]
}

// buildFigureScopes accumulates, for every scope (nation, département,
// région), the threshold-independent figures of its areas in the order
// computeAreas adds communes, so that they come out identical.
func buildFigureScopes(t *data.Territory, ix *Index, p *coverageProfile) map[*CellScope]*figureScope {
	out := map[*CellScope]*figureScope{ix.National: buildFigureScope(t, ix, p, ix.National)}
	for _, s := range ix.Deps {
		out[s] = buildFigureScope(t, ix, p, s)
	}
	for _, s := range ix.Regs {
		out[s] = buildFigureScope(t, ix, p, s)
	}
	return out
}

// areaSum accumulates an areaBase like areaAcc.add.
type areaSum struct {
	areaBase
	used bool
	seen map[int32]bool
}

func (a *areaSum) add(p *coverageProfile, ix *Index, cm *data.Commune, ci int32) {
	b := &p.commune[ci]
	a.used = true
	a.communes++
	a.pop += cm.Population
	a.sumDist += b.meanDistM * b.located
	if !cm.HasShape() {
		a.communesUnloc++
	}
	if b.located > 0 {
		a.inhabited++
	}
	bi := p.bucketOf[[2]int32{ix.CommuneDep[ci], ix.CommuneReg[ci]}]
	if !a.seen[bi] {
		a.seen[bi] = true
		a.buckets = append(a.buckets, bi)
	}
}

// result returns the area's figures. Its located population is its covered
// population at an infinite reach: summed in the same order as at any
// threshold, so that a wholly covered area has a share of exactly 1 and
// never more covered than located inhabitants.
func (a *areaSum) result(p *coverageProfile, level, code, name string) areaBase {
	r := a.areaBase
	r.level, r.code, r.name = level, code, name
	r.located, _ = r.covered(p, math.Inf(1))
	return r
}

func buildFigureScope(t *data.Territory, ix *Index, p *coverageProfile, sc *CellScope) *figureScope {
	newSum := func() areaSum { return areaSum{seen: map[int32]bool{}} }
	nat := newSum()
	regs := make([]areaSum, len(t.Regions))
	deps := make([]areaSum, len(t.Departements))
	for i := range regs {
		regs[i] = newSum()
	}
	for i := range deps {
		deps[i] = newSum()
	}
	for _, ci := range sc.Communes {
		cm := &t.Communes[ci]
		nat.add(p, ix, cm, ci)
		if r := ix.CommuneReg[ci]; r >= 0 {
			regs[r].add(p, ix, cm, ci)
		}
		if d := ix.CommuneDep[ci]; d >= 0 {
			deps[d].add(p, ix, cm, ci)
		}
	}
	fs := &figureScope{summary: nat.result(p, sc.Level, sc.Code, sc.Name)}
	for i := range regs {
		if regs[i].used {
			fs.regions = append(fs.regions, regs[i].result(p, LevelRegion, t.Regions[i].Code, t.Regions[i].Name))
		}
	}
	for i := range deps {
		if deps[i].used {
			fs.deps = append(fs.deps, deps[i].result(p, LevelDepartement, t.Departements[i].Code, t.Departements[i].Name))
		}
	}
	byCode := func(a, b areaBase) int { return cmp.Compare(a.code, b.code) }
	slices.SortFunc(fs.regions, byCode)
	slices.SortFunc(fs.deps, byCode)
	return fs
}

// ComputeFigures answers the population figures of q (its Layers, Reach,
// Departement or Region) from the population profile by distance cached
// in c: the first query over a set of layers builds it (as Compute does),
// later ones at any threshold take a binary search per area. Gap zones,
// communes and the "who needs it most" figures need Compute.
func ComputeFigures(c *Cache, q Query) (*Figures, error) {
	layers, reach, sc, ns, ix, err := c.resolve(q)
	if err != nil {
		return nil, err
	}
	p := c.profileFor(layers, ns, ix)
	fs := p.scopes[sc]
	out := &Figures{Layers: layers, Reach: reach, Scope: Scope{Level: sc.Level, Code: sc.Code, Name: sc.Name},
		Summary: fs.summary.figures(p, reach.MaxM), Regions: make([]AreaFigures, len(fs.regions)),
		Departements: make([]AreaFigures, len(fs.deps))}
	for i := range fs.regions {
		out.Regions[i] = fs.regions[i].figures(p, reach.MaxM)
	}
	for i := range fs.deps {
		out.Departements[i] = fs.deps[i].figures(p, reach.MaxM)
	}
	return out, nil
}
