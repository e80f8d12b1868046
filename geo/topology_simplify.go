package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"
)

// TopoLevel is a Topology simplified at one tolerance: every arc simplified
// once with Douglas-Peucker, its endpoints (junctions) kept, and every
// shape reassembled from its simplified arcs, so neighbours still share
// their boundary exactly.
//
// Rings left with fewer than 4 positions or a zero area have collapsed and
// are dropped (a collapsed exterior drops its polygon, holes included):
// both sides of a shared arc collapse together, so an enclave and the hole
// around it vanish together and the neighbours close over the place. A
// shape whose simplified rings are invalid (crossing, touching, turned
// inside out) has its arcs simplified again at half the tolerance, until it
// is valid or its arcs are back as read; the neighbours using those arcs
// are reassembled with them. Then arcs crossing other arcs (borders of
// shapes that share none, which would overlap) are refined the same way.
type TopoLevel struct {
	// Shapes are the simplified shapes, in the order given to
	// BuildTopology: RFC 7946 winding, closed rings; nil for a shape of
	// which every polygon collapsed.
	Shapes []orb.MultiPolygon

	TolDeg        float64 // the tolerance asked for
	RingsDropped  int     // rings that collapsed
	ShapesDropped int     // non-empty shapes of which every polygon collapsed
	ArcsRefined   int     // arcs simplified at a finer tolerance to keep shapes valid
	ShapesInvalid int     // shapes still invalid with their arcs as read (invalid input)

	topo  *Topology
	arcs  []orb.LineString // simplified arcs
	halve []int8           // per arc, how many times its tolerance was halved
}

// topoHalvings bounds the refinement of an arc: after TolDeg/2⁹ it is used
// as read.
const topoHalvings = 10

// Simplify simplifies the topology's arcs at tolDeg (degrees; 0 keeps them
// as read) and reassembles the shapes.
func (t *Topology) Simplify(tolDeg float64) *TopoLevel {
	l := &TopoLevel{TolDeg: tolDeg, topo: t, Shapes: make([]orb.MultiPolygon, len(t.shapes)),
		arcs: make([]orb.LineString, len(t.arcs)), halve: make([]int8, len(t.arcs))}
	for i := range t.arcs {
		l.arcs[i] = l.simplifyArc(i)
	}
	dirty := make([]bool, len(t.shapes))
	for i := range dirty {
		dirty[i] = true
	}
	var v ShapeValidator
	for {
		var invalid []int
		for s, d := range dirty {
			if !d {
				continue
			}
			dirty[s] = false
			mp, ok := l.assemble(s)
			if ok && len(mp) > 0 && v.Validate(mp) != nil {
				ok = false
			}
			l.Shapes[s] = mp
			if !ok {
				invalid = append(invalid, s)
			}
		}
		refined := false
		if len(invalid) == 0 && tolDeg > 0 {
			// Every shape is valid: now borders of different shapes that cross.
			for _, i := range l.crossingArcs() {
				refined = l.refine(i, dirty) || refined
			}
		}
		for _, s := range invalid {
			for _, poly := range t.shapes[s] {
				for _, r := range poly {
					for _, ref := range r.arcs {
						i, _ := ref.index()
						refined = l.refine(i, dirty) || refined
					}
				}
			}
		}
		if !refined {
			l.ShapesInvalid = len(invalid)
			break
		}
	}
	for s, mp := range l.Shapes {
		if mp == nil && len(t.shapes[s]) > 0 {
			l.ShapesDropped++
		}
	}
	l.RingsDropped = 0
	for s := range t.shapes {
		l.RingsDropped += l.countDropped(s)
	}
	return l
}

// refine simplifies arc i again at half its tolerance, marking the shapes
// using it dirty; false when the arc is already as read.
func (l *TopoLevel) refine(i int, dirty []bool) bool {
	if l.halve[i] >= topoHalvings || l.TolDeg == 0 {
		return false
	}
	if l.halve[i] == 0 {
		l.ArcsRefined++
	}
	l.halve[i]++
	l.arcs[i] = l.simplifyArc(i)
	for _, u := range l.topo.uses[i] {
		dirty[u] = true
	}
	return true
}

// simplifyArc returns arc i simplified at its current tolerance (the arc as
// read once halved topoHalvings times).
func (l *TopoLevel) simplifyArc(i int) orb.LineString {
	a := l.topo.arcs[i]
	if l.TolDeg == 0 || l.halve[i] >= topoHalvings || len(a) <= 2 {
		return a
	}
	tol := math.Ldexp(l.TolDeg, -int(l.halve[i]))
	return simplify.DouglasPeucker(tol).LineString(slices.Clone(a))
}

// assemble builds shape s from the simplified arcs. ok is false when a ring
// turned inside out (its area changed sign).
func (l *TopoLevel) assemble(s int) (mp orb.MultiPolygon, ok bool) {
	ok = true
	for _, poly := range l.topo.shapes[s] {
		var out orb.Polygon
		for k, r := range poly {
			ring := l.ring(r.arcs)
			if ring == nil {
				if k == 0 {
					break
				}
				continue
			}
			a := ringSignedArea(ring)
			if (a > 0) != r.ccw {
				ok = false
			}
			if (a > 0) != (k == 0) {
				reverseRing(ring)
			}
			out = append(out, ring)
		}
		if out != nil {
			mp = append(mp, out)
		}
	}
	return mp, ok
}

// countDropped counts the rings of shape s that collapse at this level.
func (l *TopoLevel) countDropped(s int) int {
	n := 0
	for _, poly := range l.topo.shapes[s] {
		for k, r := range poly {
			if l.ring(r.arcs) == nil {
				if k == 0 {
					n += len(poly)
					break
				}
				n++
			}
		}
	}
	return n
}

// ring concatenates simplified arcs into a closed ring, nil when it has
// fewer than 4 positions or a zero area.
func (l *TopoLevel) ring(refs []arcRef) orb.Ring {
	n := 0
	for _, ref := range refs {
		i, _ := ref.index()
		n += len(l.arcs[i])
	}
	out := make(orb.Ring, 0, n)
	for _, ref := range refs {
		i, rev := ref.index()
		a := l.arcs[i]
		for k := range a {
			p := a[k]
			if rev {
				p = a[len(a)-1-k]
			}
			if m := len(out); m > 0 && out[m-1] == p {
				continue
			}
			out = append(out, p)
		}
	}
	if len(out) < 4 || out[0] != out[len(out)-1] || ringSignedArea(out) == 0 {
		return nil
	}
	return out
}
