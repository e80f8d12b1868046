package coverage_test

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/matching"
)

// networkServer is the real-data server with a token for the Creuse (23)
// and one national.
func networkServer(t *testing.T) (s *api.Server, dep23, national string) {
	t.Helper()
	base := apitest.Real(t)
	var tokens []access.Token
	for _, x := range []struct {
		secret *string
		scope  string
	}{{&dep23, "departement:23"}, {&national, "national"}} {
		secret, err := access.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		*x.secret = secret
		sc, err := access.ParseScope(x.scope)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, access.Token{Hash: access.HashToken(secret), Scope: sc, Name: x.scope})
	}
	return api.New(base.Registry(), api.Config{Tokens: access.NewTokenSet(tokens)}), dep23, national
}

// getAuth is get with a bearer token.
func getAuth(t *testing.T, s *api.Server, url, token string, out any) int {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	s.Handler().ServeHTTP(rec, req)
	if out != nil && rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
	return rec.Code
}

type structureBody struct {
	Type     string `json:"type"`
	Total    int    `json:"total"`
	Features []struct {
		Geometry struct {
			Coordinates [2]float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			ID                     string  `json:"id"`
			Posts                  int     `json:"posts"`
			Departement            string  `json:"departement"`
			LocatedBy              string  `json:"located_by"`
			ZRR                    string  `json:"zrr"`
			FranceServices         string  `json:"france_services"`
			NearestFranceServicesM float64 `json:"nearest_france_services_m"`
		} `json:"properties"`
	} `json:"features"`
	Report struct {
		Read   int `json:"read"`
		Loaded int `json:"loaded"`
	} `json:"report"`
}

func TestStructures(t *testing.T) {
	s, dep23, national := networkServer(t)
	if code := getAuth(t, s, "/v1/structures", "", nil); code != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", code)
	}
	var all structureBody
	if code := getAuth(t, s, "/v1/structures", national, &all); code != http.StatusOK {
		t.Fatalf("national: %d", code)
	}
	posts, byCommune := 0, 0
	for _, f := range all.Features {
		posts += f.Properties.Posts
		if f.Properties.LocatedBy == "commune" {
			byCommune++
		}
	}
	if all.Total != 1443 || len(all.Features) != all.Total || all.Report.Read != 1450 || all.Report.Loaded != 1443 || byCommune == 0 {
		t.Errorf("national: total %d, features %d, report %+v, located by commune %d", all.Total, len(all.Features), all.Report, byCommune)
	}
	// Brute force: the distance to the nearest France Services.
	fs := s.Registry().Engine().Layer(matching.DefaultLayer).Sites
	for i := 0; i < len(all.Features); i += 97 {
		f := all.Features[i]
		best := math.Inf(1)
		for _, site := range fs {
			best = math.Min(best, geo.DistanceM(f.Geometry.Coordinates, site.Point))
		}
		if math.Abs(best-f.Properties.NearestFranceServicesM) > 1 { // coordinates rounded to 1e-6°
			t.Errorf("%s: nearest France Services %v m, brute force %v m", f.Properties.ID, f.Properties.NearestFranceServicesM, best)
		}
	}
	// The built-in structures are open data: a scoped token reads them
	// whole, as /v1/articulation lists them to anyone (see Scope).
	var creuse structureBody
	if code := getAuth(t, s, "/v1/structures", dep23, &creuse); code != http.StatusOK {
		t.Fatalf("23: %d", code)
	}
	n23 := 0
	for _, f := range all.Features {
		if f.Properties.Departement == "23" {
			n23++
		}
	}
	if creuse.Total != all.Total || n23 == 0 {
		t.Errorf("token 23: %d built-in structures, national %d", creuse.Total, all.Total)
	}
	var filtered structureBody
	getAuth(t, s, "/v1/structures?departement=23&bbox=-5,40,10,52", national, &filtered)
	if filtered.Total != n23 {
		t.Errorf("departement=23: %d, want %d", filtered.Total, n23)
	}
	for url, want := range map[string]int{
		"/v1/structures?dataset=nope":                 http.StatusNotFound,
		"/v1/structures?departement=99":               http.StatusNotFound,
		"/v1/structures?bbox=1,2,3":                   http.StatusBadRequest,
		"/v1/structures?dataset=cnfs-structures-2021": http.StatusOK,
	} {
		if code := getAuth(t, s, url, national, nil); code != want {
			t.Errorf("%s: %d, want %d", url, code, want)
		}
	}
}

func TestArticulationEndpoint(t *testing.T) {
	s := apitest.Real(t)
	var a struct {
		Source   string `json:"source"`
		Total    int    `json:"total"`
		National struct {
			Places          int `json:"places"`
			CoLocated       int `json:"co_located"`
			Complements     int `json:"complements"`
			Duplicates      int `json:"duplicates"`
			AddedPopulation int `json:"added_population"`
		} `json:"national"`
		Departements []struct {
			Code            string `json:"code"`
			Places          int    `json:"places"`
			AddedPopulation int    `json:"added_population"`
		} `json:"departements"`
		Items []struct {
			Class       string `json:"class"`
			Departement string `json:"departement"`
		} `json:"items"`
	}
	if code := apitest.Get(t, s, "/v1/articulation?departement=23&max_minutes=20", &a); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	n := a.National
	if a.Source != "cnfs-permanences" || n.Places != 2733 || n.CoLocated+n.Complements+n.Duplicates != n.Places ||
		len(a.Departements) != 1 || a.Departements[0].Code != "23" || a.Total != len(a.Items) || a.Departements[0].Places != len(a.Items) {
		t.Errorf("answer %+v", a)
	}
	for _, it := range a.Items {
		if it.Departement != "23" || it.Class == "" {
			t.Errorf("item %+v", it)
		}
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/articulation?source=cnfs-structures-2021&format=csv", nil))
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if rec.Code != http.StatusOK || err != nil || len(rows) != 1444 || rows[0][8] != "class" {
		t.Errorf("structures CSV: %d, %v, %d rows", rec.Code, err, len(rows))
	}
	for url, want := range map[string]int{
		"/v1/articulation?source=france-services":        http.StatusBadRequest,
		"/v1/articulation?source=nope":                   http.StatusBadRequest,
		"/v1/articulation?departement=999":               http.StatusNotFound,
		"/v1/articulation?region=75":                     http.StatusBadRequest,
		"/v1/articulation?max_minutes=-3":                http.StatusBadRequest,
		"/v1/articulation?format=xml":                    http.StatusBadRequest,
		"/v1/articulation?format=geojson&departement=23": http.StatusOK,
	} {
		if code := apitest.Get(t, s, url, nil); code != want {
			t.Errorf("%s: %d, want %d", url, code, want)
		}
	}
}

func TestCoverageCompareEndpoint(t *testing.T) {
	s := apitest.Real(t)
	var cmp struct {
		From    []string `json:"from"`
		To      []string `json:"to"`
		Total   int      `json:"total"`
		Summary struct {
			CoveredBefore int `json:"covered_population_before"`
			CoveredAfter  int `json:"covered_population_after"`
			Gained        int `json:"gained_population"`
			Lost          int `json:"lost_population"`
			SitesBefore   int `json:"sites_before"`
			SitesAfter    int `json:"sites_after"`
		} `json:"summary"`
		Departements []struct {
			Code string `json:"code"`
		} `json:"departements"`
		Items []struct {
			Code   string `json:"code"`
			Change string `json:"change"`
		} `json:"items"`
	}
	if code := apitest.Get(t, s, "/v1/coverage/compare?departement=23&max_minutes=20", &cmp); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	sm := cmp.Summary
	if strings.Join(cmp.From, ",") != "france-services-2020" || strings.Join(cmp.To, ",") != "france-services" ||
		sm.CoveredAfter-sm.CoveredBefore != sm.Gained-sm.Lost || sm.SitesAfter <= sm.SitesBefore ||
		len(cmp.Departements) != 1 || cmp.Total != len(cmp.Items) || cmp.Total == 0 {
		t.Errorf("answer %+v", cmp)
	}
	var fc collectionBody[struct {
		Change        string `json:"change"`
		CoveredBefore int    `json:"covered_population_before"`
		CoveredAfter  int    `json:"covered_population_after"`
	}]
	if code := apitest.Get(t, s, "/v1/coverage/compare?departement=23&max_minutes=20&format=geojson&limit=5", &fc); code != http.StatusOK {
		t.Fatalf("geojson: %d", code)
	}
	if fc.Total != cmp.Total || len(fc.Features) != min(5, cmp.Total) || fc.Features[0].Geometry == nil ||
		fc.Features[0].Geometry.Type != "MultiPolygon" || fc.Features[0].ID != cmp.Items[0].Code {
		t.Errorf("geojson: total %d, %d features", fc.Total, len(fc.Features))
	}
	for url, want := range map[string]int{
		"/v1/coverage/compare?from=nope":                        http.StatusBadRequest,
		"/v1/coverage/compare?to=nope":                          http.StatusBadRequest,
		"/v1/coverage/compare?format=xml":                       http.StatusBadRequest,
		"/v1/coverage/compare?departement=999":                  http.StatusNotFound,
		"/v1/coverage/compare?format=csv&region=75":             http.StatusOK,
		"/v1/coverage/gaps?rank_by=fragility&departement=23":    http.StatusOK,
		"/v1/coverage/rural-mairies?rank_by=zrr&departement=23": http.StatusOK,
		"/v1/coverage/rural-mairies?rank_by=age":                http.StatusBadRequest,
	} {
		if code := apitest.Get(t, s, url, nil); code != want {
			t.Errorf("%s: %d, want %d", url, code, want)
		}
	}
}

func TestCoverageGapsRankBy(t *testing.T) {
	s := apitest.Real(t)
	var fc collectionBody[struct {
		Rank                   int     `json:"rank"`
		Population             int     `json:"population"`
		PopulationInDifficulty float64 `json:"population_in_difficulty"`
		ZRRPopulation          int     `json:"zrr_population"`
	}]
	if code := apitest.Get(t, s, "/v1/coverage/gaps?rank_by=fragility&max_minutes=20&limit=20", &fc); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	for i := 1; i < len(fc.Features); i++ {
		p, q := fc.Features[i-1].Properties, fc.Features[i].Properties
		if p.PopulationInDifficulty < q.PopulationInDifficulty || q.Rank != i+1 {
			t.Errorf("zone %d (%+v) after %+v", i, q, p)
		}
	}
	if len(fc.Features) == 0 || fc.Features[0].Properties.PopulationInDifficulty <= 0 {
		t.Errorf("no gap with people in difficulty: %+v", fc.Features)
	}
}

func TestRecommendationsDifficultyDemand(t *testing.T) {
	s := apitest.Real(t)
	var rec struct {
		Demand string `json:"demand"`
		Picks  []struct {
			GainPopulation int     `json:"gain_population"`
			GainDemand     float64 `json:"gain_demand"`
		} `json:"picks"`
	}
	if code := apitest.Get(t, s, "/v1/recommendations?departement=40&k=2&max_minutes=20&demand=difficulty&format=json", &rec); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if rec.Demand != "difficulty" || len(rec.Picks) != 2 || rec.Picks[0].GainDemand <= 0 ||
		rec.Picks[0].GainDemand >= float64(rec.Picks[0].GainPopulation) {
		t.Errorf("answer %+v", rec)
	}
}
