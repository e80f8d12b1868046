package coverage

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching/internal/num"
)

// GapZone is a connected set of uncovered grid cells: a hole in the mesh.
//
// Zones are the connected components, over H3 neighbours, of the uncovered
// cells of the scope (cells farther than the reach from every service
// point, inhabited or not, so that an empty valley does not split a zone).
// Zones without inhabitants are left out. In a département or région query,
// zones are cut at the scope's border.
type GapZone struct {
	// ID is "gap-" and the H3 index of the zone's smallest cell: the same
	// zone gets the same id whatever the threshold it was found at, and
	// whatever the scope when it does not cross the scope's border.
	ID         string `json:"id"`
	Rank       int    `json:"rank"` // 1 for the first zone under the query's RankBy (the most populated by default)
	Population int    `json:"population"`
	// Who needs it most (indicators.go): the people in difficulty of the
	// zone (each commune's inhabitants in its cells × the commune's
	// estimated share in difficulty), the inhabitants of communes without index, and
	// those of communes classed in ZRR (C), and partly classed (P).
	PopulationInDifficulty float64    `json:"population_in_difficulty"`
	PopulationWithoutIndex int        `json:"population_without_index"`
	ZRRPopulation          int        `json:"zrr_population"`
	ZRRPartialPopulation   int        `json:"zrr_partial_population"`
	AreaKm2                float64    `json:"area_km2"`
	Cells                  int        `json:"cells"`
	MaxDistanceM           float64    `json:"max_distance_m"`  // its farthest cell centre from a service point
	MeanDistanceM          float64    `json:"mean_distance_m"` // population-weighted
	Centroid               [2]float64 `json:"centroid"`        // lon, lat: area-weighted mean of the cell centres' coordinates
	BBox                   [4]float64 `json:"bbox"`            // min lon, min lat, max lon, max lat of the cells' outlines
	CommunesTouched        []string   `json:"communes"`        // INSEE codes of the communes with a cell in the zone, ascending
	DepartementsTouched    []string   `json:"departements"`    // their départements, ascending

	cells []int32 // grid indexes of its cells, the smallest first
}

// computeGaps finds the gap zones of the scope.
func (cv *Coverage) computeGaps() {
	sc, ix, g, ns := cv.sc, cv.ix, cv.c.grid, cv.ns
	n := sc.Len()
	// state per scope cell: 0 covered, 1 uncovered not yet visited, 2 visited
	state := make([]uint8, n)
	for k := 0; k < n; k++ {
		if !cv.Covered(ns.CellDistM[sc.Cell(k)]) {
			state[k] = 1
		}
	}
	cv.gapOf = make([]int32, n)
	var zones []GapZone
	var zoneStart []int // into gapBuf
	var queue []int32   // scope positions
	unpopulated := 0
	member := cv.ScopeDepartements()
	for k0 := 0; k0 < n; k0++ {
		if state[k0] != 1 {
			continue
		}
		start := len(cv.gapBuf)
		queue = append(queue[:0], int32(k0))
		state[k0] = 2
		for q := 0; q < len(queue); q++ {
			k := int(queue[q])
			cell := sc.Cell(k)
			cv.gapBuf = append(cv.gapBuf, int32(cell))
			for _, nb := range ix.adj.Neighbors(int32(cell)) {
				if p := sc.Pos(nb); p >= 0 && state[p] == 1 {
					state[p] = 2
					queue = append(queue, int32(p))
				}
			}
		}
		z := cv.zoneStats(cv.gapBuf[start:], g)
		if z.Population == 0 {
			unpopulated++
			cv.gapBuf = cv.gapBuf[:start]
			continue
		}
		cv.zoneNeed(&z, cv.gapBuf[start:], member)
		zones = append(zones, z)
		zoneStart = append(zoneStart, start)
	}
	for i := range zones {
		end := len(cv.gapBuf)
		if i+1 < len(zones) {
			end = zoneStart[i+1]
		}
		zones[i].cells = cv.gapBuf[zoneStart[i]:end]
		// The walk starts from the zone's first cell in scope order, which is
		// grid order, which is H3 order: its smallest cell.
		zones[i].ID = "gap-" + g.Cells[zones[i].cells[0]].String()
	}
	slices.SortFunc(zones, gapOrder(cv.RankBy))
	for i := range zones {
		zones[i].Rank = i + 1
		for _, cell := range zones[i].cells {
			cv.gapOf[sc.Pos(cell)] = int32(i + 1)
		}
	}
	cv.touchCommunes(zones)
	cv.Gaps, cv.GapZonesUnpopulated = zones, unpopulated
	if cv.Gaps == nil {
		cv.Gaps = []GapZone{}
	}
}

// gapOrder returns the order of gap zones under rankBy: by population, by
// people in difficulty or by ZRR then partial ZRR population, then by
// population, then by id.
func gapOrder(rankBy string) func(a, b GapZone) int {
	return func(a, b GapZone) int {
		switch rankBy {
		case RankByFragility:
			if c := cmp.Compare(b.PopulationInDifficulty, a.PopulationInDifficulty); c != 0 {
				return c
			}
		case RankByZRR:
			if c := cmp.Compare(b.ZRRPopulation, a.ZRRPopulation); c != 0 {
				return c
			}
			if c := cmp.Compare(b.ZRRPartialPopulation, a.ZRRPartialPopulation); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(b.Population, a.Population); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	}
}

// ScopeDepartements returns which départements (by index in
// Territory.Departements) belong to the scope, as the scopes were built
// (a commune belongs to the région of its département); nil for the
// national scope, which holds every commune.
func (cv *Coverage) ScopeDepartements() []bool {
	if cv.sc.Level == LevelNational {
		return nil
	}
	deps := cv.c.territory.Departements
	in := make([]bool, len(deps))
	for d := range deps {
		switch cv.sc.Level {
		case LevelDepartement:
			in[d] = deps[d].Code == cv.sc.Code
		case LevelRegion:
			in[d] = deps[d].Region == cv.sc.Code
		}
	}
	return in
}

// zoneNeed adds to z the fragility and ZRR figures of its cells: the
// shares of the scope's communes (member: départements in scope, nil for
// all), which add up to z.Population.
func (cv *Coverage) zoneNeed(z *GapZone, cells []int32, member []bool) {
	ix, n := cv.ix, cv.c.need
	var a needAcc
	for _, cell := range cells {
		for k := ix.CellCommStart[cell]; k < ix.CellCommStart[cell+1]; k++ {
			ci := ix.CellComm[k]
			if member != nil {
				if d := ix.CommuneDep[ci]; d < 0 || !member[d] {
					continue
				}
			}
			a.addShare(n, ci, ix.CellCommPop[k])
		}
	}
	z.PopulationInDifficulty, z.PopulationWithoutIndex = a.difficulty, num.RoundPop(a.withoutIndex)
	z.ZRRPopulation, z.ZRRPartialPopulation = num.RoundPop(a.zrr), num.RoundPop(a.zrrPartial)
}

// zoneStats measures a zone from its cells (grid indexes).
func (cv *Coverage) zoneStats(cells []int32, g *geo.Grid) GapZone {
	sc, ns := cv.sc, cv.ns
	z := GapZone{Cells: len(cells)}
	var cx, cy, sumDist, pops float64
	ext := [4]int32{cells[0], cells[0], cells[0], cells[0]} // cells of min lon, min lat, max lon, max lat centre
	for _, cell := range cells {
		pop := sc.CellPop(sc.Pos(cell))
		d := float64(ns.CellDistM[cell])
		pops += pop
		sumDist += pop * d
		if d > z.MaxDistanceM {
			z.MaxDistanceM = d
		}
		a := g.AreaKm2[cell]
		z.AreaKm2 += a
		p := g.Centers[cell]
		cx, cy = cx+a*p[0], cy+a*p[1]
		if p[0] < g.Centers[ext[0]][0] {
			ext[0] = cell
		}
		if p[1] < g.Centers[ext[1]][1] {
			ext[1] = cell
		}
		if p[0] > g.Centers[ext[2]][0] {
			ext[2] = cell
		}
		if p[1] > g.Centers[ext[3]][1] {
			ext[3] = cell
		}
	}
	z.Population = num.RoundPop(pops)
	if pops > 0 {
		z.MeanDistanceM = sumDist / pops
	}
	if z.AreaKm2 > 0 {
		z.Centroid = [2]float64{cx / z.AreaKm2, cy / z.AreaKm2}
	}
	b := orb.Bound{Min: g.Centers[cells[0]], Max: g.Centers[cells[0]]}
	for _, cell := range ext {
		b = b.Union(g.CellBound(int(cell)))
	}
	z.BBox = [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	return z
}

// touchCommunes fills the communes and départements each zone touches.
func (cv *Coverage) touchCommunes(zones []GapZone) {
	t, ix := cv.c.territory, cv.ix
	seen := make([]int32, len(t.Communes)) // zone index + 1 that last listed the commune
	var ids []int32
	for zi := range zones {
		z := &zones[zi]
		ids = ids[:0]
		for _, cell := range z.cells {
			for _, ci := range ix.CellComm[ix.CellCommStart[cell]:ix.CellCommStart[cell+1]] {
				if seen[ci] != int32(zi+1) {
					seen[ci] = int32(zi + 1)
					ids = append(ids, ci)
				}
			}
		}
		slices.Sort(ids) // communes are sorted by code
		z.CommunesTouched = make([]string, len(ids))
		for k, ci := range ids {
			z.CommunesTouched[k] = t.Communes[ci].Code
			if len(z.DepartementsTouched) == 0 || !slices.Contains(z.DepartementsTouched, t.Communes[ci].Departement) {
				z.DepartementsTouched = append(z.DepartementsTouched, t.Communes[ci].Departement)
			}
		}
		slices.Sort(z.DepartementsTouched)
	}
}

// GapCells returns the H3 cells of zone i of Gaps, the smallest first.
func (cv *Coverage) GapCells(i int) []geo.Cell {
	z := &cv.Gaps[i]
	out := make([]geo.Cell, len(z.cells))
	for k, c := range z.cells {
		out[k] = cv.c.grid.Cells[c]
	}
	return out
}

// GapOutline returns the outline of zone i of Gaps: the union of its cells
// as lon/lat polygons, one per connected group, each with a
// counter-clockwise exterior ring and a clockwise ring per hole (covered
// cells enclosed by the zone), all closed (geo.Adjacency.Outline). It is
// nil for an unknown zone.
func (cv *Coverage) GapOutline(i int) orb.MultiPolygon {
	if i < 0 || i >= len(cv.Gaps) {
		return nil
	}
	return cv.ix.adj.Outline(cv.Gaps[i].cells, func(cell int32) bool {
		p := cv.sc.Pos(cell)
		return p >= 0 && cv.gapOf[p] == int32(i+1)
	})
}
