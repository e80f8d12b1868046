package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/data"
)

// authFixture is a server with three tokens (national, Creuse+Haute-Vienne,
// Paris) and fake protected routes that list fixture candidates through
// the scope helpers, as the dataset handlers do.
type authFixture struct {
	srv                 *Server
	national, dep23, pa string
}

// fixtureCandidates are rows in 23, 87, 75 and one without département.
func fixtureCandidates() []data.Candidate {
	return []data.Candidate{
		{ID: "a", Departement: "23"}, {ID: "b", Departement: "87"},
		{ID: "c", Departement: "75"}, {ID: "d", Departement: ""}, {ID: "e", Departement: "23"},
	}
}

func newAuthFixture(t *testing.T) authFixture {
	t.Helper()
	var f authFixture
	var tokens []Token
	for _, x := range []struct {
		secret *string
		scope  string
		name   string
	}{{&f.national, "national", "anct"}, {&f.dep23, "departement:23,87", "prefet 23"}, {&f.pa, "departement:75", "paris"}} {
		s, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		*x.secret = s
		sc, err := ParseScope(x.scope)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, Token{Hash: HashToken(s), Scope: sc, Name: x.name})
	}
	f.srv = New(nil, Config{Tokens: NewTokenSet(tokens)})
	addFakeProtectedRoutes(f.srv)
	return f
}

// addFakeProtectedRoutes registers handlers under protected roots that use
// scopeFrom and the Scope helpers.
func addFakeProtectedRoutes(s *Server) {
	r := s.router
	r.GET("/v1/scenarios/fake", handle(func(c *gin.Context) error {
		c.JSON(http.StatusOK, gin.H{"items": scopeFrom(c).FilterCandidates(fixtureCandidates())})
		return nil
	}))
	r.POST("/v1/scenarios/fake", handle(func(c *gin.Context) error {
		var rows []data.Candidate
		if err := json.NewDecoder(c.Request.Body).Decode(&rows); err != nil {
			return err
		}
		if err := scopeFrom(c).CheckCandidates(rows); err != nil {
			return err
		}
		c.JSON(http.StatusCreated, gin.H{"rows": len(rows)})
		return nil
	}))
	r.GET("/v1/open-fake", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"scope": scopeFrom(c).String()}) })
}

// do sends a request with an optional bearer token.
func do(t *testing.T, s *Server, method, url, token, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

func TestAccessStatuses(t *testing.T) {
	f := newAuthFixture(t)
	cases := []struct {
		name, method, url, token, header, body string
		status                                 int
		code                                   string
	}{
		{"no token", "GET", "/v1/scenarios/fake", "", "", "", 401, CodeUnauthorized},
		{"unknown token", "GET", "/v1/scenarios/fake", "mlg_nope", "", "", 401, CodeUnauthorized},
		{"basic scheme", "GET", "/v1/scenarios/fake", "", "Basic " + f.national, "", 401, CodeUnauthorized},
		{"empty bearer", "GET", "/v1/scenarios/fake", "", "Bearer ", "", 401, CodeUnauthorized},
		{"lowercase scheme", "GET", "/v1/scenarios/fake", "", "bearer " + f.national, "", 200, ""},
		{"national", "GET", "/v1/scenarios/fake", f.national, "", "", 200, ""},
		{"scoped upload inside", "POST", "/v1/scenarios/fake", f.dep23, "", `[{"id":"x","commune":"23096","departement":"23"},{"id":"y","commune":"87085","departement":"87"}]`, 201, ""},
		{"scoped upload outside", "POST", "/v1/scenarios/fake", f.dep23, "", `[{"id":"x","commune":"23096","departement":"23"},{"id":"z","commune":"75056","departement":"75"}]`, 403, CodeForbidden},
		{"scoped upload outside every commune", "POST", "/v1/scenarios/fake", f.dep23, "", `[{"id":"x","departement":"23"}]`, 403, CodeForbidden},
		{"national upload anywhere", "POST", "/v1/scenarios/fake", f.national, "", `[{"id":"z","commune":"75056","departement":"75"},{"id":"sea","departement":"23"}]`, 201, ""},
		{"open route without token", "GET", "/v1/open-fake", "", "", "", 200, ""},
		{"unmatched protected path is 404", "GET", "/v1/datasets/x/y/z", "", "", "", 404, CodeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			rec := httptest.NewRecorder()
			f.srv.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.code != "" {
				var e errorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error != tc.code || e.Message == "" {
					t.Fatalf("body %s, want error %q with a message", rec.Body, tc.code)
				}
			}
			if tc.status == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
		})
	}
}

func TestAccessForbiddenNamesOffendingRows(t *testing.T) {
	f := newAuthFixture(t)
	rec := do(t, f.srv, "POST", "/v1/scenarios/fake", f.dep23, `[{"id":"ok","commune":"23096","departement":"23"},`+
		`{"id":"p1","commune":"75056","departement":"75"},{"id":"p2","commune":"2A004","departement":"2A"},{"id":"sea","departement":"23"}]`)
	var e errorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	if rec.Code != 403 || !strings.Contains(e.Message, `"p1"`) || !strings.Contains(e.Message, `"p2"`) ||
		!strings.Contains(e.Message, `"sea" (outside every commune`) ||
		strings.Contains(e.Message, `"ok"`) || !strings.Contains(e.Message, "3 candidates") {
		t.Fatalf("got %d %q, want 403 naming p1, p2 and sea only", rec.Code, e.Message)
	}
}

func TestScopedTokenSeesOnlyItsRows(t *testing.T) {
	f := newAuthFixture(t)
	for _, tc := range []struct {
		token string
		want  []string
	}{{f.national, []string{"a", "b", "c", "d", "e"}}, {f.dep23, []string{"a", "b", "e"}}, {f.pa, []string{"c"}}} {
		rec := do(t, f.srv, "GET", "/v1/scenarios/fake", tc.token, "")
		var body struct{ Items []data.Candidate }
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range body.Items {
			ids = append(ids, c.ID)
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Fatalf("ids %v, want %v", ids, tc.want)
		}
	}
}

func TestNoTokensFileClosesProtectedRoutes(t *testing.T) {
	s := New(nil, Config{})
	addFakeProtectedRoutes(s)
	if rec := do(t, s, "GET", "/v1/scenarios/fake", "anything", ""); rec.Code != 401 {
		t.Fatalf("no tokens file: status %d, want 401", rec.Code)
	}
	open := New(nil, Config{InsecureOpen: true})
	addFakeProtectedRoutes(open)
	rec := do(t, open, "GET", "/v1/scenarios/fake", "", "")
	if rec.Code != 200 || strings.Count(rec.Body.String(), `"id"`) != 5 {
		t.Fatalf("insecure open: status %d body %s, want all 5 rows", rec.Code, rec.Body)
	}
	// An open route gets the empty scope: it allows no row.
	if rec := do(t, open, "GET", "/v1/open-fake", "", ""); !strings.Contains(rec.Body.String(), `"departement:"`) {
		t.Fatalf("open route scope: %s", rec.Body)
	}
}

func TestTokenNeverLogged(t *testing.T) {
	var logs strings.Builder
	f := newAuthFixture(t)
	f.srv.cfg.Logger = newTestLogger(&logs)
	f.srv.router.GET("/v1/scenarios/panic", func(c *gin.Context) { panic("boom") })
	do(t, f.srv, "GET", "/v1/scenarios/panic", f.national, "")
	do(t, f.srv, "GET", "/v1/scenarios/fake", f.national+"x", "")
	if !strings.Contains(logs.String(), "panic") {
		t.Fatalf("the panic was not logged: %q", logs.String())
	}
	if strings.Contains(logs.String(), f.national) {
		t.Fatal("a token appears in the logs")
	}
}

func TestIsProtected(t *testing.T) {
	for route, want := range map[string]bool{
		"/v1/datasets": true, "/v1/datasets/:id": true, "/v1/match": true, "/v1/match/:id": true,
		"/v1/candidates/:id/suggestions": true, "/v1/structures/:id/suggestions": true,
		"/v1/proposals/:id": true, "/v1/scenarios/:id": true, "/v1/backup": true,
		"/v1/communes/at": false, "/v1/sites": false, "/v1/coverage": false, "/v1/layers": false,
		"/healthz": false, "/tiles/communes/:z/:x/:y": false, "": false, "/v1/datasetsx": false,
	} {
		if got := isProtected(route); got != want {
			t.Errorf("isProtected(%q) = %v, want %v", route, got, want)
		}
	}
}

func TestParseScope(t *testing.T) {
	cases := []struct {
		in, want string
		err      bool
	}{
		{"national", "national", false},
		{"NATIONAL", "national", false},
		{"departement:23", "departement:23", false},
		{"departement:87,23,23", "departement:23,87", false},
		{"departement:1,2a,974", "departement:01,2A,974", false},
		{"departement:", "", true},
		{"departement:20", "", true},
		{"departement:999", "", true},
		{"region:75", "", true},
		{"", "", true},
	}
	for _, tc := range cases {
		sc, err := ParseScope(tc.in)
		if (err != nil) != tc.err || (!tc.err && sc.String() != tc.want) {
			t.Errorf("ParseScope(%q) = %v, %v; want %q (error %v)", tc.in, sc, err, tc.want, tc.err)
		}
	}
	sc, _ := ParseScope("departement:23,87")
	if !sc.Allows("23") || !sc.Allows("87") || sc.Allows("75") || sc.Allows("") || sc.Allows("2") {
		t.Fatal("Allows")
	}
	d := sc.FilterDataset(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates, Rows: 5, Departements: []string{"", "23", "75", "87"},
		RowsByDepartement: map[string]int{"": 1, "23": 2, "75": 1, "87": 1}}, Candidates: fixtureCandidates()})
	if d.Meta.Rows != 3 || len(d.Candidates) != 3 || !reflect.DeepEqual(d.Meta.Departements, []string{"23", "87"}) ||
		!reflect.DeepEqual(d.Meta.RowsByDepartement, map[string]int{"23": 2, "87": 1}) || d.Structures != nil {
		t.Fatalf("FilterDataset: %+v", d)
	}
}

func TestTokensFile(t *testing.T) {
	dir := t.TempDir()
	secret, _ := NewToken()
	sc, _ := ParseScope("departement:23")
	line := TokenLine(Token{Hash: HashToken(secret), Scope: sc, Name: "préfet de la Creuse"})
	path := filepath.Join(dir, "tokens")
	content := "# issued by maillage token new\n\n" + line + "\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTokens(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable tokens file accepted: %v", err)
	}
	os.Chmod(path, 0o600)
	ts, err := LoadTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(content, secret) {
		t.Fatal("the tokens file holds the secret")
	}
	got, ok := ts.Lookup(secret)
	if !ok || got.Name != "préfet de la Creuse" || got.Scope.String() != "departement:23" {
		t.Fatalf("Lookup: %+v %v", got, ok)
	}
	if _, ok := ts.Lookup(secret[:len(secret)-1]); ok {
		t.Fatal("a truncated secret matched")
	}
	// Reload picks up a new line; a broken file keeps only the tokens it
	// still lists (none here: TestTokenReloadFailsClosed has the cases).
	secret2, _ := NewToken()
	line2 := TokenLine(Token{Hash: HashToken(secret2), Scope: Scope{National: true}, Name: "anct"})
	os.WriteFile(path, []byte(content+line2+"\n"), 0o600)
	if err := ts.Reload(); err != nil || ts.Len() != 2 {
		t.Fatalf("Reload: %v, %d tokens", err, ts.Len())
	}
	os.WriteFile(path, []byte("garbage\n"), 0o600)
	if err := ts.Reload(); err == nil || ts.Len() != 0 {
		t.Fatalf("broken reload: %v, %d tokens (want error, none kept)", err, ts.Len())
	}
	for _, bad := range []string{
		"abc national x\n",
		strings.Repeat("a", 64) + " planet x\n",
		strings.Repeat("a", 64) + " national\n",
		line + "\n" + strings.Replace(line2, "anct", "préfet de la Creuse", 1) + "\n",
	} {
		if _, err := ParseTokens(strings.NewReader(bad), "t"); err == nil {
			t.Errorf("ParseTokens(%q) succeeded", bad)
		} else if errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "line") {
			t.Errorf("ParseTokens(%q): %v, want an error naming the line", bad, err)
		}
	}
}

// BenchmarkLookup measures the constant-time token check over 100 tokens.
func BenchmarkLookup(b *testing.B) {
	var tokens []Token
	var last string
	for i := 0; i < 100; i++ {
		last, _ = NewToken()
		tokens = append(tokens, Token{Hash: HashToken(last), Scope: Scope{National: true}, Name: string(rune('a' + i%26))})
	}
	ts := NewTokenSet(tokens)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ts.Lookup(last); !ok {
			b.Fatal("not found")
		}
	}
}
