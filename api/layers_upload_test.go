package api_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/boltstore"
	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/matching"
)

// Two sites at Beta's and Delta's centres, as a generic CSV.
const uploadedSitesCSV = "id,name,lon,lat\nN1,Maison Beta,1.70,46.00\nN2,Maison Delta,1.70,45.90\n"

// postLayer uploads a layer file as multipart.
// uploadAnswer is the answer to POST /v1/layers.
type uploadAnswer struct {
	Layer      string               `json:"layer"`
	Generation uint64               `json:"generation"`
	Sites      int                  `json:"sites"`
	Vintage    string               `json:"vintage"`
	Upload     matching.LayerUpload `json:"upload"`
	Report     data.LoadReport      `json:"report"`
}

// layerEntry is what these tests read of an entry of GET /v1/layers.
type layerEntry struct {
	Name     string                `json:"name"`
	Title    string                `json:"title"`
	Kind     string                `json:"kind"`
	Count    *int                  `json:"count"`
	Vintage  string                `json:"vintage"`
	Uploaded *matching.LayerUpload `json:"uploaded"`
}

func postLayer(t *testing.T, s *api.Server, fields map[string]string, file, content string) *httptest.ResponseRecorder {
	t.Helper()
	ct, body := apitest.MultipartBody(t, map[string][2]string{"file": {file, content}}, fields)
	return apitest.Send(t, s, http.MethodPost, "/v1/layers", ct, "", body)
}

// An uploaded layer serves coverage, comparison, tiles and the layer list,
// survives a restart over the same store, and goes with DELETE; shipped
// layers cannot be deleted; a file with bad rows is rejected whole.
func TestLayerUploadLifecycle(t *testing.T) {
	dir := t.TempDir()
	store, err := boltstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := reloadServer(t, store, nil)
	_, gen0 := s.Registry().Current()

	var up uploadAnswer
	rec := postLayer(t, s, map[string]string{"name": "maisons-23", "vintage": "2026-01"}, "maisons.csv", uploadedSitesCSV)
	apitest.Decode(t, rec, http.StatusCreated, &up)
	if up.Layer != "maisons-23" || up.Sites != 2 || up.Upload.Format != layerconf.FormatCSV || up.Generation != gen0+1 ||
		up.Report.Loaded != 2 || up.Upload.SHA256 == "" || up.Vintage != "2026-01" {
		t.Fatalf("upload answer %+v", up)
	}
	used := func(s *api.Server) {
		t.Helper()
		var cv struct {
			Layers  []string `json:"layers"`
			Summary struct {
				CoveredPopulation int `json:"covered_population"`
			} `json:"summary"`
		}
		if code := apitest.Get(t, s, "/v1/coverage?layers=maisons-23", &cv); code != http.StatusOK || len(cv.Layers) != 1 || cv.Summary.CoveredPopulation == 0 {
			t.Fatalf("coverage of the uploaded layer: status %d, %+v", code, cv)
		}
		if code := apitest.Get(t, s, "/v1/coverage/compare?from=france-services&to=maisons-23", &map[string]any{}); code != http.StatusOK {
			t.Fatalf("compare with the uploaded layer: status %d", code)
		}
		var near struct {
			Items []struct {
				ID    string `json:"id"`
				Layer string `json:"layer"`
			} `json:"items"`
		}
		if code := apitest.Get(t, s, "/v1/sites/nearest?lon=1.7&lat=45.9&layers=maisons-23", &near); code != http.StatusOK ||
			len(near.Items) == 0 || near.Items[0].ID != "N2" || near.Items[0].Layer != "maisons-23" {
			t.Fatalf("nearest site of the uploaded layer: status %d, %+v", code, near)
		}
		if code := apitest.Get(t, s, "/tiles/maisons-23.json", &map[string]any{}); code != http.StatusOK {
			t.Fatalf("tilejson of the uploaded layer: status %d", code)
		}
		var list struct {
			Items []layerEntry `json:"items"`
		}
		apitest.Get(t, s, "/v1/layers", &list)
		found := false
		for _, l := range list.Items {
			if l.Name == "maisons-23" {
				found = l.Uploaded != nil && l.Uploaded.File == "maisons.csv" && *l.Count == 2 && l.Vintage == "2026-01"
			}
		}
		if !found {
			t.Fatalf("layer list without the uploaded layer: %+v", list.Items)
		}
	}
	used(s)

	// Restart: a new registry and server over the same state file.
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	if store, err = boltstore.Open(dir); err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s = reloadServer(t, store, nil)
	used(s)
	// And a reload keeps it.
	apitest.Decode(t, apitest.Send(t, s, http.MethodPost, "/v1/admin/reload", "", "", nil), http.StatusOK, nil)
	used(s)
	if list, _ := s.Registry().Datasets().List(); len(list) != 1 { // the built-in structures only
		t.Fatalf("the layer is listed as a dataset: %+v", list)
	}

	var e apitest.ErrorBody
	apitest.Decode(t, apitest.Send(t, s, http.MethodDelete, "/v1/layers/france-services", "", "", nil), http.StatusConflict, &e)
	if e.Error != httpx.CodeShippedLayer {
		t.Fatalf("deleting a shipped layer: %+v", e)
	}
	apitest.Decode(t, postLayer(t, s, map[string]string{"name": "france-services"}, "fs.csv", uploadedSitesCSV), http.StatusConflict, &e)
	if e.Error != httpx.CodeShippedLayer {
		t.Fatalf("replacing a shipped layer: %+v", e)
	}
	apitest.Decode(t, apitest.Send(t, s, http.MethodDelete, "/v1/layers/maisons-23", "", "", nil), http.StatusOK, nil)
	if code := apitest.Get(t, s, "/v1/coverage?layers=maisons-23", &e); code != http.StatusBadRequest {
		t.Fatalf("coverage of a deleted layer: status %d", code)
	}
	apitest.Decode(t, apitest.Send(t, s, http.MethodDelete, "/v1/layers/maisons-23", "", "", nil), http.StatusNotFound, &e)
	s = reloadServer(t, store, nil)
	if s.Registry().Engine().Layer("maisons-23") != nil {
		t.Fatal("a deleted layer came back after a restart")
	}
}

// A file with bad rows is rejected whole with each row at fault; bad
// names and formats are 400s naming the field.
func TestLayerUploadRejects(t *testing.T) {
	s := reloadServer(t, nil, nil)
	bad := "id,name,lon,lat\nN1,ok,1.70,46.00\nN2,no lat,1.70,\nN3,far,-40.0,10.0\nN4,text,abc,46.0\n"
	var rows httpx.InvalidRowsBody
	apitest.Decode(t, postLayer(t, s, map[string]string{"name": "bad"}, "bad.csv", bad), http.StatusBadRequest, &rows)
	if rows.Error != httpx.CodeInvalidRows || rows.TotalErrors != 3 || len(rows.Rows) != 3 {
		t.Fatalf("bad rows answer %+v", rows)
	}
	for i, line := range []int{3, 4, 5} {
		if rows.Rows[i].Line != line || rows.Rows[i].File != "bad.csv" {
			t.Errorf("row error %d: %+v, want line %d", i, rows.Rows[i], line)
		}
	}
	if s.Registry().Engine().Layer("bad") != nil {
		t.Fatal("a rejected file was put in service")
	}
	// A France Services list (2024 columns) with a bad coordinate: the
	// shipped loader's rejects become row errors.
	fs := "id_fs,lib_fs,latitude,longitude,insee_com,type_fs,format_fs,adresse\n" +
		"A,Alpha,46.0,1.6,23001,Principal,Fixe,x\nB,Bad,95.0,1.6,23001,Principal,Fixe,x\n"
	apitest.Decode(t, postLayer(t, s, map[string]string{"name": "fs-new"}, "liste.csv", fs), http.StatusBadRequest, &rows)
	if rows.TotalErrors != 1 || rows.Rows[0].Line != 3 || !strings.Contains(rows.Rows[0].Reason, "latitude") {
		t.Fatalf("France Services rejects %+v", rows)
	}
	var up uploadAnswer
	good := fs[:strings.LastIndex(fs[:len(fs)-1], "\n")+1] // without B
	apitest.Decode(t, postLayer(t, s, map[string]string{"name": "fs-new"}, "liste.csv", good), http.StatusCreated, &up)
	if up.Upload.Format != layerconf.FormatCSV || up.Sites != 1 {
		t.Fatalf("France Services list sniffed as %+v", up)
	}
	var e apitest.ErrorBody
	for _, tc := range []struct {
		fields map[string]string
		code   string
	}{
		{map[string]string{"name": "Bad Name"}, api.CodeBadParameter},
		{map[string]string{"name": "communes"}, api.CodeBadParameter},
		{map[string]string{}, api.CodeBadParameter},
		{map[string]string{"name": "x", "format": "shapefile"}, api.CodeBadParameter},
		{map[string]string{"name": "x", "format": "france-services-2024"}, api.CodeBadBody},    // no id_fs column
		{map[string]string{"name": "x", "format": layerconf.FormatMediation}, api.CodeBadBody}, // no column of the standard
		{map[string]string{"name": "x", "columns": "id=id,latt=lat,lon=lon"}, api.CodeBadParameter},
		{map[string]string{"name": "x", "format": "geojson", "columns": "id=id,lat=lat,lon=lon"}, api.CodeBadParameter},
		{map[string]string{"name": "x", "format": "csv", "programme": "Aidants Connect"}, api.CodeBadParameter},
		{map[string]string{"name": "x", "programme": "*"}, api.CodeBadParameter},
	} {
		apitest.Decode(t, postLayer(t, s, tc.fields, "x.csv", uploadedSitesCSV), http.StatusBadRequest, &e)
		if e.Error != tc.code {
			t.Errorf("fields %v: %+v, want %s", tc.fields, e, tc.code)
		}
	}
}

// An upload declares what a layers-file entry declares (columns, program,
// title, vintage), and a restart reads the stored file again with that
// declaration: the same sites, not a re-sniffed guess.
func TestLayerUploadDeclarationSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	store, err := boltstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { store.Close() }()
	s := reloadServer(t, store, nil)
	renamed := "identifiant,nom_site,y,x,code_commune\nR1,Maison Beta,46.00,1.70,23002\nR2,Maison Delta,45.90,1.70,87002\n"
	var up uploadAnswer
	apitest.Decode(t, postLayer(t, s, map[string]string{"name": "fs-2025", "format": "csv", "title": "France Services 2025", "vintage": "2025-09",
		"columns": `{"id":"identifiant","name":"nom_site","lat":"y","lon":"x","commune":"code_commune"}`}, "liste-fs.csv", renamed), http.StatusCreated, &up)
	if up.Sites != 2 || up.Upload.Columns == nil || up.Upload.Columns.Lat != "y" || up.Upload.Title != "France Services 2025" {
		t.Fatalf("upload with columns: %+v", up)
	}
	lieux := "id,nom,pivot,commune,code_postal,adresse,code_insee,latitude,longitude,dispositif_programmes_nationaux,date_maj\n" +
		"m1,Alpha,0,Beta,23000,1 rue A,23002,46.0,1.7,Aidants Connect|Conseillers numériques,2025-01-10\n" +
		"m2,Beta,0,Beta,23000,2 rue B,23002,46.0,1.7,Conseillers numériques,2025-01-10\n" +
		"m3,Delta,0,Delta,87000,3 rue D,87002,45.9,1.7,Aidants Connect,2025-01-10\n"
	apitest.Decode(t, postLayer(t, s, map[string]string{"name": "aidants", "programme": "Aidants Connect"}, "lieux.csv", lieux), http.StatusCreated, &up)
	if up.Sites != 2 || up.Upload.Format != layerconf.FormatMediation || up.Upload.Programme != "Aidants Connect" || up.Report.Filtered != 1 {
		t.Fatalf("upload with a program: %+v", up)
	}
	sites := func(s *api.Server, name string) []string {
		var ids []string
		for _, st := range s.Registry().Engine().Layer(name).Sites {
			ids = append(ids, st.ID+" "+st.Name+" "+st.Commune)
		}
		return ids
	}
	before := [][]string{sites(s, "fs-2025"), sites(s, "aidants")}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	if store, err = boltstore.Open(dir); err != nil {
		t.Fatal(err)
	}
	s = reloadServer(t, store, nil)
	after := [][]string{sites(s, "fs-2025"), sites(s, "aidants")}
	if !reflect.DeepEqual(before, after) || len(after[1]) != 2 {
		t.Fatalf("after a restart %v, before %v", after, before)
	}
	l := s.Registry().Engine().Layer("fs-2025")
	if got, _ := s.Registry().Engine().Uploaded("aidants"); got.Programme != "Aidants Connect" || l.Title != "France Services 2025" || l.Vintage != "2025-09" {
		t.Fatalf("declaration after a restart: %+v, layer title %q vintage %q", got, l.Title, l.Vintage)
	}
}

// GET /v1/layers?kind=service lists the service layers only, uploaded ones
// with their title and vintage (the map's checkboxes); an unknown kind is
// a 400 naming the kinds.
func TestLayersIndexKind(t *testing.T) {
	s := reloadServer(t, nil, nil)
	var list struct {
		Items []layerEntry `json:"items"`
	}
	if code := apitest.Get(t, s, "/v1/layers?kind=service", &list); code != http.StatusOK || len(list.Items) == 0 {
		t.Fatalf("service layers: status %d, %+v", code, list.Items)
	}
	names := map[string]string{}
	for _, l := range list.Items {
		if l.Kind != "service" {
			t.Errorf("kind=service lists %s of kind %s", l.Name, l.Kind)
		}
		names[l.Name] = l.Title
	}
	if _, ok := names["france-services"]; !ok {
		t.Errorf("kind=service without the default layer: %v", names)
	}
	var e apitest.ErrorBody
	if code := apitest.Get(t, s, "/v1/layers?kind=services", &e); code != http.StatusBadRequest || e.Error != api.CodeBadParameter || !strings.Contains(e.Message, "boundaries, service") {
		t.Errorf("unknown kind: status %d, %+v", code, e)
	}
}
