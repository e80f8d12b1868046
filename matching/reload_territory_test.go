package matching

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/indicators"
	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/geo"
)

// editedCopy copies the files of src into a new folder, replacing old by
// new in each.
func editedCopy(t *testing.T, src, old, new string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), []byte(strings.ReplaceAll(string(b), old, new)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestReloadGridEqualsColdBuild reloads the territory of a folder over
// another (communes merged by a new COG release, a commune's boundary
// moved, nothing changed) and checks that the grid taken in part from the
// engine in service equals, cell for cell, the grid built cold from the
// same files: cells, centres, areas, owning communes, shares and
// populations. It also checks that the cells away from the changes were
// taken, not located again (it fails if nothing is reused).
func TestReloadGridEqualsColdBuild(t *testing.T) {
	before := filepath.Join("..", "data", "testdata", "territory")
	merge := filepath.Join("..", "data", "testdata", "merge")
	// Beta (01002, part of Beta-Gamma) moves a corner east and north.
	moved := editedCopy(t, merge, "[[[3, 45], [4, 45], [4, 46], [3, 46], [3, 45]]]", "[[[3, 45], [4.3, 45], [4.3, 46.2], [3, 46], [3, 45]]]")
	cfg := Config{Resolution: 7, Workers: 2}
	tests := []struct {
		name, prev, next string
		allTaken         bool // every coarse cell taken, none scanned
	}{
		{"unchanged", before, before, true},
		{"communes merge", before, merge, false},
		{"a shape moves", merge, moved, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pt, err := data.LoadTerritory(tc.prev)
			if err != nil {
				t.Fatal(err)
			}
			pg, err := buildGrid(pt, cfg)
			if err != nil {
				t.Fatal(err)
			}
			prev := New(Parts{Territory: pt, Grid: pg}, Options{Workers: 2})
			nt, err := data.LoadTerritoryReusing(tc.next, prev.territoryToReuse(cfg))
			if err != nil {
				t.Fatal(err)
			}
			got, stats, err := reloadGrid(nt, prev, cfg)
			if err != nil {
				t.Fatal(err)
			}
			ct, err := data.LoadTerritory(tc.next)
			if err != nil {
				t.Fatal(err)
			}
			want, err := buildGrid(ct, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", stats)
			checkSameGrid(t, got, want)
			if stats.CoarseTaken == 0 || stats.CellsTaken == 0 {
				t.Errorf("nothing taken from the grid in service: %+v", stats)
			}
			if tc.allTaken != (stats.CoarseScanned == 0) {
				t.Errorf("%+v: want every coarse cell taken: %v", stats, tc.allTaken)
			}
			if tc.name != "unchanged" && reflect.DeepEqual(got.Commune, pg.Commune) && reflect.DeepEqual(got.Population, pg.Population) {
				t.Error("the change did not change the grid: the fixture tests nothing")
			}
		})
	}
}

// checkSameGrid fails unless got and want hold the same cells, owners,
// shares and populations, exactly.
func checkSameGrid(t *testing.T, got, want *geo.Grid) {
	t.Helper()
	if got.Resolution != want.Resolution || len(got.Cells) != len(want.Cells) {
		t.Fatalf("res %d, %d cells; cold build res %d, %d cells", got.Resolution, len(got.Cells), want.Resolution, len(want.Cells))
	}
	for i := range want.Cells {
		if got.Cells[i] != want.Cells[i] || got.Centers[i] != want.Centers[i] || got.AreaKm2[i] != want.AreaKm2[i] ||
			got.Commune[i] != want.Commune[i] || got.Population[i] != want.Population[i] {
			t.Fatalf("cell %d: %v %v %v commune %d pop %v; cold build %v %v %v commune %d pop %v", i,
				got.Cells[i], got.Centers[i], got.AreaKm2[i], got.Commune[i], got.Population[i],
				want.Cells[i], want.Centers[i], want.AreaKm2[i], want.Commune[i], want.Population[i])
		}
	}
	if !reflect.DeepEqual(got.Shares, want.Shares) || !reflect.DeepEqual(got.ShareStart, want.ShareStart) || !reflect.DeepEqual(got.Weighted, want.Weighted) {
		t.Error("shares differ from the cold build")
	}
}

// TestReloadOverSameGeometry reloads engines over fixture folders: a
// boundaries file of other bytes but the same communes keeps the
// indicators and structures of the engine in service (their files and the
// COG are unchanged); a moved boundary builds them again; a newer COG
// release dropped beside the old one is read (its files are checksummed).
func TestReloadOverSameGeometry(t *testing.T) {
	territoryDir := filepath.Join("..", "data", "testdata", "territory")
	merge := filepath.Join("..", "data", "testdata", "merge")
	load := func(dir string, prev *Engine) *Engine {
		t.Helper()
		layers := layerconf.Config{Dir: dir, Layers: []layerconf.Layer{{Name: "sites", Path: "sites.csv", Format: layerconf.FormatCSV,
			Columns: &layerconf.Columns{ID: "id", Name: "name", Lat: "lat", Lon: "lon", Commune: "insee"}}}}
		e, err := Load(Config{DataDir: dir, Resolution: 6, Workers: 2, Layers: &layers, Previous: prev})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	same := func(a, b indicators.Indicators) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	// Only the 6.0.0 release, so that the merge folder's 6.1.0 is new.
	dir := editedCopy(t, territoryDir, "", "")
	for _, name := range []string{data.FragilityFile, data.ZRRFile, "sites.csv"} {
		b, err := os.ReadFile(filepath.Join(merge, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	prev := load(dir, nil)
	if len(prev.indicators) == 0 {
		t.Fatal("the fixture has no indicators: the test checks nothing")
	}
	// Other bytes, same features: one more space between two features.
	boundaries := filepath.Join(dir, data.CommunesFile[:len(data.CommunesFile)-len(".gz")])
	raw, err := os.ReadFile(boundaries)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(boundaries, []byte(strings.Replace(string(raw), "},\n{", "}, \n{", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	next := load(dir, prev)
	if next.territory == prev.territory || !next.territory.Reused().Geometry {
		t.Fatalf("territory read again: %v, same geometry: %+v", next.territory != prev.territory, next.territory.Reused())
	}
	if !same(next.indicators, prev.indicators) {
		t.Error("indicators built again over the same geometry")
	}
	// A moved boundary: built again, equal to a cold load.
	moved := strings.Replace(string(raw), "[[[3, 45], [4, 45], [4, 46], [3, 46], [3, 45]]]", "[[[3, 45], [4.3, 45], [4.3, 46.2], [3, 46], [3, 45]]]", 1)
	if err := os.WriteFile(boundaries, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	third := load(dir, next)
	if third.territory.Reused().Geometry || same(third.indicators, next.indicators) {
		t.Error("indicators kept over a moved boundary")
	}
	if cold := load(dir, nil); !reflect.DeepEqual(cold.indicators, third.indicators) {
		t.Error("indicators after the reload differ from a cold load's")
	}
	// The 6.1.0 release (Alpha and Epsilon merge) dropped beside 6.0.0.
	for _, part := range []string{"communes", "departements", "regions", "epci"} {
		b, err := os.ReadFile(filepath.Join(merge, "decoupage-administratif-6.1.0-"+part+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "decoupage-administratif-6.1.0-"+part+".json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fourth := load(dir, third)
	if n, was := len(fourth.territory.Communes), len(third.territory.Communes); n != was-1 {
		t.Errorf("%d communes after the new release, %d before: the release was not read", n, was)
	}
}

// TestReloadJoinsIndicatorsAgain: a reload whose commune boundaries
// changed but not the indicator files nor the COG joins the indicator
// files as read by the engine in service (indicators.Sources) to the new
// territory, and gets the indicators and report of a cold load of the
// same folder; a changed indicator file is read again.
func TestReloadJoinsIndicatorsAgain(t *testing.T) {
	merge := filepath.Join("..", "data", "testdata", "merge")
	// Beta (01002, part of Beta-Gamma) moves a corner.
	moved := editedCopy(t, merge, "[[[3, 45], [4, 45], [4, 46], [3, 46], [3, 45]]]", "[[[3, 45], [4.3, 45], [4.3, 46.2], [3, 46], [3, 45]]]")
	load := func(dir string, prev *Engine) *Engine {
		t.Helper()
		layers := layerconf.Config{Dir: dir, Layers: []layerconf.Layer{{Name: "sites", Path: "sites.csv", Format: layerconf.FormatCSV,
			Columns: &layerconf.Columns{ID: "id", Name: "name", Lat: "lat", Lon: "lon", Commune: "insee"}}}}
		e, err := Load(Config{DataDir: dir, Resolution: 6, Workers: 2, Layers: &layers, Previous: prev})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	prev := load(merge, nil)
	if prev.indicatorSources == nil {
		t.Fatal("no indicator sources kept by a cold load")
	}
	got, want := load(moved, prev), load(moved, nil)
	if got.territory == prev.territory {
		t.Fatal("territory reused: the fixture tests nothing")
	}
	if got.indicatorSources != prev.indicatorSources {
		t.Error("indicator files read again though unchanged")
	}
	if !reflect.DeepEqual(got.indicators, want.indicators) || !reflect.DeepEqual(got.indicatorReport, want.indicatorReport) {
		t.Errorf("indicators joined again differ from a cold load:\n got %+v\nwant %+v", got.indicatorReport, want.indicatorReport)
	}
	// Edit the fragility file: read again.
	edited := editedCopy(t, moved, "", "")
	fr := filepath.Join(edited, data.FragilityFile)
	b, err := os.ReadFile(fr)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fr, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	if e := load(edited, got); e.indicatorSources == got.indicatorSources {
		t.Error("indicator file changed but its rows were reused")
	}
}
