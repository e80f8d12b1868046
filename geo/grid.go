package geo

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// coarseDepth is how many resolutions above the target BuildGrid scans from:
// each coarse cell holds 7³ = 343 target cells.
const coarseDepth = 3

// spreadChunk is the number of communes a worker spreads at a time.
const spreadChunk = 256

// PopulationPoint is one weighted point of a population grid: the centre of
// a square of INSEE's données carroyées (200 m or 1 km) and its
// inhabitants, or any point with a weight.
type PopulationPoint struct {
	Point  orb.Point // lon/lat
	Weight float64   // inhabitants (or any non-negative weight)
}

// BuildGrid builds the res-res H3 grid of the communes. Commune id i has
// shape shapes[i] (nil: no shape, and its population is left out of the
// grid), representative point reps[i] and population pops[i].
//
// Every cell whose centre locate puts in a commune belongs to that commune
// (Grid.Commune); each commune's population is spread over its cells in
// exact proportion to their area (fractional inhabitants, no rounding), so
// that it is conserved. A commune whose shape holds no cell centre puts its whole
// population in the cell containing its representative point, creating that
// cell (with Commune -1) if no commune owns its centre.
//
// locate must return the commune whose shape contains a point (only ids
// whose shape is non-nil) and be safe for concurrent use: it is called for
// the centres of all cells near the communes, from workers goroutines.
// Shapes are lon/lat and must not cross the antimeridian.
func BuildGrid(shapes []orb.MultiPolygon, reps []orb.Point, pops []int, locate func(orb.Point) (int, bool), res int, workers int) (*Grid, error) {
	return BuildGridWeighted(shapes, reps, pops, nil, locate, res, workers)
}

// BuildGridWeighted is BuildGrid with a population grid: each point adds
// its weight to the grid cell containing it, and a commune's population is
// spread over its cells in proportion to those weights, so that it sits
// where people live. A commune whose cells receive no weight (the
// population grid does not reach it) is spread by area as BuildGrid does.
// Grid.Weighted says which communes followed the points. With no points it
// is BuildGrid.
func BuildGridWeighted(shapes []orb.MultiPolygon, reps []orb.Point, pops []int, points []PopulationPoint, locate func(orb.Point) (int, bool), res int, workers int) (*Grid, error) {
	return buildGrid(shapes, reps, pops, points, locate, res, workers, nil)
}

// buildGrid is BuildGridWeighted taking the cells of the coarse cells
// reuse finds clean from its previous grid (nil: none; grid_reuse.go).
func buildGrid(shapes []orb.MultiPolygon, reps []orb.Point, pops []int, points []PopulationPoint, locate func(orb.Point) (int, bool), res int, workers int, reuse *scanReuse) (*Grid, error) {
	n := len(shapes)
	if len(reps) != n || len(pops) != n {
		return nil, fmt.Errorf("build grid: %d shapes, %d representative points, %d populations", n, len(reps), len(pops))
	}
	if res < 0 || res > h3.MaxResolution {
		return nil, fmt.Errorf("build grid: resolution %d out of [0, %d]", res, h3.MaxResolution)
	}
	if locate == nil {
		return nil, fmt.Errorf("build grid: nil locate function")
	}
	for i, p := range pops {
		if p < 0 || p > math.MaxInt32 {
			return nil, fmt.Errorf("build grid: commune %d: population %d out of range", i, p)
		}
	}
	for i, p := range points {
		if !(p.Weight >= 0) || math.IsInf(p.Weight, 0) || math.IsNaN(p.Point[0]) || math.IsNaN(p.Point[1]) {
			return nil, fmt.Errorf("build grid: population point %d: weight %v at %v", i, p.Weight, p.Point)
		}
	}
	workers = max(1, workers)

	k := max(0, res-coarseDepth)
	coarse := coverCells(newBoundTree(shapes), k)
	sc := newScanner(shapes, locate, k, res)
	sc.reuse = reuse
	scan, err := sc.scanAll(coarse, k, workers)
	if err != nil {
		return nil, err
	}
	owned := make([]int32, n)
	for _, id := range scan.commune {
		owned[id]++
	}
	repCell, err := addRepresentativeCells(&scan, shapes, reps, owned, res)
	if err != nil {
		return nil, err
	}
	g := &Grid{
		Resolution: res,
		Cells:      scan.cells,
		Centers:    scan.centers,
		Commune:    scan.commune,
		AreaKm2:    scan.areaKm2,
		ShareStart: make([]int32, n+1),
	}
	for id := range n {
		cnt := owned[id]
		if cnt == 0 && shapes[id] != nil {
			cnt = 1
		}
		g.ShareStart[id+1] = g.ShareStart[id] + cnt
	}
	g.Shares = make([]CellShare, g.ShareStart[n])
	cursor := slices.Clone(g.ShareStart[:n])
	for i, id := range g.Commune {
		if id >= 0 {
			g.Shares[cursor[id]].Cell = int32(i)
			cursor[id]++
		}
	}
	for id, c := range repCell {
		if c != 0 {
			i, _ := g.Index(c)
			g.Shares[g.ShareStart[id]] = CellShare{Cell: int32(i), Population: float64(pops[id])}
		}
	}
	var cellWeight []float64
	if len(points) > 0 {
		cellWeight = make([]float64, len(g.Cells))
		for _, p := range points {
			c := h3.LatLngToCell(h3.NewLatLng(p.Point[1], p.Point[0]), res)
			if i, ok := g.Index(c); ok {
				cellWeight[i] += p.Weight
			}
		}
		g.Weighted = make([]bool, n)
	}
	g.spread(pops, owned, cellWeight, workers)
	g.sumPopulation()
	return g, nil
}

// addRepresentativeCells finds the representative-point cell of every
// commune with a shape but no owned cell, and merges those cells missing
// from scan into it (Commune -1). It returns that cell per commune
// (0 for the others).
func addRepresentativeCells(scan *cellScan, shapes []orb.MultiPolygon, reps []orb.Point, owned []int32, res int) ([]h3.Cell, error) {
	repCell := make([]h3.Cell, len(shapes))
	var extra []h3.Cell
	for id, s := range shapes {
		if s == nil || owned[id] > 0 {
			continue
		}
		p := reps[id]
		c := h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), res)
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || !c.IsValid() {
			return nil, fmt.Errorf("build grid: commune %d: representative point %v has no H3 cell", id, p)
		}
		repCell[id] = c
		if _, found := slices.BinarySearch(scan.cells, c); !found {
			extra = append(extra, c)
		}
	}
	if len(extra) == 0 {
		return repCell, nil
	}
	slices.Sort(extra)
	extra = slices.Compact(extra)
	total := len(scan.cells) + len(extra)
	merged := cellScan{
		cells:   make([]h3.Cell, 0, total),
		centers: make([]orb.Point, 0, total),
		commune: make([]int32, 0, total),
		areaKm2: make([]float64, 0, total),
	}
	i := 0
	for _, c := range extra {
		for ; i < len(scan.cells) && scan.cells[i] < c; i++ {
			merged.add(scan.cells[i], scan.centers[i], scan.commune[i], scan.areaKm2[i])
		}
		ll := h3.CellToLatLng(c)
		merged.add(c, orb.Point{ll.Lng, ll.Lat}, -1, h3.CellAreaKm2(c))
	}
	for ; i < len(scan.cells); i++ {
		merged.add(scan.cells[i], scan.centers[i], scan.commune[i], scan.areaKm2[i])
	}
	*scan = merged
	return repCell, nil
}

// spread sets the population of the shares of every commune that owns
// cells, in proportion to the cells' weights (cellWeight, when the commune's
// cells hold any, setting Weighted) or else to their areas, on workers
// goroutines.
func (g *Grid) spread(pops []int, owned []int32, cellWeight []float64, workers int) {
	n := len(owned)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var weights, parts []float64
			for {
				lo := int(next.Add(spreadChunk) - spreadChunk)
				if lo >= n {
					return
				}
				for id := lo; id < min(n, lo+spreadChunk); id++ {
					if owned[id] == 0 {
						continue
					}
					shares := g.Shares[g.ShareStart[id]:g.ShareStart[id+1]]
					weights = weights[:0]
					var sum float64
					if cellWeight != nil {
						for _, s := range shares {
							weights = append(weights, cellWeight[s.Cell])
							sum += cellWeight[s.Cell]
						}
					}
					if sum > 0 {
						g.Weighted[id] = true
					} else {
						weights = weights[:0]
						for _, s := range shares {
							weights = append(weights, g.AreaKm2[s.Cell])
						}
					}
					parts = slices.Grow(parts[:0], len(shares))[:len(shares)]
					spreadProportional(float64(pops[id]), weights, parts)
					for j := range shares {
						shares[j].Population = parts[j]
					}
				}
			}
		})
	}
	wg.Wait()
}

// sumPopulation fills Population from the shares, in share order (LoadGrid
// checks the sums in the same order).
func (g *Grid) sumPopulation() {
	g.Population = make([]float64, len(g.Cells))
	for _, s := range g.Shares {
		g.Population[s.Cell] += s.Population
	}
}

// MostPopulatedCell returns the cell of commune id holding the most of its
// population (ties to the lowest cell), or false for a commune without
// shares. With a population grid it is where the commune's people live
// most densely: its representative point.
func (g *Grid) MostPopulatedCell(id int) (int, bool) {
	best, bestPop := -1, -1.0
	for _, s := range g.CommuneShares(id) {
		if s.Population > bestPop {
			best, bestPop = int(s.Cell), s.Population
		}
	}
	return best, best >= 0
}

// Len returns the number of cells.
func (g *Grid) Len() int { return len(g.Cells) }

// Index returns the position of cell c in the grid.
func (g *Grid) Index(c h3.Cell) (int, bool) {
	return slices.BinarySearch(g.Cells, c)
}

// CommuneShares returns the cells holding the population of commune id, in
// ascending cell order: every cell whose centre lies in the commune (some
// may hold 0 inhabitants of a small commune), or the single cell of its
// representative point. It is nil for an unknown id or a commune without
// shape. The slice aliases the grid: do not modify it.
func (g *Grid) CommuneShares(id int) []CellShare {
	if id < 0 || id+1 >= len(g.ShareStart) {
		return nil
	}
	return g.Shares[g.ShareStart[id]:g.ShareStart[id+1]]
}

// CellPolygon returns the outline of cell i as a closed counter-clockwise
// lon/lat ring.
func (g *Grid) CellPolygon(i int) orb.Polygon {
	return orb.Polygon{CellRing(g.Cells[i])}
}

// CellBound returns the lon/lat bounding box of the outline of cell i,
// without allocating.
func (g *Grid) CellBound(i int) orb.Bound {
	bd := h3.CellToBoundary(g.Cells[i])
	b := orb.Bound{Min: orb.Point{bd[0].Lng, bd[0].Lat}, Max: orb.Point{bd[0].Lng, bd[0].Lat}}
	for _, v := range bd[1:] {
		b = b.Extend(orb.Point{v.Lng, v.Lat})
	}
	return b
}

// CellAreaKm2 returns the area of cell i in km² (AreaKm2[i]: within 1e-8
// relative of h3.CellAreaKm2, which costs ~2.5 µs a call).
func (g *Grid) CellAreaKm2(i int) float64 {
	return g.AreaKm2[i]
}

// Neighbors appends to dst[:0] the positions of the grid cells among the H3
// neighbours of cell i (at most 6, 5 around a pentagon) and returns it.
// It costs one h3.GridDisk call (~0.2 µs, 2 small allocations inside h3-go)
// and 6 binary searches; Adjacency tabulates it for every cell.
func (g *Grid) Neighbors(i int, dst []int32) []int32 {
	return g.appendNeighbors(dst[:0], i, 0, 0)
}
