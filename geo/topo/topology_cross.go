package topo

import (
	"cmp"
	"slices"

	"github.com/maillage/maillage/geo/valid"
	"github.com/paulmach/orb"
)

// arcSegment is one segment of a simplified arc, for crossingArcs.
type arcSegment struct {
	a, b       orb.Point
	minX, maxX float64
	minY, maxY float64
	arc        int32
	collapsed  bool // the arc is closed and down to one segment there and back
}

// crossingArcs returns the arcs (each once, ascending) having a segment
// that crosses or runs along a segment of another arc, or of itself, other
// than where consecutive segments meet: after simplification two borders
// that do not belong to one shape can still cross, making their shapes
// overlap though each is valid, and a group outline (Groups) invalid.
// Segments meeting at a shared endpoint are allowed unless they overlap
// beyond it; two copies of one segment in different arcs are allowed (the
// arcs around a shape that collapsed, which then meet along it), and so is
// a closed arc collapsed to one segment there and back (its ring is
// dropped).
func (l *TopoLevel) crossingArcs() []int {
	var segs []arcSegment
	for i, a := range l.arcs {
		for k := 0; k+1 < len(a); k++ {
			p, q := a[k], a[k+1]
			segs = append(segs, arcSegment{a: p, b: q, arc: int32(i), collapsed: len(a) <= 3 && a[0] == a[len(a)-1],
				minX: min(p[0], q[0]), maxX: max(p[0], q[0]), minY: min(p[1], q[1]), maxY: max(p[1], q[1])})
		}
	}
	slices.SortFunc(segs, func(x, y arcSegment) int { return cmp.Compare(x.minX, y.minX) })
	bad := map[int32]bool{}
	var active []int
	for k := range segs {
		e := &segs[k]
		n := 0
		for _, j := range active {
			if segs[j].maxX >= e.minX {
				active[n] = j
				n++
			}
		}
		active = active[:n]
		for _, j := range active {
			o := &segs[j]
			if o.maxY < e.minY || o.minY > e.maxY {
				continue
			}
			if segmentsConflict(e, o) {
				bad[e.arc], bad[o.arc] = true, true
			}
		}
		active = append(active, k)
	}
	out := make([]int, 0, len(bad))
	for i := range bad {
		out = append(out, int(i))
	}
	slices.Sort(out)
	return out
}

// segmentsConflict reports whether two arc segments meet where arcs may
// not.
func segmentsConflict(e, o *arcSegment) bool {
	same := (e.a == o.a && e.b == o.b) || (e.a == o.b && e.b == o.a)
	if same {
		return e.arc == o.arc && !e.collapsed
	}
	for _, v := range [...]orb.Point{e.a, e.b} {
		var eo, oo orb.Point // the other ends, seen from v
		switch v {
		case o.a:
			oo = o.b
		case o.b:
			oo = o.a
		default:
			continue
		}
		eo = e.b
		if v == e.b {
			eo = e.a
		}
		return valid.Backtracks(eo, v, oo)
	}
	return valid.SegmentsMeet(e.a, e.b, o.a, o.b)
}
