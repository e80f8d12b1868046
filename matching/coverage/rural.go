package coverage

import (
	"cmp"
	"slices"

	"github.com/maillage/maillage/data/indicators"
)

// The rural town-hall rule. A commune's mairie is listed as a rural mairie in
// a gap when
//
//   - the commune is sparsely populated: fewer than RuralDensityMaxKm2
//     inhabitants per km² (municipal population over the area of its
//     boundary; INSEE's "peu dense" and "très peu dense" communes of the
//     grille communale de densité mostly fall below it), and
//   - it lies mostly in gap cells: at least RuralGapShareMin of its located
//     population is out of reach (for a commune without inhabitants, that
//     share of its cells).
//
// This is the list a prefect uses to direct equipment funding (DETR/DSIL)
// towards rural mairies that could host a service point.
const (
	RuralDensityMaxKm2 = 50.0
	RuralGapShareMin   = 0.5
)

// RuralMairie is a sparsely populated commune lying mostly in a gap.
type RuralMairie struct {
	Code                string  `json:"code"`
	Name                string  `json:"nom"`
	Departement         string  `json:"departement"`
	EPCI                string  `json:"epci,omitempty"`
	Population          int     `json:"population"`
	AreaKm2             float64 `json:"area_km2"`
	DensityPerKm2       float64 `json:"density_per_km2"`
	GapShare            float64 `json:"gap_share"` // share of its population (of its cells without inhabitants) out of reach, 0–1
	Spread              string  `json:"spread"`    // how its population is placed (CommuneCoverage.Spread)
	UncoveredPopulation int     `json:"uncovered_population"`
	NearestSiteID       string  `json:"nearest_site_id,omitempty"`
	NearestSiteName     string  `json:"nearest_site_name,omitempty"`
	NearestLayer        string  `json:"nearest_layer,omitempty"`
	NearestDistanceM    float64 `json:"nearest_distance_m"`    // from its representative point (the main town)
	GapZoneID           string  `json:"gap_zone_id,omitempty"` // the zone holding most of its uncovered inhabitants (cells)
	// Who needs it most (indicators.go): the commune's fragility index (nil
	// when unknown), its uncovered inhabitants × index / 10 and its ZRR
	// class ("C", "P", "NC", "" when unknown).
	Fragility                       *indicators.Fragility `json:"fragility"`
	UncoveredPopulationInDifficulty float64               `json:"uncovered_population_in_difficulty"`
	ZRR                             string                `json:"zrr"`
}

// computeRural fills RuralMairies from Communes (and the gap zones when
// computed).
func (cv *Coverage) computeRural() {
	g := cv.c.grid
	cv.RuralMairies = []RuralMairie{}
	for k := range cv.Communes {
		c := &cv.Communes[k]
		if !c.Located || c.AreaKm2 <= 0 || c.DensityPerKm2 >= RuralDensityMaxKm2 {
			continue
		}
		shares := g.Shares[g.ShareStart[c.id]:g.ShareStart[c.id+1]]
		var share float64
		if c.located > 0 {
			share = (c.located - c.covered) / c.located
		} else if len(shares) > 0 {
			out := 0
			for _, s := range shares {
				if !cv.Covered(cv.ns.CellDistM[s.Cell]) {
					out++
				}
			}
			share = float64(out) / float64(len(shares))
		}
		if share < RuralGapShareMin {
			continue
		}
		cv.RuralMairies = append(cv.RuralMairies, RuralMairie{Code: c.Code, Name: c.Name, Departement: c.Departement,
			EPCI: c.EPCI, Population: c.Population, AreaKm2: c.AreaKm2, DensityPerKm2: c.DensityPerKm2,
			GapShare: share, UncoveredPopulation: c.UncoveredPopulation, NearestSiteID: c.NearestSiteID,
			NearestSiteName: c.NearestSiteName, NearestLayer: c.NearestLayer, NearestDistanceM: c.NearestDistanceM,
			GapZoneID: cv.mainGap(c.id), Fragility: c.Fragility, UncoveredPopulationInDifficulty: c.UncoveredPopulationInDifficulty,
			ZRR: c.ZRR, Spread: c.Spread})
	}
	slices.SortFunc(cv.RuralMairies, ruralOrder(cv.RankBy))
}

// ruralOrder returns the order of rural mairies under rankBy: by uncovered
// people in difficulty, or by ZRR class (C, P, NC, unknown), or neither;
// then by uncovered population, by distance to the nearest site, by code.
func ruralOrder(rankBy string) func(a, b RuralMairie) int {
	return func(a, b RuralMairie) int {
		switch rankBy {
		case RankByFragility:
			if c := cmp.Compare(b.UncoveredPopulationInDifficulty, a.UncoveredPopulationInDifficulty); c != 0 {
				return c
			}
		case RankByZRR:
			if c := cmp.Compare(zrrCode(a.ZRR), zrrCode(b.ZRR)); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(b.UncoveredPopulation, a.UncoveredPopulation); c != 0 {
			return c
		}
		if c := cmp.Compare(b.NearestDistanceM, a.NearestDistanceM); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	}
}

// mainGap returns the id of the gap zone holding most of commune ci's
// population (most of its cells when it has none), "" without gap zones.
func (cv *Coverage) mainGap(ci int32) string {
	if cv.gapOf == nil {
		return ""
	}
	g := cv.c.grid
	best, bestW := int32(-1), -1.0
	var zs [8]int // the few zones a commune meets
	var ws [8]float64
	nz := 0
	for _, s := range g.Shares[g.ShareStart[ci]:g.ShareStart[ci+1]] {
		p := cv.sc.Pos(s.Cell)
		if p < 0 || cv.gapOf[p] == 0 {
			continue
		}
		z := int(cv.gapOf[p]) - 1
		w := s.Population*1000 + 1 // population first, cells to break ties and for empty communes
		j := 0
		for j < nz && zs[j] != z {
			j++
		}
		if j == nz {
			if nz == len(zs) {
				continue
			}
			zs[j], ws[j] = z, 0
			nz++
		}
		ws[j] += w
	}
	for j := 0; j < nz; j++ {
		if ws[j] > bestW || (ws[j] == bestW && int32(zs[j]) < best) {
			best, bestW = int32(zs[j]), ws[j]
		}
	}
	if best < 0 {
		return ""
	}
	return cv.Gaps[best].ID
}
