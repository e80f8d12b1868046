package data

import (
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/maillage/maillage/data/boundaries"
)

// Fuzz targets for every loader. `go test` runs each target on its seeds
// (f.Add and testdata/fuzz/<Target>/); `go test -fuzz '^FuzzX$'` explores.
// Each checks that the loader returns (no panic, no hang) and that what it
// accepts is sane: reports add up, points are finite and in range.

// fuzzTerritory is the fixture territory (communes in [2, 4]×[45, 47]),
// loaded once for all fuzz iterations (it is only read).
type fuzzTerritoryOnce struct {
	once sync.Once
	t    *Territory
	err  error
}

func (o *fuzzTerritoryOnce) get(tb testing.TB) *Territory {
	o.once.Do(func() { o.t, o.err = LoadTerritory(fixtureDir) })
	if o.err != nil {
		tb.Fatal(o.err)
	}
	return o.t
}

// writeFuzzFile writes b as dir/name and returns the path.
func writeFuzzFile(t *testing.T, name string, b []byte) string {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkPoint fails when p is not finite lon/lat.
func checkPoint(t *testing.T, what string, lon, lat float64) {
	if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		t.Fatalf("%s accepted point (%v, %v)", what, lon, lat)
	}
}

// checkLayer checks a loaded layer's accounting and points.
func checkLayer(t *testing.T, l *Layer) {
	r := l.Report
	if r.Read != r.Loaded+len(r.Rejects) || r.Loaded != len(l.Sites) {
		t.Fatalf("report does not add up: read %d loaded %d rejects %d sites %d", r.Read, r.Loaded, len(r.Rejects), len(l.Sites))
	}
	for _, s := range l.Sites {
		checkPoint(t, "site "+s.ID, s.Point[0], s.Point[1])
	}
}

func FuzzParseBoundaries(f *testing.F) {
	for _, name := range []string{"territory/communes-2018.geojson", "../indicators/testdata/communes-2018.geojson", "territory/bad/malformed.geojson"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		bs, err := boundaries.Parse(b, "fuzz.geojson")
		if err != nil {
			return
		}
		for _, bd := range bs {
			for _, poly := range bd.Shape {
				for _, ring := range poly {
					for _, p := range ring {
						if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
							t.Fatalf("boundary %s holds a non-finite point %v", bd.Code, p)
						}
					}
				}
			}
		}
	})
}

func FuzzSitesCSV(f *testing.F) {
	var ft fuzzTerritoryOnce
	if b, err := os.ReadFile("testdata/sites/bad.csv"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("\"id_fs\",\"lib_fs\",\"latitude\",\"longitude\",\"insee_com\",\"type_fs\",\"format_fs\",\"adresse\"\n" +
		"\"1\",\"France services d'Alpha\",45.5,2.5,\"01001\",\"Principal\",\"Fixe\",\"1 rue A\"\n" +
		"\"2\",\"Bus\",\"45,6\",3.5,\"01002\",\"Antenne\",\"Bus_équivalent\",\"\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tr := ft.get(t)
		path := writeFuzzFile(t, "sites.csv", b)
		l, err := LoadSitesCSV(path, FranceServices2024Columns(), tr, "fuzz")
		if err == nil {
			checkLayer(t, l)
		}
	})
}

func FuzzFranceServices2020(f *testing.F) {
	var ft fuzzTerritoryOnce
	f.Add([]byte(`{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","properties":{"MATRICULE":1,"DEPARTEMENT":"1","lib_france_services":"Alpha","ADRESSE":"1 rue A","insee_com":"01001","LATITUDE":45.5,"LONGITUDE":2.5,"ITINERANCE":"","FORMAT_FS":"Espace labellisé"},"geometry":{"type":"Point","coordinates":[2.5,45.5]}},` +
		`{"type":"Feature","properties":{"MATRICULE":"2","insee_com":"01002","LATITUDE":null,"LONGITUDE":"x"},"geometry":null}]}`))
	f.Add([]byte(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},"features":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tr := ft.get(t)
		l, err := LoadFranceServices2020(writeFuzzFile(t, "fs.geojson", b), tr)
		if err == nil {
			checkLayer(t, l)
		}
	})
}

func FuzzCNFSPermanences(f *testing.F) {
	var ft fuzzTerritoryOnce
	f.Add([]byte(`[{"id":"a1","nom":"Médiathèque","commune":"Alpha","code_postal":"01000","adresse":"1 rue A","latitude":45.5,"longitude":2.5},` +
		`{"id":"a2","nom":"Sans point","commune":"Beta","latitude":"","longitude":null},{"id":3}]`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tr := ft.get(t)
		ls, err := LoadMediationPlaces(writeFuzzFile(t, "perm.json", b), tr, []ProgrammeLayer{{Name: LayerCNFSPermanences}})
		if err == nil {
			checkLayer(t, ls[0])
		}
	})
}

func FuzzCNFSStructures(f *testing.F) {
	var ft fuzzTerritoryOnce
	f.Add([]byte(`[{"raison_sociale":"MAIRIE D'ALPHA","nb_cnfs":2,"type":"publique","code_département":"1","insee_com":"01001",` +
		`"zrr":"oui","qpv":"non","france_services":"non","latitude":45.5,"longitude":2.5,"id":1,"insee_dep":"01","insee_reg":"84"},` +
		`{"raison_sociale":"SANS","nb_cnfs":"x","id":2,"latitude":95,"longitude":2.5}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tr := ft.get(t)
		ss, rep, err := LoadCNFSStructures(writeFuzzFile(t, "structs.json", b), tr)
		if err != nil {
			return
		}
		if rep.Read != rep.Loaded+len(rep.Rejects) || rep.Loaded != len(ss) {
			t.Fatalf("report does not add up: %+v with %d structures", rep, len(ss))
		}
		for _, s := range ss {
			checkPoint(t, "structure "+s.ID, s.Point[0], s.Point[1])
			if s.Posts < 1 {
				t.Fatalf("structure %s with %d posts", s.ID, s.Posts)
			}
		}
	})
}

func FuzzAdminJSON(f *testing.F) {
	for _, name := range []string{"decoupage-administratif-6.0.0-communes.json", "decoupage-administratif-6.0.0-departements.json",
		"decoupage-administratif-6.0.0-epci.json", "decoupage-administratif-6.0.0-regions.json"} {
		if b, err := os.ReadFile(filepath.Join(fixtureDir, name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := writeFuzzFile(t, "admin.json", b)
		loadCOGCommunes(path)
		loadDepartements(path)
		loadRegions(path)
		loadEPCIs(path)
	})
}
