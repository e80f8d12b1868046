package data

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// fixtureColumns are the columns of testdata/sites/bad.csv.
func fixtureColumns() CSVColumns {
	return CSVColumns{ID: "id", Name: "name", Lat: "lat", Lon: "lon", Commune: "insee", Kind: "type", Format: "format", Address: "addr"}
}

func TestLoadSitesCSVFixture(t *testing.T) {
	tr, err := LoadTerritory(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	l, err := LoadSitesCSV("testdata/sites/bad.csv", fixtureColumns(), tr, "fixture")
	if err != nil {
		t.Fatal(err)
	}
	r := l.Report
	checkInts(t, "report", map[string][2]int{
		"read":             {r.Read, 16},
		"loaded":           {r.Loaded, 8},
		"rejects":          {len(r.Rejects), 8},
		"sites":            {len(l.Sites), r.Loaded},
		"index":            {l.Index.Len(), r.Loaded},
		"codes mapped":     {r.CodesMapped, 1},
		"snapped":          {r.Snapped, 1},
		"mismatch":         {r.CommuneMismatch, 1},
		"mobile":           {r.Mobile, 2},
		"declared unknown": {r.DeclaredUnknown, 1},
		"declared used":    {r.DeclaredCommuneUsed, 2},
	})
	wantRejects := []struct {
		line   int
		id     string
		reason string
	}{
		{3, "s2", `non-numeric latitude "abc"`},
		{4, "s3", "latitude 95.2 out of range"},
		{5, "s4", "missing longitude"},
		{6, "s5", "wrong number of fields"},
		{7, "s6", "swapped"},
		{8, "s7", "0,0"},
		{14, "s12", "outside every commune"},
		{16, "s1", "duplicate id (first at line 2)"},
	}
	for i, w := range wantRejects {
		if i >= len(r.Rejects) {
			t.Errorf("missing reject %+v", w)
			continue
		}
		g := r.Rejects[i]
		if g.Line != w.line || g.ID != w.id || !strings.Contains(g.Reason, w.reason) || g.File != "bad.csv" || g.Where != WhereLine {
			t.Errorf("reject %d = %+v, want line %d id %s reason ~%q", i, g, w.line, w.id, w.reason)
		}
	}
	want := []struct {
		id, commune string
		kind        SiteKind
		itinerant   bool
	}{
		{"s1", "01001", KindFranceServices, false},
		{"s8", "01002", KindFranceServices, false},  // declared former code 01003, in Beta
		{"s9", "01002", KindFranceServices, false},  // in Gamma, merged into 01002
		{"s10", "01001", KindFranceServices, false}, // in unmatched Delta, next to its declared Alpha
		{"s11", "01001", KindFranceServices, false}, // 390 m west of Alpha: snapped (declared 01002)
		{"s13", "97501", KindFranceServices, false}, // declared commune without shape
		{"s14", "01005", KindAntenne, true},
		{"s15", "01005", KindFranceServices, true},
	}
	for i, w := range want {
		if i >= len(l.Sites) {
			t.Errorf("missing site %s", w.id)
			continue
		}
		s := l.Sites[i]
		if s.ID != w.id || s.Commune != w.commune || s.Kind != w.kind || s.Itinerant != w.itinerant || s.Departement != tr.Communes[mustID(t, tr, w.commune)].Departement || s.Layer != "fixture" {
			t.Errorf("site %d = %+v, want %+v", i, s, w)
		}
	}
	if l.Sites[0].Point != (orb.Point{2.5, 45.5}) || l.Sites[0].Address != "1 rue A" || l.Sites[0].Name != "Alpha good" {
		t.Errorf("site s1 = %+v", l.Sites[0])
	}
	if l.Sites[2].Name != "Name on\ntwo lines" {
		t.Errorf("multi-line name %q", l.Sites[2].Name)
	}
	if id, _, ok := l.Index.Nearest1(orb.Point{7.4, 45.5}); !ok || l.Sites[id].ID != "s14" {
		t.Errorf("index nearest to (7.4, 45.5) = %d, %v", id, ok)
	}
}

func mustID(tb testing.TB, tr *Territory, code string) int {
	tb.Helper()
	id, ok := tr.CommuneID(code)
	if !ok {
		tb.Fatalf("no commune %s", code)
	}
	return id
}

func TestLoadSitesCSVMissingColumn(t *testing.T) {
	tr, err := LoadTerritory(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	cols := fixtureColumns()
	cols.Commune = "insee_com"
	_, err = LoadSitesCSV("testdata/sites/bad.csv", cols, tr, "fixture")
	if err == nil || !strings.Contains(err.Error(), "bad.csv") || !strings.Contains(err.Error(), `"insee_com"`) {
		t.Errorf("error %v should name the file and the column insee_com", err)
	}
	cols = fixtureColumns()
	cols.Lon = ""
	if _, err := LoadSitesCSV("testdata/sites/bad.csv", cols, tr, "fixture"); err == nil {
		t.Error("no error without a longitude column")
	}
	if _, err := LoadSitesCSV("testdata/sites/none.csv", fixtureColumns(), tr, "fixture"); err == nil || !strings.Contains(err.Error(), "none.csv") {
		t.Errorf("missing file: error %v", err)
	}
}

func TestLoadFranceServices2020Fixture(t *testing.T) {
	tr, err := LoadTerritory(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("fs.geojson", `{"type": "FeatureCollection",
"crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:OGC:1.3:CRS84" } },
"features": [
{"type": "Feature", "properties": {"MATRICULE": 7, "lib_france_services": "A", "insee_com": "01001", "ITINERANCE": "Oui", "FORMAT_FS": "Antenne", "ADRESSE": "1 rue"}, "geometry": {"type": "Point", "coordinates": [2.5, 45.5]}},
{"type": "Feature", "properties": {"MATRICULE": 8, "insee_com": "01002"}, "geometry": null},
{"type": "Feature", "properties": {"MATRICULE": "x9", "insee_com": 12}, "geometry": {"type": "Point", "coordinates": [3.5, 45.5]}},
{"type": "Feature", "properties": {"MATRICULE": 10, "insee_com": "01008"}, "geometry": {"type": "Point", "coordinates": [2.1, 44.1]}}
]}`)
	l, err := LoadFranceServices2020(good, tr)
	if err != nil {
		t.Fatal(err)
	}
	r := l.Report
	checkInts(t, "report", map[string][2]int{"read": {r.Read, 4}, "loaded": {r.Loaded, 2}, "rejects": {len(r.Rejects), 2}, "mobile": {r.Mobile, 1}, "mapped": {r.CodesMapped, 1}})
	if len(r.Rejects) == 2 && (r.Rejects[0].Line != 2 || r.Rejects[0].ID != "8" || r.Rejects[1].Line != 3 || r.Rejects[1].Where != WhereFeature) {
		t.Errorf("rejects %+v", r.Rejects)
	}
	if len(l.Sites) == 2 && (l.Sites[0].ID != "7" || l.Sites[0].Kind != KindAntenne || !l.Sites[0].Itinerant || l.Sites[1].Commune != "01007") {
		t.Errorf("sites %+v", l.Sites)
	}
	bad := write("crs.geojson", `{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}, "features": []}`)
	if _, err := LoadFranceServices2020(bad, tr); err == nil || !strings.Contains(err.Error(), "2154") {
		t.Errorf("Lambert-93 crs: error %v", err)
	}
}

// TestLoadSitesCSVKind: a site's kind comes from the type column when the
// file has one (an empty type is a France Services site, as in the 2024
// list) and is "other" when the file has none — a generic list of places
// says nothing of what its sites are.
func TestLoadSitesCSVKind(t *testing.T) {
	tr, err := LoadTerritory(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	noKind := fixtureColumns()
	noKind.Kind = ""
	for _, tc := range []struct {
		name string
		cols CSVColumns
		want SiteKind
	}{
		{"type column Principal", fixtureColumns(), KindFranceServices},
		{"no type column", noKind, KindOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := LoadSitesCSV("testdata/sites/bad.csv", tc.cols, tr, "fixture")
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range l.Sites {
				if s.ID == "s1" && s.Kind != tc.want {
					t.Errorf("site s1 kind %q, want %q", s.Kind, tc.want)
				}
			}
		})
	}
}
