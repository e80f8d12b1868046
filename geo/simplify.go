package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// Simplifier simplifies polygons for display without ever producing an
// invalid ring. Each ring is rounded to Decimals, stripped of repeated
// points and simplified with Douglas-Peucker (orb/simplify) at Tolerance,
// in the unit of the coordinates (degrees for lon/lat, pixels in tile
// space). Then:
//
//   - a ring left with fewer than 4 positions or a zero area has collapsed:
//     a collapsed hole is dropped, a collapsed exterior drops its polygon;
//   - a polygon whose simplified rings cross or touch each other (or
//     themselves), or whose holes left the exterior, is simplified again at
//     half the tolerance, down to no simplification at all (rounding only);
//   - exterior rings come out counter-clockwise (positive shoelace area) and
//     holes clockwise, every ring closed.
//
// With KeepOne, a MultiPolygon whose polygons all collapse keeps its
// largest polygon at the largest tolerance where it survives valid, so a
// feature smaller than the tolerance still shows as a few points.
//
// Polygons are checked each on its own: parts of a MultiPolygon, or
// neighbouring features, may overlap after simplification. Input rings
// that are already invalid are kept as they are when no tolerance makes them
// valid. The input is never modified.
type Simplifier struct {
	Tolerance float64 // Douglas-Peucker threshold; 0 simplifies nothing
	Decimals  int     // coordinates are rounded to this many decimals; negative: not rounded
	KeepOne   bool    // keep the largest polygon of a feature that would vanish
}

// toleranceHalvings bounds the retries of an invalid polygon: after
// Tolerance, Tolerance/2, … Tolerance/2⁹ the last try is without
// simplification.
const toleranceHalvings = 10

// MultiPolygon returns the simplified mp (nil when every polygon collapsed
// and KeepOne is false, or when mp has no ring of 4 distinct positions).
func (s Simplifier) MultiPolygon(mp orb.MultiPolygon) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, p := range mp {
		if q := s.Polygon(p); q != nil {
			out = append(out, q)
		}
	}
	if out != nil || !s.KeepOne || len(mp) == 0 {
		return out
	}
	largest, best := -1, 0.0
	for i, p := range mp {
		if len(p) == 0 {
			continue
		}
		if a := math.Abs(ringSignedArea(orb.Ring(p[0]))); a > best || largest < 0 {
			largest, best = i, a
		}
	}
	if largest < 0 {
		return nil
	}
	if q := s.keep(mp[largest]); q != nil {
		return orb.MultiPolygon{q}
	}
	return nil
}

// Polygon returns the simplified p, nil when its exterior collapsed.
func (s Simplifier) Polygon(p orb.Polygon) orb.Polygon {
	if len(p) == 0 {
		return nil
	}
	tol := s.Tolerance
	for k := 0; ; k++ {
		q, st := s.polygonAt(p, tol)
		switch {
		case st == polygonValid:
			return q
		case st == polygonCollapsed && tol == s.Tolerance:
			return nil // too small for this tolerance: dropped, as intended
		case tol == 0:
			// Unsimplified and still not valid: the input's own fault.
			if st == polygonCollapsed {
				return nil
			}
			return q
		}
		tol = nextTolerance(s.Tolerance, tol, k)
	}
}

// keep returns p at the largest tolerance (halving from s.Tolerance) at
// which its exterior survives and the polygon is valid.
func (s Simplifier) keep(p orb.Polygon) orb.Polygon {
	tol := s.Tolerance
	for k := 0; ; k++ {
		q, st := s.polygonAt(p, tol)
		if st == polygonValid || (tol == 0 && st == polygonInvalid) {
			return q
		}
		if tol == 0 {
			return nil
		}
		tol = nextTolerance(s.Tolerance, tol, k)
	}
}

// nextTolerance halves tol, ending at 0 after toleranceHalvings tries.
func nextTolerance(start, tol float64, k int) float64 {
	if k+1 >= toleranceHalvings || start == 0 {
		return 0
	}
	return tol / 2
}

// polygonStatus says how a simplification attempt turned out.
type polygonStatus int

const (
	polygonValid     polygonStatus = iota
	polygonCollapsed               // the exterior ring collapsed
	polygonInvalid                 // rings cross, touch, or a hole left the exterior
)

// polygonAt simplifies p at tol and checks the result.
func (s Simplifier) polygonAt(p orb.Polygon, tol float64) (orb.Polygon, polygonStatus) {
	ext := s.ring(p[0], tol, true)
	if ext == nil {
		return nil, polygonCollapsed
	}
	q := make(orb.Polygon, 1, len(p))
	q[0] = ext
	for _, h := range p[1:] {
		if r := s.ring(h, tol, false); r != nil {
			q = append(q, r)
		}
	}
	if tol == 0 && s.Tolerance != 0 {
		return q, polygonInvalid // last resort: not simplified, not checked
	}
	if tol == 0 || ValidatePolygon(q) == nil {
		return q, polygonValid
	}
	return q, polygonInvalid
}

// ring returns r rounded, de-duplicated, simplified at tol, closed and
// oriented (counter-clockwise when exterior), or nil when it collapsed.
func (s Simplifier) ring(r orb.Ring, tol float64, exterior bool) orb.Ring {
	out := make(orb.Ring, 0, len(r)+1)
	f := 0.0
	if s.Decimals >= 0 {
		f = math.Pow(10, float64(s.Decimals))
	}
	for _, p := range r {
		if f != 0 {
			p = orb.Point{math.Round(p[0]*f) / f, math.Round(p[1]*f) / f}
		}
		if n := len(out); n > 0 && out[n-1] == p {
			continue
		}
		out = append(out, p)
	}
	if len(out) > 1 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	if tol > 0 && len(out) >= 4 {
		out = simplify.DouglasPeucker(tol).Ring(out)
		out = dropRepeats(out)
	}
	if len(out) < 4 {
		return nil
	}
	a := ringSignedArea(out)
	if a == 0 {
		return nil
	}
	if (a > 0) != exterior {
		reverseRing(out)
	}
	return out
}

// dropRepeats removes consecutive equal points, in place.
func dropRepeats(r orb.Ring) orb.Ring {
	n := 0
	for i, p := range r {
		if i > 0 && r[n-1] == p {
			continue
		}
		r[n] = p
		n++
	}
	return r[:n]
}

// reverseRing reverses r in place.
func reverseRing(r orb.Ring) {
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
}
