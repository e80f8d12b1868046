package topo

import (
	"math"
	"slices"
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

// TestHoldSimplified: simplifications held against their source come back
// bit for bit, in the subset form when they are made of the source's
// positions (rounded, reversed, holes or polygons dropped), packed
// otherwise.
func TestHoldSimplified(t *testing.T) {
	sq := func(x, y, s float64) orb.Ring { // closed, counter-clockwise, with points along the sides
		return orb.Ring{{x, y}, {x + s/2, y + 0.0001}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}
	}
	src := orb.MultiPolygon{
		{sq(0.123456789, 0.987654321, 1), orb.Ring{{0.5, 1.5}, {0.5, 1.7}, {0.7, 1.7}, {0.7, 1.5}, {0.5, 1.5}}, sq(0.2, 1.1, 0.1)},
		{sq(5, 5, 0.001)},
		{sq(10, 10, 2)},
	}
	rev := func(r orb.Ring) orb.Ring { c := slices.Clone(r); slices.Reverse(c); return c }
	tests := []struct {
		name   string
		s      orb.MultiPolygon
		subset bool
	}{
		{"empty", nil, false},
		{"as read", src, true},
		{"rounded, hole and polygon dropped", orb.MultiPolygon{
			{Simplifier{Decimals: 3}.MultiPolygon(src[:1])[0][0], {{0.2, 1.1}, {0.2, 1.2}, {0.3, 1.2}, {0.3, 1.1}, {0.2, 1.1}}},
			{sq(10, 10, 2)[2:]},
		}, true},
		{"reversed hole", orb.MultiPolygon{{src[0][0], rev(src[0][1])}}, true},
		{"simplifier at zoom tolerances", Simplifier{Tolerance: 0.01, Decimals: 4, FineDecimals: 6, KeepOne: true}.MultiPolygon(src), true},
		{"a moved position", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}}, false},
		{"polygons out of order", orb.MultiPolygon{src[2], src[0]}, false},
	}
	for _, tt := range tests {
		h := HoldSimplified(src, tt.s)
		if got := len(h) > 0 && h[0] == heldSubset; got != tt.subset {
			t.Errorf("%s: subset form %v, want %v", tt.name, got, tt.subset)
		}
		got := h.MultiPolygon(src)
		if !sameShape(got, tt.s) {
			t.Errorf("%s: %v back, want %v", tt.name, got, tt.s)
		}
	}
}

// sameShape reports whether a and b hold the same positions bit for bit.
func sameShape(a, b orb.MultiPolygon) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for k := range a[i] {
			if len(a[i][k]) != len(b[i][k]) {
				return false
			}
			for j := range a[i][k] {
				if !sameBits(a[i][k][j], b[i][k][j]) {
					return false
				}
			}
		}
	}
	return true
}

// BenchmarkSimplifiedDecode decodes the ring of
// BenchmarkPackedMultiPolygonDecode held against itself as read with one
// position in two kept (subset form), beside the same simplification
// packed on its own.
func BenchmarkSimplifiedDecode(b *testing.B) {
	r := make(orb.Ring, 1001)
	for k := range r[:1000] {
		r[k] = orb.Point{math.Round((2+float64(k)*1e-3)*1e5) / 1e5, math.Round((48+float64(k%7)*1e-3)*1e5) / 1e5}
	}
	r[1000] = r[0]
	src := orb.MultiPolygon{{r}}
	var half orb.Ring
	for k := 0; k < len(r); k += 2 {
		half = append(half, r[k])
	}
	s := orb.MultiPolygon{{half}}
	for _, bb := range []struct {
		name string
		h    Simplified
	}{{"subset", HoldSimplified(src, s)}, {"packed", Simplified(append([]byte{heldPacked}, PackMultiPolygon(s)...))}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = bb.h.MultiPolygon(src)
			}
			b.ReportMetric(float64(len(bb.h))/float64(len(half)), "bytes/position")
		})
	}
}
