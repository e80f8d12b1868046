package process_test

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/api/process"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/synth"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/pairing"
	"github.com/maillage/maillage/matching/registry"
)

// east is the point xKm east of Guéret's town hall along its parallel,
// rounded to 1e-6° as handRows writes it.
func east(xKm float64) orb.Point {
	const lon, lat = 1.8707, 46.1712
	return orb.Point{math.Round((lon+xKm/(111.195*math.Cos(lat*math.Pi/180)))*1e6) / 1e6, lat}
}

// handRows is the hand-made instance along Guéret's parallel (candidates
// accept 30 km):
//
//	c3 (-50 km)   S1 (0, 1 post)   c1 (19)  S2 (20, 1 post)  c2 (35)   S3 (200, 2 posts)
//
// c3 reaches nothing, S3 is reached by nobody, c2 reaches S2 only. Greedy
// gives S2 to c1 (1 km) and fills one post; the optimum fills two: c1→S1
// (19 km) and c2→S2 (15 km).
func handRows() (cands, structs string) {
	p := func(x float64) string { pt := east(x); return fmt.Sprintf(`"lon":%.6f,"lat":%.6f`, pt[0], pt[1]) }
	cands = fmt.Sprintf(`[{"id":"c1",%s,"max_km":30},{"id":"c2",%s,"max_km":30},{"id":"c3",%s,"max_km":30}]`, p(19), p(35), p(-50))
	structs = fmt.Sprintf(`[{"id":"S1","name":"Mairie",%s,"posts":1},{"id":"S2","name":"Asso",%s,"posts":1},{"id":"S3",%s,"posts":2}]`, p(0), p(20), p(200))
	return cands, structs
}

func TestMatchHandInstance(t *testing.T) {
	s := apitest.NewMatchServers(t).Open
	cands, structs := handRows()
	body := fmt.Sprintf(`{"candidates":%s,"structures":%s,"algorithm":"both"}`, cands, structs)
	rec := apitest.Send(t, s, "POST", "/v1/match", "application/json", "", strings.NewReader(body))
	var v process.MatchView
	apitest.Decode(t, rec, http.StatusCreated, &v)
	if rec.Header().Get("Location") != "/v1/match/"+v.ID || !strings.HasPrefix(v.ID, "match-") {
		t.Fatalf("id %q, location %q", v.ID, rec.Header().Get("Location"))
	}
	d := func(a, b float64) float64 { return geo.DistanceM(east(a), east(b)) }
	want := []pairing.Assignment{{Candidate: "c1", Structure: "S1", DistanceM: d(19, 0)}, {Candidate: "c2", Structure: "S2", DistanceM: d(35, 20)}}
	if len(v.Assignments) != 2 {
		t.Fatalf("assignments %+v, want %+v", v.Assignments, want)
	}
	for i, a := range v.Assignments {
		if a.Candidate != want[i].Candidate || a.Structure != want[i].Structure || math.Abs(a.DistanceM-want[i].DistanceM) > 1e-6 {
			t.Fatalf("assignment %d = %+v, want %+v", i, a, want[i])
		}
	}
	if fmt.Sprint(v.Unmatched) != "[{c3 no_structure_in_reach <nil>}]" || fmt.Sprint(v.Unfilled) != "[{S3 2 no_candidate_in_reach}]" {
		t.Fatalf("unmatched %v, unfilled %v", v.Unmatched, v.Unfilled)
	}
	sum := v.Summary
	if v.Algorithm != "both" || sum.Posts != 4 || sum.PostsFilled != 2 || sum.Candidates != 3 || sum.CandidatesMatched != 2 || sum.Edges != 3 ||
		math.Abs(sum.TotalDistanceM-(d(19, 0)+d(35, 20))) > 1e-6 {
		t.Fatalf("summary %+v", sum)
	}
	c := v.Comparison
	if c == nil || c.Greedy.PostsFilled != 1 || c.ExtraPostsFilled != 1 || math.Abs(c.Greedy.TotalDistanceM-d(19, 20)) > 1e-6 ||
		math.Abs(c.DistanceSavedM-(d(19, 20)-sum.TotalDistanceM)) > 1e-6 {
		t.Fatalf("comparison %+v", c)
	}
	if v.Totals != (process.MatchTotals{2, 1, 1}) || v.Next != "" || len(v.Balance) == 0 {
		t.Fatalf("totals %+v, next %q, balance %v", v.Totals, v.Next, v.Balance)
	}

	// The stored result, whole and by part.
	var got process.MatchView
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/match/"+v.ID, "", "", nil), 200, &got)
	if fmt.Sprint(got.Assignments) != fmt.Sprint(v.Assignments) || got.Summary != v.Summary {
		t.Fatalf("stored %+v", got)
	}
	var page struct {
		process.MatchPageView
		Items []pairing.UnfilledPosts `json:"items"`
	}
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/match/"+v.ID+"?part=unfilled", "", "", nil), 200, &page)
	if page.Part != "unfilled" || page.Total != 1 || len(page.Items) != 1 || page.Items[0].Structure != "S3" {
		t.Fatalf("unfilled page %+v", page)
	}

	// Greedy alone; département 23 capped at 1 post.
	body = fmt.Sprintf(`{"candidates":%s,"structures":%s,"algorithm":"greedy"}`, cands, structs)
	v = process.MatchView{}
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/match", "application/json", "", strings.NewReader(body)), 201, &v)
	if v.Summary.PostsFilled != 1 || v.Assignments[0].Structure != "S2" || v.Comparison != nil {
		t.Fatalf("greedy %+v", v)
	}
	body = fmt.Sprintf(`{"candidates":%s,"structures":%s,"departement_caps":{"23":1}}`, cands, structs)
	v = process.MatchView{}
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/match", "application/json", "", strings.NewReader(body)), 201, &v)
	filled23 := 0
	for _, b := range v.Balance {
		if b.Departement == "23" {
			filled23 = b.PostsFilled
		}
	}
	if v.Summary.PostsFilled != 1 || filled23 != 1 {
		t.Fatalf("capped: %+v, balance %+v", v.Summary, v.Balance)
	}
}

// synthCandidatesCSV writes n synthetic candidates of the real territory.
func synthCandidatesCSV(t testing.TB, e *matching.Engine, n int, seed int64) ([]people.Candidate, string) {
	t.Helper()
	cands, _ := synth.Synthesize(e.Territory(), n, 0, seed)
	var b bytes.Buffer
	if err := people.WriteCandidatesCSV(&b, cands); err != nil {
		t.Fatal(err)
	}
	return cands, b.String()
}

func TestMatchBuiltinPagination(t *testing.T) {
	s := apitest.NewMatchServers(t).Open
	cands, csv := synthCandidatesCSV(t, s.Registry().Engine(), 3000, 3)
	info := apitest.Upload(t, s, "candidates", "text/csv", csv)
	defer apitest.Send(t, s, "DELETE", "/v1/datasets/"+info.ID, "", "", nil)

	body := fmt.Sprintf(`{"candidates":%q,"structures":%q,"algorithm":"both","weights":{"gap":2,"rural":1.5}}`, info.ID, matching.BuiltinStructuresDataset)
	var v process.MatchView
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/match?limit=400", "application/json", "", strings.NewReader(body)), 201, &v)
	if v.CandidatesDataset != info.ID || v.StructuresDataset != matching.BuiltinStructuresDataset || v.Summary.Candidates != len(cands) ||
		v.Summary.PostsFilled < 500 || v.Comparison == nil || v.Comparison.ExtraPostsFilled < 0 || v.WeightedStructures == 0 {
		t.Fatalf("summary %+v, comparison %+v, weighted %d", v.Summary, v.Comparison, v.WeightedStructures)
	}
	if len(v.Assignments) != 400 || v.Next == "" {
		t.Fatalf("first page: %d assignments, next %q", len(v.Assignments), v.Next)
	}
	// Following next visits every assignment and every unmatched candidate exactly once.
	seen := map[string]int{}
	unmatched := 0
	for next := "/v1/match/" + v.ID + "?limit=400"; next != ""; {
		var p process.MatchView
		apitest.Decode(t, apitest.Send(t, s, "GET", next, "", "", nil), 200, &p)
		for _, a := range p.Assignments {
			seen[a.Candidate]++
		}
		unmatched += len(p.Unmatched)
		next = p.Next
	}
	if len(seen) != v.Summary.PostsFilled || unmatched != v.Totals.Unmatched || len(seen)+unmatched != len(cands) {
		t.Fatalf("paged %d assignments (want %d), %d unmatched (want %d)", len(seen), v.Summary.PostsFilled, unmatched, v.Totals.Unmatched)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("candidate %s seen %d times", id, n)
		}
	}
	// The same by part with another page size.
	clear(seen)
	for next := "/v1/match/" + v.ID + "?part=assignments&limit=333"; next != ""; {
		var p struct {
			process.MatchPageView
			Items []pairing.Assignment `json:"items"`
		}
		apitest.Decode(t, apitest.Send(t, s, "GET", next, "", "", nil), 200, &p)
		for _, a := range p.Items {
			seen[a.Candidate]++
		}
		next = p.Next
	}
	if len(seen) != v.Summary.PostsFilled {
		t.Fatalf("part paging: %d assignments, want %d", len(seen), v.Summary.PostsFilled)
	}
}

func TestMatchMultipart(t *testing.T) {
	s := apitest.NewMatchServers(t).Open
	_, csv := synthCandidatesCSV(t, s.Registry().Engine(), 1500, 4)
	ct, body := apitest.MultipartBody(t,
		map[string][2]string{"candidates": {"c.csv", csv}, "caps": {"caps.csv", "departement,cap\n75,3\n"}},
		map[string]string{"structures": matching.BuiltinStructuresDataset, "algorithm": "greedy", "weight_gap": "2"})
	var v process.MatchView
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/match", ct, "", body), 201, &v)
	if v.Algorithm != "greedy" || v.DepartementCaps["75"] != 3 || v.Weights.Gap != 2 || v.Summary.Candidates != 1500 || v.CandidatesDataset != "" {
		t.Fatalf("multipart match %+v", v)
	}
	for _, b := range v.Balance {
		if b.Departement == "75" && b.PostsFilled > 3 {
			t.Fatalf("cap of 75 exceeded: %+v", b)
		}
	}
	// Structures as a file too, options in the query.
	cands, structs := handRows()
	ct, body = apitest.MultipartBody(t, map[string][2]string{"candidates": {"c.json", cands}, "structures": {"s.json", structs}}, nil)
	v = process.MatchView{}
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/match?algorithm=optimal&departement_caps=23:1", ct, "", body), 201, &v)
	if v.Summary.PostsFilled != 1 || v.DepartementCaps["23"] != 1 {
		t.Fatalf("multipart files: %+v", v.Summary)
	}
}

func TestMatchBadRequests(t *testing.T) {
	s := apitest.NewMatchServers(t).Open
	cands, structs := handRows()
	info := apitest.Upload(t, s, "candidates", "text/csv", apitest.CandidatesCSV)
	defer apitest.Send(t, s, "DELETE", "/v1/datasets/"+info.ID, "", "", nil)
	good := func(extra string) string {
		return fmt.Sprintf(`{"candidates":%s,"structures":%s%s}`, cands, structs, extra)
	}
	badCSV := "id,lon,lat\nA,1.87,46.17\nB,1.87,abc\n"
	ct, mp := apitest.MultipartBody(t, map[string][2]string{"candidates": {"bad.csv", badCSV}}, map[string]string{"structures": matching.BuiltinStructuresDataset})
	cases := []struct {
		name, ct, body string
		status         int
		code           string
	}{
		{"bad json", "application/json", `{"candidates":`, 400, httpx.CodeBadBody},
		{"unknown field", "application/json", good(`,"algo":"greedy"`), 400, httpx.CodeBadBody},
		{"no candidates", "application/json", fmt.Sprintf(`{"structures":%s}`, structs), 400, httpx.CodeBadParameter},
		{"candidates a number", "application/json", fmt.Sprintf(`{"candidates":3,"structures":%s}`, structs), 400, httpx.CodeBadParameter},
		{"bad algorithm", "application/json", good(`,"algorithm":"best"`), 400, httpx.CodeBadBody},
		{"weight below 1", "application/json", good(`,"weights":{"gap":0.5}`), 400, httpx.CodeBadBody},
		{"unknown weight", "application/json", good(`,"weights":{"urban":2}`), 400, httpx.CodeBadBody},
		{"negative cap", "application/json", good(`,"departement_caps":{"23":-1}`), 400, httpx.CodeBadBody},
		{"unknown dataset", "application/json", fmt.Sprintf(`{"candidates":"cand-000000000000","structures":%s}`, structs), 404, httpx.CodeNotFound},
		{"structures as candidates", "application/json", fmt.Sprintf(`{"candidates":%q,"structures":%s}`, matching.BuiltinStructuresDataset, structs), 400, httpx.CodeBadBody},
		{"candidates as structures", "application/json", fmt.Sprintf(`{"candidates":%s,"structures":%q}`, cands, info.ID), 400, httpx.CodeBadBody},
		{"inline bad rows", "application/json", fmt.Sprintf(`{"candidates":[{"id":"x","lon":500,"lat":46}],"structures":%s}`, structs), 400, httpx.CodeInvalidRows},
		{"multipart bad rows", ct, mp.String(), 400, httpx.CodeInvalidRows},
		{"multipart bad caps", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"candidates\"\r\n\r\n" + info.ID +
			"\r\n--b\r\nContent-Disposition: form-data; name=\"departement_caps\"\r\n\r\n23=5\r\n--b--\r\n", 400, httpx.CodeBadParameter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := apitest.Send(t, s, "POST", "/v1/match", tc.ct, "", strings.NewReader(tc.body))
			var e httpx.InvalidRowsBody
			apitest.Decode(t, rec, tc.status, &e)
			if e.Error != tc.code || e.Message == "" {
				t.Fatalf("got %s, want %s", rec.Body, tc.code)
			}
			if tc.code == httpx.CodeInvalidRows && (len(e.Rows) == 0 || e.TotalErrors != len(e.Rows)) {
				t.Fatalf("invalid rows without rows: %s", rec.Body)
			}
		})
	}
	// The CSV error names its line.
	var e httpx.InvalidRowsBody
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/match", ct, "", strings.NewReader(mp.String())), 400, &e)
	if e.Rows[0].Line != 3 || e.Rows[0].Column != "lat" || e.Rows[0].File != "bad.csv" {
		t.Fatalf("row error %+v, want bad.csv line 3 column lat", e.Rows[0])
	}

	var v process.MatchView
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/match", "application/json", "", strings.NewReader(good(""))), 201, &v)
	gets := []struct {
		url    string
		status int
		code   string
	}{
		{"/v1/match/match-000000000000", 404, httpx.CodeNotFound},
		{"/v1/match/" + info.ID, 400, httpx.CodeBadBody}, // a candidates dataset is no match
		{"/v1/match/" + v.ID + "?part=nope", 400, httpx.CodeBadParameter},
		{"/v1/match/" + v.ID + "?limit=20000", 400, httpx.CodeBadParameter},
		{"/v1/match/" + v.ID + "?offset=-1", 400, httpx.CodeBadParameter},
	}
	for _, g := range gets {
		var e apitest.ErrorBody
		apitest.Decode(t, apitest.Send(t, s, "GET", g.url, "", "", nil), g.status, &e)
		if e.Error != g.code {
			t.Errorf("GET %s: %+v, want %s", g.url, e, g.code)
		}
	}
}

func TestSuggestionEndpoints(t *testing.T) {
	s := apitest.NewMatchServers(t).Open
	cands, csv := synthCandidatesCSV(t, s.Registry().Engine(), 4000, 5)
	info := apitest.Upload(t, s, "candidates", "text/csv", csv)
	defer apitest.Send(t, s, "DELETE", "/v1/datasets/"+info.ID, "", "", nil)
	var m process.MatchView
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/match", "application/json", "", strings.NewReader(
		fmt.Sprintf(`{"candidates":%q,"structures":%q}`, info.ID, matching.BuiltinStructuresDataset))), 201, &m)
	taken := map[string]bool{}
	for next := "/v1/match/" + m.ID + "?part=assignments&limit=10000"; next != ""; {
		var p struct {
			process.MatchPageView
			Items []pairing.Assignment `json:"items"`
		}
		apitest.Decode(t, apitest.Send(t, s, "GET", next, "", "", nil), 200, &p)
		for _, a := range p.Items {
			taken[a.Candidate] = true
		}
		next = p.Next
	}

	structs, _ := s.Registry().Engine().Structures(matching.BuiltinStructuresDataset)
	nonEmpty := 0
	for i := 0; i < len(structs); i += 101 {
		var v struct {
			ID    string                         `json:"id"`
			K     int                            `json:"k"`
			Items []registry.CandidateSuggestion `json:"items"`
		}
		apitest.Decode(t, apitest.Send(t, s, "GET", fmt.Sprintf("/v1/structures/%s/suggestions?k=5&candidates=%s&match=%s", structs[i].ID, info.ID, m.ID), "", "", nil), 200, &v)
		if v.ID != structs[i].ID || v.K != 5 || len(v.Items) > 5 {
			t.Fatalf("structure %s: %+v", structs[i].ID, v)
		}
		// Brute force: the 5 nearest free candidates having the structure in reach.
		var want []string
		type hit struct {
			id string
			d  float64
		}
		var hits []hit
		for _, c := range cands {
			if d := geo.DistanceM(c.Point, structs[i].Point); d <= c.MaxKm*1000 && !taken[c.ID] {
				hits = append(hits, hit{c.ID, d})
			}
		}
		for len(want) < 5 && len(hits) > 0 {
			best := 0
			for j, h := range hits {
				if h.d < hits[best].d {
					best = j
				}
			}
			want = append(want, hits[best].id)
			hits = append(hits[:best], hits[best+1:]...)
		}
		var got []string
		for _, it := range v.Items {
			got = append(got, it.ID)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("structure %s: got %v, want %v", structs[i].ID, got, want)
		}
		nonEmpty += min(len(got), 1)
	}
	if nonEmpty == 0 {
		t.Fatal("no structure got a suggestion")
	}
	var v struct {
		Items []registry.StructureSuggestion `json:"items"`
	}
	apitest.Decode(t, apitest.Send(t, s, "GET", fmt.Sprintf("/v1/candidates/%s/suggestions?candidates=%s", cands[0].ID, info.ID), "", "", nil), 200, &v)
	for i, it := range v.Items {
		if it.OpenPosts != it.Posts || (i > 0 && it.DistanceM < v.Items[i-1].DistanceM) || it.DistanceM > 30000 {
			t.Fatalf("candidate suggestions %+v", v.Items)
		}
	}

	base := "/v1/structures/" + structs[0].ID + "/suggestions?candidates=" + info.ID
	cases := []struct {
		url    string
		status int
		code   string
	}{
		{base + "&k=0", 400, httpx.CodeBadParameter},
		{base + "&k=101", 400, httpx.CodeBadParameter},
		{base + "&k=x", 400, httpx.CodeBadParameter},
		{"/v1/structures/" + structs[0].ID + "/suggestions", 400, httpx.CodeBadParameter},
		{"/v1/structures/nope/suggestions?candidates=" + info.ID, 404, httpx.CodeNotFound},
		{"/v1/candidates/nope/suggestions?candidates=" + info.ID, 404, httpx.CodeNotFound},
		{base + "&structures=struct-000000000000", 404, httpx.CodeNotFound},
		{base + "&match=match-000000000000", 404, httpx.CodeNotFound},
		{"/v1/structures/" + structs[0].ID + "/suggestions?candidates=cand-000000000000", 404, httpx.CodeNotFound},
		{base + "&structures=" + info.ID, 400, httpx.CodeBadBody},
	}
	for _, tc := range cases {
		var e apitest.ErrorBody
		apitest.Decode(t, apitest.Send(t, s, "GET", tc.url, "", "", nil), tc.status, &e)
		if e.Error != tc.code || e.Message == "" {
			t.Errorf("GET %s: %+v, want %s", tc.url, e, tc.code)
		}
	}
}

func TestMatchScopes(t *testing.T) {
	ms := apitest.NewMatchServers(t)
	s := ms.Scoped
	_, csv := synthCandidatesCSV(t, s.Registry().Engine(), 3000, 6)
	var info registry.DatasetInfo
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/datasets?kind=candidates", "text/csv", ms.National, strings.NewReader(csv)), 201, &info)
	defer apitest.Send(t, s, "DELETE", "/v1/datasets/"+info.ID, "", ms.National, nil)
	body := fmt.Sprintf(`{"candidates":%q,"structures":%q}`, info.ID, matching.BuiltinStructuresDataset)

	var nat, dep process.MatchView
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/match", "application/json", ms.National, strings.NewReader(body)), 201, &nat)
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/match", "application/json", ms.Dep23, strings.NewReader(body)), 201, &dep)
	for _, b := range dep.Balance {
		if b.Departement != "23" && b.Departement != "87" {
			t.Fatalf("scoped match has rows in %s", b.Departement)
		}
	}
	if dep.Summary.Candidates >= nat.Summary.Candidates || dep.Summary.Candidates == 0 {
		t.Fatalf("scoped match over %d candidates, national %d", dep.Summary.Candidates, nat.Summary.Candidates)
	}
	var e apitest.ErrorBody
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/match/"+nat.ID, "", ms.Dep23, nil), http.StatusForbidden, &e)
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/match/"+dep.ID, "", ms.Dep23, nil), http.StatusOK, nil)
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/match/"+dep.ID, "", "", nil), http.StatusUnauthorized, nil)
	// Inline rows outside the scope are refused.
	cands, structs := handRows()
	paris := strings.Replace(cands, `"id":"c1"`, `"id":"p1","commune":"75056"`, 1)
	paris = strings.Replace(paris, fmt.Sprintf(`"lon":%.6f,"lat":%.6f`, east(19)[0], east(19)[1]), `"lon":2.35,"lat":48.85`, 1)
	apitest.Decode(t, apitest.Send(t, s, "POST", "/v1/match", "application/json", ms.Dep23, strings.NewReader(
		fmt.Sprintf(`{"candidates":%s,"structures":%s}`, paris, structs))), http.StatusForbidden, &e)
	if !strings.Contains(e.Message, "p1") {
		t.Fatalf("403 does not name the row: %+v", e)
	}
	// Suggestions never show rows outside the scope.
	structsB, _ := s.Registry().Engine().Structures(matching.BuiltinStructuresDataset)
	for _, st := range structsB {
		url := fmt.Sprintf("/v1/structures/%s/suggestions?k=100&candidates=%s", st.ID, info.ID)
		if st.Departement != "23" && st.Departement != "87" {
			apitest.Decode(t, apitest.Send(t, s, "GET", url, "", ms.Dep23, nil), http.StatusNotFound, &e)
			continue
		}
		var v struct {
			Items []registry.CandidateSuggestion `json:"items"`
		}
		apitest.Decode(t, apitest.Send(t, s, "GET", url, "", ms.Dep23, nil), 200, &v)
		for _, c := range v.Items {
			if c.Departement != "23" && c.Departement != "87" {
				t.Fatalf("scoped suggestion outside: %+v", c)
			}
		}
	}
	apitest.Decode(t, apitest.Send(t, s, "GET", fmt.Sprintf("/v1/structures/%s/suggestions?candidates=%s&match=%s", structsB[0].ID, info.ID, nat.ID), "", ms.Dep23, nil), http.StatusForbidden, &e)
}
