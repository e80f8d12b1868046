package topo_test

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/topo"
	"github.com/maillage/maillage/geo/valid"
)

// loadTerritory is the real territory, loaded once for this file's tests.
var loadTerritory = sync.OnceValues(func() (*data.Territory, error) {
	return data.LoadTerritory(filepath.Join("..", "..", "..", "shared", "data"))
})

// franceTopology returns the communes with a shape, their shapes and their
// topology.
func franceTopology(tb testing.TB) ([]data.Commune, []orb.MultiPolygon, *topo.Topology) {
	tb.Helper()
	if _, err := os.Stat(filepath.Join("..", "..", "..", "shared", "data")); err != nil {
		tb.Skipf("real data not found at ../../../shared/data: %v", err)
	}
	terr, err := loadTerritory()
	if err != nil {
		tb.Fatal(err)
	}
	var communes []data.Commune
	var shapes []orb.MultiPolygon
	for _, c := range terr.Communes {
		if c.HasShape() {
			communes = append(communes, c)
			shapes = append(shapes, c.Shape)
		}
	}
	tp, err := topo.BuildTopology(shapes)
	if err != nil {
		tb.Fatal(err)
	}
	return communes, shapes, tp
}

// raster counts, per pixel centre of a lon/lat grid, the shapes covering it.
type raster struct {
	bound orb.Bound
	step  float64
	w, h  int
	count []uint8
}

func newRaster(b orb.Bound, step float64) *raster {
	w, h := int(math.Ceil((b.Max[0]-b.Min[0])/step)), int(math.Ceil((b.Max[1]-b.Min[1])/step))
	return &raster{bound: b, step: step, w: w, h: h, count: make([]uint8, w*h)}
}

// add fills mp by scanlines (even-odd over all its rings, so holes stay
// empty) and adds 1 to every pixel whose centre it covers.
func (r *raster) add(mp orb.MultiPolygon) {
	for _, p := range mp {
		b := p.Bound()
		y0 := max(0, int((b.Min[1]-r.bound.Min[1])/r.step))
		y1 := min(r.h-1, int((b.Max[1]-r.bound.Min[1])/r.step))
		var xs []float64
		for row := y0; row <= y1; row++ {
			y := r.bound.Min[1] + (float64(row)+0.5)*r.step
			xs = xs[:0]
			for _, ring := range p {
				for i := 0; i+1 < len(ring); i++ {
					a, c := ring[i], ring[i+1]
					if (a[1] > y) != (c[1] > y) {
						xs = append(xs, a[0]+(y-a[1])*(c[0]-a[0])/(c[1]-a[1]))
					}
				}
			}
			sort.Float64s(xs)
			for k := 0; k+1 < len(xs); k += 2 {
				c0 := int(math.Ceil((xs[k]-r.bound.Min[0])/r.step - 0.5))
				c1 := int(math.Floor((xs[k+1]-r.bound.Min[0])/r.step - 0.5))
				for col := max(0, c0); col <= min(r.w-1, c1); col++ {
					if v := &r.count[row*r.w+col]; *v < 255 {
						*v++
					}
				}
			}
		}
	}
}

// seams measures simplified shapes against the land that the original
// shapes ids cover, by rasterising both: the share of land pixels covered,
// and the overlap (pixels covered twice or more, counted once per extra
// cover) as a share of land pixels. Every simplified shape reaching the
// area is drawn, so that the neighbours across its edge count.
func seams(orig, simple []orb.MultiPolygon, ids []int, step float64) (covered, overlap float64) {
	b := communesBound(orig, ids)
	land, sim := newRaster(b, step), newRaster(b, step)
	for _, i := range ids {
		land.add(orig[i])
	}
	for _, mp := range simple {
		if len(mp) > 0 && mp.Bound().Intersects(b) {
			sim.add(mp)
		}
	}
	var nLand, nCov, nOver int
	for i, c := range land.count {
		if c == 0 {
			continue
		}
		nLand++
		if s := sim.count[i]; s > 0 {
			nCov++
			nOver += int(s) - 1
		}
	}
	return float64(nCov) / float64(nLand), float64(nOver) / float64(nLand)
}

// TestTopologyFrance simplifies the real communes at the z5 and z7
// tolerances: no invalid shape, and over Creuse and its neighbours the
// simplified communes cover the land with neither gaps nor overlaps beyond
// 0.5 %. Simplifying each commune on its own (the previous way) is
// measured alongside for the record.
func TestTopologyFrance(t *testing.T) {
	if testing.Short() {
		t.Skip("real data: skipped in -short")
	}
	communes, shapes, tp := franceTopology(t)
	t.Logf("%d shapes, %d arcs, %d points", tp.NumShapes(), tp.NumArcs(), tp.NumPoints())
	rural := []string{"23", "03", "19", "36", "63", "87"}
	var ids []int
	for i, c := range communes {
		if slices.Contains(rural, c.Departement) {
			ids = append(ids, i)
		}
	}
	for _, z := range []int{5, 7} {
		tol := geo.ZoomToleranceDeg(z)
		start := time.Now()
		l := tp.Simplify(tol)
		elapsed := time.Since(start)
		invalid, points := 0, 0
		for i, mp := range l.Shapes() {
			if err := valid.ValidateShape(mp); err != nil {
				invalid++
				if invalid <= 5 {
					t.Errorf("z%d: commune %s invalid: %v", z, communes[i].Code, err)
				}
			}
			for _, p := range mp {
				for _, r := range p {
					points += len(r)
				}
			}
		}
		if invalid > 0 || l.ShapesInvalid > 0 {
			t.Errorf("z%d: %d invalid shapes (%d reported)", z, invalid, l.ShapesInvalid)
		}
		cov, over := seams(shapes, l.Shapes(), ids, tol/8)
		t.Logf("z%d (tolerance %.4f°) in %v: %d points, %d rings dropped, %d communes dropped, %d arcs refined; Creuse and neighbours (%d communes): covered %.3f %%, overlap %.3f %%",
			z, tol, elapsed.Round(time.Millisecond), points, l.RingsDropped, l.ShapesDropped, l.ArcsRefined, len(ids), 100*cov, 100*over)
		if cov < 0.995 || over > 0.005 {
			t.Errorf("z%d: covered %.3f %% (want ≥ 99.5), overlap %.3f %% (want ≤ 0.5)", z, 100*cov, 100*over)
		}
		for _, admin := range []struct {
			name string
			key  func(*data.Commune) string
		}{
			{"départements", func(c *data.Commune) string { return c.Departement }},
			{"régions", func(c *data.Commune) string { return c.Region }},
		} {
			invalid, polys := adminOutlines(communes, l, admin.key)
			t.Logf("z%d %s from the arcs: %d polygons, %d invalid", z, admin.name, polys, invalid)
			if invalid > 0 {
				t.Errorf("z%d: %d invalid %s outlines", z, invalid, admin.name)
			}
		}
		s := topo.Simplifier{Tolerance: tol, Decimals: geo.ZoomDecimals(z), FineDecimals: 6, KeepOne: true}
		alone := make([]orb.MultiPolygon, len(shapes))
		area := communesBound(shapes, ids)
		for i, mp := range shapes {
			if mp.Bound().Intersects(area) {
				alone[i] = s.MultiPolygon(mp)
			}
		}
		cov, over = seams(shapes, alone, ids, tol/8)
		t.Logf("z%d each commune simplified on its own: covered %.3f %%, overlap %.3f %%", z, 100*cov, 100*over)
	}
}

// adminOutlines groups the level's communes by key (their département or
// région) and counts the polygons and invalid outlines.
func adminOutlines(communes []data.Commune, l *topo.TopoLevel, key func(*data.Commune) string) (invalid, polys int) {
	index := map[string]int{}
	groupOf := make([]int, len(communes))
	for i := range communes {
		k := key(&communes[i])
		g, ok := index[k]
		if !ok {
			g = len(index)
			index[k] = g
		}
		groupOf[i] = g
	}
	for _, mp := range l.Groups(groupOf, len(index)) {
		polys += len(mp)
		if len(mp) == 0 || valid.ValidateShape(mp) != nil {
			invalid++
		}
	}
	return invalid, polys
}

// communesBound is the bounding box of the shapes ids.
func communesBound(shapes []orb.MultiPolygon, ids []int) orb.Bound {
	b := shapes[ids[0]].Bound()
	for _, i := range ids {
		b = b.Union(shapes[i].Bound())
	}
	return b
}

// BenchmarkBuildTopology measures building the topology of every commune
// (done once, at first use of the low-zoom layers).
func BenchmarkBuildTopology(b *testing.B) {
	_, shapes, _ := franceTopology(b)
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var tp *topo.Topology
	for b.Loop() {
		var err error
		if tp, err = topo.BuildTopology(shapes); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "retained-MB")
	runtime.KeepAlive(tp)
}

// BenchmarkTopologySimplify measures one zoom level (z5) of the national
// topology.
func BenchmarkTopologySimplify(b *testing.B) {
	_, _, tp := franceTopology(b)
	b.ReportAllocs()
	for b.Loop() {
		tp.Simplify(geo.ZoomToleranceDeg(5))
	}
}

// BenchmarkTopoLevelShapes measures what a level holds (retained-MB, all
// nine map levels z0–8 together) and assembling every commune of the z8
// level from its packed arcs, as the map's tiles do on each render.
func BenchmarkTopoLevelShapes(b *testing.B) {
	_, _, tp := franceTopology(b)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	levels := make([]*topo.TopoLevel, 9)
	for z := range levels {
		levels[z] = tp.Simplify(geo.ZoomToleranceDeg(z))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	l := levels[8]
	b.ReportAllocs()
	for b.Loop() {
		for s := range l.NumShapes() {
			_ = l.Shape(s)
		}
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/1e6, "retained-MB")
	runtime.KeepAlive(levels)
}

// TestTopoLevelsFranceKeptBits: levels of the real communes hold their
// arcs as kept bits, and give back exactly the arcs Douglas-Peucker made
// (what they held packed before), refined arcs included.
func TestTopoLevelsFranceKeptBits(t *testing.T) {
	_, _, tp := franceTopology(t)
	for _, z := range []int{0, 5, 8} {
		l := tp.Simplify(geo.ZoomToleranceDeg(z))
		if !topo.LevelKeepsBits(l) {
			t.Errorf("z%d: arcs packed, want kept bits", z)
		}
		if i := topo.LevelArcMismatch(l); i >= 0 {
			t.Errorf("z%d: arc %d differs from its simplification", z, i)
		}
		t.Logf("z%d: %d arcs refined", z, l.ArcsRefined)
	}
}

// TestHoldSimplifiedFrance: the map's simplifications of the real communes
// at zooms 9 and 12 (maplayers.ZoomSimplifier), held against the communes
// as read, come back bit for bit, and nearly all in the subset form (an
// eighth of a byte a position of the commune) rather than packed.
func TestHoldSimplifiedFrance(t *testing.T) {
	_, shapes, _ := franceTopology(t)
	for _, z := range []int{9, 12} {
		s := topo.Simplifier{Tolerance: geo.ZoomToleranceDeg(z), Decimals: geo.ZoomDecimals(z), FineDecimals: 6, KeepOne: true}
		held, packed, subset := 0, 0, 0
		for i, mp := range shapes {
			want := s.MultiPolygon(mp)
			h := topo.HoldSimplified(mp, want)
			if !topo.SameShape(h.MultiPolygon(mp), want) {
				t.Fatalf("z%d commune %d: the held simplification differs", z, i)
			}
			held += len(h)
			packed += len(topo.PackMultiPolygon(want))
			if topo.HeldAsSubset(h) {
				subset++
			}
		}
		t.Logf("z%d: %d of %d held as subsets, %.1f MB held (%.1f MB packed)", z, subset, len(shapes), float64(held)/1e6, float64(packed)/1e6)
		if subset < len(shapes)*99/100 {
			t.Errorf("z%d: %d of %d held as subsets, want ≥ 99 %%", z, subset, len(shapes))
		}
	}
}
