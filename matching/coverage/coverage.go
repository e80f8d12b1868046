package coverage

import (
	"fmt"

	"github.com/maillage/maillage/data/indicators"

	"github.com/maillage/maillage/matching/internal/num"
	"github.com/maillage/maillage/matching/internal/par"
)

// Query selects what a coverage analysis measures: which service
// layers, which reach, over which area.
type Query struct {
	// Layers are the service layers whose sites count, combined as one set of
	// service points (a site is never counted twice). Empty means
	// [DefaultLayer].
	Layers []string
	// Reach is the threshold; nil means DefaultReach (30 minutes).
	Reach *Reach
	// Departement or Region (codes, at most one) restrict the analysis to
	// the communes of that area; both empty means all of France.
	Departement string
	Region      string
	// NoGaps skips the gap zones, the costliest part, when only figures are
	// wanted.
	NoGaps bool
	// NoCommunes leaves Communes nil: the communes are still measured
	// (areas, worst communes and rural mairies come from them) but in a
	// buffer the Cache reuses, so an answer that does not list them (the
	// national summary, départements, gap zones) does not allocate and
	// zero a CommuneCoverage per commune (34,969 of them, ~13 MB).
	NoCommunes bool
	// RankBy orders the gap zones and rural mairies: RankByPopulation (the
	// default, ""), RankByFragility or RankByZRR (indicators.go).
	RankBy string
}

// Coverage is the answer of a coverage analysis.
//
// A commune's population sits in the H3 cells of the engine's grid. A cell
// is covered when the great-circle distance from its centre to the nearest
// service point is at most Reach.MaxM; a commune's covered population is the
// sum of its population shares in covered cells. Populations of communes
// without a boundary cannot be placed on the grid: they are counted as
// PopulationUnlocated, so that covered + uncovered + unlocated = population
// at every level. Shares (covered_share) are taken over the located
// population.
//
// A Coverage is read-only once returned and safe for concurrent reads; it
// shares the caches of its Cache.
type Coverage struct {
	Layers []string `json:"layers"`
	Reach  Reach    `json:"reach"`
	Scope  Scope    `json:"scope"`
	RankBy string   `json:"rank_by"` // how Gaps and RuralMairies are ordered

	Summary      AreaCoverage      `json:"summary"`
	Regions      []AreaCoverage    `json:"regions"`      // régions with communes in scope, by code
	Departements []AreaCoverage    `json:"departements"` // départements with communes in scope, by code
	EPCIs        []AreaCoverage    `json:"epcis"`        // EPCIs with communes in scope (members outside the scope not counted), by code
	Communes     []CommuneCoverage `json:"communes"`     // communes in scope, by code; nil with Query.NoCommunes

	// Gaps are the gap zones, by population (nil with Query.NoGaps).
	Gaps []GapZone `json:"gaps"`
	// GapZonesUnpopulated counts the zones of uncovered cells without
	// inhabitants, left out of Gaps.
	GapZonesUnpopulated int `json:"gap_zones_unpopulated"`
	// RuralMairies are the sparsely populated communes lying mostly in gap
	// cells (see RuralDensityMaxKm2), by uncovered population.
	RuralMairies []RuralMairie `json:"rural_mairies"`

	c      *Cache
	ns     *NearestSet
	sc     *CellScope
	ix     *Index
	pf     *coverageProfile // population by distance of ns (coverage_profile.go)
	gapOf  []int32          // per scope cell: index in Gaps + 1, 0 when covered or in an unpopulated zone (nil with NoGaps); 0 for none so that no fill is needed
	gapBuf []int32          // grid indexes of the cells of all zones, zone after zone
	// gapBorder has a bit per cell of gapBuf on its zone's outline: a
	// neighbour covered, out of scope or off the grid (GapOutline).
	gapBorder []uint64
}

// Scope names the area a coverage covers.
type Scope struct {
	Level string `json:"level"` // "national", "region" or "departement"
	Code  string `json:"code"`
	Name  string `json:"nom"`
}

// AreaCoverage is the coverage of an administrative area (nation, région,
// département or EPCI): sums over its communes in scope.
type AreaCoverage struct {
	Level               string   `json:"level"`
	Code                string   `json:"code"`
	Name                string   `json:"nom"`
	Population          int      `json:"population"`
	CoveredPopulation   int      `json:"covered_population"`
	UncoveredPopulation int      `json:"uncovered_population"` // located but out of reach
	PopulationUnlocated int      `json:"population_unlocated"` // communes without boundary
	CoveredShare        *float64 `json:"covered_share"`        // covered / located population, 0–1; nil (null) when no inhabitant is located, NoDataReason says why
	MeanDistanceM       *float64 `json:"mean_distance_m"`      // population-weighted, over located inhabitants; nil with CoveredShare
	// NoDataReason says why CoveredShare and the distances are nil: ""
	// when they are set, NoDataNoBoundary, NoDataNoPopulation.
	NoDataReason      string `json:"no_data_reason,omitempty"`
	Communes          int    `json:"communes"`
	CommunesUncovered int    `json:"communes_uncovered"` // with located inhabitants, none of them covered
	CommunesUnlocated int    `json:"communes_unlocated"` // without boundary
	// Who needs it most (indicators.go): people in difficulty with digital
	// tools, an estimate (population × a share derived from the fragility
	// index and calibrated on the national 13 million, difficulty.go),
	// communes without index counting 0 (their inhabitants in
	// PopulationWithoutIndex); ZRR populations are those of communes
	// classed C, and apart, P.
	PopulationInDifficulty          float64 `json:"population_in_difficulty"`
	UncoveredPopulationInDifficulty float64 `json:"uncovered_population_in_difficulty"`
	PopulationWithoutIndex          int     `json:"population_without_index"`
	ZRRPopulation                   int     `json:"zrr_population"`
	ZRRPartialPopulation            int     `json:"zrr_partial_population"`
	UncoveredZRRPopulation          int     `json:"uncovered_zrr_population"`
	// WorstCommunes are the communes with the most uncovered inhabitants
	// (then the farthest on average), at most WorstCommunesPerArea.
	WorstCommunes []CommuneRef `json:"worst_communes"`
}

// Reasons why a coverage figure is missing (AreaCoverage.NoDataReason,
// CommuneCoverage.NoDataReason): the figure is null in JSON, an empty cell
// in CSV, "données non disponibles" on the map; never 0, which would read
// as "nobody covered".
const (
	// NoDataNoBoundary: no boundary, so no inhabitant could be placed on
	// the grid (Nouvelle-Calédonie, Polynésie, Wallis-et-Futuna,
	// Saint-Pierre-et-Miquelon, Clipperton in the IGN files).
	NoDataNoBoundary = "no_boundary"
	// NoDataNoPopulation: boundaries but no located inhabitant.
	NoDataNoPopulation = "no_population"
	// NoDataNoSite: a commune with a boundary, no inhabitant on the grid
	// and no service point to measure its representative point against.
	NoDataNoSite = "no_site"
)

// How a commune's population is placed on the grid (CommuneCoverage.Spread).
const (
	// SpreadArea: in proportion to the area of its cells, without
	// population grid; fair for a commune of a few km².
	SpreadArea = "area"
	// SpreadUniformCoarse: by area over a commune larger than
	// CoarseSpreadMinKm2 (Guyane, the Alps): people are placed evenly
	// over forest and mountain, so its coverage is a coarse estimate, not
	// a measure. Give a population grid (Config.PopulationGrid) to fix it.
	SpreadUniformCoarse = "uniform-coarse"
	// SpreadPopulationGrid: following the population grid given.
	SpreadPopulationGrid = "population-grid"
)

// CoarseSpreadMinKm2 is the area above which a commune spread by area is
// flagged SpreadUniformCoarse.
const CoarseSpreadMinKm2 = 500.0

// CommuneSpread returns how the population of the commune of index id in
// Territory.Communes is placed on the grid (CommuneCoverage.Spread), ""
// for an unknown id or a commune without boundary.
func (c *Cache) CommuneSpread(id int) string {
	if c.territory == nil || c.grid == nil || id < 0 || id >= len(c.territory.Communes) {
		return ""
	}
	return c.spreadOf(int32(id))
}

// spreadOf returns how the population of commune ci is placed.
func (c *Cache) spreadOf(ci int32) string {
	cm := &c.territory.Communes[ci]
	switch {
	case !cm.HasShape():
		return ""
	case int(ci) < len(c.grid.Weighted) && c.grid.Weighted[ci]:
		return SpreadPopulationGrid
	case cm.AreaKm2 > CoarseSpreadMinKm2:
		return SpreadUniformCoarse
	}
	return SpreadArea
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// Value returns *p, or 0 when p is nil (a missing figure, see
// NoDataReason), for sorting and sums that count a missing figure as 0.
func Value(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// WorstCommunesPerArea is the length of AreaCoverage.WorstCommunes.
const WorstCommunesPerArea = 10

// CommuneRef is a commune in a ranking.
type CommuneRef struct {
	Code                string  `json:"code"`
	Name                string  `json:"nom"`
	Population          int     `json:"population"`
	UncoveredPopulation int     `json:"uncovered_population"`
	CoveredShare        float64 `json:"covered_share"`
	MeanDistanceM       float64 `json:"mean_distance_m"`
	Spread              string  `json:"spread"` // CommuneCoverage.Spread
}

// CommuneCoverage is the coverage of one commune.
//
// Distances are over the commune's grid cells, weighted by the population
// each holds; a commune without inhabitants takes the distance of its
// representative point. NearestSite is the service point nearest to the
// representative point (the main town). Without boundary (Located false)
// only the population fields are set, all of it unlocated.
type CommuneCoverage struct {
	Code                string   `json:"code"`
	Name                string   `json:"nom"`
	Departement         string   `json:"departement"`
	Region              string   `json:"region"`
	EPCI                string   `json:"epci,omitempty"`
	Located             bool     `json:"located"`
	Population          int      `json:"population"`
	CoveredPopulation   int      `json:"covered_population"`
	UncoveredPopulation int      `json:"uncovered_population"`
	PopulationUnlocated int      `json:"population_unlocated"`
	CoveredShare        *float64 `json:"covered_share"`            // of the located population; for a commune without inhabitants, 1 when its representative point is covered; nil (null) without boundary, NoDataReason says why
	MeanDistanceM       *float64 `json:"mean_distance_m"`          // nil with CoveredShare
	MaxDistanceM        *float64 `json:"max_distance_m"`           // nil with CoveredShare
	NoDataReason        string   `json:"no_data_reason,omitempty"` // see AreaCoverage.NoDataReason
	NearestSiteID       string   `json:"nearest_site_id,omitempty"`
	NearestSiteName     string   `json:"nearest_site_name,omitempty"`
	NearestLayer        string   `json:"nearest_layer,omitempty"`
	NearestDistanceM    float64  `json:"nearest_distance_m"`
	AreaKm2             float64  `json:"area_km2"`
	DensityPerKm2       float64  `json:"density_per_km2"`
	Cells               int      `json:"cells"` // grid cells holding its population
	// Spread says how its population was placed on the grid: SpreadArea,
	// SpreadUniformCoarse (by area over more than CoarseSpreadMinKm2: its
	// figures are not measured where people live) or SpreadPopulationGrid;
	// "" without boundary.
	Spread string `json:"spread"`
	// Who needs it most (indicators.go): the commune's fragility index (nil
	// when unknown) and ZRR class ("C", "P", "NC", "" when unknown);
	// DifficultyShare is the estimated share of its inhabitants in
	// difficulty with digital tools (difficulty.go; 0 without index), the
	// populations in difficulty the population × that share; ZRR
	// populations the population when classed C (P).
	Fragility                       *indicators.Fragility `json:"fragility"`
	ZRR                             string                `json:"zrr"`
	DifficultyShare                 float64               `json:"difficulty_share"`
	PopulationInDifficulty          float64               `json:"population_in_difficulty"`
	UncoveredPopulationInDifficulty float64               `json:"uncovered_population_in_difficulty"`
	ZRRPopulation                   int                   `json:"zrr_population"`
	ZRRPartialPopulation            int                   `json:"zrr_partial_population"`

	id int32 // index in Territory.Communes
	// located and covered are the fractional inhabitants placed on the
	// grid and within reach, before rounding: areas sum them, so that an
	// area's figures are rounded once, not commune by commune.
	located, covered float64
}

// ID returns the index of the commune in Territory.Communes.
func (c *CommuneCoverage) ID() int { return int(c.id) }

// Compute measures how much of the population is within q.Reach of the
// service points of q.Layers, and where the holes are. The nearest-site
// distances of each layer are computed on the first query and cached in c,
// so later queries (any threshold, any area) only threshold them.
func Compute(c *Cache, q Query) (*Coverage, error) {
	layers, reach, sc, ns, ix, err := c.resolve(q)
	if err != nil {
		return nil, err
	}
	rankBy, err := checkRankBy(q.RankBy)
	if err != nil {
		return nil, err
	}
	cv := &Coverage{Layers: layers, Reach: reach, RankBy: rankBy,
		Scope: Scope{Level: sc.Level, Code: sc.Code, Name: sc.Name},
		c:     c, ns: ns, sc: sc, ix: ix, pf: c.profileFor(layers, ns, ix)}
	var buf *communeBuf
	if q.NoCommunes {
		buf = c.getCommuneBuf()
	}
	cv.computeCommunes(buf)
	cv.computeAreas()
	if !q.NoGaps {
		cv.computeGaps()
	}
	cv.computeRural()
	if buf != nil {
		// Nothing kept in the answer points into the buffer: the areas'
		// worst communes and the rural mairies are copies, and a
		// commune's strings and fragility belong to the territory and
		// the Need.
		cv.Communes = nil
		c.putCommuneBuf(buf)
	}
	return cv, nil
}

// resolve checks the layers, reach and scope of q and returns them
// with the layers' nearest-site set and the coverage index.
func (c *Cache) resolve(q Query) (layers []string, reach Reach, sc *CellScope, ns *NearestSet, ix *Index, err error) {
	if layers, err = c.ResolveLayers(q.Layers); err != nil {
		return
	}
	reach = DefaultReach()
	if q.Reach != nil {
		reach = *q.Reach
	}
	if err = reach.Validate(); err != nil {
		return
	}
	ix = c.Index()
	if sc, err = ix.ResolveScope(q.Departement, q.Region); err != nil {
		return
	}
	ns, err = c.Nearest(layers)
	return
}

// Prepare builds, ahead of the first query, what coverage queries over
// layers (nil: the default layer) cache in c: the coverage index, the
// layers' nearest-site distances and population profile (about half a
// second at res 8 on two cores). Queries work without it; it only moves
// that cost to start-up.
func Prepare(c *Cache, layers []string) error {
	names, err := c.ResolveLayers(layers)
	if err != nil {
		return err
	}
	ix := c.Index()
	ns, err := c.Nearest(names)
	if err != nil {
		return err
	}
	c.profileFor(names, ns, ix)
	return nil
}

// ResolveScope returns the scope of a query.
func (ix *Index) ResolveScope(dep, reg string) (*CellScope, error) {
	switch {
	case dep != "" && reg != "":
		return nil, fmt.Errorf("%w %q: give a département or a région, not both", ErrUnknownDepartement, dep)
	case dep != "":
		d, ok := ix.DepByCode[dep]
		if !ok {
			return nil, fmt.Errorf("%w %q", ErrUnknownDepartement, dep)
		}
		return ix.Deps[d], nil
	case reg != "":
		r, ok := ix.RegByCode[reg]
		if !ok {
			return nil, fmt.Errorf("%w %q", ErrUnknownRegion, reg)
		}
		return ix.Regs[r], nil
	}
	return ix.National, nil
}

// Index returns the coverage index the coverage was computed over. Do not
// modify it.
func (cv *Coverage) Index() *Index { return cv.ix }

// Nearest returns the nearest-site distances the coverage was computed
// from. Do not modify them.
func (cv *Coverage) Nearest() *NearestSet { return cv.ns }

// Covered reports whether a distance is within reach.
func (cv *Coverage) Covered(d float32) bool { return float64(d) <= cv.Reach.MaxM }

// computeCommunes fills Communes from the population profile of every
// commune in scope (its shares sorted by distance, coverage_profile.go): a
// binary search per commune at the threshold. With buf, Communes and the
// values they point to live in buf (Query.NoCommunes); every entry is
// overwritten whole, so a reused buffer needs no clearing.
func (cv *Coverage) computeCommunes(buf *communeBuf) {
	t, ns := cv.c.territory, cv.ns
	ids := cv.sc.Communes
	// The share and distances each commune points to live in one array,
	// three per commune: one allocation, not three per commune, and
	// neighbours in memory for the areas' rankings that read them.
	var vals []float64
	if buf != nil {
		buf.grow(len(ids))
		cv.Communes, vals = buf.communes[:len(ids)], buf.vals[:3*len(ids)]
	} else {
		cv.Communes = make([]CommuneCoverage, len(ids))
		vals = make([]float64, 3*len(ids))
	}
	const chunk = 1024
	par.Chunks(cv.c.workers, (len(ids)+chunk-1)/chunk, func(c int) {
		for k := c * chunk; k < min(len(ids), (c+1)*chunk); k++ {
			ci := ids[k]
			cm := &t.Communes[ci]
			cc := &cv.Communes[k]
			*cc = CommuneCoverage{Code: cm.Code, Name: cm.Name, Departement: cm.Departement, Region: cm.Region,
				EPCI: cm.EPCI, Located: cm.HasShape(), Population: cm.Population, AreaKm2: cm.AreaKm2, id: ci,
				Spread: cv.c.spreadOf(ci)}
			if cm.AreaKm2 > 0 {
				cc.DensityPerKm2 = float64(cm.Population) / cm.AreaKm2
			}
			b := &cv.pf.commune[ci]
			located, coveredPop := b.located, cv.pf.communeCovered(ci, cv.Reach.MaxM)
			cc.Cells = b.cells
			// Rounded here, for this commune's own figures only: covered +
			// uncovered + unlocated = population still holds.
			cc.located, cc.covered = located, coveredPop
			cc.CoveredPopulation = num.RoundPop(coveredPop)
			cc.UncoveredPopulation = num.RoundPop(located) - cc.CoveredPopulation
			cc.PopulationUnlocated = cm.Population - num.RoundPop(located)
			cv.c.need.fill(cc, ci)
			if site := ns.communeSite[ci]; site >= 0 {
				l := ns.layers[ns.layerOf(ns.communeLayer, int(ci))]
				st := &cv.c.layers[l].Sites[site]
				cc.NearestSiteID, cc.NearestSiteName, cc.NearestLayer = st.ID, st.Name, l
				cc.NearestDistanceM = float64(ns.communeDistM[ci])
			}
			switch {
			case !cc.Located:
				cc.NoDataReason = NoDataNoBoundary
			case located > 0:
				v := vals[3*k : 3*k+3 : 3*k+3]
				v[0], v[1], v[2] = coveredPop/located, b.meanDistM, b.maxDistM
				cc.CoveredShare, cc.MeanDistanceM, cc.MaxDistanceM = &v[0], &v[1], &v[2]
			case cc.NearestSiteID != "":
				v := vals[3*k : 3*k+3 : 3*k+3]
				v[0], v[1], v[2] = 0, cc.NearestDistanceM, cc.NearestDistanceM
				if cv.Covered(ns.communeDistM[ci]) {
					v[0] = 1
				}
				cc.CoveredShare, cc.MeanDistanceM, cc.MaxDistanceM = &v[0], &v[1], &v[2]
			default:
				cc.NoDataReason = NoDataNoSite
			}
		}
	})
}
