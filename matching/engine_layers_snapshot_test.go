package matching

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/layerconf"
)

// TestLoadLayersSnapshot starts engines over a fixture folder with a cache
// folder: the first start locates the layer and writes the layers
// snapshot, the second reads it and holds the same sites, report and
// nearest answers; a changed layer file makes it stale (the new site is
// there), and a damaged one is ignored and rewritten, the layer located
// from its file.
func TestLoadLayersSnapshot(t *testing.T) {
	dir := snapshotFixture(t)
	cache := t.TempDir()
	load := func() (*Engine, string) {
		t.Helper()
		return loadCached(t, dir, cache)
	}
	wantLog := func(log string, lines ...string) {
		t.Helper()
		wantLogLines(t, log, lines...)
	}
	same := func(got, want *data.Layer) {
		t.Helper()
		if got == want || !reflect.DeepEqual(got.Sites, want.Sites) || !reflect.DeepEqual(got.Report, want.Report) ||
			got.Name != want.Name || got.Vintage != want.Vintage || got.Title != want.Title || got.Source != want.Source {
			t.Fatalf("layer read from the snapshot differs from the one located:\n%+v\n%+v", got, want)
		}
		for _, p := range got.Sites {
			if g, w := got.Index.Nearest(p.Point, 2, nil), want.Index.Nearest(p.Point, 2, nil); !reflect.DeepEqual(g, w) {
				t.Fatalf("nearest of %v: %v, want %v", p.Point, g, w)
			}
		}
	}
	first, log := load()
	wantLog(log, "layers snapshot not found", "layers snapshot written")
	if first.Layer("sites").Report.Rejects == nil {
		t.Fatal("the loader's empty rejects are nil: the test does not check they stay empty")
	}
	second, log := load()
	wantLog(log, "layers snapshot read")
	if len(first.Layer("sites").Sites) == 0 {
		t.Fatal("the fixture has no sites: the test checks nothing")
	}
	same(second.Layer("sites"), first.Layer("sites"))

	// A site added to the file: the snapshot is stale.
	sites := filepath.Join(dir, "sites.csv")
	raw, err := os.ReadFile(sites)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sites, append(raw, "s9,Added site,45.5,2.6,01001\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	third, log := load()
	wantLog(log, "layers snapshot not used", "built from other files", "layers snapshot written")
	if n := len(third.Layer("sites").Sites); n != len(first.Layer("sites").Sites)+1 {
		t.Fatalf("%d sites after one was added to %d", n, len(first.Layer("sites").Sites))
	}

	// A byte flipped: the checksum fails, the layer is located again.
	path := newLayersSnapshot(&startSnapshot{path: filepath.Join(cache, "engine-res6.snap")}, layerconf.Config{}).path
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x10
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	fourth, log := load()
	wantLog(log, "layers snapshot not used", "checksum mismatch", "layers snapshot written")
	same(fourth.Layer("sites"), third.Layer("sites"))
	fifth, log := load()
	wantLog(log, "layers snapshot read")
	same(fifth.Layer("sites"), third.Layer("sites"))
}

// TestLayersSnapshotRealRoundTrip writes the real layers to a layers
// snapshot and reads them back: every site, report and declaration equal,
// and the rebuilt indexes give the same 5 nearest sites at every site.
func TestLayersSnapshotRealRoundTrip(t *testing.T) {
	e := coverageEngine(t)
	dir := filepath.Join("..", "..", "shared", "data")
	loaded, _, err := layerconf.Load(layerconf.Default(dir), e.Territory())
	if err != nil {
		t.Fatal(err)
	}
	ls := &layersSnapshot{path: filepath.Join(t.TempDir(), "layers-res8.snap"), key: "k"}
	if err := ls.write(loaded); err != nil {
		t.Fatal(err)
	}
	back, err := ls.read()
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(loaded) {
		t.Fatalf("%d layers read back, %d written", len(back), len(loaded))
	}
	for i, want := range loaded {
		got := back[i]
		if !reflect.DeepEqual(got.Spec, want.Spec) || got.Path != want.Path || got.Format != want.Format {
			t.Fatalf("layer %d: declaration %+v %s %s, want %+v %s %s", i, got.Spec, got.Path, got.Format, want.Spec, want.Path, want.Format)
		}
		g, w := *got.Layer, *want.Layer
		g.Index, w.Index = nil, nil
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("layer %s differs once read back", w.Name)
		}
		for _, s := range want.Layer.Sites {
			if a, b := got.Layer.Index.Nearest(s.Point, 5, nil), want.Layer.Index.Nearest(s.Point, 5, nil); !reflect.DeepEqual(a, b) {
				t.Fatalf("layer %s, nearest of %v: %v, want %v", w.Name, s.Point, a, b)
			}
		}
	}
	ls.key = "other"
	if _, err := ls.read(); err == nil || !strings.Contains(err.Error(), "other files") {
		t.Fatalf("read under another key: %v", err)
	}
}

// TestLoadSnapshotLateFailure damages the engine snapshot once the layers
// snapshot beside it is good: the layers are read while the engine
// snapshot is checked, its checksum fails late, and the start falls back
// cleanly: territory and grid built from the files (as a start without
// cache builds them), the layers read from their snapshot equal to those
// located, the engine snapshot rewritten and read at the next start.
func TestLoadSnapshotLateFailure(t *testing.T) {
	dir := snapshotFixture(t)
	cache := t.TempDir()
	load := func(cacheDir string) (*Engine, string) {
		t.Helper()
		return loadCached(t, dir, cacheDir)
	}
	load(cache)
	if _, log := load(cache); !strings.Contains(log, "engine snapshot read") || !strings.Contains(log, "layers snapshot read") {
		t.Fatalf("second start did not read both snapshots:\n%s", log)
	}
	path := filepath.Join(cache, "engine-res6.snap")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-8] ^= 0x10 // near the end: the checksum fails after the decoding
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	late, log := load(cache)
	for _, l := range []string{"level=WARN msg=\"engine snapshot ignored, building\" file=" + path, "layers snapshot read", "engine snapshot written"} {
		if !strings.Contains(log, l) {
			t.Fatalf("log lacks %q:\n%s", l, log)
		}
	}
	cold, _ := load("")
	checkSameGrid(t, late.grid, cold.grid)
	if len(late.territory.Communes) != len(cold.territory.Communes) {
		t.Fatal("territory differs from the one built")
	}
	g, w := *late.Layer("sites"), *cold.Layer("sites")
	g.Index, w.Index = nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("layer after a late failure:\n%+v\nwant\n%+v", g, w)
	}
	if _, log := load(cache); !strings.Contains(log, "engine snapshot read") || !strings.Contains(log, "layers snapshot read") {
		t.Fatalf("the start after the late failure did not read both snapshots:\n%s", log)
	}
}
