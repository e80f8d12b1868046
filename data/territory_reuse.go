package data

import (
	"slices"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data/boundaries"
	"github.com/maillage/maillage/geo"
)

// TerritoryReuse counts what LoadTerritoryReusing took from the territory
// in service instead of computing it again. Everything taken depends only
// on geometry found identical: a boundary feature of the same bytes, and
// through it a commune whose boundaries are the very same shapes.
type TerritoryReuse struct {
	Features   int  `json:"features"`    // boundary features taken unparsed (same bytes)
	Dissolved  int  `json:"dissolved"`   // dissolved or repaired commune shapes taken
	Measured   int  `json:"measured"`    // communes whose area and representative point were taken
	IndexRings int  `json:"index_rings"` // rings of the commune index taken with their edge buckets
	IndexWhole bool `json:"index_whole"` // the whole commune index taken (every shape the same)
	// Geometry is true when the communes are the previous territory's,
	// code for code, with the very same boundaries and shapes (and the
	// same unmatched boundaries): whatever was derived from the geometry
	// alone is unchanged.
	Geometry bool `json:"geometry"`
}

// Reused says what building t took from the territory it reloaded (all
// zero for a first load).
func (t *Territory) Reused() TerritoryReuse { return t.reused }

// boundaryFeatures returns the boundary features t was read from, for a
// reload (nil for a nil t or a territory built in memory).
func (t *Territory) boundaryFeatures() *boundaries.Features {
	if t == nil {
		return nil
	}
	return t.features
}

// shapeReuse is the territory in service, read while a reload builds the
// next one. Its methods take from it what depends only on a commune's
// geometry when that geometry is identical: the same boundary shapes (the
// same slices, which boundaries.LoadReusing hands back for features of the
// same bytes) joined in the same way. A nil shapeReuse takes nothing.
type shapeReuse struct {
	prev *Territory
}

// newShapeReuse returns the reuse of prev (nil for nil, or for a territory
// read from a snapshot, which holds no boundary shapes to compare).
func newShapeReuse(prev *Territory) *shapeReuse {
	if prev == nil || prev.fromSnapshot {
		return nil
	}
	return &shapeReuse{prev: prev}
}

// same returns the commune of prev with c's code when its boundaries are
// the same shapes as c's, joined the same way, else nil.
func (r *shapeReuse) same(c *Commune) *Commune {
	if r == nil {
		return nil
	}
	id, ok := r.prev.byCode[c.Code]
	if !ok {
		return nil
	}
	p := &r.prev.Communes[id]
	if len(p.parts) != len(c.parts) {
		return nil
	}
	for k := range c.parts {
		a, b := &c.parts[k], &p.parts[k]
		if a.code != b.code || a.invalid != b.invalid || !sameShape(a.shape, b.shape) {
			return nil
		}
	}
	if c.parts == nil && !sameShape(c.Shape, p.Shape) {
		return nil
	}
	return p
}

// dissolved sets c's shape (to be dissolved from its parts) from prev's
// commune of the same boundaries, and reports whether it did.
func (r *shapeReuse) dissolved(c *Commune) bool {
	p := r.same(c)
	if p == nil {
		return false
	}
	c.Shape, c.Bound, c.dissolveErr = p.Shape, p.Bound, p.dissolveErr
	return true
}

// measured sets c's representative point and areas from prev's commune of
// the same boundaries and shape, and reports whether it did.
func (r *shapeReuse) measured(c *Commune) bool {
	p := r.same(c)
	if p == nil || !sameShape(c.Shape, p.Shape) {
		return false
	}
	c.Rep, c.AreaKm2 = p.Rep, p.AreaKm2
	for k := range c.parts {
		c.parts[k].areaKm2 = p.parts[k].areaKm2
	}
	return true
}

// index returns the commune index of shapes: prev's own when every shape
// is prev's shape of the same id, else a new one taking the rings of
// prev's index it still holds (geo.NewCommuneIndexReusing).
func (r *shapeReuse) index(shapes []orb.MultiPolygon, stats *TerritoryReuse) *geo.CommuneIndex {
	if r == nil || r.prev.Index == nil {
		return geo.NewCommuneIndex(shapes)
	}
	whole := len(shapes) == len(r.prev.Communes)
	for i := 0; whole && i < len(shapes); i++ {
		whole = sameShape(shapes[i], r.prev.Communes[i].Shape)
	}
	if whole {
		stats.IndexWhole = true
		return r.prev.Index
	}
	ix, rings := geo.NewCommuneIndexReusing(shapes, r.prev.Index)
	stats.IndexRings = rings
	return ix
}

// sameShape reports whether a and b are the very same rings (same arrays),
// so the same geometry without reading a coordinate.
func sameShape(a, b orb.MultiPolygon) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			ra, rb := a[i][j], b[i][j]
			if len(ra) != len(rb) || len(ra) > 0 && &ra[0] != &rb[0] {
				return false
			}
		}
	}
	return true
}

// SameShapes returns, for each commune id of t, the id in prev of the
// commune of the same code whose shape is the very same geometry (the same
// rings, as a reload by LoadTerritoryReusing shares them), or -1: the
// mapping geo.BuildGridReusing takes. Communes are sorted by code in both,
// so the ids mapped keep their order.
func (t *Territory) SameShapes(prev *Territory) []int32 {
	out := make([]int32, len(t.Communes))
	for id := range t.Communes {
		out[id] = -1
		if prev == nil {
			continue
		}
		c := &t.Communes[id]
		if p, ok := prev.byCode[c.Code]; ok && c.HasShape() && sameShape(c.Shape, prev.Communes[p].Shape) {
			out[id] = int32(p)
		}
	}
	return out
}

// sameGeometry reports whether t's communes are prev's, code for code,
// joined to the very same boundaries with the same shapes, and its
// unmatched boundaries prev's (TerritoryReuse.Geometry).
func (r *shapeReuse) sameGeometry(t *Territory) bool {
	if r == nil {
		return false
	}
	p := r.prev
	if len(t.Communes) != len(p.Communes) || len(t.Unmatched) != len(p.Unmatched) {
		return false
	}
	for i := range t.Communes {
		c, q := &t.Communes[i], &p.Communes[i]
		if c.Code != q.Code || r.same(c) == nil || !sameShape(c.Shape, q.Shape) || !slices.Equal(c.FormerCodes, q.FormerCodes) {
			return false
		}
	}
	for i := range t.Unmatched {
		if t.Unmatched[i].Code != p.Unmatched[i].Code || !sameShape(t.Unmatched[i].Shape, p.Unmatched[i].Shape) {
			return false
		}
	}
	return true
}
