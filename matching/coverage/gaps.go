package coverage

import (
	"cmp"
	"math/bits"
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
	from  int32   // where cells start in Coverage.gapBuf (and their bits in gapBorder)
}

// computeGaps finds the gap zones of the scope in one walk of its
// uncovered cells: each zone is walked breadth first from its smallest
// cell (neighbours in Adjacency order), and its figures, need and communes
// are summed as its cells are met, in that order, so that a zone costs one
// visit per cell and no pass of its own (the sums, added in the walk's
// order, are those of the earlier separate passes to the last bit:
// TestGapsMatchReference).
func (cv *Coverage) computeGaps() {
	sc, ix, g, ns := cv.sc, cv.ix, cv.c.grid, cv.ns
	n := sc.Len()
	national := sc.Cells == nil // positions are grid indexes: no search
	dist, maxM := ns.CellDistM, cv.Reach.MaxM
	member := cv.ScopeDepartements()
	// pending has a bit per scope cell not covered and not yet met by the
	// walk: an eighth of a megabyte nationally, which stays in cache where
	// the distances and a per-cell mark (3.6 MB each) would not.
	pending := make([]uint64, (n+63)/64)
	for k := 0; k < n; k++ {
		i := k
		if !national {
			i = int(sc.Cells[k])
		}
		// Not covered, as Covered decides it (a NaN distance is not).
		if !(float64(dist[i]) <= maxM) {
			pending[k>>6] |= 1 << (k & 63)
		}
	}
	// uncovered stays as pending starts: a neighbour not in it is across
	// the outline of the zone.
	uncovered := slices.Clone(pending)
	// Every zone cell is an uncovered one: sized once to their count, the
	// cell list and its border bits never grow by copying (1.6 MB of
	// copies per national answer at 30 minutes).
	nUncovered := 0
	for _, w := range pending {
		nUncovered += bits.OnesCount64(w)
	}
	cv.gapBuf = make([]int32, 0, nUncovered)
	cv.gapBorder = make([]uint64, 0, (nUncovered+63)/64)
	var (
		zones       []GapZone
		zoneStart   []int32 // per zone, into gapBuf
		posBuf      []int32 // sub-scopes: scope position of each gapBuf cell
		ids         []int32 // communes touched, zone after zone
		idStart     []int32 // per kept zone, into ids
		unpopulated int
		walked      int32 // zones walked, populated or not: the mark of seen
	)
	seen := make([]int32, len(cv.c.territory.Communes)) // last zone walked that listed the commune
	for k0 := nextPending(pending, 0); k0 < n; k0 = nextPending(pending, k0+1) {
		walked++
		start, idsFrom := len(cv.gapBuf), len(ids)
		pending[k0>>6] &^= 1 << (k0 & 63)
		cv.gapBuf = append(cv.gapBuf, int32(sc.Cell(k0)))
		if !national {
			posBuf = append(posBuf, int32(k0))
		}
		var acc zoneAcc
		acc.start(cv.gapBuf[start])
		for q := start; q < len(cv.gapBuf); q++ {
			cell, p := cv.gapBuf[q], cv.gapBuf[q]
			if !national {
				p = posBuf[q]
			}
			acc.add(g, cell, sc.CellPop(int(p)), dist[cell])
			for k := ix.CellCommStart[cell]; k < ix.CellCommStart[cell+1]; k++ {
				ci := ix.CellComm[k]
				if seen[ci] != walked {
					seen[ci] = walked
					ids = append(ids, ci)
				}
				if member != nil {
					if d := ix.CommuneDep[ci]; d < 0 || !member[d] {
						continue
					}
				}
				acc.need.addShare(cv.c.need, ci, ix.CellCommPop[k])
			}
			nbs := ix.adj.Neighbors(cell)
			border := len(nbs) < geo.MaxNeighbors // on the grid's edge
			for _, nb := range nbs {
				pn := int(nb)
				if !national {
					if pn = sc.Pos(nb); pn < 0 {
						border = true // across the scope's border
						continue
					}
				}
				bit := uint64(1) << (pn & 63)
				if uncovered[pn>>6]&bit == 0 {
					border = true // a covered cell
					continue
				}
				if pending[pn>>6]&bit != 0 {
					pending[pn>>6] &^= bit
					cv.gapBuf = append(cv.gapBuf, nb)
					if !national {
						posBuf = append(posBuf, int32(pn))
					}
				}
			}
			if q>>6 >= len(cv.gapBorder) {
				cv.gapBorder = append(cv.gapBorder, 0)
			}
			if border {
				cv.gapBorder[q>>6] |= 1 << (q & 63)
			}
		}
		cells := cv.gapBuf[start:]
		if num.RoundPop(acc.pops) == 0 {
			unpopulated++
			cv.gapBuf, ids = cv.gapBuf[:start], ids[:idsFrom]
			cv.gapBorder = truncBits(cv.gapBorder, start)
			if !national {
				posBuf = posBuf[:start]
			}
			continue
		}
		zones = append(zones, acc.zone(g, cells))
		zoneStart = append(zoneStart, int32(start))
		idStart = append(idStart, int32(idsFrom))
	}
	cv.touchCommunes(zones, ids, idStart)
	for i := range zones {
		end := len(cv.gapBuf)
		if i+1 < len(zones) {
			end = int(zoneStart[i+1])
		}
		// The walk starts from the zone's first cell in scope order, which is
		// grid order, which is H3 order: its smallest cell.
		zones[i].cells, zones[i].from = cv.gapBuf[zoneStart[i]:end:end], zoneStart[i]
		zones[i].ID = "gap-" + g.Cells[zones[i].cells[0]].String()
	}
	// Ranks, once ordered: zoneStart and posBuf follow the walk's order, so
	// the walk's index rides in Rank until then.
	for i := range zones {
		zones[i].Rank = i
	}
	slices.SortFunc(zones, gapOrder(cv.RankBy))
	gapOf := make([]int32, n)
	for i := range zones {
		w := zones[i].Rank
		zones[i].Rank = i + 1
		if national {
			for _, cell := range zones[i].cells {
				gapOf[cell] = int32(i + 1)
			}
			continue
		}
		end := len(cv.gapBuf)
		if w+1 < len(zoneStart) {
			end = int(zoneStart[w+1])
		}
		for _, p := range posBuf[zoneStart[w]:end] {
			gapOf[p] = int32(i + 1)
		}
	}
	cv.gapOf = gapOf
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

// zoneAcc sums the figures of a gap zone as its cells are walked.
type zoneAcc struct {
	cells                  int
	pops, sumDist, maxDist float64
	area, cx, cy           float64
	ext                    [4]int32 // cells of min lon, min lat, max lon, max lat centre
	need                   needAcc  // the shares of the scope's communes, which add up to pops
}

// start sets the extreme cells to the zone's first cell.
func (a *zoneAcc) start(first int32) { a.ext = [4]int32{first, first, first, first} }

// add adds a cell holding pop inhabitants of the scope, at distM from the
// nearest service point.
func (a *zoneAcc) add(g *geo.Grid, cell int32, pop float64, distM float32) {
	a.cells++
	d := float64(distM)
	a.pops += pop
	a.sumDist += pop * d
	if d > a.maxDist {
		a.maxDist = d
	}
	ar := g.AreaKm2[cell]
	a.area += ar
	p := g.Centers[cell]
	a.cx, a.cy = a.cx+ar*p[0], a.cy+ar*p[1]
	if p[0] < g.Centers[a.ext[0]][0] {
		a.ext[0] = cell
	}
	if p[1] < g.Centers[a.ext[1]][1] {
		a.ext[1] = cell
	}
	if p[0] > g.Centers[a.ext[2]][0] {
		a.ext[2] = cell
	}
	if p[1] > g.Centers[a.ext[3]][1] {
		a.ext[3] = cell
	}
}

// zone returns the zone of the cells summed (the walk's order).
func (a *zoneAcc) zone(g *geo.Grid, cells []int32) GapZone {
	z := GapZone{Cells: a.cells, Population: num.RoundPop(a.pops), MaxDistanceM: a.maxDist, AreaKm2: a.area}
	if a.pops > 0 {
		z.MeanDistanceM = a.sumDist / a.pops
	}
	if z.AreaKm2 > 0 {
		z.Centroid = [2]float64{a.cx / z.AreaKm2, a.cy / z.AreaKm2}
	}
	b := orb.Bound{Min: g.Centers[cells[0]], Max: g.Centers[cells[0]]}
	for _, cell := range a.ext {
		b = b.Union(g.CellBound(int(cell)))
	}
	z.BBox = [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	z.PopulationInDifficulty, z.PopulationWithoutIndex = a.need.difficulty, num.RoundPop(a.need.withoutIndex)
	z.ZRRPopulation, z.ZRRPartialPopulation = num.RoundPop(a.need.zrr), num.RoundPop(a.need.zrrPartial)
	return z
}

// nextPending returns the position of the first bit set in pending from
// position k on, or len(pending)*64.
func nextPending(pending []uint64, k int) int {
	wi := k >> 6
	if wi >= len(pending) {
		return len(pending) * 64
	}
	if w := pending[wi] >> (k & 63); w != 0 {
		return k + bits.TrailingZeros64(w)
	}
	for wi++; wi < len(pending); wi++ {
		if pending[wi] != 0 {
			return wi*64 + bits.TrailingZeros64(pending[wi])
		}
	}
	return len(pending) * 64
}

// truncBits clears the bits of b from position n on, and drops the words
// past it.
func truncBits(b []uint64, n int) []uint64 {
	b = b[:min(len(b), (n+63)>>6)]
	if n&63 != 0 && len(b) > 0 {
		b[len(b)-1] &= 1<<(n&63) - 1
	}
	return b
}

// touchCommunes fills the communes and départements each zone touches from
// the communes its walk met (ids[idStart[i]:idStart[i+1]] for zone i, in
// the order of zones), every zone's codes in one backing array.
func (cv *Coverage) touchCommunes(zones []GapZone, ids, idStart []int32) {
	t := cv.c.territory
	codes := make([]string, len(ids))
	for zi := range zones {
		z := &zones[zi]
		lo, hi := int(idStart[zi]), len(ids)
		if zi+1 < len(zones) {
			hi = int(idStart[zi+1])
		}
		met := ids[lo:hi]
		slices.Sort(met) // communes are sorted by code
		z.CommunesTouched = codes[lo:hi:hi]
		for k, ci := range met {
			cm := &t.Communes[ci]
			z.CommunesTouched[k] = cm.Code
			if len(z.DepartementsTouched) == 0 || !slices.Contains(z.DepartementsTouched, cm.Departement) {
				z.DepartementsTouched = append(z.DepartementsTouched, cm.Departement)
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
	// Only the zone's border cells, as the walk flagged them, are handed
	// over: Outline skips the others (every neighbour in the zone), and
	// their order, which decides where rings start, is kept.
	z := &cv.Gaps[i]
	var border []int32
	for q, cell := range z.cells {
		if b := int(z.from) + q; cv.gapBorder[b>>6]&(1<<(b&63)) != 0 {
			border = append(border, cell)
		}
	}
	return cv.ix.adj.Outline(border, func(cell int32) bool {
		p := cv.sc.Pos(cell)
		return p >= 0 && cv.gapOf[p] == int32(i+1)
	})
}
