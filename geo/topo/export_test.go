package topo

import "github.com/paulmach/orb"

// LevelArcMismatch returns the first arc of l whose simplified points, as
// the level gives them back from its kept bits, differ from the arc
// simplified again from the arc as read at the tolerance the level used
// for it (what the level held packed before it held bits), or -1.
func LevelArcMismatch(l *TopoLevel) int {
	var buf []orb.Point
	for i := range l.topo.NumArcs() {
		want := l.simplifyArc(i)
		got := l.arc(i, buf)
		buf = got
		if l.arcLen(i) != len(want) || len(got) != len(want) {
			return i
		}
		for k := range want {
			if !sameBits(got[k], want[k]) {
				return i
			}
		}
	}
	return -1
}

// LevelKeepsBits reports whether l holds its arcs as kept bits (not packed).
func LevelKeepsBits(l *TopoLevel) bool { return l.kept != nil }

// SameShape reports whether a and b hold the same positions bit for bit.
var SameShape = sameShape

// HeldAsSubset reports whether h holds its shape as positions of its source.
func HeldAsSubset(h Simplified) bool { return len(h) > 0 && h[0] == heldSubset }
