package process_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/api/process"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/registry"
)

func TestDatasetUploadFormats(t *testing.T) {
	ms := apitest.NewMatchServers(t)
	s := ms.Open
	structsJSON := `[{"id":"s1","name":"Mairie","type":"commune","commune":"23096","posts":2},{"id":"s2","lon":2.35,"lat":48.85,"posts":1}]`
	structsGeo := `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1.87,46.17]},"properties":{"id":"g1","posts":3}}]}`
	ct, mp := apitest.MultipartBody(t, map[string][2]string{"file": {"cands.csv", apitest.CandidatesCSV}}, nil)
	cases := []struct {
		name, kind, ct, body, prefix string
		rows                         int
		deps                         []string
	}{
		{"csv", "candidates", "text/csv", apitest.CandidatesCSV, "cand-", 4, []string{"23", "75"}},
		{"sniffed csv", "candidates", "", apitest.CandidatesCSV, "cand-", 4, []string{"23", "75"}},
		{"json array", "structures", "application/json", structsJSON, "struct-", 2, []string{"23", "75"}},
		{"geojson", "structures", "application/geo+json", structsGeo, "struct-", 1, []string{"23"}},
		{"geojson sniffed from json", "proposals", "application/json", structsGeo, "prop-", 1, []string{"23"}},
		{"multipart", "candidates", ct, mp.String(), "cand-", 4, []string{"23", "75"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info := apitest.Upload(t, s, tc.kind, tc.ct, tc.body)
			defer apitest.Send(t, s, "DELETE", "/v1/datasets/"+info.ID, "", "", nil)
			if !strings.HasPrefix(info.ID, tc.prefix) || info.Rows != tc.rows || string(info.Kind) != tc.kind ||
				fmt.Sprint(info.Departements) != fmt.Sprint(tc.deps) || info.Builtin {
				t.Fatalf("uploaded %+v, want %s… with %d rows in %v", info, tc.prefix, tc.rows, tc.deps)
			}
		})
	}
}

func TestDatasetListGetDelete(t *testing.T) {
	s := apitest.NewMatchServers(t).Open
	info := apitest.Upload(t, s, "candidates", "text/csv", apitest.CandidatesCSV)
	var list process.DatasetList
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/datasets", "", "", nil), 200, &list)
	if list.Total != len(list.Items) || list.Items[0].ID != matching.BuiltinStructuresDataset || !list.Items[0].Builtin {
		t.Fatalf("list %+v", list)
	}
	found := false
	for _, it := range list.Items {
		found = found || (it.ID == info.ID && it.Rows == 4)
	}
	if !found {
		t.Fatalf("%s not listed", info.ID)
	}

	// Paging visits each row once.
	var ids []string
	next := "/v1/datasets/" + info.ID + "?limit=3"
	for next != "" {
		var v struct {
			process.DatasetView
			Items []people.Candidate `json:"items"`
		}
		apitest.Decode(t, apitest.Send(t, s, "GET", next, "", "", nil), 200, &v)
		if v.Total != 4 || v.Dataset.ID != info.ID {
			t.Fatalf("page %s: %+v", next, v)
		}
		for _, c := range v.Items {
			ids = append(ids, c.ID)
		}
		next = v.Next
	}
	if strings.Join(ids, ",") != "A,B,C,D" {
		t.Fatalf("paged rows %v, want A,B,C,D", ids)
	}

	rec := apitest.Send(t, s, "GET", "/v1/datasets/"+info.ID+"?format=geojson&offset=1&limit=2", "", "", nil)
	var fc geojson.FeatureCollection
	apitest.Decode(t, rec, 200, &fc)
	if rec.Header().Get("Content-Type") != httpx.GeoJSONType || len(fc.Features) != 2 || fc.Features[0].ID != "B" ||
		fc.Features[0].Properties["commune"] != "23096" || fc.ExtraMembers["total"] != 4.0 || fc.ExtraMembers["next"] == nil {
		t.Fatalf("geojson: %s", rec.Body)
	}
	if _, ok := fc.Features[0].Properties["point"]; ok {
		t.Error("geojson properties repeat the point")
	}

	// The built-in structures, paged.
	var b struct {
		process.DatasetView
		Items []people.Structure `json:"items"`
	}
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/datasets/"+matching.BuiltinStructuresDataset+"?limit=10", "", "", nil), 200, &b)
	if !b.Dataset.Builtin || b.Total < 1400 || len(b.Items) != 10 || b.Items[0].Posts < 1 || b.Next == "" {
		t.Fatalf("built-in page: %+v", b.DatasetView)
	}

	// A sites dataset (stored by the layer endpoints) pages the same way.
	si, err := s.Registry().Datasets().Add(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindSites, Name: "extra"},
		Sites: []data.Site{{ID: "x1", Name: "Bus", Departement: "23", Point: orb.Point{1.87, 46.17}}, {ID: "x2", Departement: "87", Point: orb.Point{1.26, 45.83}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Registry().Datasets().Delete(si.ID)
	var sfc geojson.FeatureCollection
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/datasets/"+si.ID+"?format=geojson&limit=1", "", "", nil), 200, &sfc)
	if len(sfc.Features) != 1 || sfc.Features[0].ID != "x1" || sfc.Features[0].Point() != (orb.Point{1.87, 46.17}) || sfc.ExtraMembers["total"] != 2.0 {
		t.Fatalf("sites geojson: %+v", sfc)
	}

	var e apitest.ErrorBody
	apitest.Decode(t, apitest.Send(t, s, "DELETE", "/v1/datasets/"+matching.BuiltinStructuresDataset, "", "", nil), http.StatusConflict, &e)
	if e.Error != httpx.CodeConflict || e.Message == "" {
		t.Fatalf("delete built-in: %+v", e)
	}
	apitest.Decode(t, apitest.Send(t, s, "DELETE", "/v1/datasets/"+info.ID, "", "", nil), http.StatusNoContent, nil)
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/datasets/"+info.ID, "", "", nil), http.StatusNotFound, &e)
	apitest.Decode(t, apitest.Send(t, s, "DELETE", "/v1/datasets/"+info.ID, "", "", nil), http.StatusNotFound, &e)
	if e.Error != httpx.CodeNotFound {
		t.Fatalf("second delete: %+v", e)
	}
}

func TestDatasetInvalidRows(t *testing.T) {
	s := apitest.NewMatchServers(t).Open
	bad := "id,lon,lat,max_km\nA,1.87,46.17,20\nB,abc,46.1,\nC,1.8,46.1,900\nA,1.8,46.1,\n"
	var body httpx.InvalidRowsBody
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/datasets?kind=candidates&name=bad.csv", "text/csv", "", strings.NewReader(bad)), 400, &body)
	if body.Error != httpx.CodeInvalidRows || body.TotalErrors != 3 || len(body.Rows) != 3 || body.Message == "" {
		t.Fatalf("body %+v", body)
	}
	want := []struct {
		line   int
		column string
	}{{3, "lon"}, {4, "max_km"}, {5, "id"}}
	for i, w := range want {
		if r := body.Rows[i]; r.Line != w.line || r.Column != w.column || r.Reason == "" || r.File != "bad.csv" {
			t.Errorf("row error %d = %+v, want line %d column %s", i, r, w.line, w.column)
		}
	}
	// More errors than listed: all counted.
	var many strings.Builder
	many.WriteString("id,lon,lat\n")
	for i := range 150 {
		fmt.Fprintf(&many, "r%d,x,46\n", i)
	}
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/datasets?kind=candidates", "text/csv", "", strings.NewReader(many.String())), 400, &body)
	if body.TotalErrors != 150 || len(body.Rows) != people.MaxRowErrors || body.Rows[0].Line != 2 || body.Rows[99].Line != 101 {
		t.Fatalf("150 bad rows: total %d, %d listed", body.TotalErrors, len(body.Rows))
	}
	// Nothing was stored.
	var list process.DatasetList
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/datasets", "", "", nil), 200, &list)
	for _, it := range list.Items {
		if it.Name == "bad.csv" {
			t.Fatalf("rejected file stored: %+v", it)
		}
	}
}

func TestDatasetBadRequests(t *testing.T) {
	s := apitest.NewMatchServers(t).Open
	noFile, noFileBody := apitest.MultipartBody(t, map[string][2]string{"other": {"c.csv", apitest.CandidatesCSV}}, nil)
	cases := []struct {
		name, method, url, ct, body string
		status                      int
		code                        string
	}{
		{"no kind", "POST", "/v1/datasets", "text/csv", apitest.CandidatesCSV, 400, httpx.CodeBadParameter},
		{"kind match_result", "POST", "/v1/datasets?kind=match_result", "text/csv", apitest.CandidatesCSV, 400, httpx.CodeBadParameter},
		{"bad format", "POST", "/v1/datasets?kind=candidates&format=xml", "text/csv", apitest.CandidatesCSV, 400, httpx.CodeBadParameter},
		{"empty", "POST", "/v1/datasets?kind=structures", "text/csv", "id,lon,lat\n", 400, httpx.CodeBadBody},
		{"multipart without file", "POST", "/v1/datasets?kind=candidates", noFile, noFileBody.String(), 400, httpx.CodeBadParameter},
		{"broken multipart", "POST", "/v1/datasets?kind=candidates", "multipart/form-data; boundary=x", "--y\r\n", 400, httpx.CodeBadBody},
		{"limit 0", "GET", "/v1/datasets/" + matching.BuiltinStructuresDataset + "?limit=0", "", "", 400, httpx.CodeBadParameter},
		{"limit too large", "GET", "/v1/datasets/" + matching.BuiltinStructuresDataset + "?limit=10001", "", "", 400, httpx.CodeBadParameter},
		{"bad format on get", "GET", "/v1/datasets/" + matching.BuiltinStructuresDataset + "?format=kml", "", "", 400, httpx.CodeBadParameter},
		{"unknown dataset", "GET", "/v1/datasets/cand-000000000000", "", "", 404, httpx.CodeNotFound},
		{"unknown delete", "DELETE", "/v1/datasets/cand-000000000000", "", "", 404, httpx.CodeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e apitest.ErrorBody
			apitest.Decode(t, apitest.Send(t, s, tc.method, tc.url, tc.ct, "", strings.NewReader(tc.body)), tc.status, &e)
			if e.Error != tc.code || e.Message == "" {
				t.Fatalf("got %+v, want %s with a message", e, tc.code)
			}
		})
	}
}

func TestDatasetScopes(t *testing.T) {
	ms := apitest.NewMatchServers(t)
	s := ms.Scoped
	var e apitest.ErrorBody
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/datasets?kind=candidates", "text/csv", "", strings.NewReader(apitest.CandidatesCSV)), http.StatusUnauthorized, &e)
	// Paris is outside 23 and 87: the upload is refused, naming the row.
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/datasets?kind=candidates", "text/csv", ms.Dep23, strings.NewReader(apitest.CandidatesCSV)), http.StatusForbidden, &e)
	if e.Error != httpx.CodeForbidden || !strings.Contains(e.Message, `"C"`) {
		t.Fatalf("scoped upload outside: %+v", e)
	}
	var info registry.DatasetInfo
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/datasets?kind=candidates", "text/csv", ms.National, strings.NewReader(apitest.CandidatesCSV)), 201, &info)
	defer apitest.Send(t, s, "DELETE", "/v1/datasets/"+info.ID, "", ms.National, nil)
	var v struct {
		process.DatasetView
		Items []people.Candidate `json:"items"`
	}
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/datasets/"+info.ID, "", ms.Dep23, nil), 200, &v)
	if v.Total != 3 || v.Dataset.Rows != 3 || fmt.Sprint(v.Dataset.Departements) != "[23]" {
		t.Fatalf("scoped view: %+v", v.DatasetView)
	}
	for _, c := range v.Items {
		if c.Departement != "23" {
			t.Fatalf("scoped token sees %+v", c)
		}
	}
	var list process.DatasetList
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/datasets", "", ms.Dep23, nil), 200, &list)
	found := false
	for _, it := range list.Items {
		if it.Builtin {
			continue // open data, listed whole (see access.Scope)
		}
		for _, d := range it.Departements {
			if d != "23" && d != "87" {
				t.Fatalf("scoped list shows %+v", it)
			}
		}
		if it.ID == info.ID {
			found = true
			if it.Rows != 3 || fmt.Sprint(it.RowsByDepartement) != "map[23:3]" {
				t.Fatalf("scoped list counts %d rows (%v), want the 3 in 23", it.Rows, it.RowsByDepartement)
			}
		}
	}
	if !found || list.Total != len(list.Items) {
		t.Fatalf("scoped list: %+v", list)
	}
	// The dataset holds Paris rows: a 23/87 token may not delete it.
	apitest.Decode(t, apitest.Send(t, s, "DELETE", "/v1/datasets/"+info.ID, "", ms.Dep23, nil), http.StatusForbidden, &e)

	// A dataset stored before the per-département counts were kept is
	// counted from its rows.
	old, _, err := s.Registry().Datasets().Get(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	legacy := *old
	legacy.Meta.ID, legacy.Meta.RowsByDepartement = "cand-0123456789ab", nil
	if err := s.Registry().Store().Put(&legacy); err != nil {
		t.Fatal(err)
	}
	defer apitest.Send(t, s, "DELETE", "/v1/datasets/"+legacy.Meta.ID, "", ms.National, nil)
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/datasets", "", ms.Dep23, nil), 200, &list)
	found = false
	for _, it := range list.Items {
		if it.ID == legacy.Meta.ID {
			found = it.Rows == 3 && fmt.Sprint(it.RowsByDepartement) == "map[23:3]"
		}
	}
	if !found {
		t.Fatalf("legacy dataset not listed with its 3 rows in scope: %+v", list)
	}
}
