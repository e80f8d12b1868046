package topo

import (
	"math"
	"slices"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/valid"
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
//     half the tolerance, and finer rounding: at Tolerance/2ᵏ coordinates
//     are rounded to Decimals + ⌈k·log₁₀2⌉ decimals, at most FineDecimals;
//     after toleranceHalvings tries, the last one only rounds to
//     FineDecimals;
//   - exterior rings come out counter-clockwise (positive shoelace area) and
//     holes clockwise, every ring closed.
//
// With KeepOne, a MultiPolygon whose polygons all collapse keeps its
// largest polygon at the largest tolerance where it survives valid, so a
// feature smaller than the tolerance still shows as a few points.
//
// Polygons are checked each on its own: parts of a MultiPolygon, or
// neighbouring features, may overlap after simplification. A polygon that
// is still invalid at the last try (the input's own fault, or rounding at
// FineDecimals) is returned as that try made it. With Tolerance 0 nothing is
// simplified nor checked: rings are only rounded to Decimals, de-duplicated,
// closed, oriented, and dropped when collapsed. The input is never modified.
type Simplifier struct {
	Tolerance    float64 // Douglas-Peucker threshold; 0 simplifies nothing
	Decimals     int     // coordinates are rounded to this many decimals; negative: not rounded
	FineDecimals int     // the finest rounding of the retries (below Decimals: Decimals)
	KeepOne      bool    // keep the largest polygon of a feature that would vanish
}

// toleranceHalvings bounds the retries of an invalid polygon: after
// Tolerance, Tolerance/2, … Tolerance/2⁹ the last try does not simplify.
const toleranceHalvings = 10

// try is one simplification attempt.
type try struct {
	tol  float64
	dec  int
	last bool // not checked: the answer whatever it gives
}

// try returns the k-th attempt.
func (s Simplifier) try(k int) try {
	fine := max(s.Decimals, s.FineDecimals)
	switch {
	case s.Tolerance == 0:
		return try{dec: s.Decimals, last: true}
	case k >= toleranceHalvings:
		return try{dec: fine, last: true}
	}
	d := s.Decimals
	if d >= 0 {
		d = min(fine, d+int(math.Ceil(float64(k)*math.Log10(2)-1e-9)))
	}
	return try{tol: s.Tolerance / math.Ldexp(1, k), dec: d}
}

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
		if a := math.Abs(geo.RingSignedArea(orb.Ring(p[0]))); a > best || largest < 0 {
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
	return s.simplify(p, true)
}

// keep returns p at the first try at which its exterior survives and the
// polygon is valid.
func (s Simplifier) keep(p orb.Polygon) orb.Polygon {
	return s.simplify(p, false)
}

// simplify returns p at the first try at which it is valid, else at the
// last try; nil when its exterior collapses at the last try, or at the
// first when dropSmall (a polygon too small for the tolerance is dropped,
// as intended, rather than kept at a finer one).
func (s Simplifier) simplify(p orb.Polygon, dropSmall bool) orb.Polygon {
	for k := 0; ; k++ {
		t := s.try(k)
		q, st := s.polygonAt(p, t)
		switch {
		case st == polygonValid:
			return q
		case st == polygonCollapsed && (t.last || dropSmall && k == 0):
			return nil
		case t.last:
			return q
		}
	}
}

// polygonStatus says how a simplification attempt turned out.
type polygonStatus int

const (
	polygonValid     polygonStatus = iota
	polygonCollapsed               // the exterior ring collapsed
	polygonInvalid                 // rings cross, touch, or a hole left the exterior
)

// polygonAt simplifies p as t says and checks the result (unless t.last).
func (s Simplifier) polygonAt(p orb.Polygon, t try) (orb.Polygon, polygonStatus) {
	ext := ring(p[0], t, true)
	if ext == nil {
		return nil, polygonCollapsed
	}
	q := make(orb.Polygon, 1, len(p))
	q[0] = ext
	for _, h := range p[1:] {
		if r := ring(h, t, false); r != nil {
			q = append(q, r)
		}
	}
	if t.last || valid.ValidatePolygon(q) == nil {
		return q, polygonValid
	}
	return q, polygonInvalid
}

// ring returns r rounded, de-duplicated, simplified as t says, closed and
// oriented (counter-clockwise when exterior), or nil when it collapsed.
func ring(r orb.Ring, t try, exterior bool) orb.Ring {
	out := make(orb.Ring, 0, len(r)+1)
	f := 0.0
	if t.dec >= 0 {
		f = math.Pow(10, float64(t.dec))
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
	if t.tol > 0 && len(out) >= 4 {
		out = simplify.DouglasPeucker(t.tol).Ring(out)
		out = dropRepeats(out)
		if cap(out) > len(out)+len(out)/4 {
			// Douglas-Peucker returns a prefix of its input: a ring kept in
			// a zoom cache would hold the whole input's length.
			out = slices.Clone(out)
		}
	}
	if len(out) < 4 {
		return nil
	}
	a := geo.RingSignedArea(out)
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
