package geo

import (
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	h3 "github.com/uber/h3-go/v4"
)

// box returns the closed counter-clockwise ring of a lon/lat rectangle.
func box(minLon, minLat, maxLon, maxLat float64) orb.Ring {
	return orb.Ring{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat}}
}

// boxAround returns a square ring of half-side d around p.
func boxAround(p orb.Point, d float64) orb.Ring {
	return box(p[0]-d, p[1]-d, p[0]+d, p[1]+d)
}

// bruteLocate returns the lowest id whose shape contains p.
func bruteLocate(shapes []orb.MultiPolygon) func(orb.Point) (int, bool) {
	return func(p orb.Point) (int, bool) {
		for id, s := range shapes {
			if s != nil && planar.MultiPolygonContains(s, p) {
				return id, true
			}
		}
		return 0, false
	}
}

// pentagonCentre returns the centre of an H3 pentagon away from the
// antimeridian and the poles.
func pentagonCentre() orb.Point {
	for _, c := range h3.Pentagons(0) {
		ll := h3.CellToLatLng(c)
		if math.Abs(ll.Lng) < 170 && math.Abs(ll.Lat) < 70 {
			return orb.Point{ll.Lng, ll.Lat}
		}
	}
	return orb.Point{}
}

// cellVertex returns a vertex of the res-res cell at p: the point of the
// plane farthest from every cell centre.
func cellVertex(p orb.Point, res int) orb.Point {
	v := h3.CellToBoundary(h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), res))[0]
	return orb.Point{v.Lng, v.Lat}
}

// checkLargestRemainder checks that shares is a largest-remainder split of
// pop over cells by exact h3 area: each share is its quota rounded down or
// up, they sum to pop, and no cell rounded down had a larger fractional part
// than a cell rounded up (to 1e-6, as symmetric cells tie).
func checkProportional(t *testing.T, pop int, cells []h3.Cell, shares []float64) {
	t.Helper()
	total := 0.0
	for _, c := range cells {
		total += h3.CellAreaKm2(c)
	}
	sum := 0.0
	for i, c := range cells {
		q := float64(pop) * h3.CellAreaKm2(c) / total
		if math.Abs(q-shares[i]) > 1e-6*max(1, q) {
			t.Fatalf("cell %v: share %.9f, area-proportional quota %.9f", c, shares[i], q)
		}
		sum += shares[i]
	}
	if math.Abs(sum-float64(pop)) > 1e-6 {
		t.Fatalf("shares sum to %.9f, want %d", sum, pop)
	}
}

// polygonCells returns h3.PolygonToCells over every polygon of mp.
func polygonCells(mp orb.MultiPolygon, res int) []h3.Cell {
	var out []h3.Cell
	for _, poly := range mp {
		gp := h3.GeoPolygon{GeoLoop: loopOf(poly[0])}
		for _, h := range poly[1:] {
			gp.Holes = append(gp.Holes, loopOf(h))
		}
		out = append(out, h3.PolygonToCells(gp, res)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func loopOf(r orb.Ring) h3.GeoLoop {
	l := make(h3.GeoLoop, 0, len(r))
	for _, p := range r {
		l = append(l, h3.NewLatLng(p[1], p[0]))
	}
	return l
}

// checkGridInvariants checks what every grid must satisfy: sorted cells,
// consistent shares and populations, exact conservation, and (on every
// stride-th cell: they cost h3 calls) centres and areas matching h3, centres
// inside their commune.
func checkGridInvariants(t *testing.T, g *Grid, shapes []orb.MultiPolygon, pops []int, stride int) {
	t.Helper()
	n := g.Len()
	if len(g.Centers) != n || len(g.Population) != n || len(g.Commune) != n || len(g.AreaKm2) != n {
		t.Fatalf("slice lengths differ: %d cells", n)
	}
	for i := 1; i < n; i++ {
		if g.Cells[i] <= g.Cells[i-1] {
			t.Fatalf("cells not strictly ascending at %d", i)
		}
	}
	if len(g.ShareStart) != len(shapes)+1 {
		t.Fatalf("%d share starts for %d communes", len(g.ShareStart), len(shapes))
	}
	sums := make([]float64, n)
	var want, got float64
	for id, s := range shapes {
		shares := g.CommuneShares(id)
		if s == nil {
			if len(shares) != 0 {
				t.Errorf("commune %d has no shape but %d shares", id, len(shares))
			}
			continue
		}
		want += float64(pops[id])
		if len(shares) == 0 {
			t.Errorf("commune %d has a shape but no share", id)
		}
		var sum float64
		for _, sh := range shares {
			sum += sh.Population
			sums[sh.Cell] += sh.Population
			if c := g.Commune[sh.Cell]; c != int32(id) && len(shares) > 1 {
				t.Errorf("commune %d shares cell %d owned by %d", id, sh.Cell, c)
			}
		}
		if math.Abs(sum-float64(pops[id])) > 1e-6 {
			t.Errorf("commune %d: shares sum to %v, population %d", id, sum, pops[id])
		}
	}
	for i := range n {
		got += g.Population[i]
		if sums[i] != g.Population[i] {
			t.Fatalf("cell %d: population %v, shares sum %v", i, g.Population[i], sums[i])
		}
		if i%stride != 0 {
			continue
		}
		ll := h3.CellToLatLng(g.Cells[i])
		if math.Abs(ll.Lng-g.Centers[i][0]) > 1e-9 || math.Abs(ll.Lat-g.Centers[i][1]) > 1e-9 {
			t.Fatalf("cell %v: centre %v, h3 says %v", g.Cells[i], g.Centers[i], ll)
		}
		if c := g.Commune[i]; c >= 0 && !planar.MultiPolygonContains(shapes[c], g.Centers[i]) {
			t.Fatalf("cell %v: centre %v not in its commune %d", g.Cells[i], g.Centers[i], c)
		}
		if exact := h3.CellAreaKm2(g.Cells[i]); math.Abs(g.AreaKm2[i]-exact) > 1e-8*exact {
			t.Fatalf("cell %v: area %g, h3 says %g", g.Cells[i], g.AreaKm2[i], exact)
		}
	}
	if math.Abs(got-want) > 1e-9*max(1, want) {
		t.Fatalf("population not conserved: grid %v, communes %v", got, want)
	}
}

func TestBuildGridSmall(t *testing.T) {
	const res = 8
	sq := box(2.30, 48.80, 2.40, 48.87)
	deep := cellVertex(orb.Point{2.35, 48.835}, res) // well inside sq
	far := cellVertex(orb.Point{3.5, 47.2}, res)     // far from every other shape
	tiny := boxAround(far, 0.0004)                   // ~60 m: holds no cell centre
	inHole := boxAround(deep, 0.0004)
	tests := []struct {
		name   string
		shapes []orb.MultiPolygon
		reps   []orb.Point
		pops   []int
		res    int
		// repOnly lists communes expected to hold no cell centre, and
		// whether their representative cell is owned by another commune.
		repOnly map[int]bool
	}{
		{name: "square", shapes: []orb.MultiPolygon{{{sq}}}, reps: []orb.Point{{2.35, 48.835}}, pops: []int{12345}, res: res},
		{name: "square res 7", shapes: []orb.MultiPolygon{{{sq}}}, reps: []orb.Point{{2.35, 48.835}}, pops: []int{12345}, res: 7},
		{name: "square res 9", shapes: []orb.MultiPolygon{{{sq}}}, reps: []orb.Point{{2.35, 48.835}}, pops: []int{987654}, res: 9},
		{name: "square with hole", shapes: []orb.MultiPolygon{{{sq, box(2.33, 48.82, 2.37, 48.85).Clone()}}}, reps: []orb.Point{{2.31, 48.81}}, pops: []int{5000}, res: res},
		{name: "two polygons", shapes: []orb.MultiPolygon{{{box(2.30, 48.80, 2.33, 48.82)}, {box(2.50, 48.90, 2.52, 48.93)}}}, reps: []orb.Point{{2.31, 48.81}}, pops: []int{333}, res: res},
		{name: "tiny commune alone", shapes: []orb.MultiPolygon{{{sq}}, {{tiny}}}, reps: []orb.Point{{2.35, 48.835}, far}, pops: []int{1000, 77}, res: res, repOnly: map[int]bool{1: false}},
		{name: "tiny commune in a hole shares a cell", shapes: []orb.MultiPolygon{{{sq, inHole}}, {{inHole}}}, reps: []orb.Point{{2.31, 48.81}, deep}, pops: []int{4321, 55}, res: res, repOnly: map[int]bool{1: true}},
		{name: "no shape and zero population", shapes: []orb.MultiPolygon{{{sq}}, nil, {{box(2.40, 48.80, 2.45, 48.87)}}}, reps: []orb.Point{{2.35, 48.835}, {0, 0}, {2.42, 48.83}}, pops: []int{100, 999, 0}, res: res},
		{name: "large box res 3", shapes: []orb.MultiPolygon{{{box(-5, 42, 8, 51)}}}, reps: []orb.Point{{2, 46}}, pops: []int{67000000}, res: 3},
		{name: "continent res 1", shapes: []orb.MultiPolygon{{{box(-30, 20, 40, 70)}}}, reps: []orb.Point{{2, 46}}, pops: []int{500000000}, res: 1},
		{name: "around a pentagon res 6", shapes: []orb.MultiPolygon{{{boxAround(pentagonCentre(), 1)}}}, reps: []orb.Point{pentagonCentre()}, pops: []int{424242}, res: 6},
		{name: "two adjacent communes", shapes: []orb.MultiPolygon{{{box(2.30, 48.80, 2.35, 48.87)}}, {{box(2.35, 48.80, 2.40, 48.87)}}}, reps: []orb.Point{{2.32, 48.83}, {2.37, 48.83}}, pops: []int{70001, 29999}, res: res},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := BuildGrid(tc.shapes, tc.reps, tc.pops, bruteLocate(tc.shapes), tc.res, 2)
			if err != nil {
				t.Fatal(err)
			}
			checkGridInvariants(t, g, tc.shapes, tc.pops, 1)
			for id, s := range tc.shapes {
				if s == nil {
					continue
				}
				wantCells := polygonCells(s, tc.res)
				var gotCells []h3.Cell
				for i, c := range g.Commune {
					if c == int32(id) {
						gotCells = append(gotCells, g.Cells[i])
					}
				}
				if !slices.Equal(gotCells, wantCells) {
					t.Fatalf("commune %d: %d cells, PolygonToCells gives %d", id, len(gotCells), len(wantCells))
				}
				shares := g.CommuneShares(id)
				if owner, ok := tc.repOnly[id]; ok {
					if len(wantCells) != 0 || len(shares) != 1 || int(shares[0].Population) != tc.pops[id] {
						t.Fatalf("commune %d: want one share of %d, got %+v (%d own cells)", id, tc.pops[id], shares, len(wantCells))
					}
					p := tc.reps[id]
					c := g.Cells[shares[0].Cell]
					if c != h3.LatLngToCell(h3.NewLatLng(p[1], p[0]), tc.res) {
						t.Fatalf("commune %d: share in %v, not its representative cell", id, c)
					}
					if gotOwner := g.Commune[shares[0].Cell] >= 0; gotOwner != owner {
						t.Fatalf("commune %d: representative cell owned=%v, want %v", id, gotOwner, owner)
					}
					continue
				}
				parts := make([]float64, len(shares))
				for j, sh := range shares {
					if g.Cells[sh.Cell] != wantCells[j] {
						t.Fatalf("commune %d share %d: cell %v, want %v", id, j, g.Cells[sh.Cell], wantCells[j])
					}
					parts[j] = sh.Population
				}
				checkProportional(t, tc.pops[id], wantCells, parts)
			}
		})
	}
}

func TestBuildGridDeterministicAcrossWorkers(t *testing.T) {
	shapes := []orb.MultiPolygon{{{box(2.30, 48.80, 2.45, 48.90)}}, {{box(2.45, 48.80, 2.60, 48.90)}}}
	reps := []orb.Point{{2.4, 48.85}, {2.5, 48.85}}
	pops := []int{123456, 654321}
	g1, err := BuildGrid(shapes, reps, pops, bruteLocate(shapes), 8, 1)
	if err != nil {
		t.Fatal(err)
	}
	g3, err := BuildGrid(shapes, reps, pops, bruteLocate(shapes), 8, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g1.Cells, g3.Cells) || !slices.Equal(g1.Population, g3.Population) || !slices.Equal(g1.Shares, g3.Shares) {
		t.Fatal("grids built with 1 and 3 workers differ")
	}
}

func TestBuildGridErrors(t *testing.T) {
	shapes := []orb.MultiPolygon{{{box(2.30, 48.80, 2.35, 48.85)}}, nil}
	reps := []orb.Point{{2.32, 48.82}, {0, 0}}
	badLocate := func(orb.Point) (int, bool) { return 1, true } // commune 1 has no shape
	tests := []struct {
		name   string
		shapes []orb.MultiPolygon
		reps   []orb.Point
		pops   []int
		locate func(orb.Point) (int, bool)
		res    int
	}{
		{"lengths differ", shapes, reps[:1], []int{1, 2}, bruteLocate(shapes), 8},
		{"negative population", shapes, reps, []int{-1, 0}, bruteLocate(shapes), 8},
		{"resolution", shapes, reps, []int{1, 0}, bruteLocate(shapes), 16},
		{"nil locate", shapes, reps, []int{1, 0}, nil, 8},
		{"locate returns shapeless commune", shapes, reps, []int{1, 0}, badLocate, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := BuildGrid(tc.shapes, tc.reps, tc.pops, tc.locate, tc.res, 2); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestSpreadProportional(t *testing.T) {
	tests := []struct {
		pop     float64
		weights []float64
		want    []float64
	}{
		{10, []float64{1, 1, 1}, []float64{10.0 / 3, 10.0 / 3, 10.0 / 3}},
		{7, []float64{1, 2, 4}, []float64{1, 2, 4}},
		{5, []float64{1, 1, 2}, []float64{1.25, 1.25, 2.5}},
		{3, []float64{3, 1}, []float64{2.25, 0.75}},
		{0, []float64{1, 5}, []float64{0, 0}},
		// Fewer inhabitants than cells: everyone gets a fraction, the
		// largest cells no more than their area's share (largest remainder
		// gave the 2 inhabitants to the first two cells).
		{2, []float64{1, 1, 1, 1, 1}, []float64{0.4, 0.4, 0.4, 0.4, 0.4}},
		{1, []float64{0.9, 1, 1.1}, []float64{0.3, 1.0 / 3, 1.1 / 3}},
		{5, []float64{0, 1, 0}, []float64{0, 5, 0}}, // population grid: empty cells stay empty
		{2147483647, []float64{1, 1}, []float64{1073741823.5, 1073741823.5}},
	}
	for _, tc := range tests {
		got := make([]float64, len(tc.weights))
		spreadProportional(tc.pop, tc.weights, got)
		sum := 0.0
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-9*max(1, tc.want[i]) {
				t.Errorf("spread %v over %v = %v, want %v", tc.pop, tc.weights, got, tc.want)
				break
			}
			sum += got[i]
		}
		if sum != tc.pop {
			t.Errorf("spread %v over %v sums to %v", tc.pop, tc.weights, sum)
		}
	}
}

// TestDescendantsWithinCoverBound checks the property coverCells relies on:
// the centre of every descendant of a cell lies inside its coverBound.
func TestDescendantsWithinCoverBound(t *testing.T) {
	worst := 0.0
	for _, c := range sampleCells(300) {
		k := c.Resolution()
		b := coverBound(c)
		inner := orb.MultiPoint{} // vertex box, to measure the overflow
		for _, v := range h3.CellToBoundary(c) {
			inner = append(inner, orb.Point{v.Lng, v.Lat})
		}
		ib := inner.Bound()
		w, h := ib.Max[0]-ib.Min[0], ib.Max[1]-ib.Min[1]
		d := 1 + int(uint64(c)>>20)%4
		for _, ch := range c.Children(min(k+d, 15)) {
			ll := h3.CellToLatLng(ch)
			p := orb.Point{ll.Lng, ll.Lat}
			if !b.Contains(p) {
				t.Fatalf("descendant %v of %v: centre %v outside %v", ch, c, p, b)
			}
			if w < 180 {
				over := max(ib.Min[0]-p[0], p[0]-ib.Max[0]) / w
				over = max(over, max(ib.Min[1]-p[1], p[1]-ib.Max[1])/h)
				worst = max(worst, over)
			}
		}
	}
	t.Logf("worst overflow %.3f of the cell box (margin %.2f)", worst, descendantMargin)
	if worst > descendantMargin/2 {
		t.Errorf("overflow %.3f leaves less than a safety factor of 2 to margin %.2f", worst, descendantMargin)
	}
}

// sampleCells returns n cells of resolutions 0..6 spread over the globe
// (a deterministic Fibonacci lattice).
func sampleCells(n int) []h3.Cell {
	out := make([]h3.Cell, 0, n)
	for i := range n {
		lat := math.Asin(2*(float64(i)+0.5)/float64(n)-1) * 180 / math.Pi
		lon := math.Mod(float64(i)*137.50776405, 360) - 180
		out = append(out, h3.LatLngToCell(h3.NewLatLng(lat, lon), i%7))
	}
	return out
}

func TestGridAccessors(t *testing.T) {
	shapes := []orb.MultiPolygon{{{box(2.30, 48.80, 2.40, 48.87)}}}
	g, err := BuildGrid(shapes, []orb.Point{{2.35, 48.83}}, []int{1000}, bruteLocate(shapes), 8, 2)
	if err != nil {
		t.Fatal(err)
	}
	var nb []int32
	for i, c := range g.Cells {
		if j, ok := g.Index(c); !ok || j != i {
			t.Fatalf("Index(%v) = %d %v, want %d", c, j, ok, i)
		}
		poly := g.CellPolygon(i)
		ring := poly[0]
		if len(ring) != 7 || ring[0] != ring[6] || RingSignedArea(ring) <= 0 || !planar.RingContains(ring, g.Centers[i]) {
			t.Fatalf("CellPolygon(%d) = %v: want a closed CCW hexagon around the centre", i, ring)
		}
		if b := g.CellBound(i); b != poly.Bound() {
			t.Fatalf("CellBound(%d) = %v, outline's box %v", i, b, poly.Bound())
		}
		nb = g.Neighbors(i, nb)
		var want []int32
		for _, d := range h3.GridDisk(c, 1) {
			if j, ok := g.Index(d); ok && d != c {
				want = append(want, int32(j))
			}
		}
		slices.Sort(nb)
		slices.Sort(want)
		if !slices.Equal(nb, want) {
			t.Fatalf("Neighbors(%d) = %v, want %v", i, nb, want)
		}
	}
	if _, ok := g.Index(h3.LatLngToCell(h3.NewLatLng(0, 0), 8)); ok {
		t.Fatal("Index found a cell outside the grid")
	}
	if g.CommuneShares(1) != nil || g.CommuneShares(-1) != nil {
		t.Fatal("CommuneShares of an unknown id is not nil")
	}
	interior := 0
	for i := range g.Cells {
		if len(g.Neighbors(i, nb)) == 6 {
			interior++
		}
	}
	if interior < g.Len()/2 {
		t.Fatalf("only %d of %d cells have 6 neighbours in a 7×8 km square", interior, g.Len())
	}
}

// BenchmarkNeighbors lists the grid neighbours of every cell of a small grid
// (one h3.GridDisk call and 6 binary searches per cell).
func BenchmarkNeighbors(b *testing.B) {
	g := smallGrid(b)
	dst := make([]int32, 0, 6)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		dst = g.Neighbors(i, dst)
		i = (i + 1) % g.Len()
	}
}

// BenchmarkIndex looks cells up by binary search.
func BenchmarkIndex(b *testing.B) {
	g := smallGrid(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := g.Index(g.Cells[i]); !ok {
			b.Fatal("cell not found")
		}
		i = (i + 1) % g.Len()
	}
}
