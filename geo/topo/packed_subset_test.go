package topo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestMarkSubsequence: a subsequence comes back bit for bit from its bits,
// at any bit offset (words crossed), and what is not a subsequence is
// refused (out of order, a position absent, -0 for 0).
func TestMarkSubsequence(t *testing.T) {
	line := make([]orb.Point, 150)
	for k := range line {
		line[k] = orb.Point{float64(k % 40), float64(k / 3)} // repeats: the first match wins
	}
	line[7] = orb.Point{0, 0}
	tests := []struct {
		name string
		sub  []orb.Point
		ok   bool
	}{
		{"empty", nil, true},
		{"whole", line, true},
		{"ends", []orb.Point{line[0], line[149]}, true},
		{"every third", func() []orb.Point {
			var s []orb.Point
			for k := 0; k < len(line); k += 3 {
				s = append(s, line[k])
			}
			return s
		}(), true},
		{"out of order", []orb.Point{line[10], line[5]}, false},
		{"absent", []orb.Point{line[3], {0.5, 0.5}}, false},
		{"-0 is not 0", []orb.Point{{math.Copysign(0, -1), 0}}, false},
	}
	for _, off := range []int{0, 1, 63, 64, 100} {
		for _, tt := range tests {
			bits := make([]uint64, (off+len(line)+63)/64)
			ok := markSubsequence(bits, off, line, tt.sub)
			if ok != tt.ok {
				t.Fatalf("%s at %d: ok %v, want %v", tt.name, off, ok, tt.ok)
			}
			if !ok {
				continue
			}
			if n := countMarked(bits, off, off+len(line)); n != len(tt.sub) {
				t.Fatalf("%s at %d: %d marked, want %d", tt.name, off, n, len(tt.sub))
			}
			got := keepMarked(append([]orb.Point(nil), line...), bits, off)
			if len(got) != len(tt.sub) {
				t.Fatalf("%s at %d: %d positions back, want %d", tt.name, off, len(got), len(tt.sub))
			}
			for k := range got {
				if !sameBits(got[k], tt.sub[k]) {
					t.Fatalf("%s at %d: position %d = %v, want %v", tt.name, off, k, got[k], tt.sub[k])
				}
			}
		}
	}
}

// TestTopoLevelKeptBits: every level of the fixture holds its arcs as bits
// and gives back the arcs Douglas-Peucker made; a level whose arcs are not
// subsets of the arcs as read keeps them packed, and gives them back too.
func TestTopoLevelKeptBits(t *testing.T) {
	tp, err := BuildTopology(cellsFixture())
	if err != nil {
		t.Fatal(err)
	}
	for _, tol := range []float64{0, 0.001, 0.01, 0.05, 0.3} {
		l := tp.Simplify(tol)
		if !LevelKeepsBits(l) {
			t.Fatalf("tolerance %g: arcs packed, want bits", tol)
		}
		if i := LevelArcMismatch(l); i >= 0 {
			t.Fatalf("tolerance %g: arc %d differs from its simplification", tol, i)
		}
	}
	l := tp.Simplify(0.01)
	l.arcs = make([]orb.LineString, tp.NumArcs())
	for i := range l.arcs {
		l.arcs[i] = tp.packed.line(nil, i)
	}
	l.arcs[0] = append(orb.LineString{{-1, -1}}, l.arcs[0]...) // not in arc 0
	want := l.arcs
	l.kept = nil
	l.keepArcs()
	l.arcs = nil
	if LevelKeepsBits(l) {
		t.Fatal("an arc that is no subset of its arc: bits kept, want packed")
	}
	for i := range want {
		got := l.arc(i, nil)
		if len(got) != len(want[i]) || l.arcLen(i) != len(want[i]) || !sameBits(got[0], want[i][0]) {
			t.Fatalf("packed arc %d: %v, want %v", i, got, want[i])
		}
	}
}
