package valid

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/maillage/maillage/geo"
	"github.com/paulmach/orb"
)

// Errors of ValidatePolygon, wrapped with the ring and edge concerned.
var (
	ErrRingOpen      = errors.New("ring not closed")
	ErrRingShort     = errors.New("ring with fewer than 4 positions")
	ErrRingEmpty     = errors.New("ring of zero area")
	ErrRingWinding   = errors.New("ring wound the wrong way (exterior counter-clockwise, holes clockwise)")
	ErrRingNotFinite = errors.New("ring with a NaN or infinite coordinate")
	ErrRingsMeet     = errors.New("edges cross or touch")
	ErrHoleOutside   = errors.New("hole outside its exterior ring or inside another hole")
)

// ValidatePolygon reports the first reason why p is not a valid RFC 7946
// polygon, nil when it is: every ring closed with at least 4 positions and a
// non-zero area, the exterior counter-clockwise and the holes clockwise, no
// two edges crossing or touching (edges that follow each other meet only at
// their shared vertex), every hole inside the exterior and outside the
// other holes.
//
// Edges are checked with a sweep over their x-ranges, in O(n log n) for
// ordinary rings. Rings touching at a single vertex are reported (stricter
// than the OGC simple features rule, which allows it).
func ValidatePolygon(p orb.Polygon) error {
	if len(p) == 0 {
		return fmt.Errorf("polygon without rings: %w", ErrRingShort)
	}
	n := 0
	for i, r := range p {
		if err := validateRing(r, i == 0); err != nil {
			return fmt.Errorf("ring %d: %w", i, err)
		}
		n += len(r) - 1
	}
	if err := checkEdges(p, n); err != nil {
		return err
	}
	for i, h := range p[1:] {
		if !geo.RingContains(p[0], h[0]) {
			return fmt.Errorf("ring %d: %w", i+1, ErrHoleOutside)
		}
		for j, o := range p[1:] {
			if j != i && geo.RingContains(o, h[0]) {
				return fmt.Errorf("ring %d in ring %d: %w", i+1, j+1, ErrHoleOutside)
			}
		}
	}
	return nil
}

// validateRing checks one ring on its own.
func validateRing(r orb.Ring, exterior bool) error {
	if len(r) < 4 {
		return ErrRingShort
	}
	if r[0] != r[len(r)-1] {
		return ErrRingOpen
	}
	for _, q := range r {
		if math.IsNaN(q[0]) || math.IsNaN(q[1]) || math.IsInf(q[0], 0) || math.IsInf(q[1], 0) {
			return ErrRingNotFinite
		}
	}
	a := geo.RingSignedArea(r)
	switch {
	case a == 0:
		return ErrRingEmpty
	case (a > 0) != exterior:
		return ErrRingWinding
	}
	return nil
}

// sweepEdge is one edge of a polygon, for the sweep of checkEdges.
type sweepEdge struct {
	a, b       orb.Point
	minX, maxX float64
	minY, maxY float64
	ring, idx  int32 // ring index and edge index in the ring
	last       int32 // index of the ring's last edge
}

// sweepBuffers are the buffers of checkEdgesIn, kept by callers checking
// many polygons.
type sweepBuffers struct {
	edges  []sweepEdge
	order  []sweepKey
	active []int32
}

// sweepKey orders the edges by minX: sorting these 16-byte keys rather
// than the edges themselves halves the cost of the sweep.
type sweepKey struct {
	minX float64
	edge int32
}

// checkEdges reports two edges of p that cross or touch, other than
// consecutive edges of a ring at their shared vertex.
func checkEdges(p orb.Polygon, n int) error {
	var buf sweepBuffers
	buf.edges = make([]sweepEdge, 0, n)
	return checkEdgesIn(p, &buf)
}

// checkEdgesIn is checkEdges working in buf.
func checkEdgesIn(p orb.Polygon, buf *sweepBuffers) error {
	edges, order := buf.edges[:0], buf.order[:0]
	for ri, r := range p {
		last := int32(len(r) - 2)
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			order = append(order, sweepKey{min(a[0], b[0]), int32(len(edges))})
			edges = append(edges, sweepEdge{a: a, b: b,
				minX: min(a[0], b[0]), maxX: max(a[0], b[0]), minY: min(a[1], b[1]), maxY: max(a[1], b[1]),
				ring: int32(ri), idx: int32(i), last: last})
		}
	}
	buf.edges, buf.order = edges, order
	slices.SortFunc(order, func(x, y sweepKey) int { return cmp.Compare(x.minX, y.minX) })
	active := buf.active[:0]
	defer func() { buf.active = active[:0] }()
	for _, key := range order {
		e := &edges[key.edge]
		k := 0
		for _, j := range active {
			if edges[j].maxX >= e.minX {
				active[k] = j
				k++
			}
		}
		active = active[:k]
		for _, j := range active {
			o := &edges[j]
			if o.maxY < e.minY || o.minY > e.maxY {
				continue
			}
			if edgesConflict(e, o) {
				return fmt.Errorf("ring %d edge %d and ring %d edge %d: %w", e.ring, e.idx, o.ring, o.idx, ErrRingsMeet)
			}
		}
		active = append(active, key.edge)
	}
	return nil
}

// edgesConflict reports whether two edges meet where they should not.
func edgesConflict(e, o *sweepEdge) bool {
	if e.ring == o.ring {
		d := e.idx - o.idx
		switch {
		case d == 1 || (d == -e.last && e.last > 1): // o then e
			return Backtracks(o.a, o.b, e.b)
		case d == -1 || (d == e.last && e.last > 1): // e then o
			return Backtracks(e.a, e.b, o.b)
		}
	}
	return SegmentsMeet(e.a, e.b, o.a, o.b)
}

// Backtracks reports whether the path a→b→c turns back on itself: the two
// edges overlap beyond their shared vertex b.
func Backtracks(a, b, c orb.Point) bool {
	if cross(b, a, c) != 0 {
		return false
	}
	return (a[0]-b[0])*(c[0]-b[0])+(a[1]-b[1])*(c[1]-b[1]) > 0
}

// cross is twice the signed area of the triangle (o, a, b): positive when
// it turns counter-clockwise, zero when the points are collinear.
func cross(o, a, b orb.Point) float64 {
	return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
}

// SegmentsMeet reports whether the closed segments p1p2 and q1q2 share a
// point.
func SegmentsMeet(p1, p2, q1, q2 orb.Point) bool {
	d1, d2 := cross(q1, q2, p1), cross(q1, q2, p2)
	d3, d4 := cross(p1, p2, q1), cross(p1, p2, q2)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && inBox(q1, q2, p1)) || (d2 == 0 && inBox(q1, q2, p2)) ||
		(d3 == 0 && inBox(p1, p2, q1)) || (d4 == 0 && inBox(p1, p2, q2))
}

// inBox reports whether p, collinear with ab, lies on the segment ab.
func inBox(a, b, p orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}
