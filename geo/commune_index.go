package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// CommuneIndex finds which commune contains a point. Each polygon of each
// commune's MultiPolygon sits in an R-tree by its bounding box; candidates
// are then tested exactly, ring by ring, with the crossing-number rule
// (holes and MultiPolygons respected). Ids are indexes in the slice given to
// NewCommuneIndex.
//
// Polygons are closed: a point on a commune's boundary (outer ring or hole,
// a vertex or any point of an edge, by an exact cross product) belongs to
// it, so that a point on the coast or on a national border is found. A point
// on an edge or vertex shared by several communes belongs to all of them
// and, as when overlapping shapes both contain a point, the lowest id wins:
// with ids in INSEE-code order, the smallest code. The crossing test of
// every candidate polygon also flags, for two comparisons per edge, whether
// the point may lie on its boundary (see mayTouch); only then are its edges
// tested exactly, so interior points pay nothing more.
//
// Rings of more than minSlabEdges edges carry y-slab edge buckets: the ring's
// latitude range is cut into horizontal slabs, each listing the edges that
// reach it, so a containment test reads only the few edges of the point's
// slab instead of the whole ring.
//
// A CommuneIndex is read-only once built and safe for concurrent use. It
// keeps the shapes it was given (it does not copy them): do not modify them
// afterwards.
type CommuneIndex struct {
	tree      rtree.RTreeG[int32] // polygon bounding boxes → index in parts
	parts     []communePart       // polygons, grouped by commune id in id order
	partStart []int32             // parts of commune id: parts[partStart[id]:partStart[id+1]]
	rings     []indexedRing       // rings of all parts
	grid      partGrid            // point lookups (At)
	count     int                 // communes with at least one polygon
}

// communePart is one polygon of a commune.
type communePart struct {
	id                 int32 // commune id
	bound              orb.Bound
	ringStart, ringEnd int32 // rings[ringStart] is the outer ring, then holes
}

// indexedRing is a ring with its bounding box and, for large rings, y-slab
// edge buckets: slab s lists, as entries slab[s] to slab[s+1] of edges, the
// start index e of every non-horizontal edge pts[e]→pts[e+1 (mod n)] whose
// latitude range reaches the slab. An entry is one uint16, or two (low
// half first) in a ring of more than 65,536 positions (wide): the edge
// lists are the index's largest part, and held as int32 they took twice
// the memory for rings that nearly all have fewer.
type indexedRing struct {
	bound     orb.Bound
	pts       orb.Ring
	y0, scale float64 // slab of y: int((y - y0) * scale), clamped
	slab      []int32
	edges     []uint16
	wide      bool
}

// boundaryRule numbers the rule by which At places a point on a boundary
// (1: as if nudged east; 2: closed polygons, lowest id). Grids assign cells
// by At, so InputsKey includes it: a grid cached under another rule is
// rebuilt.
const boundaryRule = 2

// minSlabEdges is the ring size from which y-slab buckets are built; smaller
// rings are scanned whole. edgesPerSlab sets the number of slabs.
const (
	minSlabEdges = 24
	edgesPerSlab = 4
)

// NewCommuneIndex indexes shapes; the id of a commune is its index in
// shapes. Nil or empty shapes, and polygons whose outer ring has fewer than 3
// points, are skipped: no point is ever found in them.
func NewCommuneIndex(shapes []orb.MultiPolygon) *CommuneIndex {
	return newCommuneIndex(shapes, newIndexedRing)
}

// newCommuneIndex is NewCommuneIndex with the indexed rings made by ring.
func newCommuneIndex(shapes []orb.MultiPolygon, ring func(orb.Ring) indexedRing) *CommuneIndex {
	ix := &CommuneIndex{partStart: make([]int32, len(shapes)+1)}
	for id, mp := range shapes {
		ix.partStart[id] = int32(len(ix.parts))
		before := len(ix.parts)
		for _, poly := range mp {
			if len(poly) == 0 || len(poly[0]) < 3 {
				continue
			}
			part := communePart{id: int32(id), ringStart: int32(len(ix.rings))}
			for _, r := range poly {
				if len(r) < 3 {
					continue
				}
				ix.rings = append(ix.rings, ring(r))
			}
			part.ringEnd = int32(len(ix.rings))
			part.bound = ix.rings[part.ringStart].bound
			ix.tree.Insert(part.bound.Min, part.bound.Max, int32(len(ix.parts)))
			ix.parts = append(ix.parts, part)
		}
		if len(ix.parts) > before {
			ix.count++
		}
	}
	ix.partStart[len(shapes)] = int32(len(ix.parts))
	// Appending left up to a quarter of both arrays unused, held for as
	// long as the index: keep exact copies.
	ix.rings, ix.parts = slices.Clone(ix.rings), slices.Clone(ix.parts)
	ix.grid = newPartGrid(ix)
	return ix
}

func newIndexedRing(r orb.Ring) indexedRing {
	ir := indexedRing{bound: ringBound(r), pts: r}
	n := len(r)
	h := ir.bound.Max[1] - ir.bound.Min[1]
	if n < minSlabEdges || !(h > 0) {
		return ir
	}
	nSlab := n / edgesPerSlab
	ir.y0, ir.scale = ir.bound.Min[1], float64(nSlab)/h
	// Counting sort of edges into slabs: count, prefix sums, fill.
	ir.slab = make([]int32, nSlab+1)
	for e := 0; e < n; e++ {
		lo, hi, ok := ir.edgeSlabs(e)
		for s := lo; ok && s <= hi; s++ {
			ir.slab[s+1]++
		}
	}
	for s := 1; s <= nSlab; s++ {
		ir.slab[s] += ir.slab[s-1]
	}
	ir.wide = n > 1<<16
	per := 1
	if ir.wide {
		per = 2
	}
	ir.edges = make([]uint16, per*int(ir.slab[nSlab]))
	fill := make([]int32, nSlab)
	copy(fill, ir.slab[:nSlab])
	for e := 0; e < n; e++ {
		lo, hi, ok := ir.edgeSlabs(e)
		for s := lo; ok && s <= hi; s++ {
			k := per * int(fill[s])
			ir.edges[k] = uint16(e)
			if ir.wide {
				ir.edges[k+1] = uint16(e >> 16)
			}
			fill[s]++
		}
	}
	return ir
}

// ringBound returns the bounding box of a non-empty ring.
func ringBound(r orb.Ring) orb.Bound {
	b := orb.Bound{Min: r[0], Max: r[0]}
	for _, p := range r[1:] {
		b.Min[0], b.Max[0] = min(b.Min[0], p[0]), max(b.Max[0], p[0])
		b.Min[1], b.Max[1] = min(b.Min[1], p[1]), max(b.Max[1], p[1])
	}
	return b
}

// edgeSlabs returns the slabs reached by edge e; ok is false for horizontal
// edges, which never cross a ray.
func (r *indexedRing) edgeSlabs(e int) (lo, hi int, ok bool) {
	j := e + 1
	if j == len(r.pts) {
		j = 0
	}
	a, b := r.pts[e][1], r.pts[j][1]
	if a == b {
		return 0, 0, false
	}
	return r.slabOf(math.Min(a, b)), r.slabOf(math.Max(a, b)), true
}

// slabOf returns the slab holding latitude y. It is non-decreasing in y, so an
// edge crossing the ray at y is listed in slabOf(y).
func (r *indexedRing) slabOf(y float64) int {
	s := int((y - r.y0) * r.scale)
	if s < 0 {
		return 0
	}
	if last := len(r.slab) - 2; s > last {
		return last
	}
	return s
}

// locate returns whether p is inside the ring (rayCross rule) and
// whether it may lie on the ring (see mayTouch; false guarantees it does
// not), reading only the edges of p's slab.
func (r *indexedRing) locate(p orb.Point) (in, maybeOn bool) {
	if p[0] < r.bound.Min[0] || p[0] > r.bound.Max[0] || p[1] < r.bound.Min[1] || p[1] > r.bound.Max[1] {
		return false, false
	}
	if r.slab == nil {
		return ringLocate(r.pts, p)
	}
	s := r.slabOf(p[1])
	lo, hi := int(r.slab[s]), int(r.slab[s+1])
	if r.wide {
		for k := lo; k < hi; k++ {
			in, maybeOn = r.crossEdge(int(r.edges[2*k])|int(r.edges[2*k+1])<<16, p, in, maybeOn)
		}
		return in, maybeOn
	}
	for _, e := range r.edges[lo:hi] {
		in, maybeOn = r.crossEdge(int(e), p, in, maybeOn)
	}
	return in, maybeOn
}

// crossEdge returns in and maybeOn updated with edge e (see locate).
func (r *indexedRing) crossEdge(e int, p orb.Point, in, maybeOn bool) (bool, bool) {
	j := e + 1
	if j == len(r.pts) {
		j = 0
	}
	c := rayCross(r.pts[e], r.pts[j], p)
	return in != (c > 0), maybeOn || mayTouch(r.pts[e], p, c)
}

// partLocate returns whether p is inside the polygon (in its outer ring and
// in none of its holes, by the crossing-number rule) and whether it may lie
// on one of its rings.
func (ix *CommuneIndex) partLocate(pt *communePart, p orb.Point) (in, maybeOn bool) {
	rings := ix.rings[pt.ringStart:pt.ringEnd]
	in, maybeOn = rings[0].locate(p)
	if !in && !maybeOn {
		return false, false
	}
	for i := 1; i < len(rings); i++ {
		inHole, on := rings[i].locate(p)
		maybeOn = maybeOn || on
		if inHole {
			return false, maybeOn
		}
	}
	return in, maybeOn
}

// partContains reports whether p is inside the polygon by the
// crossing-number rule (boundary points as if nudged east).
func (ix *CommuneIndex) partContains(pt *communePart, p orb.Point) bool {
	in, _ := ix.partLocate(pt, p)
	return in
}

// partTouches reports whether p lies on one of the polygon's rings.
func (ix *CommuneIndex) partTouches(pt *communePart, p orb.Point) bool {
	for _, r := range ix.rings[pt.ringStart:pt.ringEnd] {
		if RingTouches(r.pts, p) {
			return true
		}
	}
	return false
}

// Len returns the number of communes indexed (those with a non-empty shape).
func (ix *CommuneIndex) Len() int { return ix.count }

// At returns the id of the commune containing p; ok is false when p is in
// none. Polygons are closed: a point on a boundary belongs to every commune
// it bounds, the lowest id winning (see CommuneIndex). It does not allocate.
func (ix *CommuneIndex) At(p orb.Point) (id int, ok bool) {
	// Entries come in commune-id order: the first hit is the lowest id. A
	// polygon that does not contain p by the crossing-number rule may still
	// have p on its boundary; the exact test runs only when the crossing
	// test flagged it as possible.
	for _, k := range ix.grid.candidates(p) {
		if k < 0 { // a commune covering the whole cell
			return int(-k - 1), true
		}
		pt := &ix.parts[k]
		if in, maybeOn := ix.partLocate(pt, p); in || maybeOn && ix.partTouches(pt, p) {
			return int(pt.id), true
		}
	}
	return 0, false
}

// Search calls fn once with the id of every commune having a polygon whose
// bounding box intersects b (a superset of the communes whose shape
// intersects b), in no particular order, until fn returns false.
func (ix *CommuneIndex) Search(b orb.Bound, fn func(id int) bool) {
	ix.tree.Search(b.Min, b.Max, func(_, _ [2]float64, k int32) bool {
		id := ix.parts[k].id
		// Report a commune through its first polygon meeting b only.
		for j := ix.partStart[id]; j < k; j++ {
			if boundsMeet(ix.parts[j].bound, b) {
				return true
			}
		}
		return fn(int(id))
	})
}

// boundsMeet reports whether two boxes intersect, edges included (as the
// R-tree does).
func boundsMeet(a, b orb.Bound) bool {
	return a.Min[0] <= b.Max[0] && a.Max[0] >= b.Min[0] && a.Min[1] <= b.Max[1] && a.Max[1] >= b.Min[1]
}

// Nearest returns the commune whose boundary is nearest to p, with its
// great-circle distance in metres (0 when p is inside a commune, which then
// is At's answer), provided it is within maxM; ok is false otherwise. It is
// meant to snap points just off the coast or off a boundary (maxM of a few
// km); ties go to the lowest id.
//
// Edges are measured on a local equirectangular projection centred on p
// (x scaled by cos φ of p), and the distance returned is the exact haversine
// distance from p to the nearest point so found. The projection's scale
// error grows with the distance d as about d·tan φ·Δφ/2, which makes the
// reported distance accurate to about 0.1 m at 1 km and 2 m at 5 km in
// metropolitan France (the choice between two edges at nearly the same
// distance may be off by as much). Shapes are assumed not to cross the
// antimeridian.
func (ix *CommuneIndex) Nearest(p orb.Point, maxM float64) (id int, distM float64, ok bool) {
	if id, ok := ix.At(p); ok {
		return id, 0, true
	}
	if !(maxM >= 0) {
		return 0, 0, false
	}
	ky := EarthRadiusM * degToRad
	kx := ky * math.Cos(p[1]*degToRad)
	// Projected distances may differ from haversine ones by a fraction of a
	// percent at these ranges: look a little further, decide in haversine.
	limit := maxM*1.01 + 1
	bestD2, best := limit*limit, int32(-1)
	var bestA, bestB orb.Point
	b := BoundAround(p, limit)
	ix.tree.Search(b.Min, b.Max, func(_, _ [2]float64, k int32) bool {
		pt := &ix.parts[k]
		if boxDist2(pt.bound, p, kx, ky) > bestD2 {
			return true
		}
		for ri := pt.ringStart; ri < pt.ringEnd; ri++ {
			r := &ix.rings[ri]
			if boxDist2(r.bound, p, kx, ky) > bestD2 {
				continue
			}
			pts := r.pts
			ax, ay := (pts[len(pts)-1][0]-p[0])*kx, (pts[len(pts)-1][1]-p[1])*ky
			for i, q := range pts {
				bx, by := (q[0]-p[0])*kx, (q[1]-p[1])*ky
				if d2 := segmentDist2(ax, ay, bx, by); d2 < bestD2 || (d2 == bestD2 && pt.id < best) {
					bestD2, best = d2, pt.id
					bestA, bestB = pts[(i+len(pts)-1)%len(pts)], q
				}
				ax, ay = bx, by
			}
		}
		return true
	})
	if best < 0 {
		return 0, 0, false
	}
	// Nearest point of the best edge, projected back to lon/lat.
	ax, ay := (bestA[0]-p[0])*kx, (bestA[1]-p[1])*ky
	bx, by := (bestB[0]-p[0])*kx, (bestB[1]-p[1])*ky
	t := segmentParam(ax, ay, bx, by)
	q := orb.Point{bestA[0] + t*(bestB[0]-bestA[0]), bestA[1] + t*(bestB[1]-bestA[1])}
	if d := DistanceM(p, q); d <= maxM {
		return int(best), d, true
	}
	return 0, 0, false
}

// segmentParam returns the parameter t in [0, 1] of the point of segment
// a→b nearest to the origin.
func segmentParam(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return 0
	}
	t := -(ax*dx + ay*dy) / l2
	return math.Max(0, math.Min(1, t))
}

// segmentDist2 returns the squared distance from the origin to segment a→b.
func segmentDist2(ax, ay, bx, by float64) float64 {
	t := segmentParam(ax, ay, bx, by)
	x, y := ax+t*(bx-ax), ay+t*(by-ay)
	return x*x + y*y
}

// boxDist2 returns the squared projected distance from p to box b (0 inside).
func boxDist2(b orb.Bound, p orb.Point, kx, ky float64) float64 {
	dx := math.Max(0, math.Max(b.Min[0]-p[0], p[0]-b.Max[0])) * kx
	dy := math.Max(0, math.Max(b.Min[1]-p[1], p[1]-b.Max[1])) * ky
	return dx*dx + dy*dy
}
