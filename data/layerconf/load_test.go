package layerconf

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/geo"
)

// realDir is the shared real-data folder.
var realDir = filepath.Join("..", "..", "..", "shared", "data")

var realTerritoryOnce = sync.OnceValues(func() (*data.Territory, error) { return data.LoadTerritory(realDir) })

// realTerritory returns the real territory, skipping without the data.
func realTerritory(tb testing.TB) *data.Territory {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(realDir, data.CommunesFile)); err != nil {
		tb.Skipf("real data not found in %s: %v", realDir, err)
	}
	t, err := realTerritoryOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// TestDefaultLoadsTodaysLayers: with nothing declared, the shipped files
// load as the three layers maillage has always had, with the same counts.
func TestDefaultLoadsTodaysLayers(t *testing.T) {
	tr := realTerritory(t)
	loaded, rep, err := Load(Default(realDir), tr)
	if err != nil {
		t.Fatal(err)
	}
	layers := Layers(loaded)
	if got := data.LayerNames(layers); !slices.Equal(got, []string{data.LayerCNFSPermanences, data.LayerFranceServices, data.LayerFranceServices2020}) {
		t.Fatalf("layer names %v", got)
	}
	if len(rep) != 3 {
		t.Errorf("report %+v", rep)
	}
	// Figures observed on the real files. The README's "4 sites outside
	// every 2018 boundary" are here 2 coastal points snapped, 2 sites of
	// Saint-Martin (97801, no IGN boundary) placed in their declared commune;
	// the site in Entremont (74110), absorbed by Glières-Val-de-Borne without
	// delegated status, falls in that commune through its anciensCodes.
	for _, c := range []struct {
		name, format                                                       string
		read, loaded, mapped, snapped, mismatch, mobile, unknown, declUsed int
		vintage, source                                                    string
	}{
		{data.LayerFranceServices, FormatCSV, 2845, 2845, 32, 2, 2, 163, 0, 2, data.Vintage2024, data.FranceServices2024File},
		{data.LayerFranceServices2020, FormatFranceServices2020, 908, 908, 11, 0, 12, 53, 4, 0, data.Vintage2020, data.FranceServices2020File},
		{data.LayerCNFSPermanences, FormatMediation, 2733, 2733, 0, 5, 0, 0, 0, 0, data.VintageCNFS2022, data.CNFSPermanencesFile},
	} {
		l := layers[c.name]
		r := l.Report
		checkInts(t, c.name, map[string][2]int{
			"read": {r.Read, c.read}, "loaded": {r.Loaded, c.loaded}, "mapped": {r.CodesMapped, c.mapped},
			"snapped": {r.Snapped, c.snapped}, "mismatch": {r.CommuneMismatch, c.mismatch}, "mobile": {r.Mobile, c.mobile},
			"declared unknown": {r.DeclaredUnknown, c.unknown}, "declared used": {r.DeclaredCommuneUsed, c.declUsed},
			"rejects": {len(r.Rejects), 0}, "filtered": {r.Filtered, 0}, "sites": {len(l.Sites), r.Loaded}, "index": {l.Index.Len(), r.Loaded},
		})
		// The map's checkboxes read the titles (the default declares them).
		wantTitle := map[string]string{data.LayerFranceServices: "France Services", data.LayerFranceServices2020: "France Services",
			data.LayerCNFSPermanences: "Lieux des conseillers numériques"}[c.name]
		if l.Name != c.name || l.Vintage != c.vintage || l.Source != c.source || r.File != c.source || l.Title != wantTitle {
			t.Errorf("%s: name %q vintage %q source %q file %q title %q", c.name, l.Name, l.Vintage, l.Source, r.File, l.Title)
		}
		i := slices.IndexFunc(loaded, func(x LoadedLayer) bool { return x.Layer == l })
		if loaded[i].Format != c.format || filepath.Base(loaded[i].Path) != c.source {
			t.Errorf("%s: format %q path %q", c.name, loaded[i].Format, loaded[i].Path)
		}
		// Every site is in its commune's shape, within SnapMaxM of it, or
		// (declared used) in a commune without shape or next to a hole.
		outside := 0
		for _, s := range l.Sites {
			cm, ok := tr.Commune(s.Commune)
			if !ok || cm.Departement != s.Departement || s.Layer != c.name {
				t.Fatalf("%s: site %+v: commune %v", c.name, s, cm)
			}
			if !cm.HasShape() || !geo.MultiPolygonContains(cm.Shape, s.Point) {
				outside++
			}
		}
		if outside != r.Snapped+r.DeclaredCommuneUsed {
			t.Errorf("%s: %d sites outside their commune's shape, want snapped + declared used = %d", c.name, outside, r.Snapped+r.DeclaredCommuneUsed)
		}
	}
	kinds := map[data.SiteKind]int{}
	for _, s := range layers[data.LayerFranceServices].Sites {
		kinds[s.Kind]++
	}
	if kinds[data.KindFranceServices] != 2721 || kinds[data.KindAntenne] != 124 {
		t.Errorf("2024 kinds %v, want 2,721 principal and 124 antennas", kinds)
	}
	for _, s := range layers[data.LayerCNFSPermanences].Sites {
		if s.Kind != data.KindCNFSPlace {
			t.Fatalf("cnfs place of kind %q: %+v", s.Kind, s)
		}
	}
}

// TestTOMLColumnMapping: a layer declared in a TOML file with a columns
// table loads a CSV whose headers differ from the 2024 list (renamed,
// reordered by an extra column), with the same sites as the shipped list.
func TestTOMLColumnMapping(t *testing.T) {
	tr := realTerritory(t)
	dir := t.TempDir()
	renameCSV(t, filepath.Join(realDir, data.FranceServices2024File), filepath.Join(dir, "liste-fs-20250901.csv"),
		map[string]string{"id_fs": "identifiant", "lib_fs": "nom_site", "latitude": "lat", "longitude": "lon", "insee_com": "code_commune"})
	toml := `[[layer]]
name = "fs-2025"
path = "liste-fs-20250901.csv"
format = "csv"            # csv | geojson | france-services-2020 | mediation-standard
vintage = "2025-09"
title = "France Services, septembre 2025"
[layer.columns]           # source column for each field the engine needs
id = "identifiant"
name = "nom_site"
lat = "lat"
lon = "lon"
commune = "code_commune"
`
	if err := os.WriteFile(filepath.Join(dir, "layers.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(filepath.Join(dir, "layers.toml"))
	if err != nil {
		t.Fatal(err)
	}
	loaded, _, err := Load(cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	got := Layers(loaded)["fs-2025"]
	ref, _, err := Load(Config{Dir: realDir, Layers: Default(realDir).Layers[:1]}, tr)
	if err != nil {
		t.Fatal(err)
	}
	want := ref[0].Layer
	if got == nil || len(got.Sites) != 2845 || len(got.Sites) != len(want.Sites) || got.Vintage != "2025-09" || got.Title != "France Services, septembre 2025" {
		t.Fatalf("layer %+v", got)
	}
	for i := range got.Sites {
		g, w := got.Sites[i], want.Sites[i]
		if g.ID != w.ID || g.Name != w.Name || g.Point != w.Point || g.Commune != w.Commune || g.Layer != "fs-2025" {
			t.Fatalf("site %d: %+v, want %+v", i, g, w)
		}
	}
}

// renameCSV copies a CSV file with some header columns renamed and an
// extra first column.
func renameCSV(tb testing.TB, from, to string, rename map[string]string) {
	tb.Helper()
	f, err := os.Open(from)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	for i, h := range recs[0] {
		if n, ok := rename[h]; ok {
			recs[0][i] = n
		}
	}
	for i := range recs {
		extra := "x"
		if i == 0 {
			extra = "colonne_en_plus"
		}
		recs[i] = append([]string{extra}, recs[i]...)
	}
	out, err := os.Create(to)
	if err != nil {
		tb.Fatal(err)
	}
	w := csv.NewWriter(out)
	if err := w.WriteAll(recs); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}

// TestStandardOneLayerPerProgramme: the real conseillers numériques file
// (an instance of the standard) yields one layer per program with "*",
// and a selected program takes only its places, the others counted.
func TestStandardOneLayerPerProgramme(t *testing.T) {
	tr := realTerritory(t)
	cfg := Config{Dir: realDir, Layers: []Layer{{Name: "cnfs", Path: data.CNFSPermanencesFile, Format: FormatMediation, Programme: "*"},
		{Name: "ac", Path: data.CNFSPermanencesFile, Programme: "aidants connect"}}}
	loaded, rep, err := Load(cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int{}
	for _, e := range rep {
		got[e.Name] = [2]int{e.Report.Loaded, e.Report.Filtered}
	}
	want := map[string][2]int{
		"cnfs-aidants-connect": {172, 2733 - 172}, "cnfs-conseillers-numeriques": {2733, 0},
		"cnfs-france-services": {659, 2733 - 659}, "ac": {172, 2733 - 172},
	}
	if len(got) != len(want) {
		t.Errorf("layers %v, want %v", got, want)
	}
	for n, w := range want {
		if got[n] != w {
			t.Errorf("%s: loaded, filtered %v, want %v", n, got[n], w)
		}
	}
	for _, l := range loaded {
		if l.Layer.Name == "cnfs-france-services" && (l.Spec.Programme != "france-services" || l.Layer.Sites[0].Kind != data.KindFranceServices) {
			t.Errorf("france services layer: spec %+v kind %q", l.Spec, l.Layer.Sites[0].Kind)
		}
	}
}

// TestStandardCSV reads a small CSV file of the standard: "|" lists,
// a place without coordinates placed at its commune, mobile places.
func TestStandardCSV(t *testing.T) {
	tr := realTerritory(t)
	cfg, err := Parse(filepath.Join("testdata", "layers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	loaded, _, err := Load(cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	byName := Layers(loaded)
	want := map[string][]string{
		"mediation-programmes-aidants-connect":        {"m1", "m3"},
		"mediation-programmes-conseillers-numeriques": {"m1", "m2"},
		"mediation-programmes-france-services":        {"m2"},
		"points":                                      {"p1", "p2"},
	}
	if len(byName) != len(want) {
		t.Fatalf("layers %v", data.LayerNames(byName))
	}
	for n, ids := range want {
		l := byName[n]
		var got []string
		for _, s := range l.Sites {
			got = append(got, s.ID)
		}
		if !slices.Equal(got, ids) || l.Report.Read+l.Report.Filtered != map[bool]int{true: 2, false: 4}[n == "points"] {
			t.Errorf("%s: sites %v, report %+v", n, got, l.Report)
		}
	}
	ac := byName["mediation-programmes-aidants-connect"]
	if ac.Report.LocatedByCommune != 1 || ac.Sites[1].Commune != "09122" || ac.Sites[1].Point != tr.Communes[mustID(t, tr, "09122")].Rep || ac.Vintage != "2025-01" {
		t.Errorf("aidants connect: report %+v, site %+v", ac.Report, ac.Sites[1])
	}
	if fs := byName["mediation-programmes-france-services"]; fs.Report.Mobile != 1 || !fs.Sites[0].Itinerant || fs.Sites[0].Commune != "26362" {
		t.Errorf("france services: report %+v site %+v", fs.Report, fs.Sites[0])
	}
	if p := byName["points"]; p.Sites[1].Commune != "26362" || p.Sites[0].Commune != "09122" || p.Sites[0].Name != "Place one" {
		t.Errorf("points %+v", p.Sites)
	}
}

func mustID(tb testing.TB, tr *data.Territory, code string) int {
	id, ok := tr.CommuneID(code)
	if !ok {
		tb.Fatalf("no commune %s", code)
	}
	return id
}

// TestBadFilesRejectedWhole: a file with bad records loads nothing and the
// error lists every one with its file and line; a standard CSV missing a
// required column names it.
func TestBadFilesRejectedWhole(t *testing.T) {
	tr := realTerritory(t)
	cfg := Config{Dir: "testdata", Layers: []Layer{
		{Name: "bad", Path: "mediation-bad.csv", Format: FormatMediation},
		{Name: "nopivot", Path: "mediation-nopivot.csv", Format: FormatMediation},
		{Name: "good", Path: "points.geojson"},
	}}
	loaded, rep, err := Load(cfg, tr)
	if err == nil || loaded != nil {
		t.Fatalf("loaded %v, err %v", loaded, err)
	}
	var le *people.LoadErrors
	if !errors.As(err, &le) || le.Count() != 2 || le.File != "mediation-bad.csv" {
		t.Fatalf("error %v", err)
	}
	msg := err.Error()
	for _, w := range []string{"mediation-bad.csv: line 3: id b2: missing coordinates", "mediation-bad.csv: line 4: id b3: latitude 142.9 out of range",
		`layer nopivot`, `no column "pivot"`} {
		if !strings.Contains(msg, w) {
			t.Errorf("error does not say %q:\n%s", w, msg)
		}
	}
	if len(rep) != 2 || rep[0].Report.Read != 3 || rep[0].Report.Loaded != 1 || rep[1].Name != "good" {
		t.Errorf("report %+v", rep)
	}
}

// TestGenericCSVByCommune places sites of a generic CSV (semicolons, no
// coordinates) at their communes.
func TestGenericCSVByCommune(t *testing.T) {
	tr := realTerritory(t)
	loaded, _, err := Load(Config{Dir: "testdata", Layers: []Layer{{Name: "g", Path: "generic-commune.csv"}}}, tr)
	if err != nil {
		t.Fatal(err)
	}
	l := loaded[0]
	if l.Format != FormatCSV || len(l.Layer.Sites) != 3 || l.Layer.Report.LocatedByCommune != 3 || l.Layer.Sites[2].Commune != "75056" || l.Layer.Sites[2].Name != "Point C" {
		t.Errorf("layer %+v sites %+v", l.Layer.Report, l.Layer.Sites)
	}
}

func TestSniff(t *testing.T) {
	for path, want := range map[string]string{
		filepath.Join(realDir, data.FranceServices2020File): FormatFranceServices2020,
		filepath.Join(realDir, data.FranceServices2024File): FormatCSV,
		filepath.Join(realDir, data.CNFSPermanencesFile):    FormatMediation,
		filepath.Join("testdata", "mediation.csv"):          FormatMediation,
		filepath.Join("testdata", "points.geojson"):         FormatGeoJSON,
		filepath.Join("testdata", "generic-commune.csv"):    FormatCSV,
	} {
		if _, err := os.Stat(path); err != nil {
			t.Skip(err)
		}
		if got, err := Sniff(path); got != want || err != nil {
			t.Errorf("%s: %q %v, want %q", path, got, err, want)
		}
	}
}

func checkInts(tb testing.TB, what string, m map[string][2]int) {
	tb.Helper()
	for k, v := range m {
		if v[0] != v[1] {
			tb.Errorf("%s: %s = %d, want %d", what, k, v[0], v[1])
		}
	}
}

func BenchmarkLoadDefault(b *testing.B) {
	tr := realTerritory(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Load(Default(realDir), tr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDefaultLoad is the layers' part of a start: the shipped files
// read and their sites located in the real territory.
func BenchmarkDefaultLoad(b *testing.B) {
	tr := realTerritory(b)
	cfg := Default(realDir)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Load(cfg, tr); err != nil {
			b.Fatal(err)
		}
	}
}
