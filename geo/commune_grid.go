package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// partGrid is CommuneIndex's point-lookup accelerator: a two-level grid over
// the lon/lat box of all polygons. Whole-degree blocks that some polygon box
// reaches are cut into cpd × cpd cells. Each cell lists, in
// commune-id order, what a point of the cell must be tested against:
//
//   - a polygon whose boundary passes through the cell: its part index (≥ 0),
//     to be tested exactly;
//   - a polygon covering the whole cell (no edge of any of its rings reaches
//     the cell, and the cell's centre is inside): -(commune id + 1), the
//     answer for every point of the cell that no earlier entry contains;
//   - a polygon whose box reaches the cell but which misses it entirely is
//     not listed.
//
// A point lookup then reads a handful of cache lines, where an R-tree
// descent scans several 64-entry nodes (about 0.5 µs on cold memory), and
// most points need one exact test or none.
//
// "Reaches" is decided with cellXY, which is non-decreasing in each
// coordinate: a segment whose box maps outside a cell's range shares no point
// with the cell's region (the points mapping to the cell), so that region,
// connected and free of boundary, is wholly inside or wholly outside.
type partGrid struct {
	lon0, lat0 float64 // south-west corner of block (0, 0), whole degrees
	lon1, lat1 float64 // north-east corner of the polygons' box
	nx, ny     int     // blocks along lon and lat
	cpd        int     // cells per degree along each axis
	block      []int32 // per block (row-major): its index among the cut blocks, or -1
	start      []int32 // cells of cut block b: cand[start[c]:start[c+1]], c = (b·cpd + cy)·cpd + cx
	cand       []int32 // part index to test, or -(id+1) for a covering commune
}

// maxCellsPerDeg is the finest grid: 0.01° cells, about 1.1 km × 0.75 km in
// metropolitan France, against communes of 15 km² on average. Shapes spread
// over more than maxGridCells / maxCellsPerDeg² degree-blocks get a coarser
// grid, halving cpd until the cells fit in maxGridCells.
const (
	maxCellsPerDeg = 100
	maxGridCells   = 1 << 22
)

// newPartGrid builds the grid over the parts of ix.
func newPartGrid(ix *CommuneIndex) partGrid {
	var g partGrid
	parts := ix.parts
	if len(parts) == 0 {
		return g
	}
	all := parts[0].bound
	for i := range parts {
		all = all.Union(parts[i].bound)
	}
	g.lon0, g.lat0 = math.Floor(all.Min[0]), math.Floor(all.Min[1])
	g.lon1, g.lat1 = all.Max[0], all.Max[1]

	// Choose cpd from the number of degree-blocks reached, then cut the
	// blocks reached in cell coordinates (the only ones lookups use).
	nx := int(math.Floor(all.Max[0])-g.lon0) + 1
	reached := make(map[int]bool)
	for i := range parts {
		b := parts[i].bound
		for by := int(b.Min[1] - g.lat0); by <= int(b.Max[1]-g.lat0); by++ {
			for bx := int(b.Min[0] - g.lon0); bx <= int(b.Max[0]-g.lon0); bx++ {
				reached[by*nx+bx] = true
			}
		}
	}
	g.cpd = maxCellsPerDeg
	for g.cpd > 1 && len(reached)*g.cpd*g.cpd > maxGridCells {
		g.cpd /= 2
	}
	mx, my := g.cellXY(all.Max)
	g.nx, g.ny = mx/g.cpd+1, my/g.cpd+1
	g.block = make([]int32, g.nx*g.ny)
	for i := range g.block {
		g.block[i] = -1
	}
	cut := 0
	for i := range parts {
		x0, y0, x1, y1 := g.cellRange(parts[i].bound)
		for by := y0 / g.cpd; by <= y1/g.cpd; by++ {
			for bx := x0 / g.cpd; bx <= x1/g.cpd; bx++ {
				if blk := &g.block[by*g.nx+bx]; *blk < 0 {
					*blk = int32(cut)
					cut++
				}
			}
		}
	}

	// Entries (cell, value), generated in part order, hence in commune-id
	// order within each cell; then a stable counting sort by cell.
	type entry struct{ cell, v int32 }
	var entries []entry
	var touched []bool
	for k := range parts {
		pt := &parts[k]
		x0, y0, x1, y1 := g.cellRange(pt.bound)
		w, h := x1-x0+1, y1-y0+1
		touched = slices.Grow(touched[:0], w*h)[:w*h]
		clear(touched)
		for _, r := range ix.rings[pt.ringStart:pt.ringEnd] {
			a := r.pts[len(r.pts)-1]
			for _, b := range r.pts {
				ex0, ey0 := g.cellXY(orb.Point{math.Min(a[0], b[0]), math.Min(a[1], b[1])})
				ex1, ey1 := g.cellXY(orb.Point{math.Max(a[0], b[0]), math.Max(a[1], b[1])})
				for y := ey0; y <= ey1; y++ {
					for x := ex0; x <= ex1; x++ {
						touched[(y-y0)*w+x-x0] = true
					}
				}
				a = b
			}
		}
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				c := int32(g.cellIndex(x, y))
				if touched[(y-y0)*w+x-x0] {
					entries = append(entries, entry{c, int32(k)})
					continue
				}
				centre := orb.Point{g.lon0 + (float64(x)+0.5)/float64(g.cpd), g.lat0 + (float64(y)+0.5)/float64(g.cpd)}
				switch cx, cy := g.cellXY(centre); {
				case cx != x || cy != y: // rounding: keep the exact test
					entries = append(entries, entry{c, int32(k)})
				case ix.partContains(pt, centre):
					entries = append(entries, entry{c, -(pt.id + 1)})
				}
			}
		}
	}
	g.start = make([]int32, cut*g.cpd*g.cpd+1)
	for _, e := range entries {
		g.start[e.cell+1]++
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	g.cand = make([]int32, len(entries))
	fill := slices.Clone(g.start[:len(g.start)-1])
	for _, e := range entries {
		g.cand[fill[e.cell]] = e.v
		fill[e.cell]++
	}
	return g
}

// cellRange returns the global cell coordinates covered by box b.
func (g *partGrid) cellRange(b orb.Bound) (x0, y0, x1, y1 int) {
	x0, y0 = g.cellXY(b.Min)
	x1, y1 = g.cellXY(b.Max)
	return
}

// cellXY returns the global cell coordinates of p (which must lie in the
// grid's box). It is non-decreasing in each coordinate, so a point inside a
// polygon's box falls in one of the cells listed for the polygon.
func (g *partGrid) cellXY(p orb.Point) (x, y int) {
	return int((p[0] - g.lon0) * float64(g.cpd)), int((p[1] - g.lat0) * float64(g.cpd))
}

// cellIndex returns the index in start of global cell (x, y), whose block
// must be cut.
func (g *partGrid) cellIndex(x, y int) int {
	b := int(g.block[(y/g.cpd)*g.nx+x/g.cpd])
	return (b*g.cpd+y%g.cpd)*g.cpd + x%g.cpd
}

// candidates returns the entries of p's cell (see partGrid).
func (g *partGrid) candidates(p orb.Point) []int32 {
	if !(p[0] >= g.lon0 && p[0] <= g.lon1 && p[1] >= g.lat0 && p[1] <= g.lat1) { // also rejects NaN
		return nil
	}
	x, y := g.cellXY(p)
	b := int(g.block[(y/g.cpd)*g.nx+x/g.cpd])
	if b < 0 {
		return nil
	}
	c := (b*g.cpd+y%g.cpd)*g.cpd + x%g.cpd
	return g.cand[g.start[c]:g.start[c+1]]
}
