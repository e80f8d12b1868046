package siting_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/matching"
)

// sitingServer is a server over the shared engine that lets every request
// in with a national scope (the siting routes under /v1/proposals and
// /v1/scenarios need a token otherwise).
func sitingServer(t *testing.T) *api.Server {
	t.Helper()
	return api.New(apitest.Real(t).Registry(), api.Config{InsecureOpen: true})
}

// post sends body with the content type and decodes a JSON answer into out
// (when not nil), returning the recorder.
func post(t *testing.T, s *api.Server, url, contentType, body string, out any) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	s.Handler().ServeHTTP(rec, req)
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("POST %s: status %d, body not JSON: %v: %.300s", url, rec.Code, err, rec.Body.String())
		}
	}
	return rec
}

// proposalBody is the JSON of a siting.ProposalResult.
type proposalBody struct {
	ID                     string  `json:"id"`
	Label                  string  `json:"label"`
	GainPopulation         int     `json:"gain_population"`
	UniqueGainPopulation   int     `json:"unique_gain_population"`
	NearestFranceServicesM float64 `json:"nearest_france_services_m"`
	Redundant              bool    `json:"redundant"`
	InGap                  bool    `json:"in_gap"`
	Communes               []struct {
		Code           string `json:"code"`
		GainPopulation int    `json:"gain_population"`
	} `json:"communes"`
}

type evaluationBody struct {
	Proposals           []proposalBody `json:"proposals"`
	JointGainPopulation int            `json:"joint_gain_population"`
	SumGainPopulation   int            `json:"sum_gain_population"`
	CoveredBefore       int            `json:"covered_population_before"`
	CoveredAfter        int            `json:"covered_population_after"`
	RedundancyM         float64        `json:"redundancy_m"`
	Reach               struct {
		MaxM float64 `json:"max_m"`
	} `json:"reach"`
}

// sitingFixture is three proposals: at an existing France Services, at the
// main town of Capesterre-de-Marie-Galante (Guadeloupe, out of reach of
// today's network) and by commune code only in the Creuse.
func sitingFixture(t *testing.T, s *api.Server) (fs data.Site, gapLon, gapLat float64) {
	t.Helper()
	fs = s.Registry().Engine().Layer(data.LayerFranceServices).Sites[0]
	c, ok := s.Registry().Engine().Territory().Commune("97108")
	if !ok {
		t.Fatal("commune 97108 not loaded")
	}
	return fs, c.Rep[0], c.Rep[1]
}

func TestEvaluateProposalsAPI(t *testing.T) {
	s := sitingServer(t)
	fs, lon, lat := sitingFixture(t, s)
	csvBody := fmt.Sprintf("id,name,lon,lat,commune\nat-fs,At FS,%v,%v,\ngap,Marie-Galante,%v,%v,\ncreuse,Guéret,,,23096\n",
		fs.Point[0], fs.Point[1], lon, lat)
	jsonBody := fmt.Sprintf(`[{"id":"at-fs","lon":%v,"lat":%v},{"id":"gap","lon":%v,"lat":%v},{"id":"creuse","commune":"23096"}]`,
		fs.Point[0], fs.Point[1], lon, lat)
	geoBody := fmt.Sprintf(`{"type":"FeatureCollection","features":[
		{"type":"Feature","geometry":{"type":"Point","coordinates":[%v,%v]},"properties":{"id":"at-fs"}},
		{"type":"Feature","geometry":{"type":"Point","coordinates":[%v,%v]},"properties":{"id":"gap"}},
		{"type":"Feature","geometry":null,"properties":{"id":"creuse","commune":"23096"}}]}`, fs.Point[0], fs.Point[1], lon, lat)
	for _, c := range []struct{ name, ct, body string }{
		{"csv", "text/csv", csvBody},
		{"csv sniffed", "", csvBody},
		{"json array", "application/json", jsonBody},
		{"wrapped", "application/json", `{"proposals":` + jsonBody + `}`},
		{"geojson", "application/geo+json", geoBody},
		{"geojson sniffed", "application/json", geoBody},
	} {
		var ev evaluationBody
		rec := post(t, s, "/v1/proposals/evaluate", c.ct, c.body, &ev)
		if rec.Code != http.StatusOK || len(ev.Proposals) != 3 {
			t.Fatalf("%s: status %d, %d proposals: %.300s", c.name, rec.Code, len(ev.Proposals), rec.Body.String())
		}
		at, gap, creuse := ev.Proposals[0], ev.Proposals[1], ev.Proposals[2]
		if at.ID != "at-fs" || at.GainPopulation != 0 || at.Label != "redundant" || !at.Redundant || at.NearestFranceServicesM != 0 {
			t.Errorf("%s: proposal at a France Services: %+v", c.name, at)
		}
		sum := 0
		for _, cm := range gap.Communes {
			sum += cm.GainPopulation
		}
		if gap.GainPopulation <= 0 || gap.Label != "fills_gap" || !gap.InGap || sum != gap.GainPopulation || gap.UniqueGainPopulation != gap.GainPopulation {
			t.Errorf("%s: proposal in the Marie-Galante gap: %+v", c.name, gap)
		}
		if creuse.GainPopulation != 0 || creuse.Label != "redundant" {
			t.Errorf("%s: Guéret (fully covered today): %+v", c.name, creuse)
		}
		if ev.JointGainPopulation != gap.GainPopulation || ev.SumGainPopulation != gap.GainPopulation ||
			ev.CoveredAfter != ev.CoveredBefore+ev.JointGainPopulation || ev.RedundancyM != 5000 || ev.Reach.MaxM != 23076.9 {
			t.Errorf("%s: totals %+v", c.name, ev)
		}
	}

	// GeoJSON and CSV answers; redundancy_km=0 turns the rule off.
	rec := post(t, s, "/v1/proposals/evaluate?format=geojson&redundancy_km=0", "text/csv", csvBody, nil)
	var fc struct {
		Type     string `json:"type"`
		Joint    int    `json:"joint_gain_population"`
		Features []struct {
			Geometry struct {
				Type        string     `json:"type"`
				Coordinates [2]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties proposalBody `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil || rec.Code != http.StatusOK || fc.Type != "FeatureCollection" || len(fc.Features) != 3 {
		t.Fatalf("geojson: status %d, %v: %.300s", rec.Code, err, rec.Body.String())
	}
	if f := fc.Features[0]; f.Geometry.Type != "Point" || f.Properties.Redundant || f.Properties.Label != "redundant" || fc.Joint <= 0 {
		t.Errorf("geojson feature %+v, joint %d", f, fc.Joint)
	}
	rec = post(t, s, "/v1/proposals/evaluate?format=csv", "text/csv", csvBody, nil)
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(rows) != 4 || rows[0][0] != "id" || rows[2][6] != "fills_gap" {
		t.Fatalf("csv answer: %v, %v", err, rows)
	}
}

func TestEvaluateStoredDataset(t *testing.T) {
	s := sitingServer(t)
	builtin, _ := s.Registry().Engine().Structures(matching.BuiltinStructuresDataset)
	rows := len(builtin)
	if rows == 0 {
		t.Skip("built-in structures not loaded")
	}
	var ev evaluationBody
	rec := post(t, s, "/v1/proposals/evaluate?dataset="+matching.BuiltinStructuresDataset, "", "", &ev)
	if rec.Code != http.StatusOK || len(ev.Proposals) != rows || ev.JointGainPopulation > ev.SumGainPopulation {
		t.Fatalf("built-in structures as proposals: status %d, %d of %d rows", rec.Code, len(ev.Proposals), rows)
	}
	var e apitest.ErrorBody
	if rec := post(t, s, "/v1/scenarios/compare?dataset=nope", "", "", &e); rec.Code != http.StatusNotFound || e.Error != httpx.CodeNotFound {
		t.Errorf("unknown dataset: status %d, %+v", rec.Code, e)
	}
}

func TestSitingAPIErrors(t *testing.T) {
	s := sitingServer(t)
	// Every invalid row is listed.
	var bad struct {
		Error  string `json:"error"`
		Errors []struct {
			Line   int    `json:"line"`
			Column string `json:"column"`
			Reason string `json:"reason"`
		} `json:"errors"`
	}
	rec := post(t, s, "/v1/proposals/evaluate", "text/csv", "id,lon,lat\na,2.3,200\nb,2.3,46\nc,x,46\n", &bad)
	if rec.Code != http.StatusBadRequest || bad.Error != httpx.CodeBadBody || len(bad.Errors) != 2 || bad.Errors[0].Line != 2 || bad.Errors[1].Line != 4 {
		t.Fatalf("bad rows: status %d, %+v", rec.Code, bad)
	}
	for _, c := range []struct{ url, ct, body, code string }{
		{"/v1/proposals/evaluate", "", "", httpx.CodeBadBody},
		{"/v1/proposals/evaluate", "application/json", `{"sites_typo":[]}`, httpx.CodeBadBody},
		{"/v1/proposals/evaluate", "application/json", `{"proposals":`, httpx.CodeBadBody},
		{"/v1/proposals/evaluate", "application/json", `[]`, httpx.CodeBadBody},
		{"/v1/proposals/evaluate?redundancy_km=-1", "text/csv", "id,commune\na,23096\n", httpx.CodeBadParameter},
		{"/v1/proposals/evaluate?max_minutes=abc", "text/csv", "id,commune\na,23096\n", httpx.CodeBadParameter},
		{"/v1/proposals/evaluate?layers=nope", "text/csv", "id,commune\na,23096\n", httpx.CodeBadParameter},
		{"/v1/proposals/evaluate?format=xml", "text/csv", "id,commune\na,23096\n", httpx.CodeBadParameter},
		{"/v1/scenarios/compare", "text/csv", "id,commune\na,99999\n", httpx.CodeBadBody},
		{"/v1/recommendations?k=0", "", "", httpx.CodeBadParameter},
		{"/v1/recommendations?demand=age", "", "", httpx.CodeBadParameter},
		{"/v1/recommendations?departement=23&region=75", "", "", httpx.CodeBadParameter},
		{"/v1/recommendations?departement=999", "", "", httpx.CodeNotFound},
	} {
		var e apitest.ErrorBody
		var rec *httptest.ResponseRecorder
		if c.body == "" && strings.HasPrefix(c.url, "/v1/recommendations") {
			rec = httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.url, nil))
			_ = json.Unmarshal(rec.Body.Bytes(), &e)
		} else {
			rec = post(t, s, c.url, c.ct, c.body, &e)
		}
		if e.Error != c.code || rec.Code/100 != 4 {
			t.Errorf("%s %q: status %d, %+v, want %s", c.url, c.body, rec.Code, e, c.code)
		}
	}
	// Oversized bodies: 413 from the body limit.
	small := api.New(s.Registry(), api.Config{InsecureOpen: true, MaxBodyBytes: 64})
	rec = post(t, small, "/v1/proposals/evaluate", "text/csv", "id,commune\n"+strings.Repeat("a,23096\n", 20), nil)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: status %d: %s", rec.Code, rec.Body.String())
	}
	// Without a token: 401. With a token for another département: 403.
	closed := api.New(s.Registry(), api.Config{})
	if rec := post(t, closed, "/v1/proposals/evaluate", "text/csv", "id,commune\na,23096\n", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("no token: status %d", rec.Code)
	}
	secret, err := access.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := access.ParseScope("departement:87")
	scoped := api.New(s.Registry(), api.Config{Tokens: access.NewTokenSet([]access.Token{{Hash: access.HashToken(secret), Scope: sc, Name: "prefet 87"}})})
	for _, url := range []string{"/v1/proposals/evaluate", "/v1/scenarios/compare"} {
		req := httptest.NewRequest(http.MethodPost, url, strings.NewReader("id,commune\na,23096\n"))
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		scoped.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s with a token for 87 and a proposal in 23: status %d", url, rec.Code)
		}
	}
}

type recommendationBody struct {
	Scope struct {
		Code string `json:"code"`
	} `json:"scope"`
	CoveredBefore      int     `json:"covered_population_before"`
	CoveredAfter       int     `json:"covered_population_after"`
	CoveredShareBefore float64 `json:"covered_share_before"`
	Curve              []struct {
		Sites             int `json:"sites"`
		CoveredPopulation int `json:"covered_population"`
	} `json:"curve"`
	Bound struct {
		Achieved      float64 `json:"achieved"`
		UpperBound    float64 `json:"upper_bound"`
		AchievedShare float64 `json:"achieved_share"`
	} `json:"bound"`
	Picks []struct {
		ID             string `json:"id"`
		GainPopulation int    `json:"gain_population"`
	} `json:"picks"`
	CandidateSource string `json:"candidate_source"`
}

func TestRecommendationsAPI(t *testing.T) {
	s := sitingServer(t)
	const q = "/v1/recommendations?departement=36&layers=france-services-2020&k=5"
	var fc struct {
		Type string `json:"type"`
		recommendationBody
		Features []struct {
			ID       string `json:"id"`
			Geometry struct {
				Type string `json:"type"`
			} `json:"geometry"`
			Properties struct {
				Rank           int `json:"rank"`
				GainPopulation int `json:"gain_population"`
			} `json:"properties"`
		} `json:"features"`
	}
	if code := apitest.Get(t, s, q, &fc); code != http.StatusOK || fc.Type != "FeatureCollection" || len(fc.Features) != 5 {
		t.Fatalf("geojson: status %d, %d features", code, len(fc.Features))
	}
	if len(fc.Curve) != 6 || fc.Curve[5].CoveredPopulation != fc.CoveredAfter || fc.CoveredShareBefore > 0.7 ||
		fc.Bound.UpperBound < fc.Bound.Achieved || fc.Bound.AchievedShare < 0.63 || fc.Scope.Code != "36" {
		t.Fatalf("geojson members: %+v", fc.recommendationBody)
	}
	for i, f := range fc.Features {
		if f.Geometry.Type != "Point" || f.Properties.Rank != i+1 || f.Properties.GainPopulation <= 0 {
			t.Errorf("feature %d: %+v", i, f)
		}
	}
	var js recommendationBody
	if code := apitest.Get(t, s, q+"&format=json", &js); code != http.StatusOK || len(js.Picks) != 5 || js.Picks[0].ID != fc.Features[0].ID || js.CandidateSource != "communes" {
		t.Fatalf("json: status %d, %+v", code, js)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, q+"&format=csv", nil))
	if rows, err := csv.NewReader(rec.Body).ReadAll(); err != nil || len(rows) != 6 || rows[1][1] != fc.Features[0].ID {
		t.Fatalf("csv: %v, %v", err, rows)
	}
	// Uploaded candidates: the first pick's commune and a commune of the
	// Creuse; only the first adds anything to the Indre.
	body := fmt.Sprintf("id,commune\nfirst,%s\nother,23096\n", js.Picks[0].ID)
	var up recommendationBody
	if rec := post(t, s, q+"&format=json", "text/csv", body, &up); rec.Code != http.StatusOK || up.CandidateSource != "uploaded" ||
		len(up.Picks) != 1 || up.Picks[0].ID != "first" || up.Picks[0].GainPopulation != js.Picks[0].GainPopulation {
		t.Fatalf("uploaded candidates: status %d, %+v", rec.Code, up)
	}
}

func TestCompareScenarioAPI(t *testing.T) {
	s := sitingServer(t)
	_, lon, lat := sitingFixture(t, s)
	body := fmt.Sprintf(`{"sites":[{"id":"gap","lon":%v,"lat":%v},{"id":"creuse","commune":"23096"}]}`, lon, lat)
	var sc struct {
		Sites    int `json:"sites"`
		National struct {
			GainPopulation int `json:"gain_population"`
			CoveredBefore  int `json:"covered_population_before"`
			CoveredAfter   int `json:"covered_population_after"`
		} `json:"national"`
		Departements []struct {
			Code           string `json:"code"`
			GainPopulation int    `json:"gain_population"`
		} `json:"departements"`
	}
	if rec := post(t, s, "/v1/scenarios/compare", "application/json", body, &sc); rec.Code != http.StatusOK || sc.Sites != 2 {
		t.Fatalf("status %d: %.300s", rec.Code, rec.Body.String())
	}
	var ev evaluationBody
	post(t, s, "/v1/proposals/evaluate", "application/json", strings.Replace(body, `"sites"`, `"proposals"`, 1), &ev)
	gain971 := 0
	for _, d := range sc.Departements {
		if d.Code == "971" {
			gain971 = d.GainPopulation
		} else if d.GainPopulation != 0 {
			t.Errorf("département %s gains %d", d.Code, d.GainPopulation)
		}
	}
	if sc.National.GainPopulation != ev.JointGainPopulation || gain971 != sc.National.GainPopulation || gain971 <= 0 ||
		sc.National.CoveredAfter != sc.National.CoveredBefore+gain971 || len(sc.Departements) < 100 {
		t.Fatalf("scenario %+v, evaluation joint %d", sc.National, ev.JointGainPopulation)
	}
}
