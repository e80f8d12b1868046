package data

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestCOGRelease(t *testing.T) {
	dir := t.TempDir()
	touch := func(name string) {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check := func(want string) {
		t.Helper()
		if got, err := COGRelease(dir); got != want || err != nil {
			t.Errorf("release %q %v, want %q", got, err, want)
		}
	}
	check(ShippedCOGRelease) // nothing there: the shipped name, reported missing by the loaders
	touch(COGCommunesFile)
	check("6.0.0")
	touch("decoupage-administratif-6.9.1-communes.json")
	touch("decoupage-administratif-6.10.0-departements.json.gz") // no communes file: not a release
	touch("decoupage-administratif-latest-communes.json")        // not a number: ignored
	check("6.9.1")
	touch("decoupage-administratif-6.10.0-communes.json.gz")
	check("6.10.0")
	if COGFile(ShippedCOGRelease, "communes") != COGCommunesFile || COGFile(ShippedCOGRelease, "epci") != COGEPCIFile {
		t.Error("COGFile does not name the shipped files")
	}
}

// TestNewCommuneListMerge loads testdata/merge, where the 6.1.0 release
// merges Alpha (01001) and Epsilon (01005) into Alpha-Epsilon on
// 1 January: the newer release is read, the merged commune has both
// shapes and the sum of the populations, Epsilon's code maps to it, and
// its sites follow (its indicators: package indicators).
func TestNewCommuneListMerge(t *testing.T) {
	dir := filepath.Join("testdata", "merge")
	if rel, err := COGRelease(dir); rel != "6.1.0" || err != nil {
		t.Fatalf("release %q %v", rel, err)
	}
	before, err := LoadTerritory(filepath.Join("testdata", "territory")) // the same files, 6.0.0 only
	if err != nil {
		t.Fatal(err)
	}
	after, err := LoadTerritory(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Communes) != len(before.Communes)-1 {
		t.Errorf("%d communes after the merge, %d before", len(after.Communes), len(before.Communes))
	}
	pop := func(tr *Territory) (n int) {
		for _, c := range tr.Communes {
			n += c.Population
		}
		return n
	}
	if pop(after) != pop(before) {
		t.Errorf("population %d after, %d before", pop(after), pop(before))
	}
	alpha, _ := before.Commune("01001")
	eps, _ := before.Commune("01005")
	merged, ok := after.Commune("01005")
	if !ok || merged.Code != "01001" || merged.Name != "Alpha-Epsilon" || merged.Population != alpha.Population+eps.Population {
		t.Fatalf("01005 after the merge: %+v", merged)
	}
	if want := alpha.AreaKm2 + eps.AreaKm2; math.Abs(merged.AreaKm2-want) > 1e-6*want {
		t.Errorf("merged area %.3f km², want %.3f", merged.AreaKm2, want)
	}
	if c, ok := after.At(eps.Rep); !ok || c.Code != "01001" {
		t.Errorf("Epsilon's point in %v", c)
	}
	for _, c := range after.Communes {
		if c.Code == "01005" {
			t.Error("01005 is still a current commune")
		}
	}

	// Layers: a site declaring Epsilon's former code lands in the merged
	// commune, its code counted as mapped.
	l, err := LoadSitesCSV(filepath.Join(dir, "sites.csv"), fixtureColumns2(), after, "sites")
	if err != nil {
		t.Fatal(err)
	}
	if l.Report.Loaded != 3 || l.Report.CodesMapped != 1 || l.Sites[0].Commune != "01001" || l.Sites[1].Commune != "01001" || l.Sites[2].Commune != "01002" {
		t.Errorf("sites %+v report %+v", l.Sites, l.Report)
	}
}

// fixtureColumns2 are the columns of testdata/merge/sites.csv.
func fixtureColumns2() CSVColumns {
	return CSVColumns{ID: "id", Name: "name", Lat: "lat", Lon: "lon", Commune: "insee"}
}
