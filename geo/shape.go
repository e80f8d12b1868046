package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// rayCross applies to the edge a-b the crossing-number rule every
// containment test of this package shares, for the horizontal ray going
// from p towards +x:
//
//   - half-open in y: the edge counts when exactly one endpoint lies strictly
//     above p (it straddles p's latitude), so a ray through a vertex is
//     counted once and horizontal edges never count;
//   - the side test is a cross product computed on the edge oriented upwards,
//     so an edge shared by two polygons (whatever its direction in each) gives
//     bit-identical answers in both.
//
// It returns that cross product when the edge straddles p's latitude — the
// edge crosses the ray when it is positive, and p lies on the edge's line
// when it is zero — and −1 otherwise. By this rule alone a point on an edge
// shared by two adjacent polygons is inside exactly one of them (as if
// nudged east); mayTouch tells, from the same value, whether the point may
// be on the ring. (One float result keeps rayCross small enough to be
// inlined in the hot loops.)
func rayCross(a, b, p orb.Point) float64 {
	if (a[1] > p[1]) == (b[1] > p[1]) {
		return -1
	}
	if a[1] > b[1] {
		a, b = b, a
	}
	return edgeCross(a, b, p)
}

// mayTouch reports, given c = rayCross(a, b, p), whether p may lie on the
// edge a-b or next to it on the ring: on the edge's line where it straddles
// p's latitude, or at the latitude of its first endpoint a. Of every ring
// holding p, one edge read by its containment test is flagged: a vertex p
// is the first endpoint of the edge leaving it, a point inside a
// non-horizontal edge gives a zero cross product, and a point on a
// horizontal run is at the latitude of the first endpoint of the edge that
// ends the run, which slab-bucketed rings list although they skip
// horizontal edges. A containment test thus learns, for two comparisons per
// edge, when a point might be on a boundary, and only then calls onEdge.
func mayTouch(a, p orb.Point, c float64) bool {
	return c == 0 || a[1] == p[1]
}

// edgeCross is the cross product (b − a) × (p − a) of rayCross and onEdge,
// a the lower endpoint. The conversions keep the compiler from fusing a
// multiply-add, so that a vertex p gives exactly 0.
func edgeCross(a, b, p orb.Point) float64 {
	return float64((b[0]-a[0])*(p[1]-a[1])) - float64((p[0]-a[0])*(b[1]-a[1]))
}

// onEdge reports whether p lies on the closed edge a-b: inside its bounding
// box with a zero cross product, computed as rayCross computes it.
func onEdge(a, b, p orb.Point) bool {
	if p[0] < min(a[0], b[0]) || p[0] > max(a[0], b[0]) || p[1] < min(a[1], b[1]) || p[1] > max(a[1], b[1]) {
		return false
	}
	if a[1] > b[1] {
		a, b = b, a
	}
	return edgeCross(a, b, p) == 0
}

// RingContains reports whether p is inside the ring by the crossing-number
// rule of rayCross. The ring may be closed (first point repeated last) or
// not; its orientation does not matter.
func RingContains(r orb.Ring, p orb.Point) bool {
	in, _ := ringLocate(r, p)
	return in
}

// ringLocate returns RingContains(r, p) and whether p may lie on the ring
// (see mayTouch): false guarantees that p is on none of its edges.
func ringLocate(r orb.Ring, p orb.Point) (in, maybeOn bool) {
	n := len(r)
	if n < 3 {
		return false, false
	}
	a := r[n-1]
	for _, b := range r {
		c := rayCross(a, b, p)
		in = in != (c > 0)
		maybeOn = maybeOn || mayTouch(a, p, c)
		a = b
	}
	return in, maybeOn
}

// RingTouches reports whether p lies on one of the ring's edges (onEdge),
// the closing edge included.
func RingTouches(r orb.Ring, p orb.Point) bool {
	n := len(r)
	if n == 0 {
		return false
	}
	a := r[n-1]
	for _, b := range r {
		if onEdge(a, b, p) {
			return true
		}
		a = b
	}
	return false
}

// PolygonContains reports whether p is inside the polygon: inside its outer
// ring and outside every hole. Points on a boundary follow the deterministic
// half-open rule of rayCross (as if nudged east); PolygonCovers counts them
// in.
func PolygonContains(poly orb.Polygon, p orb.Point) bool {
	if len(poly) == 0 || !RingContains(poly[0], p) {
		return false
	}
	for _, hole := range poly[1:] {
		if RingContains(hole, p) {
			return false
		}
	}
	return true
}

// MultiPolygonContains reports whether p is inside one of the polygons of mp
// (see PolygonContains).
func MultiPolygonContains(mp orb.MultiPolygon, p orb.Point) bool {
	for _, poly := range mp {
		if PolygonContains(poly, p) {
			return true
		}
	}
	return false
}

// PolygonCovers reports whether p is in the closed polygon: inside it by
// PolygonContains or on one of its rings (onEdge: a vertex, or a point of an
// edge by an exact cross product). It is CommuneIndex.At's rule.
func PolygonCovers(poly orb.Polygon, p orb.Point) bool {
	if PolygonContains(poly, p) {
		return true
	}
	for _, r := range poly {
		if RingTouches(r, p) {
			return true
		}
	}
	return false
}

// MultiPolygonCovers reports whether p is in one of the closed polygons of
// mp (see PolygonCovers).
func MultiPolygonCovers(mp orb.MultiPolygon, p orb.Point) bool {
	for _, poly := range mp {
		if PolygonCovers(poly, p) {
			return true
		}
	}
	return false
}

// RepresentativePoint returns a point inside mp, meant as the place a shape
// is "at" (a commune's label, its fallback location). It takes the largest
// polygon of mp (by planar area in degrees, which is enough to rank the parts
// of one commune) and returns its centroid when the centroid is inside it.
// Otherwise (concave shapes, a hole over the centroid) it casts horizontal
// scanlines across the polygon's bounding box, starting at its middle, and
// returns the midpoint of the widest interval found inside the polygon.
//
// A degenerate polygon with no interior gets its centroid (or first vertex)
// back; an empty mp gets the zero point.
func RepresentativePoint(mp orb.MultiPolygon) orb.Point {
	best, bestArea := -1, -1.0
	for i, poly := range mp {
		if len(poly) == 0 || len(poly[0]) == 0 {
			continue
		}
		if a := planar.Area(poly); a > bestArea {
			best, bestArea = i, a
		}
	}
	if best < 0 {
		return orb.Point{}
	}
	poly := mp[best]
	c, _ := planar.CentroidArea(poly)
	if PolygonContains(poly, c) {
		return c
	}
	b := poly[0].Bound()
	h := b.Max[1] - b.Min[1]
	// Middle first, then lines spread towards the edges of the box.
	for _, f := range [...]float64{1. / 2, 1. / 3, 2. / 3, 1. / 4, 3. / 4, 1. / 5, 4. / 5, 1. / 8, 7. / 8, 1. / 16, 15. / 16} {
		y := b.Min[1] + f*h
		if p, ok := scanlinePoint(poly, y); ok {
			return p
		}
	}
	if bestArea == 0 {
		return c
	}
	return poly[0][0]
}

// scanlinePoint intersects the horizontal line at y with poly and returns the
// midpoint of the widest inside interval, when that midpoint is inside.
func scanlinePoint(poly orb.Polygon, y float64) (orb.Point, bool) {
	var xs []float64
	for _, r := range poly {
		n := len(r)
		if n < 3 {
			continue
		}
		a := r[n-1]
		for _, b := range r {
			if (a[1] > y) != (b[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
			a = b
		}
	}
	slices.Sort(xs)
	bestW := 0.0
	var best orb.Point
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > bestW {
			bestW, best = w, orb.Point{(xs[i] + xs[i+1]) / 2, y}
		}
	}
	if bestW > 0 && PolygonContains(poly, best) {
		return best, true
	}
	return orb.Point{}, false
}

// AreaKm2 returns the geodesic area of mp in km², on the sphere of radius
// EarthRadiusM (spherical-excess line integral, as orb/geo.Area but with
// maillage's radius rather than orb's 6,378,137 m equatorial one, which would
// overstate areas by 0.23 %). Holes are subtracted; ring orientation does not
// matter.
func AreaKm2(mp orb.MultiPolygon) float64 {
	sum := 0.0
	for _, poly := range mp {
		if len(poly) == 0 {
			continue
		}
		a := math.Abs(ringSphericalArea(poly[0]))
		for _, hole := range poly[1:] {
			a -= math.Abs(ringSphericalArea(hole))
		}
		sum += a
	}
	return sum * EarthRadiusM * EarthRadiusM / 1e6
}

// ringSphericalArea returns the signed area of r on the unit sphere:
// ½ Σ (λ[i+1] − λ[i−1]) sin φ[i], over the implicitly closed ring.
func ringSphericalArea(r orb.Ring) float64 {
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n-- // drop the closing point; indices wrap below
	}
	if n < 3 {
		return 0
	}
	s := 0.0
	for i := 0; i < n; i++ {
		prev := r[(i+n-1)%n]
		next := r[(i+1)%n]
		s += (next[0] - prev[0]) * degToRad * math.Sin(r[i][1]*degToRad)
	}
	return s / 2
}
