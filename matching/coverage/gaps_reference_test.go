package coverage

import (
	"slices"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching/internal/num"
)

// The gap zones as computed before the single-pass walk of gaps.go (a
// breadth-first search, then separate passes for the figures, the need
// and the communes touched), kept as the reference the walk must match
// zone for zone, cell for cell and bit for bit (TestGapsMatchReference).

// ReferenceGaps computes the gap zones of cv again with the reference
// code and returns them with the gap zone of every scope cell.
func (cv *Coverage) ReferenceGaps() (gaps []GapZone, unpopulated int, gapOf []int32) {
	ref := *cv
	ref.gapBuf, ref.gapOf, ref.Gaps = nil, nil, nil
	ref.referenceGaps()
	return ref.Gaps, ref.GapZonesUnpopulated, ref.gapOf
}

// GapOf returns the gap zone (index in Gaps + 1, 0 for none) of every scope cell.
func (cv *Coverage) GapOf() []int32 { return cv.gapOf }

// GapCellIndexes returns the grid indexes of the cells of zone z.
func (z *GapZone) GapCellIndexes() []int32 { return z.cells }

// computeGaps finds the gap zones of the scope.
func (cv *Coverage) referenceGaps() {
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
		z := cv.refZoneStats(cv.gapBuf[start:], g)
		if z.Population == 0 {
			unpopulated++
			cv.gapBuf = cv.gapBuf[:start]
			continue
		}
		cv.refZoneNeed(&z, cv.gapBuf[start:], member)
		zones = append(zones, z)
		zoneStart = append(zoneStart, start)
	}
	for i := range zones {
		end := len(cv.gapBuf)
		if i+1 < len(zones) {
			end = zoneStart[i+1]
		}
		zones[i].cells, zones[i].from = cv.gapBuf[zoneStart[i]:end], int32(zoneStart[i])
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
	cv.refTouchCommunes(zones)
	cv.Gaps, cv.GapZonesUnpopulated = zones, unpopulated
	if cv.Gaps == nil {
		cv.Gaps = []GapZone{}
	}
}

// zoneNeed adds to z the fragility and ZRR figures of its cells: the
// shares of the scope's communes (member: départements in scope, nil for
// all), which add up to z.Population.
func (cv *Coverage) refZoneNeed(z *GapZone, cells []int32, member []bool) {
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
func (cv *Coverage) refZoneStats(cells []int32, g *geo.Grid) GapZone {
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
func (cv *Coverage) refTouchCommunes(zones []GapZone) {
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

// ReferenceOutline is the outline of zone i of Gaps from all its cells,
// as GapOutline gave it before it handed over only the border cells.
func (cv *Coverage) ReferenceOutline(i int) orb.MultiPolygon {
	return cv.ix.adj.Outline(cv.Gaps[i].cells, func(cell int32) bool {
		p := cv.sc.Pos(cell)
		return p >= 0 && cv.gapOf[p] == int32(i+1)
	})
}
