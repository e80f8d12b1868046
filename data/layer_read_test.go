package data_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"testing"
	"time"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/testworld"
)

// ReadLayer sniffs each format from the content (gzip or not), names the
// layer and its sites, and rejects a file with a bad record whole.
func TestReadLayerFormats(t *testing.T) {
	p, err := testworld.Parts()
	if err != nil {
		t.Fatal(err)
	}
	terr := p.Territory
	gz := func(s string) string {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.String()
	}
	fs2024 := "id_fs,lib_fs,latitude,longitude,insee_com,type_fs,format_fs,adresse\nA,Alpha,46.0,1.6,23001,Principal,Itinérante,x\n"
	fs2020 := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"MATRICULE":12,"lib_france_services":"Alpha","insee_com":"23001"},"geometry":{"type":"Point","coordinates":[1.6,46.0]}}]}`
	cnfs := `[{"id":"p1","nom":"Alpha","latitude":46.0,"longitude":1.6,"pivot":"123"}]`
	generic := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"g1","name":"Beta"},"geometry":{"type":"Point","coordinates":[1.7,46.0]}}]}`
	tests := []struct {
		file, body, format, want string
		commune                  string
	}{
		{"liste.csv", fs2024, "", data.LayerFormatFranceServices2024, "23001"},
		{"liste.csv.gz", gz(fs2024), "", data.LayerFormatFranceServices2024, "23001"},
		{"fs.geojson", fs2020, "", data.LayerFormatFranceServices2020, "23001"},
		{"lieux.json", cnfs, "", data.LayerFormatCNFSPermanences, "23001"},
		{"points.geojson", generic, "", data.LayerFormatGeoJSON, "23002"},
		{"points.csv", "id,name,commune\nc1,Mairie,87002\n", "", data.LayerFormatCSV, "87002"},
		{"points.txt", "id,name,lon,lat\nc1,Mairie,1.7,45.9\n", data.LayerFormatCSV, data.LayerFormatCSV, "87002"},
	}
	for _, tc := range tests {
		t.Run(tc.file+" "+tc.want, func(t *testing.T) {
			l, format, err := data.ReadLayer("mine", tc.file, []byte(tc.body), tc.format, terr, data.DecodeLimits{})
			if err != nil {
				t.Fatal(err)
			}
			if format != tc.want || l.Name != "mine" || l.Source != tc.file || l.Report.File != tc.file || len(l.Sites) != 1 || l.Index == nil {
				t.Fatalf("format %s, layer %+v", format, l)
			}
			if s := l.Sites[0]; s.Layer != "mine" || s.Commune != tc.commune {
				t.Fatalf("site %+v, want layer mine in %s", s, tc.commune)
			}
		})
	}

	bad := fs2024 + "B,Beta,46.0,,23002,Principal,Fixe,x\nC,Far,10.0,-40.0,,Principal,Fixe,x\n"
	_, _, err = data.ReadLayer("mine", "liste.csv", []byte(bad), "", terr, data.DecodeLimits{})
	var le *data.LoadErrors
	if !errors.As(err, &le) || le.Count() != 2 || le.Errors[0].Line != 3 || le.Errors[1].Line != 4 || le.Errors[0].File != "liste.csv" {
		t.Fatalf("bad rows: %v", err)
	}
	if _, _, err := data.ReadLayer("mine", "x.csv", []byte(fs2024), "shp", terr, data.DecodeLimits{}); !errors.Is(err, data.ErrUnknownFormat) {
		t.Fatalf("unknown format: %v", err)
	}
	many := "id,name,lon,lat\na,A,1.6,46.0\nb,B,1.6,46.0\nc,C,1.6,46.0\n"
	if _, _, err := data.ReadLayer("mine", "x.csv", []byte(many), "", terr, data.DecodeLimits{MaxRows: 2}); !errors.Is(err, data.ErrTooManyRows) {
		t.Fatalf("rows over the bound: %v", err)
	}
}

// TestReadLayerShippedFormatBomb: a gzip of the 2024 France Services
// columns unfolding into 5 million rows (0.7 MB sent, 240 MB inflated)
// is refused by the inflated-bytes bound before the shipped loader
// parses it (it took 21 s and 750 MB of memory through POST /v1/layers),
// and a damaged gzip in that format is a damaged file.
func TestReadLayerShippedFormatBomb(t *testing.T) {
	p, err := testworld.Parts()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte("id_fs,lib_fs,latitude,longitude,insee_com,type_fs,format_fs,adresse\n"))
	row := bytes.Repeat([]byte("x,x,x,x,x,x,x,x\n"), 10000)
	for range 1500 {
		w.Write(row)
	}
	w.Close()
	start := time.Now()
	_, _, err = data.ReadLayer("bomb", "bomb.csv.gz", b.Bytes(), data.LayerFormatFranceServices2024, p.Territory, data.DecodeLimits{MaxBytes: 20 << 20})
	if !errors.Is(err, data.ErrTooLarge) || time.Since(start) > 5*time.Second {
		t.Fatalf("row bomb (%d bytes sent): %v after %v, want ErrTooLarge at once", b.Len(), err, time.Since(start))
	}
	var small bytes.Buffer
	w = gzip.NewWriter(&small)
	w.Write([]byte("id_fs,lib_fs,latitude,longitude,insee_com,type_fs,format_fs,adresse\n"))
	w.Write(bytes.Repeat([]byte("A,Alpha,46.0,1.6,23001,Principal,Fixe,x\n"), 2000))
	w.Close()
	cut := small.Bytes()[:small.Len()/2]
	if _, _, err := data.ReadLayer("cut", "cut.csv.gz", cut, data.LayerFormatFranceServices2024, p.Territory, data.DecodeLimits{}); !errors.Is(err, data.ErrDamagedFile) {
		t.Fatalf("truncated gzip: %v, want ErrDamagedFile", err)
	}
}
