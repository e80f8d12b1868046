package valid

import (
	"github.com/maillage/maillage/geo"
	"github.com/paulmach/orb"
)

// RepairGridShape returns mp, made of integer coordinates (a vector tile's
// grid), made valid: rounding a simplified shape to a coarse grid can make
// a ring cross or touch itself, which readers such as GDAL's MVT driver
// reject. A polygon that is not valid loses the one vertex of a ring whose
// removal leaves the largest valid polygon (the spike or fold rounding
// made), and is dropped when none does; nil when every polygon is dropped.
// Valid shapes come back as they are.
func (v *ShapeValidator) RepairGridShape(mp orb.MultiPolygon) orb.MultiPolygon {
	if len(mp) == 0 || v.Validate(mp) == nil {
		return mp
	}
	var out orb.MultiPolygon
	for _, p := range mp {
		if ValidatePolygon(p) == nil {
			out = append(out, p)
		} else if q := dropOneVertex(p); q != nil {
			out = append(out, q)
		}
	}
	if len(out) == 0 || v.Validate(out) != nil {
		return nil
	}
	return out
}

// dropOneVertex returns the largest valid polygon made from p by removing
// one vertex of one of its rings (the exterior's area counts), nil when no
// removal gives a valid polygon.
func dropOneVertex(p orb.Polygon) orb.Polygon {
	var best orb.Polygon
	bestArea := 0.0
	for k, r := range p {
		n := len(r) - 1 // without the closing point
		for i := range n {
			q := make(orb.Ring, 0, n)
			for j := range n {
				if j != i {
					q = append(q, r[j])
				}
			}
			q = append(q, q[0])
			cand := append(orb.Polygon{}, p...)
			cand[k] = q
			if k > 0 && len(q) < 4 {
				cand = append(cand[:k:k], p[k+1:]...) // a hole down to 2 points: gone
			}
			if ValidatePolygon(cand) != nil {
				continue
			}
			if a := geo.RingSignedArea(cand[0]); best == nil || a > bestArea {
				best, bestArea = cand, a
			}
		}
	}
	return best
}
