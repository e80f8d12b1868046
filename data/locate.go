package data

import (
	"fmt"

	"github.com/paulmach/orb"
)

// How Territory.place placed a point.
const (
	locInside   = iota // inside the commune's shape
	locSnapped         // outside every shape, within SnapMaxM of the commune's
	locDeclared        // outside every shape, in the declared commune (see place)
	locOutside         // in no commune
)

// place finds the commune of p from its geometry, in this order:
//
//  1. the commune whose shape contains p;
//  2. when p lies in an unmatched 2018 boundary (a former commune the COG
//     no longer lists, whose area belongs to a neighbour today), the
//     declared commune if its bounding box meets that boundary's;
//  3. the nearest commune within SnapMaxM (coastal points);
//  4. the declared commune when it has no shape at all (overseas
//     collectivities such as Saint-Martin have no IGN boundary).
//
// The declared commune only settles the cases geometry cannot (2 and 4):
// it never moves a point that lies in or near a commune. Site layers and
// uploaded candidates and structures are placed by this one rule.
func (t *Territory) place(p orb.Point, declared string) (*Commune, int) {
	if c, ok := t.At(p); ok {
		return c, locInside
	}
	dc, known := t.Commune(declared)
	if known && dc.HasShape() {
		if u, in := t.UnmatchedAt(p); in && u.Bound.Intersects(dc.Bound) {
			return dc, locDeclared
		}
	}
	if id, _, near := t.Index.Nearest(p, SnapMaxM); near {
		return &t.Communes[id], locSnapped
	}
	if known && !dc.HasShape() {
		return dc, locDeclared
	}
	return nil, locOutside
}

// OutsideReason explains why p is in no commune: swapped coordinates, a
// former commune whose boundary joins no current commune, or simply outside
// every boundary.
func (t *Territory) OutsideReason(p orb.Point) string {
	if t == nil {
		return fmt.Sprintf("point (%g, %g) is outside every commune", p[0], p[1])
	}
	swapped := orb.Point{p[1], p[0]}
	if swapped[1] >= -90 && swapped[1] <= 90 {
		if c, ok := t.At(swapped); ok {
			return fmt.Sprintf("latitude and longitude look swapped: (lat %g, lon %g) is in %s %s", p[0], p[1], c.Code, c.Name)
		}
	}
	if u, ok := t.UnmatchedAt(p); ok {
		return fmt.Sprintf("point (lat %g, lon %g) in 2018 boundary %s %s, a former commune joined to no current commune", p[1], p[0], u.Code, u.Name)
	}
	return fmt.Sprintf("point (lat %g, lon %g) outside every commune boundary and farther than %g m from any", p[1], p[0], SnapMaxM)
}
