package geo

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// uShapePoly is a concave U whose centroid lies in the notch, outside.
var uShapePoly = orb.Polygon{{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}}

// holedSquare is a square with a hole over its centroid.
var holedSquare = orb.Polygon{ringSquare(0, 0, 4, 4), ringSquare(1, 1, 3, 3)}

func TestPolygonContains(t *testing.T) {
	unclosed := orb.Polygon{{{0, 0}, {2, 0}, {2, 2}, {0, 2}}}
	tests := []struct {
		name string
		poly orb.Polygon
		p    orb.Point
		want bool
	}{
		{"U left arm", uShapePoly, orb.Point{0.5, 2}, true},
		{"U notch", uShapePoly, orb.Point{1.5, 2}, false},
		{"U base", uShapePoly, orb.Point{1.5, 0.5}, true},
		{"U outside", uShapePoly, orb.Point{4, 1}, false},
		{"holedSquare ring", holedSquare, orb.Point{0.5, 0.5}, true},
		{"holedSquare hole", holedSquare, orb.Point{2, 2}, false},
		{"hole west edge (nudged east, into the hole)", holedSquare, orb.Point{1, 2}, false},
		{"hole east edge (nudged east, out of the hole)", holedSquare, orb.Point{3, 2}, true},
		{"outer west edge", holedSquare, orb.Point{0, 2}, true},
		{"outer east edge", holedSquare, orb.Point{4, 2}, false},
		{"outer south edge", holedSquare, orb.Point{2, 0}, true},
		{"outer north edge", holedSquare, orb.Point{2, 4}, false},
		{"unclosed ring", unclosed, orb.Point{1, 1}, true},
		{"unclosed ring outside", unclosed, orb.Point{3, 1}, false},
		{"empty polygon", orb.Polygon{}, orb.Point{0, 0}, false},
		{"degenerate ring", orb.Polygon{{{0, 0}, {1, 1}}}, orb.Point{0.5, 0.5}, false},
	}
	for _, tt := range tests {
		if got := PolygonContains(tt.poly, tt.p); got != tt.want {
			t.Errorf("%s: PolygonContains(%v) = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
	mp := orb.MultiPolygon{uShapePoly, {ringSquare(10, 10, 11, 11)}}
	if !MultiPolygonContains(mp, orb.Point{10.5, 10.5}) || MultiPolygonContains(mp, orb.Point{1.5, 2}) {
		t.Error("MultiPolygonContains wrong")
	}
}

func TestPolygonCovers(t *testing.T) {
	tests := []struct {
		name string
		poly orb.Polygon
		p    orb.Point
		want bool
	}{
		{"interior", holedSquare, orb.Point{0.5, 0.5}, true},
		{"outer east edge", holedSquare, orb.Point{4, 2}, true},
		{"outer north edge", holedSquare, orb.Point{2, 4}, true},
		{"outer corner", holedSquare, orb.Point{4, 4}, true},
		{"hole west edge", holedSquare, orb.Point{1, 2}, true},
		{"hole corner", holedSquare, orb.Point{3, 3}, true},
		{"hole", holedSquare, orb.Point{2, 2}, false},
		{"just outside", holedSquare, orb.Point{4.000001, 2}, false},
		{"U notch's floor", uShapePoly, orb.Point{1.5, 1}, true},
		{"U notch", uShapePoly, orb.Point{1.5, 1.000001}, false},
		{"diagonal's midpoint", orb.Polygon{{{0, 0}, {2, 0}, {0, 2}, {0, 0}}}, orb.Point{1, 1}, true},
		{"unclosed ring's closing edge", orb.Polygon{{{0, 0}, {2, 0}, {2, 2}, {0, 2}}}, orb.Point{0, 1}, true},
	}
	for _, tt := range tests {
		if got := PolygonCovers(tt.poly, tt.p); got != tt.want {
			t.Errorf("%s: PolygonCovers(%v) = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
	mp := orb.MultiPolygon{uShapePoly, {ringSquare(10, 10, 11, 11)}}
	if !MultiPolygonCovers(mp, orb.Point{11, 11}) || MultiPolygonCovers(mp, orb.Point{1.5, 2}) {
		t.Error("MultiPolygonCovers wrong")
	}
}

// TestLocateFlagsEveryBoundaryPoint checks the promise the index relies
// on: a ring's containment test (ringLocate, and the slab-bucketed
// indexedRing.locate) flags every point onEdge puts on the ring, so that
// testing edges only when flagged misses none. Rings are random walks on a
// lattice (long horizontal runs, local extrema, repeated latitudes), points
// their vertices, points of their edges and lattice points.
func TestLocateFlagsEveryBoundaryPoint(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	on := 0
	for k := 0; k < 2000; k++ {
		n := 4 + r.IntN(60)
		ring := make(orb.Ring, 0, n+1)
		q := orb.Point{float64(r.IntN(9)), float64(r.IntN(9))}
		for range n {
			ring = append(ring, q)
			switch r.IntN(3) {
			case 0: // horizontal
				q[0] += float64(r.IntN(5) - 2)
			default:
				q = orb.Point{q[0] + float64(r.IntN(5)-2), q[1] + float64(r.IntN(3)-1)}
			}
		}
		ring = append(ring, ring[0])
		ir := newIndexedRing(ring)
		for range 100 {
			var p orb.Point
			switch i := r.IntN(len(ring) - 1); r.IntN(3) {
			case 0:
				p = ring[i]
			case 1: // a dyadic point of an edge: exact
				a, b, f := ring[i], ring[i+1], float64(r.IntN(9))/8
				p = orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
			default:
				p = orb.Point{float64(r.IntN(13) - 2), float64(r.IntN(13) - 2)}
			}
			if !RingTouches(ring, p) {
				continue
			}
			on++
			if _, maybe := ringLocate(ring, p); !maybe {
				t.Fatalf("ring %v: %v on it, not flagged by ringLocate", ring, p)
			}
			if _, maybe := ir.locate(p); !maybe {
				t.Fatalf("ring %v (slabs %v): %v on it, not flagged by locate", ring, ir.slab != nil, p)
			}
		}
	}
	if on < 50000 {
		t.Errorf("only %d points on rings", on)
	}
}

func TestRepresentativePoint(t *testing.T) {
	tests := []struct {
		name  string
		mp    orb.MultiPolygon
		want  orb.Point   // the expected point, when exact
		in    orb.Polygon // else the polygon the point must be inside
		exact bool
	}{
		{"square: its centroid", orb.MultiPolygon{{ringSquare(0, 0, 2, 2)}}, orb.Point{1, 1}, nil, true},
		{"U: centroid in the notch, scanline", orb.MultiPolygon{uShapePoly}, orb.Point{}, uShapePoly, false},
		{"hole over the centroid", orb.MultiPolygon{holedSquare}, orb.Point{}, holedSquare, false},
		{"largest polygon wins", orb.MultiPolygon{{ringSquare(50, 50, 50.1, 50.1)}, {ringSquare(0, 0, 2, 2)}}, orb.Point{1, 1}, nil, true},
		{"empty", nil, orb.Point{}, nil, true},
	}
	for _, tt := range tests {
		got := RepresentativePoint(tt.mp)
		if tt.exact {
			if got != tt.want {
				t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
			}
			continue
		}
		if !PolygonContains(tt.in, got) {
			t.Errorf("%s: %v is not inside", tt.name, got)
		}
	}
	// The U's middle scanline (y = 1.5) crosses both arms, each 1 wide: the
	// left one comes first.
	if got := RepresentativePoint(orb.MultiPolygon{uShapePoly}); got != (orb.Point{0.5, 1.5}) {
		t.Errorf("U: got %v, want [0.5 1.5]", got)
	}
	// The holedSquare square's middle scanline (y = 2) has two 1-wide intervals.
	if got := RepresentativePoint(orb.MultiPolygon{holedSquare}); got != (orb.Point{0.5, 2}) {
		t.Errorf("holedSquare: got %v, want [0.5 2]", got)
	}
}

func TestAreaKm2(t *testing.T) {
	r2 := EarthRadiusM * EarthRadiusM / 1e6
	// A lon/lat box's exact spherical area: R² Δλ (sin φ2 − sin φ1).
	boxKm2 := func(x0, y0, x1, y1 float64) float64 {
		return r2 * (x1 - x0) * degToRad * (math.Sin(y1*degToRad) - math.Sin(y0*degToRad))
	}
	reversed := ringSquare(2, 45, 3, 46)
	slices.Reverse(reversed)
	tests := []struct {
		name string
		mp   orb.MultiPolygon
		want float64
	}{
		{"1° box at the equator", orb.MultiPolygon{{ringSquare(0, 0, 1, 1)}}, boxKm2(0, 0, 1, 1)},
		{"1° box at 45°N", orb.MultiPolygon{{ringSquare(2, 45, 3, 46)}}, boxKm2(2, 45, 3, 46)},
		{"clockwise ring", orb.MultiPolygon{{reversed}}, boxKm2(2, 45, 3, 46)},
		{"box with a hole", orb.MultiPolygon{{ringSquare(0, 40, 4, 44), ringSquare(1, 41, 2, 42)}}, boxKm2(0, 40, 4, 44) - boxKm2(1, 41, 2, 42)},
		{"two boxes", orb.MultiPolygon{{ringSquare(0, 0, 1, 1)}, {ringSquare(2, 45, 3, 46)}}, boxKm2(0, 0, 1, 1) + boxKm2(2, 45, 3, 46)},
		{"empty", nil, 0},
	}
	for _, tt := range tests {
		if got := AreaKm2(tt.mp); math.Abs(got-tt.want) > 1e-9*math.Max(1, tt.want) {
			t.Errorf("%s: AreaKm2 = %.6f, want %.6f", tt.name, got, tt.want)
		}
		// orb/geo.Area uses the same formula on its own radius.
		scale := (EarthRadiusM / orb.EarthRadius) * (EarthRadiusM / orb.EarthRadius) / 1e6
		if got, want := AreaKm2(tt.mp), orbgeo.Area(tt.mp)*scale; math.Abs(got-want) > 1e-9*math.Max(1, want) {
			t.Errorf("%s: AreaKm2 = %.6f, scaled orb/geo.Area %.6f", tt.name, got, want)
		}
	}
}

func TestShapesOnRealCommunes(t *testing.T) {
	fx := realCommunes(t)
	total := 0.0
	for i, mp := range fx.shapes {
		if p := RepresentativePoint(mp); !MultiPolygonContains(mp, p) {
			t.Errorf("commune %s: representative point %v not inside", fx.codes[i], p)
		}
		total += AreaKm2(mp)
		if fx.codes[i] == "75056" {
			// Paris: 105.4 km² (INSEE).
			if a := AreaKm2(mp); math.Abs(a-105.4) > 1.5 {
				t.Errorf("Paris: %.1f km², want about 105.4", a)
			}
		}
	}
	// Metropolitan France (543,940 km²) and the five DROM (89,170 km²).
	if math.Abs(total-633100) > 0.01*633100 {
		t.Errorf("total area %.0f km², want about 633,100", total)
	}
}

func BenchmarkRepresentativePoint(b *testing.B) {
	mp := orb.MultiPolygon{holedSquare}
	b.ReportAllocs()
	for b.Loop() {
		RepresentativePoint(mp)
	}
}
