package geo

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	h3 "github.com/uber/h3-go/v4"
)

// MaxNeighbors is the most neighbours an H3 cell has (a pentagon has 5).
const MaxNeighbors = 6

// groupDepth is how many resolutions above the grid's Groups gathers cells:
// 7³ = 343 cells a group, about 250 km² at res 8.
const groupDepth = 3

// Groups returns the starts of the runs of cells sharing their H3 parent
// groupDepth resolutions up, then len(Cells): group k is
// Cells[starts[k]:starts[k+1]] (no group for an empty grid). Cells are sorted by H3 index, so the
// descendants of a parent are contiguous; a group is compact on the ground,
// which suits work split by neighbourhood (nearest-site searches, adjacency).
func (g *Grid) Groups() []int32 {
	if len(g.Cells) == 0 {
		return []int32{0}
	}
	pr := max(0, g.Resolution-groupDepth)
	shift := uint(3 * (15 - pr)) // digits of resolutions > pr sit in the low 3×(15−pr) bits
	starts := []int32{0}
	for i := 1; i < len(g.Cells); i++ {
		if uint64(g.Cells[i])>>shift != uint64(g.Cells[i-1])>>shift {
			starts = append(starts, int32(i))
		}
	}
	return append(starts, int32(len(g.Cells)))
}

// Adjacency is the neighbour table of a grid, for walks that visit the
// neighbours of many cells many times (connected components, outlines):
// Grid.Neighbors costs an h3 call and binary searches per cell, a table
// lookup nothing. It holds 24 bytes per cell and is read-only once built.
type Adjacency struct {
	g  *Grid
	nb []int32 // MaxNeighbors slots per cell, the neighbours first, then -1
}

// adjacencyChunk is the number of cell groups a worker takes at a time.
const adjacencyChunk = 16

// Adjacency builds the neighbour table of the grid on workers goroutines
// (about 0.5 s for the 750,000 res-8 cells of France on 2 cores).
func (g *Grid) Adjacency(workers int) *Adjacency {
	a := &Adjacency{g: g, nb: make([]int32, MaxNeighbors*len(g.Cells))}
	groups := g.Groups()
	nGroups := len(groups) - 1
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			var buf [MaxNeighbors + 1]int32
			for {
				lo := int(next.Add(adjacencyChunk) - adjacencyChunk)
				if lo >= nGroups {
					return
				}
				for k := lo; k < min(nGroups, lo+adjacencyChunk); k++ {
					glo, ghi := int(groups[k]), int(groups[k+1])
					for i := glo; i < ghi; i++ {
						nb := g.appendNeighbors(buf[:0], i, glo, ghi)
						slots := a.nb[MaxNeighbors*i : MaxNeighbors*(i+1)]
						n := copy(slots, nb)
						for j := n; j < MaxNeighbors; j++ {
							slots[j] = -1
						}
					}
				}
			}
		})
	}
	wg.Wait()
	return a
}

// Neighbors returns the grid positions of the neighbours of cell i, in the
// order Grid.Neighbors gives them. The slice aliases the table: do not
// modify it.
func (a *Adjacency) Neighbors(i int32) []int32 {
	s := a.nb[MaxNeighbors*int(i) : MaxNeighbors*int(i+1)]
	for k, j := range s {
		if j < 0 {
			return s[:k]
		}
	}
	return s
}

// Outline returns the outline of a set of grid cells as lon/lat polygons,
// one per connected group, each with a counter-clockwise exterior ring and
// a clockwise ring per hole (cells outside the set enclosed by it), all
// closed: the polygons CellsOutline gives for the same cells. cells lists
// the set (grid positions, each once; their order decides where rings
// start) and in reports whether a grid cell belongs to it.
//
// Only the set's border cells are looked at: an edge of a border cell is on
// the outline when the cell across it is not in the set. The cell across an
// edge is the neighbour whose centre is nearest to the edge's midpoint (at
// the same distance as the cell's own centre, where the other neighbours
// are √3 times farther); when no neighbour is that close, the cell across is
// not in the grid. It costs one cell boundary per border cell, against one
// per cell and a map entry per edge for CellsOutline.
func (a *Adjacency) Outline(cells []int32, in func(i int32) bool) orb.MultiPolygon {
	g := a.g
	vs := newVertexSet(0)
	next := map[int32]int32{} // outline edges: at every outline vertex exactly one leaves
	var starts []int32        // the start vertex of every outline edge, in discovery order
	for _, cell := range cells {
		nb := a.Neighbors(cell)
		border := len(nb) < MaxNeighbors
		for _, n := range nb {
			if !in(n) {
				border = true
				break
			}
		}
		if !border {
			continue
		}
		c := g.Centers[cell]
		kx := math.Cos(c[1] * math.Pi / 180) // local planar metric: lon scaled by cos(lat)
		d2 := func(p, q orb.Point) float64 {
			dx, dy := (p[0]-q[0])*kx, p[1]-q[1]
			return dx*dx + dy*dy
		}
		bd := h3.CellToBoundary(g.Cells[cell])
		for k := range bd {
			v0, v1 := bd[k], bd[(k+1)%len(bd)]
			m := orb.Point{(v0.Lng + v1.Lng) / 2, (v0.Lat + v1.Lat) / 2}
			across, best := int32(-1), math.Inf(1)
			for _, n := range nb {
				if d := d2(m, g.Centers[n]); d < best {
					across, best = n, d
				}
			}
			if across >= 0 && best <= 1.44*d2(m, c) && in(across) {
				continue // shared with a cell of the set
			}
			from, to := vs.id(v0), vs.id(v1)
			next[from] = to
			starts = append(starts, from)
		}
	}
	return AssembleRings(next, starts, vs.pts)
}

// appendNeighbors appends to dst the grid positions of the H3 neighbours of
// cell i, in h3.GridDisk order, looking for them first among Cells[lo:hi]
// (the group of cell i, where most of them are).
func (g *Grid) appendNeighbors(dst []int32, i, lo, hi int) []int32 {
	c := g.Cells[i]
	for _, nb := range h3.GridDisk(c, 1) {
		if nb == c {
			continue
		}
		if j := g.search(nb, lo, hi); j >= 0 {
			dst = append(dst, int32(j))
		}
	}
	return dst
}

// search returns the position of c in Cells, or -1, looking first in
// Cells[lo:hi] when c falls within its range.
func (g *Grid) search(c Cell, lo, hi int) int {
	if lo < hi && g.Cells[lo] <= c && c <= g.Cells[hi-1] {
		if k, ok := slices.BinarySearch(g.Cells[lo:hi], c); ok {
			return lo + k
		}
		return -1
	}
	if k, ok := slices.BinarySearch(g.Cells, c); ok {
		return k
	}
	return -1
}
