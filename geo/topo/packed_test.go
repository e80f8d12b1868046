package topo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// TestPackedMultiPolygonRoundTrip: every kind of coordinate comes back bit
// for bit, whichever way it was made (rounded to decimals, snapped to
// SnapDeg, or arbitrary), and the packed form is smaller than 16 bytes a
// position when the coordinates sit on the grid.
func TestPackedMultiPolygonRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ring := func(coord func() float64, n int) orb.Ring {
		r := make(orb.Ring, n)
		for k := range r {
			r[k] = orb.Point{coord(), coord()}
		}
		return r
	}
	round := func(d int) func() float64 {
		f := math.Pow(10, float64(d))
		return func() float64 { return math.Round((rng.Float64()*40-20)*f) / f }
	}
	snapped := func() float64 { return snap(rng.Float64()*360 - 180) }
	arbitrary := func() float64 { return rng.Float64()*360 - 180 }
	tests := []struct {
		name     string
		mp       orb.MultiPolygon
		maxBytes int // 0: no bound
	}{
		{"empty", nil, 0},
		{"1 decimal", orb.MultiPolygon{{ring(round(1), 50)}}, 50 * 12},
		{"5 decimals, holes", orb.MultiPolygon{{ring(round(5), 100), ring(round(5), 10)}, {ring(round(5), 20)}}, 130 * 12},
		{"6 decimals", orb.MultiPolygon{{ring(round(6), 100)}}, 100 * 12},
		{"snapped", orb.MultiPolygon{{ring(snapped, 100)}}, 100 * 12},
		{"arbitrary", orb.MultiPolygon{{ring(arbitrary, 30)}}, 0},
		{"mixed rings", orb.MultiPolygon{{ring(round(4), 30), ring(arbitrary, 5)}}, 0},
		{"extremes", orb.MultiPolygon{{{{-180, -90}, {180, 90}, {0, 0}, {-180, -90}}}}, 0},
	}
	for _, tt := range tests {
		p := PackMultiPolygon(tt.mp)
		got := p.MultiPolygon()
		if len(got) != len(tt.mp) {
			t.Fatalf("%s: %d polygons back, want %d", tt.name, len(got), len(tt.mp))
		}
		for i := range got {
			if len(got[i]) != len(tt.mp[i]) {
				t.Fatalf("%s: polygon %d has %d rings, want %d", tt.name, i, len(got[i]), len(tt.mp[i]))
			}
			for k := range got[i] {
				for j := range got[i][k] {
					if a, b := got[i][k][j], tt.mp[i][k][j]; math.Float64bits(a[0]) != math.Float64bits(b[0]) || math.Float64bits(a[1]) != math.Float64bits(b[1]) {
						t.Fatalf("%s: polygon %d ring %d point %d = %v, want %v", tt.name, i, k, j, a, b)
					}
				}
			}
		}
		if tt.maxBytes > 0 && len(p) > tt.maxBytes {
			t.Errorf("%s: %d bytes packed, want ≤ %d", tt.name, len(p), tt.maxBytes)
		}
	}
}

// TestPackedLines: lines read one by one come back as packed.
func TestPackedLines(t *testing.T) {
	lines := []orb.LineString{
		{{snap(2.1234567), snap(48.7654321)}, {snap(2.2), snap(48.8)}},
		{},
		{{0.1, 0.2}, {math.Pi, math.E}, {0.3, 0.4}},
	}
	p := packLines(lines)
	for i, l := range lines {
		if n := p.lineLen(i); n != len(l) {
			t.Fatalf("line %d: length %d, want %d", i, n, len(l))
		}
		got := p.line(nil, i)
		for k := range l {
			if got[k] != l[k] {
				t.Fatalf("line %d point %d = %v, want %v", i, k, got[k], l[k])
			}
		}
	}
}

func BenchmarkPackedMultiPolygonDecode(b *testing.B) {
	r := make(orb.Ring, 1000)
	for k := range r {
		r[k] = orb.Point{math.Round((2+float64(k)*1e-3)*1e5) / 1e5, math.Round((48+float64(k%7)*1e-3)*1e5) / 1e5}
	}
	p := PackMultiPolygon(orb.MultiPolygon{{r}})
	b.ReportAllocs()
	for b.Loop() {
		_ = p.MultiPolygon()
	}
	b.ReportMetric(float64(len(p))/1000, "bytes/position")
}
