package topo

import (
	"math"
	"slices"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/valid"
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
//
// Once built, a level keeps only which positions of the topology's arcs its
// simplified arcs keep, one bit a position (Douglas-Peucker keeps a subset
// of an arc's positions, in order): Shape decodes the arcs as read and
// assembles a shape from the kept positions on each call, so that the nine
// levels of the map's communes cost about a megabyte (their arcs packed
// on their own, geo/topo/packed.go, took 20 MB).
type TopoLevel struct {
	TolDeg        float64 // the tolerance asked for
	RingsDropped  int     // rings that collapsed
	ShapesDropped int     // non-empty shapes of which every polygon collapsed
	ArcsRefined   int     // arcs simplified at a finer tolerance to keep shapes valid
	ShapesInvalid int     // shapes still invalid with their arcs as read (invalid input)

	topo *Topology
	arcs []orb.LineString // simplified arcs while Simplify runs, then nil
	// kept has bit topo.pointStart[i]+k set when position k of arc i (as
	// read) is kept at this level, once Simplify is done. A level whose
	// arcs were not all subsets of the arcs as read (never, with
	// Douglas-Peucker) keeps them packed instead, kept nil.
	kept   []uint64
	packed packedLines
	halve  []int8 // per arc, how many times its tolerance was halved

	scratch orb.LineString // simplifyArc's working copy, reused (Simplify runs on one goroutine)
}

// topoHalvings bounds the refinement of an arc: after TolDeg/2⁹ it is used
// as read.
const topoHalvings = 10

// Simplify simplifies the topology's arcs at tolDeg (degrees; 0 keeps them
// as read) and reassembles the shapes.
func (t *Topology) Simplify(tolDeg float64) *TopoLevel {
	l := &TopoLevel{TolDeg: tolDeg, topo: t,
		arcs: make([]orb.LineString, t.NumArcs()), halve: make([]int8, t.NumArcs())}
	shapes := make([]orb.MultiPolygon, len(t.shapes))
	for i := range l.arcs {
		l.arcs[i] = l.simplifyArc(i)
	}
	dirty := make([]bool, len(t.shapes))
	for i := range dirty {
		dirty[i] = true
	}
	var v valid.ShapeValidator
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
			shapes[s] = mp
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
	for s, mp := range shapes {
		if mp == nil && len(t.shapes[s]) > 0 {
			l.ShapesDropped++
		}
	}
	l.RingsDropped = 0
	for s := range t.shapes {
		l.RingsDropped += l.countDropped(s)
	}
	l.keepArcs()
	l.arcs, l.scratch = nil, nil
	return l
}

// keepArcs records the simplified arcs as the positions they keep of the
// arcs as read (packed when one of them is not a subsequence of its arc).
func (l *TopoLevel) keepArcs() {
	kept := make([]uint64, (l.topo.points+63)/64)
	for i, a := range l.arcs {
		l.scratch = l.topo.packed.line(l.scratch[:0], i)
		if !markSubsequence(kept, int(l.topo.pointStart[i]), l.scratch, a) {
			l.packed = packLines(l.arcs)
			return
		}
	}
	l.kept = kept
}

// NumShapes is the number of shapes, as given to BuildTopology.
func (l *TopoLevel) NumShapes() int { return len(l.topo.shapes) }

// Shape returns shape s simplified, in the order given to BuildTopology:
// RFC 7946 winding, closed rings; nil when every polygon of it collapsed.
// It is assembled on each call (a new value the caller may keep), and
// safe for concurrent use.
func (l *TopoLevel) Shape(s int) orb.MultiPolygon {
	mp, _ := l.assemble(s)
	return mp
}

// Shapes returns every shape (see Shape).
func (l *TopoLevel) Shapes() []orb.MultiPolygon {
	out := make([]orb.MultiPolygon, len(l.topo.shapes))
	for s := range out {
		out[s] = l.Shape(s)
	}
	return out
}

// arc returns arc i's simplified points: the arc itself while Simplify
// runs, else decoded into buf (which it may grow).
func (l *TopoLevel) arc(i int, buf []orb.Point) []orb.Point {
	switch {
	case l.arcs != nil:
		return l.arcs[i]
	case l.kept == nil:
		return l.packed.line(buf[:0], i)
	}
	return keepMarked(l.topo.packed.line(buf[:0], i), l.kept, int(l.topo.pointStart[i]))
}

// arcLen returns the number of points of arc i simplified.
func (l *TopoLevel) arcLen(i int) int {
	switch {
	case l.arcs != nil:
		return len(l.arcs[i])
	case l.kept == nil:
		return l.packed.lineLen(i)
	}
	return countMarked(l.kept, int(l.topo.pointStart[i]), int(l.topo.pointStart[i+1]))
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
	l.scratch = l.topo.packed.line(l.scratch[:0], i)
	a := l.scratch
	if l.TolDeg == 0 || l.halve[i] >= topoHalvings || len(a) <= 2 {
		return slices.Clone(a)
	}
	tol := math.Ldexp(l.TolDeg, -int(l.halve[i]))
	// Douglas-Peucker works in place and returns a prefix of its input: it
	// runs on the scratch copy, and the level keeps an exact-size copy of
	// the result, or it would hold every arc at its full length (at zoom 5
	// an arc of 1,000 positions keeps 3, and held 16 kB for them).
	return slices.Clone(simplify.DouglasPeucker(tol).LineString(a))
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
			a := geo.RingSignedArea(ring)
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
	n, full := 0, 0
	for _, ref := range refs {
		i, _ := ref.index()
		n += l.arcLen(i)
		full = max(full, int(l.topo.pointStart[i+1]-l.topo.pointStart[i]))
	}
	out := make(orb.Ring, 0, n)
	var buf []orb.Point
	if l.kept != nil {
		buf = make([]orb.Point, 0, full) // each arc is decoded whole, then its kept positions kept
	}
	for _, ref := range refs {
		i, rev := ref.index()
		a := l.arc(i, buf)
		if l.arcs == nil {
			buf = a // reuse the decoded points' array for the next arc
		}
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
	if len(out) < 4 || out[0] != out[len(out)-1] || geo.RingSignedArea(out) == 0 {
		return nil
	}
	return out
}
