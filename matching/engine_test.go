package matching

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/maillage/maillage/geo"
)

// BenchmarkLoadCold measures the cold start of the engine on all of France:
// parse, reconcile, indexes and the H3 grid at res 8 built from scratch (no
// cache), as `maillage serve` does on a new machine.
func BenchmarkLoadCold(b *testing.B) {
	dir := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("real data not found at %s: %v", dir, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		e, err := Load(Config{DataDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		runtime.KeepAlive(e)
	}
}

// BenchmarkLoadCached is the same start with the grid read from its cache.
func BenchmarkLoadCached(b *testing.B) {
	dir := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("real data not found at %s: %v", dir, err)
	}
	cache := b.TempDir()
	if _, err := Load(Config{DataDir: dir, CacheDir: cache}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		e, err := Load(Config{DataDir: dir, CacheDir: cache})
		if err != nil {
			b.Fatal(err)
		}
		runtime.KeepAlive(e)
	}
}

func TestLoadGridConservesPopulation(t *testing.T) {
	e := coverageEngine(t)
	if e.grid.Resolution != geo.DefaultResolution {
		t.Fatalf("resolution %d, want %d", e.grid.Resolution, geo.DefaultResolution)
	}
	var cellsF float64
	for _, p := range e.grid.Population {
		cellsF += p
	}
	cells := int64(math.Round(cellsF)) // fractional shares, conserved within rounding
	var shaped int64
	for i := range e.territory.Communes {
		if c := &e.territory.Communes[i]; c.HasShape() {
			shaped += int64(c.Population)
		}
	}
	if math.Abs(cellsF-float64(shaped)) > 1e-3 || cells != shaped || shaped != int64(e.territory.Report.PopulationWithShape) {
		t.Fatalf("population over cells %d, over communes with a shape %d, reported %d", cells, shaped, e.territory.Report.PopulationWithShape)
	}
	if len(e.timings) < 3 || e.loadTime <= 0 {
		t.Fatalf("timings %v load %v", e.timings, e.loadTime)
	}
}
