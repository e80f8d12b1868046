package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
	h3 "github.com/uber/h3-go/v4"
)

// descendantMargin is how far, as a fraction of a cell's lon/lat bounding box,
// the centres of its descendants may lie outside that box. H3 descendants
// overflow their ancestor hexagon by under 9 % of its box at any depth
// (measured over random cells, great-circle bulge of res-0 edges included:
// see TestDescendantsWithinCoverBound); 0.25 leaves a safety factor of ~3.
const descendantMargin = 0.25

// boundTree indexes the bounding boxes of the commune shapes.
type boundTree struct {
	tr rtree.RTreeG[int32]
}

// newBoundTree indexes the bound of every non-empty shape.
func newBoundTree(shapes []orb.MultiPolygon) *boundTree {
	bt := &boundTree{}
	for i, s := range shapes {
		b := shapeBound(s)
		if len(s) == 0 || b.Min[0] > b.Max[0] {
			continue // no shape, or no point in it
		}
		bt.tr.Insert(b.Min, b.Max, int32(i))
	}
	return bt
}

// shapeBound is mp.Bound() in a tight loop over the outer rings (holes lie
// inside them), ~3× faster than orb's Extend per point.
func shapeBound(mp orb.MultiPolygon) orb.Bound {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, poly := range mp {
		if len(poly) == 0 {
			continue
		}
		for _, p := range poly[0] {
			minX, maxX = min(minX, p[0]), max(maxX, p[0])
			minY, maxY = min(minY, p[1]), max(maxY, p[1])
		}
	}
	return orb.Bound{Min: orb.Point{minX, minY}, Max: orb.Point{maxX, maxY}}
}

// intersects reports whether some commune bound intersects b.
func (bt *boundTree) intersects(b orb.Bound) bool {
	hit := false
	bt.tr.Search(b.Min, b.Max, func(_, _ [2]float64, _ int32) bool {
		hit = true
		return false
	})
	return hit
}

// coverBound returns a lon/lat box holding the centres of every descendant of
// c: the bound of its vertices widened by descendantMargin on each side, with
// every longitude (and up to the pole) for a cell spanning the antimeridian
// or a pole.
func coverBound(c h3.Cell) orb.Bound {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, v := range h3.CellToBoundary(c) {
		b = b.Extend(orb.Point{v.Lng, v.Lat})
	}
	dx := (b.Max[0] - b.Min[0]) * descendantMargin
	dy := (b.Max[1] - b.Min[1]) * descendantMargin
	b.Min[0] -= dx
	b.Max[0] += dx
	b.Min[1] = max(-90, b.Min[1]-dy)
	b.Max[1] = min(90, b.Max[1]+dy)
	if b.Min[0] < -180 || b.Max[0] > 180 {
		b.Min[0], b.Max[0] = -180, 180 // wraps: keep every longitude
	}
	if b.Max[0]-b.Min[0] > 180 { // spans the antimeridian, maybe a pole
		b.Min[0], b.Max[0] = -180, 180
		if h3.CellToLatLng(c).Lat > 0 {
			b.Max[1] = 90
		} else {
			b.Min[1] = -90
		}
	}
	return b
}

// coverCells returns, in ascending order, the res-k cells some of whose
// descendants may have their centre in a commune bound: a descent from the
// res-0 cells keeping, at each resolution, the cells whose coverBound meets a
// commune bound. Every descendant of a dropped cell has its centre outside
// every commune bound, hence outside every commune.
func coverCells(bt *boundTree, k int) []h3.Cell {
	level := h3.Res0Cells()
	slices.Sort(level)
	for res := 0; ; res++ {
		kept := level[:0]
		for _, c := range level {
			if bt.intersects(coverBound(c)) {
				kept = append(kept, c)
			}
		}
		if res == k {
			return kept
		}
		next := make([]h3.Cell, 0, 7*len(kept))
		for _, c := range kept {
			next = append(next, c.Children(res+1)...)
		}
		level = next
	}
}
