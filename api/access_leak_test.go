package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data/synth"
)

// This file checks that no answer to a département-scoped token, error
// messages included, names data outside its scope: a foreign dataset's id,
// name or rows, a foreign row's id, a foreign département or a count of
// foreign rows. Every route of uploaded data is exercised with foreign
// datasets and match results.

// Names and sizes of the datasets of Corsica (2A, 2B), outside the
// fixture's scoped token (23, 87): distinctive strings to look for.
const (
	foreignCandsName   = "paris-candidats-confidentiel"
	foreignStructsName = "corse-structures-confidentielles"
	foreignPropsName   = "corse-projets-confidentiels"
	foreignRowPrefix   = "secret-corse-"
	foreignCandsN      = 137
	foreignSitesN      = 113
)

// leakFixture is the access fixture with, uploaded by the national token,
// candidates, structures and proposals all in Corsica, a national match of
// them (foreignMatch, no row in scope) and a national match of the mixed
// datasets (mixedMatch, some rows in scope).
type leakFixture struct {
	*accessFixture
	fc, fs, fp               string // foreign candidates, structures, proposals
	foreignMatch, mixedMatch string
	visible                  map[string]bool // ids of the mixed datasets' rows in 23 or 87
	visibleCands             int
}

func newLeakFixture(t *testing.T) *leakFixture {
	t.Helper()
	f := &leakFixture{accessFixture: newAccessFixture(t), visible: map[string]bool{}}
	for _, c := range f.candRows {
		if c.Departement == "23" || c.Departement == "87" {
			f.visible[c.ID] = true
			f.visibleCands++
		}
	}
	for _, s := range f.structRows {
		if s.Departement == "23" || s.Departement == "87" {
			f.visible[s.ID] = true
		}
	}
	corse, _ := synth.Synthesize(f.srv.Registry().Engine().Territory(), 60000, 0, 11)
	var cands, sites strings.Builder
	cands.WriteString("id,lon,lat\n")
	sites.WriteString("id,name,lon,lat,posts\n")
	nc, ns := 0, 0
	for _, c := range corse {
		if c.Departement != "2A" && c.Departement != "2B" {
			continue
		}
		if nc < foreignCandsN {
			nc++
			fmt.Fprintf(&cands, "%sc%d,%.6f,%.6f\n", foreignRowPrefix, nc, c.Point[0], c.Point[1])
		} else if ns < foreignSitesN {
			ns++
			fmt.Fprintf(&sites, "%ss%d,Mairie secrète %d,%.6f,%.6f,1\n", foreignRowPrefix, ns, ns, c.Point[0], c.Point[1])
		}
	}
	if nc != foreignCandsN || ns != foreignSitesN {
		t.Fatalf("only %d candidates and %d sites in Corsica", nc, ns)
	}
	f.fc = f.upload(t, f.national, "candidates&name="+foreignCandsName, cands.String(), http.StatusCreated)
	f.fs = f.upload(t, f.national, "structures&name="+foreignStructsName, sites.String(), http.StatusCreated)
	f.fp = f.upload(t, f.national, "proposals&name="+foreignPropsName, sites.String(), http.StatusCreated)
	var m struct {
		ID string `json:"id"`
	}
	for _, x := range []struct {
		id            *string
		cands, struts string
	}{{&f.foreignMatch, f.fc, f.fs}, {&f.mixedMatch, f.cands, f.structs}} {
		body := fmt.Sprintf(`{"candidates":%q,"structures":%q,"algorithm":"greedy"}`, x.cands, x.struts)
		if code := f.call(t, f.national, "POST", "/v1/match", body, &m); code != http.StatusCreated {
			t.Fatalf("national match: %d", code)
		}
		*x.id = m.ID
	}
	t.Cleanup(func() {
		for _, id := range []string{f.fc, f.fs, f.fp, f.foreignMatch, f.mixedMatch} {
			f.call(t, f.national, "DELETE", "/v1/datasets/"+id, "", nil)
		}
	})
	return f
}

// raw sends a request and returns the status and body.
func (f *leakFixture) raw(t *testing.T, token, method, url, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/json")
	} else if body != "" {
		req.Header.Set("Content-Type", "text/csv")
	}
	rec := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

var (
	synthID     = regexp.MustCompile(`x?synth-[cs]-\d{6}`)
	corsicaCode = regexp.MustCompile(`\b2[AB]\b`)
)

// countRe matches n as a number of the answer: a JSON number or a word of
// a message, not part of a string id, a decimal or another number.
func countRe(n int) *regexp.Regexp {
	return regexp.MustCompile(`(^|[\s:,\[(])` + strconv.Itoa(n) + `($|[\s,}\])])`)
}

// clean fails when body names foreign data: a foreign dataset or match id
// or name (except those in named, which the request itself sent), a
// Corsican row or département, a row of the mixed datasets outside 23 and
// 87, or the size of a foreign dataset or of a whole mixed one.
func (f *leakFixture) clean(t *testing.T, what, body string, named ...string) {
	t.Helper()
	bad := []string{f.fc, f.fs, f.fp, f.foreignMatch, f.mixedMatch, foreignCandsName, foreignStructsName, foreignPropsName,
		foreignRowPrefix, "Mairie secrète"}
	for _, s := range bad {
		if !strings.Contains(strings.Join(named, "\n"), s) && strings.Contains(body, s) {
			t.Fatalf("%s: the answer names %q: %.400s", what, s, body)
		}
	}
	if m := corsicaCode.FindString(body); m != "" {
		t.Fatalf("%s: the answer names département %s: %.400s", what, m, body)
	}
	for _, id := range synthID.FindAllString(body, -1) {
		if !f.visible[id] && !strings.Contains(strings.Join(named, "\n"), id) {
			t.Fatalf("%s: the answer names the foreign row %s", what, id)
		}
	}
	for _, n := range []int{foreignCandsN, foreignSitesN, len(f.candRows), len(f.structRows)} {
		if loc := countRe(n).FindStringIndex(body); loc != nil {
			t.Fatalf("%s: the answer holds the count %d: …%s…", what, n, body[max(0, loc[0]-80):min(len(body), loc[1]+40)])
		}
	}
	var v any
	if json.Unmarshal([]byte(body), &v) == nil {
		leakWalker(dropBuiltin(v), "", func(path, dep string) {
			if dep != "23" && dep != "87" {
				t.Fatalf("%s: the answer shows département %q at %s", what, dep, path)
			}
		})
	}
}

// missingID is an id of the same kind as id that names no dataset.
func missingID(id string) string {
	prefix, _, _ := strings.Cut(id, "-")
	return prefix + "-000000000000"
}

func TestScopedAnswersNameNoForeignData(t *testing.T) {
	f := newLeakFixture(t)
	inScope, in87 := "", ""
	for _, s := range f.structRows {
		if s.Departement == "23" && inScope == "" {
			inScope = s.ID
		}
	}
	for _, c := range f.candRows {
		if c.Departement == "87" && in87 == "" {
			in87 = c.ID
		}
	}
	foreignStruct, foreignCand := "", ""
	for _, s := range f.structRows {
		if !f.visible[s.ID] {
			foreignStruct = s.ID
			break
		}
	}
	for _, c := range f.candRows {
		if !f.visible[c.ID] {
			foreignCand = c.ID
			break
		}
	}
	match := func(cands, structs string) string {
		return fmt.Sprintf(`{"candidates":%q,"structures":%q,"algorithm":"greedy"}`, cands, structs)
	}

	// A dataset or match the token sees no row of answers exactly as an
	// unknown id; so does a foreign row of a dataset it sees.
	for _, tc := range []struct {
		method, url, body string
		hidden            string // the foreign id in url and body
	}{
		{"GET", "/v1/datasets/" + f.fc, "", f.fc},
		{"GET", "/v1/datasets/" + f.fc + "?format=geojson", "", f.fc},
		{"GET", "/v1/datasets/" + f.fs + "?limit=5", "", f.fs},
		{"GET", "/v1/datasets/" + f.foreignMatch, "", f.foreignMatch},
		{"DELETE", "/v1/datasets/" + f.fp, "", f.fp},
		{"GET", "/v1/match/" + f.foreignMatch, "", f.foreignMatch},
		{"GET", "/v1/match/" + f.foreignMatch + "?part=assignments", "", f.foreignMatch},
		{"POST", "/v1/match", match(f.fc, f.structs), f.fc},
		{"POST", "/v1/match", match(f.cands, f.fs), f.fs},
		{"GET", "/v1/structures?dataset=" + f.fs, "", f.fs},
		{"GET", "/v1/recruitments/structures?structures=" + f.fs, "", f.fs},
		{"GET", "/v1/structures/" + inScope + "/suggestions?candidates=" + f.fc + "&structures=" + f.structs, "", f.fc},
		{"GET", "/v1/structures/" + inScope + "/suggestions?candidates=" + f.cands + "&structures=" + f.structs + "&match=" + f.foreignMatch, "", f.foreignMatch},
		{"GET", "/v1/candidates/" + in87 + "/suggestions?candidates=" + f.cands + "&structures=" + f.fs, "", f.fs},
		{"POST", "/v1/proposals/evaluate?dataset=" + f.fp, "", f.fp},
		{"POST", "/v1/scenarios/compare?dataset=" + f.fp, "", f.fp},
		{"GET", "/v1/structures/" + foreignStruct + "/suggestions?candidates=" + f.cands + "&structures=" + f.structs, "", foreignStruct},
		{"GET", "/v1/candidates/" + foreignCand + "/suggestions?candidates=" + f.cands + "&structures=" + f.structs, "", foreignCand},
	} {
		what := tc.method + " " + tc.url + " " + tc.body
		code, body := f.raw(t, f.scoped, tc.method, tc.url, tc.body)
		missing := missingID(tc.hidden)
		if strings.HasPrefix(tc.hidden, "x") || strings.HasPrefix(tc.hidden, "synth") {
			missing = "no-such-row"
		}
		mcode, mbody := f.raw(t, f.scoped, tc.method, strings.ReplaceAll(tc.url, tc.hidden, missing), strings.ReplaceAll(tc.body, tc.hidden, missing))
		if code != http.StatusNotFound || code != mcode || strings.ReplaceAll(body, tc.hidden, "ID") != strings.ReplaceAll(mbody, missing, "ID") {
			t.Fatalf("%s: %d %s\nan unknown id: %d %s", what, code, body, mcode, mbody)
		}
		f.clean(t, what, body, tc.url, tc.body)
		// The national token sees it: the 404 above hides a real dataset.
		method := tc.method
		if method == "DELETE" {
			method = "GET" // and keeps it
		}
		if ncode, _ := f.raw(t, f.national, method, tc.url, tc.body); ncode == http.StatusNotFound {
			t.Fatalf("%s: 404 for the national token too: the case proves nothing", what)
		}
	}

	// Results only partly in scope: 403 naming nothing.
	for _, tc := range []struct{ method, url string }{
		{"GET", "/v1/match/" + f.mixedMatch},
		{"GET", "/v1/datasets/" + f.mixedMatch},
		{"GET", "/v1/structures/" + inScope + "/suggestions?candidates=" + f.cands + "&structures=" + f.structs + "&match=" + f.mixedMatch},
		{"DELETE", "/v1/datasets/" + f.cands},
		{"DELETE", "/v1/datasets/" + f.mixedMatch},
		{"GET", "/v1/backup"},
	} {
		code, body := f.raw(t, f.scoped, tc.method, tc.url, "")
		var e apitest.ErrorBody
		if code != http.StatusForbidden || json.Unmarshal([]byte(body), &e) != nil || e.Error != httpx.CodeForbidden ||
			regexp.MustCompile(`\d`).MatchString(e.Message) {
			t.Fatalf("%s %s: %d %s, want a 403 naming no département or count", tc.method, tc.url, code, body)
		}
		f.clean(t, tc.method+" "+tc.url, body, tc.url)
	}

	// What the token sees, narrowed: listings and pages count only its rows.
	code, body := f.raw(t, f.scoped, "GET", "/v1/datasets", "")
	var list struct {
		Items []struct {
			ID                string         `json:"id"`
			Rows              int            `json:"rows"`
			RowsByDepartement map[string]int `json:"rows_by_departement"`
			Builtin           bool           `json:"builtin"`
		} `json:"items"`
		Total int `json:"total"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &list) != nil || list.Total != len(list.Items) {
		t.Fatalf("GET /v1/datasets: %d %.300s", code, body)
	}
	var stripped any
	json.Unmarshal([]byte(body), &stripped)
	sb, _ := json.Marshal(dropBuiltin(stripped))
	f.clean(t, "GET /v1/datasets", string(sb))
	for _, it := range list.Items {
		if it.ID == f.cands && (it.Rows != f.visibleCands || it.RowsByDepartement["23"]+it.RowsByDepartement["87"] != f.visibleCands) {
			t.Fatalf("the listing counts %d rows (%v) of the candidates, %d in scope", it.Rows, it.RowsByDepartement, f.visibleCands)
		}
	}
	for _, url := range []string{
		"/v1/datasets/" + f.cands + "?limit=3",
		"/v1/datasets/" + f.cands + "?format=geojson&limit=10000",
		"/v1/datasets/" + f.structs + "?limit=10000",
		"/v1/structures?dataset=" + f.structs,
	} {
		code, body := f.raw(t, f.scoped, "GET", url, "")
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d %.300s", url, code, body)
		}
		f.clean(t, "GET "+url, body, url)
	}
	var page struct {
		Total   int `json:"total"`
		Dataset struct {
			Rows int `json:"rows"`
		} `json:"dataset"`
	}
	f.call(t, f.scoped, "GET", "/v1/datasets/"+f.cands+"?limit=3", "", &page)
	if page.Total != f.visibleCands || page.Dataset.Rows != f.visibleCands {
		t.Fatalf("page of the candidates: total %d, rows %d; %d in scope", page.Total, page.Dataset.Rows, f.visibleCands)
	}

	// Analyses of a dataset the token sees in part use only its rows in
	// scope: the same answer as the rows sent inline.
	var inline strings.Builder
	inline.WriteString("id,name,lon,lat,posts\n")
	nVisible := 0
	for _, s := range f.structRows {
		if f.visible[s.ID] {
			nVisible++
			fmt.Fprintf(&inline, "%s,%s,%.9f,%.9f,%d\n", s.ID, s.Name, s.Point[0], s.Point[1], s.Posts)
		}
	}
	for _, route := range []string{"/v1/proposals/evaluate", "/v1/scenarios/compare"} {
		code, byID := f.raw(t, f.scoped, "POST", route+"?dataset="+f.structs, "")
		icode, byRows := f.raw(t, f.scoped, "POST", route, inline.String())
		strip := func(s string) string { return regexp.MustCompile(`"compute_ms":[0-9.e+-]+`).ReplaceAllString(s, "") }
		if code != http.StatusOK || icode != http.StatusOK || strip(byID) != strip(byRows) {
			t.Fatalf("POST %s?dataset=: %d %.300s\ninline rows in scope: %d %.300s", route, code, byID, icode, byRows)
		}
		if route == "/v1/proposals/evaluate" {
			f.clean(t, "POST "+route, byID, route)
		}
	}

	// Uploads: the département is the point's, whatever the file says.
	paris := "id,lon,lat,departement\nparis,2.3522,48.8566,23\n"
	for _, token := range []string{f.scoped, f.national} {
		var e httpx.InvalidRowsBody
		if code := f.call(t, token, "POST", "/v1/datasets?kind=candidates", paris, &e); code != http.StatusBadRequest ||
			len(e.Rows) != 1 || e.Rows[0].Line != 2 || e.Rows[0].Column != "departement" || !strings.Contains(e.Rows[0].Reason, "75") {
			t.Fatalf("a Paris point declared in 23: %d %+v, want 400 naming line 2", code, e)
		}
	}
	var e apitest.ErrorBody
	if code := f.call(t, f.scoped, "POST", "/v1/datasets?kind=structures", "id,lon,lat\nparis,2.3522,48.8566\n", &e); code != http.StatusForbidden {
		t.Fatalf("a Paris point: %d %+v, want 403", code, e)
	}
	// Open sea (off Vendée): only a national token may place a row there.
	sea := "id,lon,lat,departement\nlarge,-3.0,46.0,23\n"
	if code := f.call(t, f.scoped, "POST", "/v1/datasets?kind=candidates", sea, &e); code != http.StatusForbidden ||
		!strings.Contains(e.Message, "outside every commune") {
		t.Fatalf("a point at sea declared in 23, scoped token: %d %+v", code, e)
	}
	id := f.upload(t, f.national, "candidates", sea, http.StatusCreated)
	f.call(t, f.national, "DELETE", "/v1/datasets/"+id, "", nil)
	in23 := "id,lon,lat,departement\ngueret,1.8707,46.1712,23\n"
	id = f.upload(t, f.scoped, "candidates", in23, http.StatusCreated)
	f.call(t, f.scoped, "DELETE", "/v1/datasets/"+id, "", nil)
}
