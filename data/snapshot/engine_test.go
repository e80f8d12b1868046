package snapshot_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data/snapshot"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
)

// realData returns the real data folder, skipping when it is missing.
func realData(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(dir, "communes-2018.geojson.gz")); err != nil {
		tb.Skipf("real data not found at %s (clone next to ../shared): %v", dir, err)
	}
	return dir
}

// cacheWithGrid returns a new cache folder holding the grid cache the
// other tests of the module keep in the temp folder, when there is one:
// the first load then reads its grid instead of building it for minutes.
func cacheWithGrid(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if b, err := os.ReadFile(filepath.Join(os.TempDir(), "maillage-test-cache", "grid-res8.bin")); err == nil {
		if err := os.WriteFile(filepath.Join(dir, "grid-res8.bin"), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// load loads the engine of dir with cache, returning its log.
func load(tb testing.TB, dir, cache string) (*matching.Engine, string) {
	tb.Helper()
	var log bytes.Buffer
	e, err := matching.Load(matching.Config{DataDir: dir, CacheDir: cache, Workers: 2, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	return e, log.String()
}

// TestEngineFromSnapshotAnswersAsBuilt loads the real data twice over one
// cache folder: the first load builds the engine and writes the
// snapshot, the second reads it. Both must answer alike: the territory
// and the commune at sampled points, the grid cell for cell, the nearest
// sites of every layer at sampled points, the indicators, and the national and a
// département's coverage to the inhabitant (the whole answers, gap zones
// included).
func TestEngineFromSnapshotAnswersAsBuilt(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the real data twice")
	}
	dir, cache := realData(t), cacheWithGrid(t)
	built, log1 := load(t, dir, cache)
	if !strings.Contains(log1, "engine snapshot written") {
		t.Fatalf("first load wrote no snapshot:\n%s", log1)
	}
	read, log2 := load(t, dir, cache)
	if !strings.Contains(log2, "engine snapshot read") {
		t.Fatalf("second load did not read the snapshot:\n%s", log2)
	}
	if read.Territory() == built.Territory() {
		t.Fatal("the same territory: the test compares nothing")
	}
	rng := rand.New(rand.NewPCG(17, 1))
	var points []orb.Point
	g := built.Grid()
	for i := 0; i < len(g.Centers); i += 97 {
		points = append(points, g.Centers[i])
	}
	for range 20000 { // metropolitan France's box and around
		points = append(points, orb.Point{-5.5 + 15*rng.Float64(), 41 + 10.5*rng.Float64()})
	}
	checkSameTerritory(t, read.Territory(), built.Territory(), 53, points)
	if !reflect.DeepEqual(read.Grid(), built.Grid()) {
		t.Error("grid read differs from the grid built")
	}
	for _, c := range built.Territory().Communes {
		if !reflect.DeepEqual(read.Indicator(c.Code), built.Indicator(c.Code)) {
			t.Fatalf("commune %s: indicators %+v, built %+v", c.Code, read.Indicator(c.Code), built.Indicator(c.Code))
		}
	}
	if !reflect.DeepEqual(read.IndicatorReport(), built.IndicatorReport()) {
		t.Error("indicator report differs")
	}
	for _, name := range built.LayerNames() {
		bl, rl := built.Layer(name), read.Layer(name)
		if !reflect.DeepEqual(bl.Sites, rl.Sites) || !reflect.DeepEqual(bl.Report, rl.Report) {
			t.Errorf("layer %s: sites located otherwise", name)
			continue
		}
		for _, p := range points[:5000] {
			if a, b := bl.Index.Nearest(p, 5, nil), rl.Index.Nearest(p, 5, nil); !reflect.DeepEqual(a, b) {
				t.Fatalf("layer %s at %v: nearest %v, built %v", name, p, b, a)
			}
		}
	}
	for _, q := range []coverage.Query{{}, {Departement: "22"}} {
		if a, b := coverageJSON(t, built, q), coverageJSON(t, read, q); !bytes.Equal(a, b) {
			t.Errorf("coverage %+v differs from the built engine's", q)
		}
	}
}

// coverageJSON returns the coverage answer of q as JSON.
func coverageJSON(t *testing.T, e *matching.Engine, q coverage.Query) []byte {
	t.Helper()
	cv, err := coverage.Compute(e.Coverage(), q)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(cv)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkReadSnapshot reads the real data's snapshot (territory with
// its index, grid) from a file in the page cache.
func BenchmarkReadSnapshot(b *testing.B) {
	dir, cache := realData(b), cacheWithGrid(b)
	e, _ := load(b, dir, cache)
	path := filepath.Join(b.TempDir(), "engine-res8.snap")
	if err := snapshot.Write(path, "bench", snapshot.State{Territory: e.Territory(), Grid: e.Grid()}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := snapshot.Read(path, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadFromSnapshot is matching.Load at start-up with the
// snapshot in the cache folder: what serve does before its first answer.
func BenchmarkLoadFromSnapshot(b *testing.B) {
	dir, cache := realData(b), cacheWithGrid(b)
	load(b, dir, cache) // writes the snapshot
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, log := load(b, dir, cache); !strings.Contains(log, "engine snapshot read") {
			b.Fatal("snapshot not read")
		}
	}
}
