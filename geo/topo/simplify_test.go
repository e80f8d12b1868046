package topo

import (
	"math"
	"math/rand"
	"testing"

	"github.com/maillage/maillage/geo/valid"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/simplify"
)

func TestSimplifierCases(t *testing.T) {
	// A clockwise square with collinear points and a 1e-7 jitter.
	square := orb.Ring{{0, 0}, {0, 5}, {0, 10}, {5, 10.0000001}, {10, 10}, {10, 5}, {10, 0}, {5, 0}, {0, 0}}
	tinyHole := orb.Ring{{5, 5}, {5.01, 5}, {5.01, 5.01}, {5, 5}}
	bigHole := orb.Ring{{2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}}
	speck := orb.Polygon{{{20, 20}, {20.01, 20}, {20.01, 20.01}, {20, 20.01}, {20, 20}}}
	cases := []struct {
		name       string
		s          Simplifier
		in         orb.MultiPolygon
		wantPolys  int
		wantRings  []int // rings per polygon
		wantPoints int   // positions of the first exterior
	}{
		{"rounds and reorients only", Simplifier{Decimals: 6}, orb.MultiPolygon{{square}}, 1, []int{1}, 9},
		{"drops collinear points", Simplifier{Tolerance: 0.1, Decimals: 6}, orb.MultiPolygon{{square}}, 1, []int{1}, 5},
		{"drops a collapsed hole", Simplifier{Tolerance: 0.1, Decimals: 6}, orb.MultiPolygon{{square, tinyHole}}, 1, []int{1}, 5},
		{"keeps a large hole", Simplifier{Tolerance: 0.1, Decimals: 6}, orb.MultiPolygon{{square, bigHole}}, 1, []int{2}, 5},
		{"drops a speck", Simplifier{Tolerance: 0.1, Decimals: 6}, orb.MultiPolygon{{square}, speck}, 1, []int{1}, 5},
		{"drops a lone speck", Simplifier{Tolerance: 0.1, Decimals: 6}, orb.MultiPolygon{speck}, 0, nil, 0},
		{"keeps a lone speck", Simplifier{Tolerance: 0.1, Decimals: 6, KeepOne: true}, orb.MultiPolygon{speck}, 1, []int{1}, 5},
		{"rounding collapses", Simplifier{Decimals: 1}, orb.MultiPolygon{speck}, 0, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := c.in.Clone()
			out := c.s.MultiPolygon(c.in)
			if !orb.Equal(before, c.in) {
				t.Fatalf("input modified")
			}
			if len(out) != c.wantPolys {
				t.Fatalf("%d polygons, want %d: %v", len(out), c.wantPolys, out)
			}
			for i, p := range out {
				if len(p) != c.wantRings[i] {
					t.Fatalf("polygon %d: %d rings, want %d", i, len(p), c.wantRings[i])
				}
				if err := valid.ValidatePolygon(p); err != nil {
					t.Fatalf("polygon %d invalid: %v: %v", i, err, p)
				}
			}
			if c.wantPolys > 0 && len(out[0][0]) != c.wantPoints {
				t.Fatalf("exterior has %d positions, want %d: %v", len(out[0][0]), c.wantPoints, out[0][0])
			}
		})
	}
}

// randomPolygon is a star-shaped polygon around (cx, cy) with a star-shaped
// hole of its own, both with radial noise: simplifying it at large
// tolerances often makes the exterior cut through the hole.
func randomPolygon(rng *rand.Rand, cx, cy float64) orb.Polygon {
	star := func(n int, r0, noise float64, ccw bool) orb.Ring {
		r := make(orb.Ring, 0, n+1)
		for i := 0; i < n; i++ {
			a := 2 * math.Pi * float64(i) / float64(n)
			if !ccw {
				a = -a
			}
			rad := r0 * (1 + noise*(rng.Float64()-0.5))
			r = append(r, orb.Point{cx + rad*math.Cos(a), cy + rad*math.Sin(a)})
		}
		return append(r, r[0])
	}
	ext := star(20+rng.Intn(200), 1, 0.6, true)
	hole := star(8+rng.Intn(40), 0.45+0.2*rng.Float64(), 0.3, false)
	return orb.Polygon{ext, hole}
}

// TestSimplifierNeverInvalid simplifies random polygons at many tolerances:
// every output is valid, made of input positions, and within the tolerance
// of the input; plain Douglas-Peucker is invalid on some of them, so the
// fallback is exercised.
func TestSimplifierNeverInvalid(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	plainInvalid, checked := 0, 0
	for it := 0; it < 400; it++ {
		p := randomPolygon(rng, rng.Float64()*10, rng.Float64()*10)
		if valid.ValidatePolygon(p) != nil {
			continue // the random star crossed its hole: not an input we promise anything for
		}
		checked++
		for _, tol := range []float64{0.01, 0.05, 0.1, 0.2, 0.4} {
			if plain := simplify.DouglasPeucker(tol).Polygon(p.Clone()); len(plain) > 0 && len(plain[0]) >= 4 &&
				(len(plain) == 2 && len(plain[1]) >= 4) && valid.ValidatePolygon(plain) != nil {
				plainInvalid++
			}
			s := Simplifier{Tolerance: tol, Decimals: -1}
			out := s.Polygon(p)
			if out == nil {
				continue
			}
			if err := valid.ValidatePolygon(out); err != nil {
				t.Fatalf("tolerance %v: invalid output %v", tol, err)
			}
			in := map[orb.Point]bool{}
			for _, r := range p {
				for _, q := range r {
					in[q] = true
				}
			}
			for _, q := range out[0] {
				if !in[q] {
					t.Fatalf("tolerance %v: output point %v not in the input", tol, q)
				}
			}
			// Douglas-Peucker keeps every dropped point within the tolerance
			// of the simplified ring.
			for _, q := range p[0] {
				if d := ringDistance(out[0], q); d > tol+1e-12 {
					t.Fatalf("tolerance %v: input point %v is %v from the output", tol, q, d)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d valid random polygons", checked)
	}
	if plainInvalid == 0 {
		t.Fatalf("plain Douglas-Peucker never produced an invalid polygon: the fallback is not tested")
	}
}

// ringDistance is the planar distance from q to the ring's edges.
func ringDistance(r orb.Ring, q orb.Point) float64 {
	best := math.Inf(1)
	for i := 0; i+1 < len(r); i++ {
		best = min(best, planar.DistanceFromSegment(r[i], r[i+1], q))
	}
	return best
}

func TestSimplifierKeepOneFindsValidShape(t *testing.T) {
	// A comb: at the full tolerance it collapses; KeepOne must return a
	// valid ring at a smaller tolerance.
	comb := orb.Ring{{0, 0}, {1, 0}, {1, 0.3}, {0.8, 0.3}, {0.8, 0.1}, {0.6, 0.1}, {0.6, 0.3}, {0, 0.3}, {0, 0}}
	s := Simplifier{Tolerance: 5, Decimals: 6, KeepOne: true}
	out := s.MultiPolygon(orb.MultiPolygon{{comb}})
	if len(out) != 1 {
		t.Fatalf("KeepOne returned %d polygons", len(out))
	}
	if err := valid.ValidatePolygon(out[0]); err != nil {
		t.Fatalf("invalid: %v", err)
	}
	if n := len(out[0][0]); n < 4 || n > len(comb) {
		t.Fatalf("%d positions", n)
	}
}

func BenchmarkSimplifier(b *testing.B) {
	rng := rand.New(rand.NewSource(3))
	polys := make([]orb.Polygon, 64)
	for i := range polys {
		polys[i] = randomPolygon(rng, 0, 0)
	}
	s := Simplifier{Tolerance: 0.05, Decimals: 6}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Polygon(polys[i%len(polys)])
	}
}

// TestSimplifierRefinesRounding: a slit narrower than the rounding step
// closes up when rounded; the retries round finer until it is valid.
func TestSimplifierRefinesRounding(t *testing.T) {
	slit := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0.501, 1}, {0.501, 0.3}, {0.499, 0.3}, {0.499, 1}, {0, 1}, {0, 0}}}
	if err := valid.ValidatePolygon(slit); err != nil {
		t.Fatalf("fixture invalid: %v", err)
	}
	coarse := Simplifier{Tolerance: 0.001, Decimals: 2}.Polygon(slit)
	if valid.ValidatePolygon(coarse) == nil {
		t.Fatalf("rounding to 2 decimals should close the slit: %v", coarse)
	}
	fine := Simplifier{Tolerance: 0.001, Decimals: 2, FineDecimals: 6}.Polygon(slit)
	if err := valid.ValidatePolygon(fine); err != nil {
		t.Fatalf("with FineDecimals: %v: %v", err, fine)
	}
	if len(fine[0]) != len(slit[0]) {
		t.Fatalf("the slit lost points: %v", fine)
	}
}

func TestSimplifierTries(t *testing.T) {
	s := Simplifier{Tolerance: 1, Decimals: 3, FineDecimals: 6}
	want := []try{{1, 3, false}, {0.5, 4, false}, {0.25, 4, false}, {0.125, 4, false}, {0.0625, 5, false},
		{1.0 / 32, 5, false}, {1.0 / 64, 5, false}, {1.0 / 128, 6, false}, {1.0 / 256, 6, false}, {1.0 / 512, 6, false}, {0, 6, true}}
	for k, w := range want {
		if got := s.try(k); got != w {
			t.Errorf("try %d = %+v, want %+v", k, got, w)
		}
	}
	if got := (Simplifier{Decimals: 0}).try(0); got != (try{0, 0, true}) {
		t.Errorf("no tolerance: %+v", got)
	}
}
