package siting_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/maillage/maillage/api/internal/apitest"
)

// TestAllocations posts the 1,862 posts of the example and checks
// the answer: the départements receive them all within the floors and
// caps, the points are a GeoJSON FeatureCollection placing the same posts,
// the CSV has the same départements; bad bodies are 400s naming the field,
// infeasible bounds a 422.
func TestAllocations(t *testing.T) {
	s := apitest.Real(t)
	body := `{"posts": 1862, "supply": "cnfs-structures-2021", "max_minutes": 30, "objective": "equity", "floors": {"23": 12}, "caps": {"75": 20}}`
	rec := apitest.Do(t, s, http.MethodPost, "/v1/allocations", "", body)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %.300s", rec.Code, rec.Body.String())
	}
	var v struct {
		Posts        int     `json:"posts"`
		Objective    string  `json:"objective"`
		Reference    float64 `json:"reference_per_10k"`
		Departements []struct {
			Code           string  `json:"code"`
			PostsBefore    float64 `json:"posts_before"`
			AllocatedPosts int     `json:"allocated_posts"`
			PostsAfter     float64 `json:"posts_after"`
			AccessBefore   float64 `json:"access_before_per_10k"`
			AccessAfter    float64 `json:"access_after_per_10k"`
		} `json:"departements"`
		Points struct {
			Type     string `json:"type"`
			Features []struct {
				Geometry struct {
					Type string `json:"type"`
				} `json:"geometry"`
				Properties struct {
					AllocatedPosts int    `json:"allocated_posts"`
					Departement    string `json:"departement"`
				} `json:"properties"`
			} `json:"features"`
		} `json:"points"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	sum, fromPoints := 0, 0
	for _, d := range v.Departements {
		sum += d.AllocatedPosts
		if d.Code == "23" && d.AllocatedPosts < 12 || d.Code == "75" && d.AllocatedPosts > 20 || d.AccessAfter < d.AccessBefore {
			t.Errorf("département %+v", d)
		}
	}
	for _, f := range v.Points.Features {
		fromPoints += f.Properties.AllocatedPosts
		if f.Geometry.Type != "Point" || f.Properties.AllocatedPosts <= 0 {
			t.Errorf("point %+v", f)
		}
	}
	if v.Posts != 1862 || v.Objective != "equity" || sum != 1862 || fromPoints != 1862 || v.Points.Type != "FeatureCollection" || len(v.Departements) < 100 {
		t.Fatalf("posts %d %s, départements %d (%d), points %d, %s", v.Posts, v.Objective, sum, len(v.Departements), fromPoints, v.Points.Type)
	}

	rec = apitest.Do(t, s, http.MethodPost, "/v1/allocations?format=csv", "", `{"posts": 100, "objective": "coverage", "hosts": ["communes"]}`)
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if rec.Code != http.StatusOK || err != nil || len(rows) != len(v.Departements)+1 || !slices.Contains(rows[0], "allocated_posts") {
		t.Fatalf("CSV: status %d, err %v, %d rows", rec.Code, err, len(rows))
	}

	given := `{"posts": 3, "hosts": ["uploaded"], "candidates": [{"id": "g1", "name": "Guéret", "lon": 1.87, "lat": 46.17, "departement": "23"}, {"name": "Aubusson", "lon": 2.17, "lat": 45.956}]}`
	rec = apitest.Do(t, s, http.MethodPost, "/v1/allocations", "", given)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"uploaded:g1"`) || !strings.Contains(rec.Body.String(), `"uploaded:2"`) {
		t.Fatalf("given candidates: status %d %.300s", rec.Code, rec.Body.String())
	}

	for _, tc := range []struct {
		body, field string
		status      int
	}{
		{`{"posts": 0}`, "posts", http.StatusBadRequest},
		{`{"posts": 10, "objective": "fair"}`, "objective", http.StatusBadRequest},
		{`{"posts": 10, "hosts": ["mairies"]}`, "hosts", http.StatusBadRequest},
		{`{"posts": 10, "floors": {"23": -1}}`, "floors", http.StatusBadRequest},
		{`{"posts": 10, "caps": {"00": 3}}`, "caps", http.StatusBadRequest},
		{`{"posts": 10, "supply": "nowhere"}`, "supply", http.StatusBadRequest},
		{`{"posts": 10, "max_minutes": 0}`, "max_minutes", http.StatusBadRequest},
		{`{"posts": 10, "postes": 3}`, "postes", http.StatusBadRequest},
		{`{"posts": 10, "candidates": [{"name": "x", "lon": 200, "lat": 46, "departement": "23"}]}`, "candidates", http.StatusBadRequest},
		{`{"posts": 10, "hosts": ["uploaded"], "candidates": [{"name": "at sea", "lon": -4, "lat": 46}]}`, "at sea", http.StatusBadRequest},
		{`{"posts": 10, "floors": {"23": 6, "75": 6}}`, "floors", http.StatusUnprocessableEntity},
		{`{"posts": 10, "caps": {"23": 6}, "hosts": ["uploaded"], "candidates": [{"name": "x", "lon": 1.87, "lat": 46.17, "departement": "23"}]}`, "caps", http.StatusUnprocessableEntity},
	} {
		rec := apitest.Do(t, s, http.MethodPost, "/v1/allocations", "", tc.body)
		var e apitest.ErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != tc.status || !strings.Contains(e.Message, tc.field) {
			t.Errorf("%s: status %d %+v, want %d naming %s", tc.body, rec.Code, e, tc.status, tc.field)
		}
	}
}
