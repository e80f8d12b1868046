package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/synth"
	"github.com/maillage/maillage/internal/access"
)

// This file checks access scopes across the real endpoints, as a whole: a
// département-scoped token never sees an uploaded row of another
// département in any listing or result, gets 403 or 404 when it names one,
// and no token gets 401. The built-in structures are open data, read whole
// by every token (see Scope). access_leak_test.go checks that no answer,
// error messages included, names foreign data.

// leakWalker collects every "departement" value (and every element of a
// "departements" list) of a decoded JSON document.
func leakWalker(v any, path string, found func(path, dep string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch k {
			case "departement":
				if s, ok := e.(string); ok {
					found(path+"."+k, s)
				}
			case "departements":
				if l, ok := e.([]any); ok {
					for _, d := range l {
						if s, ok := d.(string); ok {
							found(path+"."+k, s)
						}
					}
				}
			}
			leakWalker(e, path+"."+k, found)
		}
	case []any:
		for i, e := range x {
			leakWalker(e, fmt.Sprintf("%s[%d]", path, i), found)
		}
	}
}

// accessFixture is a server over the real engine with a national token and
// one scoped to the Creuse (23) and the Haute-Vienne (87), and the ids of
// national datasets uploaded through it.
type accessFixture struct {
	srv              *api.Server
	national, scoped string
	cands, structs   string
	candRows         []people.Candidate
	structRows       []people.Structure
}

func newAccessFixture(t *testing.T) *accessFixture {
	t.Helper()
	e := apitest.Real(t).Registry().Engine()
	f := &accessFixture{}
	var tokens []access.Token
	for _, x := range []struct {
		secret *string
		scope  string
	}{{&f.national, "national"}, {&f.scoped, "departement:23,87"}} {
		*x.secret, _ = access.NewToken()
		sc, err := access.ParseScope(x.scope)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, access.Token{Hash: access.HashToken(*x.secret), Scope: sc, Name: x.scope})
	}
	f.srv = api.New(apitest.Real(t).Registry(), api.Config{Tokens: access.NewTokenSet(tokens)})
	// Synthetic people over the whole country, weighted by population,
	// plus a few in the scope so that the scoped views are never empty.
	f.candRows, f.structRows = synth.Synthesize(e.Territory(), 3000, 400, 7)
	extra, extraS := synth.Synthesize(e.Territory(), 20000, 4000, 8)
	for _, c := range extra {
		if c.Departement == "23" || c.Departement == "87" {
			c.ID = "x" + c.ID
			f.candRows = append(f.candRows, c)
		}
	}
	for _, s := range extraS {
		if s.Departement == "23" || s.Departement == "87" {
			s.ID = "x" + s.ID
			f.structRows = append(f.structRows, s)
		}
	}
	var cb, sb bytes.Buffer
	if err := people.WriteCandidatesCSV(&cb, f.candRows); err != nil {
		t.Fatal(err)
	}
	if err := people.WriteStructuresCSV(&sb, f.structRows); err != nil {
		t.Fatal(err)
	}
	f.cands = f.upload(t, f.national, "candidates", cb.String(), http.StatusCreated)
	f.structs = f.upload(t, f.national, "structures", sb.String(), http.StatusCreated)
	t.Cleanup(func() {
		for _, id := range []string{f.cands, f.structs} {
			f.call(t, f.national, "DELETE", "/v1/datasets/"+id, "", nil)
		}
	})
	return f
}

// call sends a request with token (none when "") and decodes a JSON answer
// into out when not nil; it returns the status.
func (f *accessFixture) call(t *testing.T, token, method, url, body string, out any) int {
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
	if out != nil && rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: status %d, body not JSON: %v: %.200s", method, url, rec.Code, err, rec.Body)
		}
	}
	return rec.Code
}

// upload posts a CSV dataset and returns its id.
func (f *accessFixture) upload(t *testing.T, token, kind, csv string, want int) string {
	t.Helper()
	var v struct {
		ID      string `json:"id"`
		Message string `json:"message"`
	}
	if code := f.call(t, token, "POST", "/v1/datasets?kind="+kind, csv, &v); code != want {
		t.Fatalf("upload %s: status %d (%s), want %d", kind, code, v.Message, want)
	}
	return v.ID
}

// scopedGet fetches url with the scoped token, expecting 200, and fails on
// any département outside 23 and 87 in the answer, built-in (open) datasets
// of a listing left aside. It returns how many département values were
// seen.
func (f *accessFixture) scopedGet(t *testing.T, url string) int {
	t.Helper()
	var body any
	if code := f.call(t, f.scoped, "GET", url, "", &body); code != http.StatusOK {
		t.Fatalf("GET %s with the scoped token: status %d: %v", url, code, body)
	}
	body = dropBuiltin(body)
	n := 0
	leakWalker(body, "", func(path, dep string) {
		n++
		if dep != "23" && dep != "87" {
			t.Fatalf("GET %s with a token scoped to 23,87 shows département %q at %s", url, dep, path)
		}
	})
	return n
}

func TestScopedTokenNeverSeesForeignRows(t *testing.T) {
	f := newAccessFixture(t)
	inScope, foreign := "", ""
	for _, s := range f.structRows {
		if s.Departement == "23" && inScope == "" {
			inScope = s.ID
		}
		if s.Departement == "75" && foreign == "" {
			foreign = s.ID
		}
	}
	if inScope == "" || foreign == "" {
		t.Fatal("fixture lacks structures in 23 or 75")
	}
	// A national match over both datasets, then one run by the scoped token.
	var nat, own struct {
		ID string `json:"id"`
	}
	body := fmt.Sprintf(`{"candidates":%q,"structures":%q,"algorithm":"greedy"}`, f.cands, f.structs)
	if code := f.call(t, f.national, "POST", "/v1/match", body, &nat); code != http.StatusCreated {
		t.Fatalf("national match: %d", code)
	}
	if code := f.call(t, f.scoped, "POST", "/v1/match", body, &own); code != http.StatusCreated {
		t.Fatalf("scoped match: %d", code)
	}

	seen := 0
	for _, url := range []string{
		"/v1/datasets",
		"/v1/datasets/" + f.cands + "?limit=10000",
		"/v1/datasets/" + f.cands + "?format=geojson&limit=10000",
		"/v1/datasets/" + f.structs + "?limit=10000",
		"/v1/structures?dataset=" + f.structs,
		"/v1/match/" + own.ID + "?limit=10000",
		"/v1/match/" + own.ID + "?part=assignments&limit=10000",
		"/v1/match/" + own.ID + "?part=unmatched&limit=10000",
		"/v1/match/" + own.ID + "?part=unfilled&limit=10000",
		"/v1/match/" + own.ID + "?part=balance&limit=10000",
		"/v1/structures/" + inScope + "/suggestions?candidates=" + f.cands + "&structures=" + f.structs + "&k=100",
		"/v1/structures/" + inScope + "/suggestions?candidates=" + f.cands + "&structures=" + f.structs + "&match=" + own.ID,
	} {
		seen += f.scopedGet(t, url)
	}
	if seen < 50 {
		t.Fatalf("the scoped views showed only %d départements: the test saw too little to prove anything", seen)
	}
	for _, c := range f.candRows {
		if c.Departement == "87" {
			f.scopedGet(t, "/v1/candidates/"+c.ID+"/suggestions?candidates="+f.cands+"&structures="+f.structs)
			break
		}
	}

	// Naming foreign rows or results: 403 or 404, never the rows.
	for _, tc := range []struct {
		method, url string
	}{
		{"GET", "/v1/match/" + nat.ID},
		{"GET", "/v1/structures/" + foreign + "/suggestions?candidates=" + f.cands + "&structures=" + f.structs},
		{"GET", "/v1/structures/" + inScope + "/suggestions?candidates=" + f.cands + "&structures=" + f.structs + "&match=" + nat.ID},
		{"DELETE", "/v1/datasets/" + f.cands},
	} {
		var e apitest.ErrorBody
		code := f.call(t, f.scoped, tc.method, tc.url, "", &e)
		if code != http.StatusForbidden && code != http.StatusNotFound {
			t.Fatalf("%s %s with the scoped token: %d %+v, want 403 or 404", tc.method, tc.url, code, e)
		}
	}
	// Uploading rows outside the scope: 403 naming them.
	var e apitest.ErrorBody
	csv := "id,lon,lat\nin23,1.8707,46.1712\nparis,2.3522,48.8566\n"
	if code := f.call(t, f.scoped, "POST", "/v1/datasets?kind=candidates", csv, &e); code != http.StatusForbidden ||
		!strings.Contains(e.Message, `"paris"`) || strings.Contains(e.Message, `"in23"`) {
		t.Fatalf("scoped upload with a Paris row: %d %+v", code, e)
	}
	// Without a token: 401 everywhere protected.
	for _, url := range []string{"/v1/datasets", "/v1/datasets/" + f.cands, "/v1/match/" + nat.ID,
		"/v1/structures/" + inScope + "/suggestions?candidates=" + f.cands + "&structures=" + f.structs} {
		if code := f.call(t, "", "GET", url, "", &e); code != http.StatusUnauthorized || e.Error != httpx.CodeUnauthorized {
			t.Fatalf("GET %s without a token: %d %+v", url, code, e)
		}
	}
	if code := f.call(t, "", "POST", "/v1/match", body, &e); code != http.StatusUnauthorized {
		t.Fatalf("POST /v1/match without a token: %d", code)
	}
}

// dropBuiltin removes the built-in datasets (open data, listed whole to
// every token) from a decoded dataset listing; other bodies are returned
// as they are.
func dropBuiltin(body any) any {
	m, ok := body.(map[string]any)
	if !ok {
		return body
	}
	items, ok := m["items"].([]any)
	if !ok {
		return body
	}
	kept := []any{}
	for _, it := range items {
		if o, ok := it.(map[string]any); ok && o["builtin"] == true {
			continue
		}
		kept = append(kept, it)
	}
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	out["items"] = kept
	return out
}
