package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/internal/access"
)

// authFixture is a server with three tokens (national, Creuse+Haute-Vienne,
// Paris) and fake protected routes that list fixture candidates through
// the scope helpers, as the dataset handlers do.
type authFixture struct {
	srv                 *api.Server
	national, dep23, pa string
}

// fixtureCandidates are rows in 23, 87, 75 and one without département.
func fixtureCandidates() []people.Candidate {
	return []people.Candidate{
		{ID: "a", Departement: "23"}, {ID: "b", Departement: "87"},
		{ID: "c", Departement: "75"}, {ID: "d", Departement: ""}, {ID: "e", Departement: "23"},
	}
}

func newAuthFixture(t *testing.T) authFixture {
	t.Helper()
	var f authFixture
	var tokens []access.Token
	for _, x := range []struct {
		secret *string
		scope  string
		name   string
	}{{&f.national, "national", "anct"}, {&f.dep23, "departement:23,87", "prefet 23"}, {&f.pa, "departement:75", "paris"}} {
		s, err := access.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		*x.secret = s
		sc, err := access.ParseScope(x.scope)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, access.Token{Hash: access.HashToken(s), Scope: sc, Name: x.name})
	}
	f.srv = api.New(nil, api.Config{Tokens: access.NewTokenSet(tokens)})
	addFakeProtectedRoutes(f.srv)
	return f
}

// addFakeProtectedRoutes registers handlers under protected roots that use
// httpx.ScopeFrom and the Scope helpers.
func addFakeProtectedRoutes(s *api.Server) {
	r := s.Router()
	r.GET("/v1/scenarios/fake", httpx.Handle(func(c *gin.Context) error {
		c.JSON(http.StatusOK, gin.H{"items": httpx.ScopeFrom(c).FilterCandidates(fixtureCandidates())})
		return nil
	}))
	r.POST("/v1/scenarios/fake", httpx.Handle(func(c *gin.Context) error {
		var rows []people.Candidate
		if err := json.NewDecoder(c.Request.Body).Decode(&rows); err != nil {
			return err
		}
		if err := httpx.ScopeFrom(c).CheckCandidates(rows); err != nil {
			return err
		}
		c.JSON(http.StatusCreated, gin.H{"rows": len(rows)})
		return nil
	}))
	r.GET("/v1/open-fake", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"scope": httpx.ScopeFrom(c).String()}) })
}

func TestAccessStatuses(t *testing.T) {
	f := newAuthFixture(t)
	cases := []struct {
		name, method, url, token, header, body string
		status                                 int
		code                                   string
	}{
		{"no token", "GET", "/v1/scenarios/fake", "", "", "", 401, httpx.CodeUnauthorized},
		{"unknown token", "GET", "/v1/scenarios/fake", "mlg_nope", "", "", 401, httpx.CodeUnauthorized},
		{"basic scheme", "GET", "/v1/scenarios/fake", "", "Basic " + f.national, "", 401, httpx.CodeUnauthorized},
		{"empty bearer", "GET", "/v1/scenarios/fake", "", "Bearer ", "", 401, httpx.CodeUnauthorized},
		{"lowercase scheme", "GET", "/v1/scenarios/fake", "", "bearer " + f.national, "", 200, ""},
		{"national", "GET", "/v1/scenarios/fake", f.national, "", "", 200, ""},
		{"scoped upload inside", "POST", "/v1/scenarios/fake", f.dep23, "", `[{"id":"x","commune":"23096","departement":"23"},{"id":"y","commune":"87085","departement":"87"}]`, 201, ""},
		{"scoped upload outside", "POST", "/v1/scenarios/fake", f.dep23, "", `[{"id":"x","commune":"23096","departement":"23"},{"id":"z","commune":"75056","departement":"75"}]`, 403, httpx.CodeForbidden},
		{"scoped upload outside every commune", "POST", "/v1/scenarios/fake", f.dep23, "", `[{"id":"x","departement":"23"}]`, 403, httpx.CodeForbidden},
		{"national upload anywhere", "POST", "/v1/scenarios/fake", f.national, "", `[{"id":"z","commune":"75056","departement":"75"},{"id":"sea","departement":"23"}]`, 201, ""},
		{"open route without token", "GET", "/v1/open-fake", "", "", "", 200, ""},
		{"unmatched protected path is 404", "GET", "/v1/datasets/x/y/z", "", "", "", 404, httpx.CodeNotFound},
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
				var e apitest.ErrorBody
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
	rec := apitest.Do(t, f.srv, "POST", "/v1/scenarios/fake", f.dep23, `[{"id":"ok","commune":"23096","departement":"23"},`+
		`{"id":"p1","commune":"75056","departement":"75"},{"id":"p2","commune":"2A004","departement":"2A"},{"id":"sea","departement":"23"}]`)
	var e apitest.ErrorBody
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
		rec := apitest.Do(t, f.srv, "GET", "/v1/scenarios/fake", tc.token, "")
		var body struct{ Items []people.Candidate }
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
	s := api.New(nil, api.Config{})
	addFakeProtectedRoutes(s)
	if rec := apitest.Do(t, s, "GET", "/v1/scenarios/fake", "anything", ""); rec.Code != 401 {
		t.Fatalf("no tokens file: status %d, want 401", rec.Code)
	}
	open := api.New(nil, api.Config{InsecureOpen: true})
	addFakeProtectedRoutes(open)
	rec := apitest.Do(t, open, "GET", "/v1/scenarios/fake", "", "")
	if rec.Code != 200 || strings.Count(rec.Body.String(), `"id"`) != 5 {
		t.Fatalf("insecure open: status %d body %s, want all 5 rows", rec.Code, rec.Body)
	}
	// An open route gets the empty scope: it allows no row.
	if rec := apitest.Do(t, open, "GET", "/v1/open-fake", "", ""); !strings.Contains(rec.Body.String(), `"departement:"`) {
		t.Fatalf("open route scope: %s", rec.Body)
	}
}

func TestTokenNeverLogged(t *testing.T) {
	var logs strings.Builder
	f := newAuthFixture(t)
	f.srv.Cfg().Logger = newTestLogger(&logs)
	f.srv.Router().GET("/v1/scenarios/panic", func(c *gin.Context) { panic("boom") })
	apitest.Do(t, f.srv, "GET", "/v1/scenarios/panic", f.national, "")
	apitest.Do(t, f.srv, "GET", "/v1/scenarios/fake", f.national+"x", "")
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
		if got := api.IsProtected(route); got != want {
			t.Errorf("isProtected(%q) = %v, want %v", route, got, want)
		}
	}
}
