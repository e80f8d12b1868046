package topo

import (
	"math"
	"testing"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/valid"
	"github.com/paulmach/orb"
)

// wiggle returns the points from p to q, excluded q: straight when the
// side lies on the fixture's outer square, else wiggling by a few hundredths
// perpendicular to it. The points depend only on the side, not on the
// direction it is walked, so neighbouring cells share them bit for bit.
func wiggle(p, q orb.Point, side float64) []orb.Point {
	a, b, rev := p, q, false
	if lessPoint(q, p) {
		a, b, rev = q, p, true
	}
	outer := (a[0] == b[0] && (a[0] == 0 || a[0] == side)) || (a[1] == b[1] && (a[1] == 0 || a[1] == side))
	const steps = 50
	pts := make([]orb.Point, 0, steps+1)
	for k := 0; k <= steps; k++ {
		t := float64(k) / steps
		x, y := a[0]+(b[0]-a[0])*t, a[1]+(b[1]-a[1])*t
		if !outer && k > 0 && k < steps {
			d := 0.03 * math.Sin(math.Pi*t) * math.Sin(t*37+a[0]*5+a[1]*11)
			x, y = x-(b[1]-a[1])*d, y+(b[0]-a[0])*d
		}
		pts = append(pts, orb.Point{x, y})
	}
	if rev {
		for i, j := 0, len(pts)-1; i < j; i, j = i+1, j-1 {
			pts[i], pts[j] = pts[j], pts[i]
		}
	}
	return pts[:steps]
}

// circle is a closed ring of n points around c, counter-clockwise.
func circle(c orb.Point, r float64, n int) orb.Ring {
	out := make(orb.Ring, 0, n+1)
	for k := range n {
		a := 2 * math.Pi * float64(k) / float64(n)
		out = append(out, orb.Point{c[0] + r*math.Cos(a), c[1] + r*math.Sin(a)})
	}
	return append(out, out[0])
}

// cellsFixture is a 3×3 grid of unit cells with wiggling shared sides; the
// middle cell holds two enclaves (a large one and one smaller than any
// tolerance of the tests), which are shapes 9 and 10.
func cellsFixture() []orb.MultiPolygon {
	var shapes []orb.MultiPolygon
	for j := range 3 {
		for i := range 3 {
			x, y := float64(i), float64(j)
			corners := []orb.Point{{x, y}, {x + 1, y}, {x + 1, y + 1}, {x, y + 1}}
			var r orb.Ring
			for k := range corners {
				r = append(r, wiggle(corners[k], corners[(k+1)%4], 3)...)
			}
			// Start inside a side, as real rings do, not at a corner.
			r = append(r[17:], r[:17]...)
			r = append(r, r[0])
			shapes = append(shapes, orb.MultiPolygon{{r}})
		}
	}
	big, tiny := circle(orb.Point{1.4, 1.5}, 0.15, 40), circle(orb.Point{1.75, 1.5}, 0.004, 8)
	hole := func(r orb.Ring) orb.Ring {
		h := append(orb.Ring(nil), r...)
		reverseRing(h)
		return h
	}
	shapes[4][0] = append(shapes[4][0], hole(big), hole(tiny))
	return append(shapes, orb.MultiPolygon{{big}}, orb.MultiPolygon{{tiny}})
}

// edgeUses counts, per undirected edge, its uses by the rings of shapes
// and whether any two uses run the same way.
func edgeUses(shapes []orb.MultiPolygon) (uses map[[2]orb.Point]int, sameWay int) {
	uses = map[[2]orb.Point]int{}
	dir := map[[2]orb.Point]bool{}
	for _, mp := range shapes {
		for _, p := range mp {
			for _, r := range p {
				for i := 0; i+1 < len(r); i++ {
					e := [2]orb.Point{r[i], r[i+1]}
					if dir[e] {
						sameWay++
					}
					dir[e] = true
					if lessPoint(e[1], e[0]) {
						e[0], e[1] = e[1], e[0]
					}
					uses[e]++
				}
			}
		}
	}
	return uses, sameWay
}

// seamless reports how far shapes are from tiling the fixture's 3×3 square
// exactly: the sum of their areas minus 9, and the edges used once that are
// not on the outer square (gaps or overlaps between neighbours).
func seamless(shapes []orb.MultiPolygon) (areaErr float64, looseEdges int) {
	sum := 0.0
	for _, mp := range shapes {
		for _, p := range mp {
			for k, r := range p {
				a := math.Abs(geo.RingSignedArea(r))
				if k > 0 {
					a = -a
				}
				sum += a
			}
		}
	}
	uses, _ := edgeUses(shapes)
	for e, n := range uses {
		onOuter := (e[0][0] == e[1][0] && (e[0][0] == 0 || e[0][0] == 3)) || (e[0][1] == e[1][1] && (e[0][1] == 0 || e[0][1] == 3))
		if n == 1 && !onOuter {
			looseEdges++
		}
	}
	return sum - 9, looseEdges
}

func TestTopologySimplifySeamless(t *testing.T) {
	shapes := cellsFixture()
	for i, mp := range shapes {
		if err := valid.ValidateShape(mp); err != nil {
			t.Fatalf("fixture shape %d invalid: %v", i, err)
		}
	}
	if e, loose := seamless(shapes); math.Abs(e) > 1e-9 || loose != 0 {
		t.Fatalf("fixture not seamless: area error %g, %d loose edges", e, loose)
	}
	topo, err := BuildTopology(shapes)
	if err != nil {
		t.Fatal(err)
	}
	// 12 inner sides and 8 outer stretches between junctions, 2 enclaves.
	if topo.NumArcs() != 12+8+2 {
		t.Errorf("arcs = %d, want 22", topo.NumArcs())
	}
	tests := []struct {
		tol          float64
		ringsDropped int
		shapesAlive  int
	}{
		{0, 0, 11},
		{0.01, 2, 10}, // the tiny enclave and its hole
		{0.02, 2, 10},
		{0.05, 2, 10},
		{0.2, 4, 9}, // the large enclave too
	}
	for _, tt := range tests {
		l := topo.Simplify(tt.tol)
		alive := 0
		for i, mp := range l.Shapes() {
			if mp == nil {
				continue
			}
			alive++
			if err := valid.ValidateShape(mp); err != nil {
				t.Errorf("tol %g: shape %d invalid: %v", tt.tol, i, err)
			}
			for k, r := range mp[0] {
				if a := geo.RingSignedArea(r); (a > 0) != (k == 0) {
					t.Errorf("tol %g: shape %d ring %d wound the wrong way", tt.tol, i, k)
				}
			}
		}
		if alive != tt.shapesAlive || l.RingsDropped != tt.ringsDropped || l.ShapesInvalid != 0 {
			t.Errorf("tol %g: %d shapes, %d rings dropped, %d invalid; want %d, %d, 0",
				tt.tol, alive, l.RingsDropped, l.ShapesInvalid, tt.shapesAlive, tt.ringsDropped)
		}
		if e, loose := seamless(l.Shapes()); math.Abs(e) > 1e-9 || loose != 0 {
			t.Errorf("tol %g: not seamless: area error %g, %d loose edges", tt.tol, e, loose)
		}
		if _, same := edgeUses(l.Shapes()); same != 0 {
			t.Errorf("tol %g: %d edges run the same way in two rings (overlap)", tt.tol, same)
		}
		if n := len(l.Shapes()[4][0][0]); tt.tol >= 0.05 && n > 40 {
			t.Errorf("tol %g: middle cell keeps %d points: not simplified", tt.tol, n)
		}
	}
	// Simplifying each shape on its own, as before, opens gaps.
	var alone []orb.MultiPolygon
	for _, mp := range shapes {
		alone = append(alone, Simplifier{Tolerance: 0.02, Decimals: -1}.MultiPolygon(mp))
	}
	if _, loose := seamless(alone); loose == 0 {
		t.Error("the fixture does not tell: per-shape simplification is seamless too")
	}
}

func TestBuildTopologyErrors(t *testing.T) {
	bad := []orb.MultiPolygon{{{{{0, 0}, {1, 0}, {0, 0}}}}}
	if _, err := BuildTopology(bad); err == nil {
		t.Error("a ring of 2 distinct positions was accepted")
	}
	nan := []orb.MultiPolygon{{{{{0, 0}, {1, 0}, {math.NaN(), 1}, {0, 0}}}}}
	if _, err := BuildTopology(nan); err == nil {
		t.Error("a NaN coordinate was accepted")
	}
}

// mpArea is the area of mp (exteriors minus holes).
func mpArea(mp orb.MultiPolygon) float64 {
	a := 0.0
	for _, p := range mp {
		for _, r := range p {
			a += geo.RingSignedArea(r) // RFC 7946 winding: holes negative
		}
	}
	return a
}

func TestTopologyGroups(t *testing.T) {
	topo, err := BuildTopology(cellsFixture())
	if err != nil {
		t.Fatal(err)
	}
	// Columns of cells; the large enclave a group of its own, the tiny one
	// left out.
	groupOf := []int{0, 1, 2, 0, 1, 2, 0, 1, 2, 3, -1}
	for _, tol := range []float64{0, 0.02, 0.05} {
		l := topo.Simplify(tol)
		groups := l.Groups(groupOf, 5)
		if groups[4] != nil {
			t.Errorf("tol %g: the empty group has an outline", tol)
		}
		for g, mp := range groups[:4] {
			if err := valid.ValidateShape(mp); err != nil || len(mp) != 1 {
				t.Errorf("tol %g: group %d: %d polygons, %v", tol, g, len(mp), err)
				continue
			}
			want := 0.0
			for s, gs := range groupOf {
				if gs == g {
					want += mpArea(l.Shapes()[s])
				}
			}
			if got := mpArea(mp); math.Abs(got-want) > 1e-9 {
				t.Errorf("tol %g: group %d area %g, its shapes %g", tol, g, got, want)
			}
		}
		// The middle column holds the large enclave's hole (and, unsimplified,
		// the tiny one's, which is left out of every group).
		if n, want := len(groups[1][0]), 2; n != want && !(tol == 0 && n == 3) {
			t.Errorf("tol %g: middle column has %d rings, want %d", tol, n, want)
		}
		// Every edge of a group outline is an edge of one of its shapes.
		shapeEdges, _ := edgeUses(l.Shapes())
		groupEdges, _ := edgeUses(groups)
		for e := range groupEdges {
			if shapeEdges[e] == 0 {
				t.Errorf("tol %g: outline edge %v is no shape's edge", tol, e)
				break
			}
		}
	}
}
