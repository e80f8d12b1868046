package geo

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/maillage/maillage/geo/internal/geotest"
	"github.com/paulmach/orb"
)

// communesFixture is the real 2018 commune boundaries, with the INSEE code
// of each shape (geo must not import data, so the test reads the file).
type communesFixture struct {
	shapes []orb.MultiPolygon
	bounds [][]orb.Bound // outer-ring box of each polygon, for brute force
	codes  []string
	ix     *CommuneIndex
}

// loadCommunes reads communes-2018.geojson.gz once per test binary.
var loadCommunes = sync.OnceValues(func() (*communesFixture, error) {
	path := filepath.Join("..", "..", "shared", "data", "communes-2018.geojson.gz")
	codes, shapes, err := geotest.ReadCommuneShapes(path)
	if err != nil {
		return nil, err
	}
	fx := &communesFixture{shapes: shapes, codes: codes}
	for _, mp := range shapes {
		fx.bounds = append(fx.bounds, polygonBounds(mp))
	}
	fx.ix = NewCommuneIndex(fx.shapes)
	return fx, nil
})

func realCommunes(tb testing.TB) *communesFixture {
	tb.Helper()
	geotest.DataDir(tb)
	fx, err := loadCommunes()
	if err != nil {
		tb.Fatal(err)
	}
	return fx
}

func ringSquare(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// star returns a closed star-shaped ring of n points around c, concave
// enough to cross a horizontal line many times.
func ringStar(c orb.Point, n int, r0, r1 float64) orb.Ring {
	ring := make(orb.Ring, 0, n+1)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		r := r0
		if i%2 == 1 {
			r = r1
		}
		ring = append(ring, orb.Point{c[0] + r*math.Cos(a), c[1] + r*math.Sin(a)})
	}
	return append(ring, ring[0])
}

func TestCommuneIndexEmpty(t *testing.T) {
	for _, shapes := range [][]orb.MultiPolygon{nil, {nil, {}}} {
		ix := NewCommuneIndex(shapes)
		if _, ok := ix.At(orb.Point{2, 48}); ok || ix.Len() != 0 {
			t.Errorf("%d shapes: At found a commune, Len %d", len(shapes), ix.Len())
		}
		if _, _, ok := ix.Nearest(orb.Point{2, 48}, 1e6); ok {
			t.Errorf("%d shapes: Nearest found a commune", len(shapes))
		}
		ix.Search(orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, func(id int) bool {
			t.Errorf("%d shapes: Search found %d", len(shapes), id)
			return true
		})
	}
}

func TestCommuneIndexAtSynthetic(t *testing.T) {
	shapes := []orb.MultiPolygon{
		0: {{ringSquare(0, 0, 10, 10), ringSquare(4, 4, 6, 6)}},           // square with a hole
		1: {{ringSquare(4, 4, 6, 6)}},                                     // fills the hole
		2: {{ringSquare(10, 0, 20, 10)}},                                  // east neighbour of 0
		3: nil,                                                            // no shape
		4: {{ringSquare(30, 0, 31, 1)}, {ringSquare(40, 0, 41, 1)}},       // two islands
		5: {{ringStar(orb.Point{60, 0}, 400, 5, 2)}},                      // large concave ring (slabs)
		6: {{ringSquare(100, 0, 110, 10)}, {ringSquare(100, 0, 110, 10)}}, // duplicated polygon
		7: {{ringSquare(100, 0, 110, 10)}},                                // overlaps 6
		8: {{orb.Ring{{0, 0}, {1, 1}}}},                                   // degenerate: skipped
	}
	ix := NewCommuneIndex(shapes)
	if ix.Len() != 7 {
		t.Errorf("Len = %d, want 7", ix.Len())
	}
	tests := []struct {
		p      orb.Point
		wantID int
		wantOK bool
	}{
		{orb.Point{1, 1}, 0, true},
		{orb.Point{5, 5}, 1, true},  // in the hole → the enclave
		{orb.Point{15, 5}, 2, true}, // neighbour
		// Polygons are closed, the lowest id winning on shared boundaries.
		{orb.Point{10, 5}, 0, true},   // on the edge shared by 0 and 2
		{orb.Point{10, 2.5}, 0, true}, // another point of it
		{orb.Point{10, 10}, 0, true},  // a vertex shared by 0 and 2, on the coast
		{orb.Point{10, 0}, 0, true},   // the other one
		{orb.Point{4, 5}, 0, true},    // on the hole's west edge: 0 and the enclave 1
		{orb.Point{6, 5}, 0, true},    // on the hole's east edge
		{orb.Point{5, 4}, 0, true},    // on the hole's south edge
		{orb.Point{5, 6}, 0, true},    // on the hole's north edge
		{orb.Point{4, 4}, 0, true},    // hole corner
		{orb.Point{0, 0}, 0, true},    // coastal vertices: their only commune
		{orb.Point{0, 10}, 0, true},   //
		{orb.Point{20, 10}, 2, true},  //
		{orb.Point{20, 0}, 2, true},   //
		{orb.Point{20, 5}, 2, true},   // a coastal edge's midpoint
		{orb.Point{15, 10}, 2, true},  // another, on a horizontal edge
		{orb.Point{31, 0.5}, 4, true}, // the first island's east edge
		{orb.Point{40, 1}, 4, true},   // the second island's corner
		{orb.Point{20.000001, 5}, 0, false},
		{orb.Point{5, 10.000001}, 0, false},
		{orb.Point{30.5, 0.5}, 4, true},
		{orb.Point{40.5, 0.5}, 4, true},
		{orb.Point{35, 0.5}, 0, false}, // between the islands
		{orb.Point{60, 0}, 5, true},
		{orb.Point{65, 0}, 5, true},   // a vertex of the star (slab buckets)
		{orb.Point{105, 5}, 6, true},  // overlap: lowest id
		{orb.Point{110, 10}, 6, true}, // on both overlapping shapes' corner
		{orb.Point{-1, 5}, 0, false},
		{orb.Point{0.5, 0.5}, 0, true},
	}
	for _, tt := range tests {
		id, ok := ix.At(tt.p)
		if ok != tt.wantOK || ok && id != tt.wantID {
			t.Errorf("At(%v) = %d, %v; want %d, %v", tt.p, id, ok, tt.wantID, tt.wantOK)
		}
	}
}

// TestCommuneIndexAtDiagonalBoundary checks closed polygons on an edge that
// is neither horizontal nor vertical: two triangles sharing the diagonal
// (2,0)–(0,2), and a ring with horizontal edges and a local maximum.
func TestCommuneIndexAtDiagonalBoundary(t *testing.T) {
	shapes := []orb.MultiPolygon{
		0: {{{{2, 0}, {2, 2}, {0, 2}, {2, 0}}}},                       // upper-right triangle
		1: {{{{0, 0}, {2, 0}, {0, 2}, {0, 0}}}},                       // lower-left triangle
		2: {{{{10, 0}, {12, 0}, {12, 1}, {11, 2}, {10, 1}, {10, 0}}}}, // a house: peak (11,2)
	}
	ix := NewCommuneIndex(shapes)
	for _, tt := range []struct {
		p      orb.Point
		wantID int
		wantOK bool
	}{
		{orb.Point{1, 1}, 0, true},     // the diagonal's midpoint: both, lowest id
		{orb.Point{0.5, 1.5}, 0, true}, // another point of it
		{orb.Point{0.5, 0.5}, 1, true}, // inside the lower triangle only
		{orb.Point{0, 0}, 1, true},     // the lower triangle's coastal corner
		{orb.Point{0, 1}, 1, true},     // its west edge
		{orb.Point{11, 2}, 2, true},    // the peak, a local maximum
		{orb.Point{10.5, 1.5}, 2, true},
		{orb.Point{11.5, 1.5}, 2, true},
		{orb.Point{11, 0}, 2, true}, // on the horizontal base
		{orb.Point{11, 2.0000001}, 0, false},
	} {
		id, ok := ix.At(tt.p)
		if ok != tt.wantOK || ok && id != tt.wantID {
			t.Errorf("At(%v) = %d, %v; want %d, %v", tt.p, id, ok, tt.wantID, tt.wantOK)
		}
	}
}

func polygonBounds(mp orb.MultiPolygon) []orb.Bound {
	bs := make([]orb.Bound, len(mp))
	for i, poly := range mp {
		if len(poly) > 0 {
			bs[i] = poly[0].Bound()
		}
	}
	return bs
}

// bruteAt is the reference for At: the lowest id whose closed shape covers
// p (bounds holds each polygon's box, only to skip the far ones quickly).
func bruteAt(shapes []orb.MultiPolygon, bounds [][]orb.Bound, p orb.Point) (int, bool) {
	for id, mp := range shapes {
		for i, poly := range mp {
			if len(poly) > 0 && bounds[id][i].Contains(p) && PolygonCovers(poly, p) {
				return id, true
			}
		}
	}
	return 0, false
}

func TestCommuneIndexAtMatchesBruteForceOnStars(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	var shapes []orb.MultiPolygon
	for i := 0; i < 60; i++ {
		c := orb.Point{r.Float64() * 20, r.Float64() * 20}
		poly := orb.Polygon{ringStar(c, 2*(3+r.IntN(300)), 0.5+2*r.Float64(), 0.2+0.5*r.Float64())}
		if i%3 == 0 {
			poly = append(poly, ringStar(c, 2*(3+r.IntN(100)), 0.15, 0.05))
		}
		shapes = append(shapes, orb.MultiPolygon{poly})
	}
	ix := NewCommuneIndex(shapes)
	var bounds [][]orb.Bound
	for _, mp := range shapes {
		bounds = append(bounds, polygonBounds(mp))
	}
	for i := 0; i < 20000; i++ {
		p := orb.Point{-3 + 26*r.Float64(), -3 + 26*r.Float64()}
		if i%4 == 0 { // exact vertices
			ring := shapes[r.IntN(len(shapes))][0][0]
			p = ring[r.IntN(len(ring))]
		}
		id, ok := ix.At(p)
		wid, wok := bruteAt(shapes, bounds, p)
		if id != wid || ok != wok {
			t.Fatalf("At(%v) = %d %v, want %d %v", p, id, ok, wid, wok)
		}
	}
}

// subdividedSquare is the square [x, x+1]×[y, y+1] with n points per side,
// so that its ring gets y-slab buckets and long horizontal runs.
func subdividedSquare(x, y float64, n int) orb.Ring {
	var r orb.Ring
	step := 1 / float64(n)
	for i := 0; i < n; i++ {
		r = append(r, orb.Point{x + float64(i)*step, y})
	}
	for i := 0; i < n; i++ {
		r = append(r, orb.Point{x + 1, y + float64(i)*step})
	}
	for i := 0; i < n; i++ {
		r = append(r, orb.Point{x + 1 - float64(i)*step, y + 1})
	}
	for i := 0; i < n; i++ {
		r = append(r, orb.Point{x, y + 1 - float64(i)*step})
	}
	return append(r, r[0])
}

// TestCommuneIndexAtBoundaryPointsMatchBruteForce locates points on the
// edges and vertices of a 6×6 grid of communes with subdivided sides
// (slab-bucketed rings with horizontal edges): every point of the grid is
// found, in the lowest id whose closed square holds it.
func TestCommuneIndexAtBoundaryPointsMatchBruteForce(t *testing.T) {
	var shapes []orb.MultiPolygon
	for y := 0; y < 6; y++ {
		for x := 0; x < 6; x++ {
			shapes = append(shapes, orb.MultiPolygon{{subdividedSquare(float64(x), float64(y), 8)}})
		}
	}
	ix := NewCommuneIndex(shapes)
	if ix.rings[0].slab == nil {
		t.Fatal("rings without slab buckets: the test would not exercise them")
	}
	var bounds [][]orb.Bound
	for _, mp := range shapes {
		bounds = append(bounds, polygonBounds(mp))
	}
	r := rand.New(rand.NewPCG(16, 17))
	for i := 0; i < 20000; i++ {
		// Multiples of 1/64: on the 1/8 subdivision often, on edges always
		// along one axis.
		p := orb.Point{float64(r.IntN(6*64+1)) / 64, float64(r.IntN(6*64+1)) / 64}
		if i%2 == 0 {
			p[r.IntN(2)] = float64(r.IntN(7)) // on a grid line
		}
		id, ok := ix.At(p)
		wid, wok := bruteAt(shapes, bounds, p)
		if !ok || id != wid || ok != wok {
			t.Fatalf("At(%v) = %d %v, want %d %v", p, id, ok, wid, wok)
		}
	}
}

func TestCommuneIndexKnownPoints(t *testing.T) {
	fx := realCommunes(t)
	tests := []struct {
		name string
		p    orb.Point
		want string // "" for none
	}{
		{"Paris", orb.Point{2.3522, 48.8566}, "75056"},
		{"Lyon", orb.Point{4.8357, 45.7640}, "69123"},
		{"Marseille", orb.Point{5.3698, 43.2965}, "13055"},
		{"Ajaccio", orb.Point{8.7369, 41.9192}, "2A004"},
		{"Saint-Denis (La Réunion)", orb.Point{55.4504, -20.8789}, "97411"},
		{"Cayenne", orb.Point{-52.3260, 4.9372}, "97302"},
		{"at sea", orb.Point{-5.0, 46.0}, ""},
	}
	for _, tt := range tests {
		id, ok := fx.ix.At(tt.p)
		got := ""
		if ok {
			got = fx.codes[id]
		}
		if got != tt.want {
			t.Errorf("%s %v: got %q, want %q", tt.name, tt.p, got, tt.want)
		}
	}
	if fx.ix.Len() != len(fx.shapes) {
		t.Errorf("Len = %d, want %d", fx.ix.Len(), len(fx.shapes))
	}
}

func TestCommuneIndexAtMatchesBruteForceOnRealCommunes(t *testing.T) {
	fx := realCommunes(t)
	r := rand.New(rand.NewPCG(23, 24))
	n := 10000
	if testing.Short() {
		n = 1000
	}
	inside := 0
	for i := 0; i < n; i++ {
		p := geotest.RandomPointIn(r, geotest.FranceRegions()[0])
		if i%3 == 0 { // vertices, where boundary rules matter
			mp := fx.shapes[r.IntN(len(fx.shapes))]
			ring := mp[0][0]
			p = ring[r.IntN(len(ring))]
		}
		id, ok := fx.ix.At(p)
		wid, wok := bruteAt(fx.shapes, fx.bounds, p)
		if id != wid || ok != wok {
			t.Fatalf("At(%v) = %d %v, want %d %v", p, id, ok, wid, wok)
		}
		if ok {
			inside++
		}
	}
	if inside < n/3 {
		t.Errorf("only %d of %d points inside a commune", inside, n)
	}
}

// sphereSegmentDistM is the exact great-circle distance from p to the
// great-circle arc a–b: the reference for Nearest.
func sphereSegmentDistM(p, a, b orb.Point) float64 {
	pv, av, bv := UnitVector(p), UnitVector(a), UnitVector(b)
	n := vcross(av, bv)
	nn := math.Sqrt(vdot(n, n))
	if nn > 1e-15 {
		n = [3]float64{n[0] / nn, n[1] / nn, n[2] / nn}
		// Foot of p on the great circle, inside the arc when it lies
		// between a and b.
		s := vdot(pv, n)
		f := [3]float64{pv[0] - s*n[0], pv[1] - s*n[1], pv[2] - s*n[2]}
		if vdot(vcross(av, f), n) >= 0 && vdot(vcross(f, bv), n) >= 0 {
			return EarthRadiusM * math.Asin(math.Min(1, math.Abs(s)))
		}
	}
	return math.Min(DistanceM(p, a), DistanceM(p, b))
}

func vcross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func vdot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// bruteNearestBoundary returns the commune with the nearest boundary edge
// and its distance, over every commune.
func bruteNearestBoundary(shapes []orb.MultiPolygon, bounds [][]orb.Bound, p orb.Point, maxM float64) (int, float64, bool) {
	box := BoundAround(p, maxM*1.1)
	best, bestD := -1, math.Inf(1)
	for id, mp := range shapes {
		for i, poly := range mp {
			if len(poly) == 0 || !boundsMeet(bounds[id][i], box) {
				continue
			}
			for _, ring := range poly {
				for i := range ring {
					a := ring[(i+len(ring)-1)%len(ring)]
					if d := sphereSegmentDistM(p, a, ring[i]); d < bestD {
						best, bestD = id, d
					}
				}
			}
		}
	}
	return best, bestD, best >= 0 && bestD <= maxM
}

func TestCommuneIndexNearestSynthetic(t *testing.T) {
	// 0.01° squares near 45°N: 1 km ≈ 0.009° of latitude.
	shapes := []orb.MultiPolygon{
		{{ringSquare(2, 45, 2.01, 45.01)}},
		{{ringSquare(2.02, 45, 2.03, 45.01)}},
	}
	ix := NewCommuneIndex(shapes)
	bounds := [][]orb.Bound{polygonBounds(shapes[0]), polygonBounds(shapes[1])}
	for i, p := range []orb.Point{{2.005, 45.005}, {2.013, 45.005}, {2.017, 45.005}, {2.005, 45.02}, {1.99, 44.99}, {2.015, 45.005}, {3, 45}} {
		for _, maxM := range []float64{0, 500, 1000, 3000} {
			id, d, ok := ix.Nearest(p, maxM)
			wid, wd, wok := bruteNearestBoundary(shapes, bounds, p, maxM)
			if in, inOK := ix.At(p); inOK {
				wid, wd, wok = in, 0, true
			}
			// Edges are straight in lon/lat for Nearest and great-circle
			// arcs for the reference: they differ by about 1 cm here. Two
			// communes at the same distance may come in either order.
			if ok != wok || ok && math.Abs(d-wd) > 0.05 {
				t.Errorf("%d: Nearest(%v, %v) = %d %.3f %v, want %d %.3f %v", i, p, maxM, id, d, ok, wid, wd, wok)
			}
		}
	}
	if _, _, ok := ix.Nearest(orb.Point{2.005, 45.02}, -1); ok {
		t.Error("negative maxM found a commune")
	}
}

func TestCommuneIndexNearestRealCoast(t *testing.T) {
	fx := realCommunes(t)
	r := rand.New(rand.NewPCG(25, 26))
	const maxM = 2000
	tested, snapped := 0, 0
	for tested < 60 {
		// Points just off a random coastal vertex.
		mp := fx.shapes[r.IntN(len(fx.shapes))]
		ring := mp[0][0]
		v := ring[r.IntN(len(ring))]
		p := orb.Point{v[0] + (r.Float64()-0.5)*0.04, v[1] + (r.Float64()-0.5)*0.03}
		if _, ok := fx.ix.At(p); ok {
			continue
		}
		tested++
		id, d, ok := fx.ix.Nearest(p, maxM)
		wid, wd, wok := bruteNearestBoundary(fx.shapes, fx.bounds, p, maxM)
		if ok != wok && math.Abs(wd-maxM) > 1 {
			t.Fatalf("Nearest(%v) ok = %v, brute force %v at %.2f m", p, ok, wok, wd)
		}
		if !ok {
			continue
		}
		snapped++
		if math.Abs(d-wd) > 1 {
			t.Errorf("Nearest(%v) = %s at %.2f m, brute force %s at %.2f m", p, fx.codes[id], d, fx.codes[wid], wd)
		}
		if id != wid && math.Abs(d-wd) > 0.5 {
			t.Errorf("Nearest(%v) = %s, brute force %s (%.2f vs %.2f m)", p, fx.codes[id], fx.codes[wid], d, wd)
		}
	}
	if snapped < 10 {
		t.Errorf("only %d of %d sea points snapped within %d m", snapped, tested, maxM)
	}
}

func TestCommuneIndexSearch(t *testing.T) {
	fx := realCommunes(t)
	r := rand.New(rand.NewPCG(27, 28))
	for i := 0; i < 50; i++ {
		c := geotest.RandomPointIn(r, geotest.FranceRegions()[0])
		w := 0.5 * r.Float64() * r.Float64()
		b := orb.Bound{Min: orb.Point{c[0] - w, c[1] - w/2}, Max: orb.Point{c[0] + w, c[1] + w/2}}
		var got []int
		fx.ix.Search(b, func(id int) bool { got = append(got, id); return true })
		slices.Sort(got)
		var want []int
		for id, bs := range fx.bounds {
			for i, pb := range bs {
				if len(fx.shapes[id][i]) > 0 && boundsMeet(pb, b) {
					want = append(want, id)
					break
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Search(%v): got %d ids, want %d", b, len(got), len(want))
		}
	}
	// Stopping early.
	calls := 0
	fx.ix.Search(orb.Bound{Min: orb.Point{2, 48}, Max: orb.Point{3, 49}}, func(int) bool { calls++; return calls < 3 })
	if calls != 3 {
		t.Errorf("fn called %d times after returning false", calls)
	}
}

// TestCommuneIndexAtWideRings: rings of more than 65,536 positions, whose
// edge lists take two uint16 an entry, locate points as brute force does,
// beside rings of fewer (one uint16 an entry).
func TestCommuneIndexAtWideRings(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	shapes := []orb.MultiPolygon{
		{{rightSideLast(subdividedSquare(0, 0, 20000))}}, // 80,001 positions: wide
		{{rightSideLast(subdividedSquare(1, 0, 10000))}}, // 40,001: narrow, sharing a side
		{{rightSideLast(subdividedSquare(0, 1, 16500))}}, // 66,001: wide
	}
	ix := NewCommuneIndex(shapes)
	if !ix.rings[0].wide || ix.rings[1].wide || !ix.rings[2].wide {
		t.Fatalf("wide rings %v %v %v, want true false true", ix.rings[0].wide, ix.rings[1].wide, ix.rings[2].wide)
	}
	var bounds [][]orb.Bound
	for _, mp := range shapes {
		bounds = append(bounds, polygonBounds(mp))
	}
	for i := 0; i < 1500; i++ { // brute force scans 186,000 positions a point
		p := orb.Point{-0.5 + 3*r.Float64(), -0.5 + 3*r.Float64()}
		if i%4 == 0 { // exact vertices, of edges listed beyond index 65,535 too
			ring := shapes[r.IntN(len(shapes))][0][0]
			p = ring[r.IntN(len(ring))]
		}
		id, ok := ix.At(p)
		wid, wok := bruteAt(shapes, bounds, p)
		if id != wid || ok != wok {
			t.Fatalf("At(%v) = %d %v, want %d %v", p, id, ok, wid, wok)
		}
	}
}

// rightSideLast returns a subdividedSquare ring starting at its top side,
// so that its right side, which the eastward rays of its inner points
// cross, holds its last edges (beyond index 65,535 in a wide ring).
func rightSideLast(r orb.Ring) orb.Ring {
	open := r[:len(r)-1]
	half := len(open) / 2
	out := append(append(orb.Ring{}, open[half:]...), open[:half]...)
	return append(out, out[0])
}
