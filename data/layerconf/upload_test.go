package layerconf_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/internal/testworld"
)

func testTerritory(t *testing.T) *data.Territory {
	t.Helper()
	p, err := testworld.Parts()
	if err != nil {
		t.Fatal(err)
	}
	return p.Territory
}

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

const (
	fs2024  = "id_fs,lib_fs,latitude,longitude,insee_com,type_fs,format_fs,adresse\nA,Alpha,46.0,1.6,23001,Principal,Itinérante,x\n"
	fs2020  = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"MATRICULE":12,"lib_france_services":"Alpha","insee_com":"23001"},"geometry":{"type":"Point","coordinates":[1.6,46.0]}}]}`
	cnfs    = `[{"id":"p1","nom":"Alpha","latitude":46.0,"longitude":1.6,"pivot":"123"}]`
	generic = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"g1","name":"Beta"},"geometry":{"type":"Point","coordinates":[1.7,46.0]}}]}`
	// A file of the mediation standard: three places, two programs.
	mediation = "id,nom,pivot,commune,code_postal,adresse,code_insee,latitude,longitude,dispositif_programmes_nationaux,date_maj\n" +
		"m1,Alpha,0,Alpha,23000,1 rue A,23001,46.0,1.6,Aidants Connect|Conseillers numériques,2025-01-10\n" +
		"m2,Beta,0,Beta,23000,2 rue B,23002,46.0,1.7,Conseillers numériques,2025-01-10\n" +
		"m3,Delta,0,Delta,87000,3 rue D,87002,45.9,1.7,Aidants Connect,2025-01-10\n"
)

// An upload goes through the sniffer and readers of layers files: each
// format is sniffed from the content (gzip or not), the layer and its
// sites are named, and a file with a bad record is rejected whole.
func TestReadUploadFormats(t *testing.T) {
	terr := testTerritory(t)
	tests := []struct {
		file, body, format, want string
		commune                  string
	}{
		{"liste.csv", fs2024, "", layerconf.FormatCSV, "23001"},
		{"liste.csv.gz", gz(fs2024), "", layerconf.FormatCSV, "23001"},
		{"liste.csv", fs2024, "france-services-2024", layerconf.FormatCSV, "23001"}, // the upload format name of before
		{"fs.geojson", fs2020, "", layerconf.FormatFranceServices2020, "23001"},
		{"lieux.json", cnfs, "", layerconf.FormatMediation, "23001"},
		{"lieux.json", cnfs, "cnfs-permanences", layerconf.FormatMediation, "23001"},
		{"points.geojson", generic, "", layerconf.FormatGeoJSON, "23002"},
		{"points.json", `[{"id":"j1","name":"Beta","lon":1.7,"lat":46.0}]`, "", layerconf.FormatJSON, "23002"},
		{"points.csv", "id,name,commune\nc1,Mairie,87002\n", "", layerconf.FormatCSV, "87002"},
		{"points.txt", "id,name,lon,lat\nc1,Mairie,1.7,45.9\n", layerconf.FormatCSV, layerconf.FormatCSV, "87002"},
	}
	for _, tc := range tests {
		t.Run(tc.file+" "+tc.format, func(t *testing.T) {
			ls, err := layerconf.ReadUpload(layerconf.Layer{Name: "mine", Path: tc.file, Format: tc.format, Vintage: "2026-01", Title: "Mine"},
				[]byte(tc.body), terr, textio.DecodeLimits{})
			if err != nil {
				t.Fatal(err)
			}
			l := ls[0].Layer
			if len(ls) != 1 || ls[0].Format != tc.want || l.Name != "mine" || l.Source != tc.file || l.Report.File != tc.file ||
				len(l.Sites) != 1 || l.Index == nil || l.Vintage != "2026-01" || l.Title != "Mine" {
				t.Fatalf("format %s, layer %+v", ls[0].Format, l)
			}
			if s := l.Sites[0]; s.Layer != "mine" || s.Commune != tc.commune {
				t.Fatalf("site %+v, want layer mine in %s", s, tc.commune)
			}
		})
	}

	bad := fs2024 + "B,Beta,46.0,,23002,Principal,Fixe,x\nC,Far,10.0,-40.0,,Principal,Fixe,x\n"
	_, err := layerconf.ReadUpload(layerconf.Layer{Name: "mine", Path: "liste.csv"}, []byte(bad), terr, textio.DecodeLimits{})
	var le *people.LoadErrors
	if !errors.As(err, &le) || le.Count() != 2 || le.Errors[0].Line != 3 || le.Errors[1].Line != 4 || le.Errors[0].File != "liste.csv" {
		t.Fatalf("bad rows: %v", err)
	}
	if _, err := layerconf.ReadUpload(layerconf.Layer{Name: "mine", Path: "x.csv", Format: "shp"}, []byte(fs2024), terr, textio.DecodeLimits{}); err == nil ||
		!strings.Contains(err.Error(), `format "shp"`) {
		t.Fatalf("unknown format: %v", err)
	}
	// A reader's complaint names the file as sent, not the temporary file,
	// and is the file's fault.
	_, err = layerconf.ReadUpload(layerconf.Layer{Name: "x", Path: "x.csv", Format: "france-services-2024"}, []byte("id,name,lon,lat\na,A,1.6,46.0\n"), terr, textio.DecodeLimits{})
	if !errors.Is(err, data.ErrBadLayerFile) || !strings.Contains(err.Error(), "x.csv") || strings.Contains(err.Error(), "maillage-layer-") {
		t.Fatalf("missing 2024 column: %v", err)
	}
	many := "id,name,lon,lat\na,A,1.6,46.0\nb,B,1.6,46.0\nc,C,1.6,46.0\n"
	if _, err := layerconf.ReadUpload(layerconf.Layer{Name: "mine", Path: "x.csv"}, []byte(many), terr, textio.DecodeLimits{MaxRows: 2}); !errors.Is(err, textio.ErrTooManyRows) {
		t.Fatalf("rows over the bound: %v", err)
	}
	fsMany := fs2024 + "B,Beta,46.0,1.6,23001,Principal,Fixe,x\nC,Gamma,46.0,1.6,23001,Principal,Fixe,x\n"
	if _, err := layerconf.ReadUpload(layerconf.Layer{Name: "mine", Path: "x.csv"}, []byte(fsMany), terr, textio.DecodeLimits{MaxRows: 2}); !errors.Is(err, textio.ErrTooManyRows) {
		t.Fatalf("rows of the 2024 format over the bound: %v", err)
	}
	if _, err := layerconf.ReadUpload(layerconf.Layer{Name: "mine", Path: "x.csv"}, []byte("id,name,lon,lat\n"), terr, textio.DecodeLimits{}); !errors.As(err, &le) {
		t.Fatalf("no site: %v", err)
	}
}

// An upload maps its columns and selects a program as a layers file does.
func TestReadUploadDeclaration(t *testing.T) {
	terr := testTerritory(t)
	renamed := "identifiant;nom_site;lat;lon;code_commune\nR1;Alpha;46.0;1.6;23001\nR2;Delta;45.9;1.7;87002\n" // semicolons, as many French lists
	cols, err := layerconf.ParseColumns("id=identifiant, name=nom_site,lat=lat,lon=lon,commune=code_commune")
	if err != nil {
		t.Fatal(err)
	}
	ls, err := layerconf.ReadUpload(layerconf.Layer{Name: "fs-2025", Path: "liste-fs.csv", Format: "csv", Columns: cols}, []byte(renamed), terr, textio.DecodeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if l := ls[0].Layer; len(l.Sites) != 2 || l.Sites[1].ID != "R2" || l.Sites[1].Name != "Delta" || l.Sites[1].Commune != "87002" {
		t.Fatalf("mapped columns: %+v", l.Sites)
	}
	ls, err = layerconf.ReadUpload(layerconf.Layer{Name: "ac", Path: "lieux.csv", Programme: "Aidants Connect"}, []byte(mediation), terr, textio.DecodeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if l := ls[0].Layer; ls[0].Format != layerconf.FormatMediation || len(l.Sites) != 2 || l.Sites[0].ID != "m1" || l.Sites[1].ID != "m3" || l.Report.Filtered != 1 {
		t.Fatalf("program selection: %+v", l.Sites)
	}
	ls, err = layerconf.ReadUpload(layerconf.Layer{Name: "lieux", Path: "lieux.csv", Programme: "*"}, []byte(mediation), terr, textio.DecodeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 || ls[0].Layer.Name != "lieux-aidants-connect" || ls[1].Layer.Name != "lieux-conseillers-numeriques" || ls[1].Spec.Programme != "conseillers-numeriques" {
		t.Fatalf("one layer per program: %+v", ls)
	}
}

func TestParseColumns(t *testing.T) {
	want := layerconf.Columns{ID: "identifiant", Name: "nom_site", Lat: "y", Lon: "x"}
	for _, s := range []string{`{"id":"identifiant","name":"nom_site","lat":"y","lon":"x"}`, "id=identifiant,name=nom_site,lat=y,lon=x"} {
		c, err := layerconf.ParseColumns(s)
		if err != nil || *c != want {
			t.Errorf("%s: %+v %v", s, c, err)
		}
	}
	for s, msg := range map[string]string{
		`{"id":"a","latt":"y","lon":"x"}`: "latt",
		"id=a,latt=y,lon=x":               `unknown key "latt"`,
		"id=a,lat":                        `"lat" is not key=column`,
		"id=a,name=b":                     "lat and lon are required",
		`{"id":`:                          "columns:",
	} {
		if _, err := layerconf.ParseColumns(s); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", s, err, msg)
		}
	}
}

// TestReadLayerShippedFormatBomb: a gzip of the 2024 France Services
// columns unfolding into 5 million rows (0.7 MB sent, 240 MB inflated)
// is refused by the inflated-bytes bound before the reader parses it (it
// took 21 s and 750 MB of memory through POST /v1/layers), and a damaged
// gzip in that format is a damaged file.
func TestReadLayerShippedFormatBomb(t *testing.T) {
	terr := testTerritory(t)
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte("id_fs,lib_fs,latitude,longitude,insee_com,type_fs,format_fs,adresse\n"))
	row := bytes.Repeat([]byte("x,x,x,x,x,x,x,x\n"), 10000)
	for range 1500 {
		w.Write(row)
	}
	w.Close()
	start := time.Now()
	for _, format := range []string{"", layerconf.FormatCSV, layerconf.FormatMediation} {
		_, err := layerconf.ReadUpload(layerconf.Layer{Name: "bomb", Path: "bomb.csv.gz", Format: format}, b.Bytes(), terr, textio.DecodeLimits{MaxBytes: 20 << 20})
		if !errors.Is(err, textio.ErrTooLarge) || time.Since(start) > 5*time.Second {
			t.Fatalf("row bomb as %q (%d bytes sent): %v after %v, want ErrTooLarge at once", format, b.Len(), err, time.Since(start))
		}
	}
	var small bytes.Buffer
	w = gzip.NewWriter(&small)
	w.Write([]byte("id_fs,lib_fs,latitude,longitude,insee_com,type_fs,format_fs,adresse\n"))
	w.Write(bytes.Repeat([]byte("A,Alpha,46.0,1.6,23001,Principal,Fixe,x\n"), 2000))
	w.Close()
	cut := small.Bytes()[:small.Len()/2]
	if _, err := layerconf.ReadUpload(layerconf.Layer{Name: "cut", Path: "cut.csv.gz"}, cut, terr, textio.DecodeLimits{}); !errors.Is(err, textio.ErrDamagedFile) {
		t.Fatalf("truncated gzip: %v, want ErrDamagedFile", err)
	}
}
