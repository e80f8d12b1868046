package valid

import (
	"errors"
	"fmt"
	"math"

	"github.com/maillage/maillage/geo"
	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
)

// The engine keeps orb geometries; overlay and validation are delegated to
// simplefeatures (pure Go: no cgo, no system library to install), whose
// polygons are converted on the way in and out. Only load-time work goes
// through it: the conversion copies every vertex. Shapes come from data
// files, so a panic inside the library is turned into an error (libraryCall)
// rather than taking the server down.

// ValidateShape reports why mp is not a valid OGC MultiPolygon, nil when it
// is, by simplefeatures' validation (the rules of ST_IsValid): every ring
// closed and simple, holes inside their exterior, each polygon's interior
// connected, and no two polygons whose interiors overlap or whose boundaries
// share more than isolated points. An empty mp is valid.
func ValidateShape(mp orb.MultiPolygon) error {
	var v ShapeValidator
	return v.Validate(mp)
}

// ShapeValidator validates shapes as ValidateShape does, reusing its
// buffers from one call to the next. The zero value is ready to use; it is
// not safe for concurrent use.
type ShapeValidator struct {
	rings orb.Polygon // every ring of the shape
	sweep sweepBuffers
}

// Validate reports why mp is not a valid OGC MultiPolygon (see
// ValidateShape). A shape is first put through a stricter sweep that is
// about four times cheaper; only what it cannot prove valid (rings touching
// at a vertex, or an invalid shape) is converted and validated by the
// library.
func (v *ShapeValidator) Validate(mp orb.MultiPolygon) error {
	if v.provedValid(mp) {
		return nil
	}
	return libraryCall(func() error { return toSimpleFeatures(mp).Validate() })
}

// DissolveShape returns the union of the polygons of mp as a valid
// MultiPolygon: polygons sharing edges (the former communes making up a
// commune) become one polygon, holes are kept, and an invalid shape is
// repaired the way an overlay repairs it (a ring touching itself becomes a
// polygon with a hole touching its exterior, or two polygons). Exterior
// rings come out counter-clockwise and holes clockwise (RFC 7946), closed.
//
// It fails when the overlay meets a numerical degeneracy it cannot resolve,
// or when the result is not polygonal or is empty for a non-empty mp; mp is
// then to be kept as it is. An empty mp gives an empty result.
func DissolveShape(mp orb.MultiPolygon) (orb.MultiPolygon, error) {
	var g geom.Geometry
	err := libraryCall(func() (err error) {
		g, err = geom.UnaryUnion(toSimpleFeatures(mp).AsGeometry())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("dissolve: %w", err)
	}
	var out orb.MultiPolygon
	switch g.Type() {
	case geom.TypePolygon:
		out = fromSimpleFeatures(g.MustAsPolygon().AsMultiPolygon())
	case geom.TypeMultiPolygon:
		out = fromSimpleFeatures(g.MustAsMultiPolygon())
	default:
		if !g.IsEmpty() {
			return nil, fmt.Errorf("dissolve: the union is a %s, not polygonal", g.Type())
		}
	}
	if len(out) == 0 && len(mp) > 0 {
		// The library drops what it cannot read (a NaN coordinate).
		return nil, errors.New("dissolve: the union of the polygons is empty")
	}
	return out, nil
}

// libraryCall runs fn, returning a panic inside it as an error.
func libraryCall(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("simplefeatures failed: %v", r)
		}
	}()
	return fn()
}

// toSimpleFeatures converts mp, closing any ring left open.
func toSimpleFeatures(mp orb.MultiPolygon) geom.MultiPolygon {
	polys := make([]geom.Polygon, 0, len(mp))
	for _, p := range mp {
		rings := make([]geom.LineString, 0, len(p))
		for _, r := range p {
			xy := make([]float64, 0, 2*len(r)+2)
			for _, q := range r {
				xy = append(xy, q[0], q[1])
			}
			if len(r) > 0 && r[0] != r[len(r)-1] {
				xy = append(xy, r[0][0], r[0][1])
			}
			rings = append(rings, geom.NewLineString(geom.NewSequence(xy, geom.DimXY)))
		}
		polys = append(polys, geom.NewPolygon(rings))
	}
	return geom.NewMultiPolygon(polys)
}

// fromSimpleFeatures converts m with RFC 7946 winding; every ring's points
// are carved out of one block.
func fromSimpleFeatures(m geom.MultiPolygon) orb.MultiPolygon {
	n := 0
	for i := range m.NumPolygons() {
		n += m.PolygonN(i).DumpCoordinates().Length()
	}
	block := make([]orb.Point, n)
	out := make(orb.MultiPolygon, 0, m.NumPolygons())
	for i := range m.NumPolygons() {
		p := m.PolygonN(i).ForceCCW()
		if p.IsEmpty() {
			continue
		}
		poly := make(orb.Polygon, 0, p.NumRings())
		for j := range p.NumRings() {
			ring := p.ExteriorRing()
			if j > 0 {
				ring = p.InteriorRingN(j - 1)
			}
			seq := ring.Coordinates()
			k := seq.Length()
			r := orb.Ring(block[:k:k])
			block = block[k:]
			for v := range k {
				xy := seq.GetXY(v)
				r[v] = orb.Point{xy.X, xy.Y}
			}
			poly = append(poly, r)
		}
		out = append(out, poly)
	}
	return out
}

// provedValid reports whether mp is certainly a valid OGC MultiPolygon by a
// stricter, cheaper test than simplefeatures' (a sweep over all edges, see
// checkEdges): every ring closed with at least 4 finite positions, no two
// edges of any rings meeting (consecutive edges aside), every hole inside
// its exterior and outside the other holes, and no polygon inside another.
// False means "not proved": rings touching at a vertex, which OGC allows,
// fail it, and the library then decides.
func (v *ShapeValidator) provedValid(mp orb.MultiPolygon) bool {
	all := v.rings[:0]
	n := 0
	for _, p := range mp {
		if len(p) == 0 {
			return false
		}
		for _, r := range p {
			if len(r) < 4 || r[0] != r[len(r)-1] {
				return false
			}
			for _, q := range r {
				if math.IsNaN(q[0]) || math.IsNaN(q[1]) || math.IsInf(q[0], 0) || math.IsInf(q[1], 0) {
					return false
				}
			}
			n += len(r) - 1
		}
		all = append(all, p...)
	}
	v.rings = all
	if checkEdgesIn(all, &v.sweep) != nil {
		return false
	}
	// No boundaries meet: each ring is wholly inside or outside any other,
	// so one vertex tells.
	for _, p := range mp {
		for i, h := range p[1:] {
			if !geo.RingContains(p[0], h[0]) {
				return false
			}
			for j, o := range p[1:] {
				if j != i && geo.RingContains(o, h[0]) {
					return false
				}
			}
		}
	}
	for i := range mp {
		bi := mp[i][0].Bound()
		for j := i + 1; j < len(mp); j++ {
			if !bi.Intersects(mp[j][0].Bound()) {
				continue
			}
			if geo.PolygonContains(mp[j], mp[i][0][0]) || geo.PolygonContains(mp[i], mp[j][0][0]) {
				return false
			}
		}
	}
	return true
}
