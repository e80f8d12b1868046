package matching

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/data/snapshot"
)

// TestLoadSnapshot starts engines over a fixture folder with a cache
// folder: the first start builds and writes the snapshot, the second
// reads it and holds the same grid and indicators; after a boundary moves the snapshot
// is stale, so the engine is built again (the new grid, not the
// snapshot's) and the snapshot rewritten; a truncated snapshot is ignored
// with a warning naming its file, and the engine built, as is one with a
// byte flipped.
func TestLoadSnapshot(t *testing.T) {
	dir := snapshotFixture(t)
	cache := t.TempDir()
	path := snapshot.Path(cache, 6)
	load := func(cacheDir string) (*Engine, string) {
		t.Helper()
		return loadCached(t, dir, cacheDir)
	}
	wantLog := func(log string, lines ...string) {
		t.Helper()
		wantLogLines(t, log, lines...)
	}
	first, log := load(cache)
	wantLog(log, "engine snapshot not used", "engine snapshot written")
	if len(first.indicators) == 0 {
		t.Fatal("the fixture has no indicators: the test checks nothing of them")
	}
	second, log := load(cache)
	wantLog(log, "engine snapshot read")
	if second.grid == first.grid || !reflect.DeepEqual(second.grid, first.grid) || len(second.territory.Communes) != len(first.territory.Communes) ||
		!reflect.DeepEqual(second.indicators, first.indicators) || !reflect.DeepEqual(second.indicatorReport, first.indicatorReport) {
		t.Fatal("the engine read from the snapshot differs from the one built")
	}

	// A boundary moves: the checksum of the boundaries file changes.
	boundaries := filepath.Join(dir, strings.TrimSuffix(data.CommunesFile, ".gz"))
	raw, err := os.ReadFile(boundaries)
	if err != nil {
		t.Fatal(err)
	}
	moved := strings.Replace(string(raw), "[[[3, 45], [4, 45], [4, 46], [3, 46], [3, 45]]]", "[[[3, 45], [4.3, 45], [4.3, 46.2], [3, 46], [3, 45]]]", 1)
	if moved == string(raw) {
		t.Fatal("the fixture has no such boundary: the test changes nothing")
	}
	if err := os.WriteFile(boundaries, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	third, log := load(cache)
	wantLog(log, "engine snapshot not used", "built from other inputs", "engine snapshot written")
	cold, _ := load("")
	checkSameGrid(t, third.grid, cold.grid)
	if reflect.DeepEqual(third.grid.Commune, first.grid.Commune) && reflect.DeepEqual(third.grid.Population, first.grid.Population) {
		t.Fatal("the moved boundary did not change the grid: the test checks nothing")
	}

	// A truncated snapshot: ignored, named, built again, rewritten.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	fourth, log := load(cache)
	wantLog(log, "level=WARN msg=\"engine snapshot ignored, building\" file="+path, "engine snapshot written")
	checkSameGrid(t, fourth.grid, cold.grid)

	// A byte flipped in the middle (the length is right): the checksum
	// fails, the same way.
	if b, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x10
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	fifth, log := load(cache)
	wantLog(log, "level=WARN msg=\"engine snapshot ignored, building\" file="+path, "engine snapshot written")
	checkSameGrid(t, fifth.grid, cold.grid)
	_, log = load(cache)
	wantLog(log, "engine snapshot read")
}

// snapshotFixture returns a copy of the territory fixture with the
// indicator files and the sites of the merge fixture: the folder the
// snapshot tests start engines over.
func snapshotFixture(t *testing.T) string {
	t.Helper()
	dir := editedCopy(t, filepath.Join("..", "data", "testdata", "territory"), "", "")
	for _, name := range []string{data.FragilityFile, data.ZRRFile, "sites.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "data", "testdata", "merge", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadCached starts an engine over dir with its sites layer (CSV) and
// cacheDir as its cache folder ("" for none), and returns it with what it
// logged.
func loadCached(t *testing.T, dir, cacheDir string) (*Engine, string) {
	t.Helper()
	layers := layerconf.Config{Dir: dir, Layers: []layerconf.Layer{{Name: "sites", Path: "sites.csv", Format: layerconf.FormatCSV,
		Columns: &layerconf.Columns{ID: "id", Name: "name", Lat: "lat", Lon: "lon", Commune: "insee"}}}}
	var log bytes.Buffer
	e, err := Load(Config{DataDir: dir, CacheDir: cacheDir, Resolution: 6, Workers: 2, Layers: &layers,
		Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return e, log.String()
}

// wantLogLines fails unless log holds every one of lines.
func wantLogLines(t *testing.T, log string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(log, l) {
			t.Fatalf("log lacks %q:\n%s", l, log)
		}
	}
}
