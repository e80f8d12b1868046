package apitest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/matching/registry"
)

// MatchServers are servers over the shared test engine for the dataset and
// match endpoints: one open to everyone (national scope), one with a
// national token and a token scoped to départements 23 and 87.
type MatchServers struct {
	Open, Scoped    *api.Server
	National, Dep23 string
}

var (
	matchSrvOnce sync.Once
	matchSrv     MatchServers
)

// NewMatchServers returns the shared MatchServers (skipping without data).
func NewMatchServers(t testing.TB) MatchServers {
	t.Helper()
	reg := Real(t).Registry()
	matchSrvOnce.Do(func() {
		matchSrv.Open = api.New(reg, api.Config{InsecureOpen: true})
		var tokens []access.Token
		for _, x := range []struct {
			secret *string
			scope  string
		}{{&matchSrv.National, "national"}, {&matchSrv.Dep23, "departement:23,87"}} {
			s, err := access.NewToken()
			if err != nil {
				panic(err)
			}
			*x.secret = s
			sc, err := access.ParseScope(x.scope)
			if err != nil {
				panic(err)
			}
			tokens = append(tokens, access.Token{Hash: access.HashToken(s), Scope: sc, Name: x.scope})
		}
		matchSrv.Scoped = api.New(reg, api.Config{Tokens: access.NewTokenSet(tokens)})
	})
	return matchSrv
}

// Send performs a request with a body of the given content type (none when
// empty) and a bearer token (none when empty).
func Send(t testing.TB, s *api.Server, method, url, contentType, token string, body io.Reader) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, url, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// Decode decodes a JSON response, failing on a status other than want.
func Decode(t testing.TB, rec *httptest.ResponseRecorder, want int, out any) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status %d, want %d: %.500s", rec.Code, want, rec.Body.String())
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("body not JSON: %v: %.300s", err, rec.Body.String())
		}
	}
}

// MultipartBody builds a multipart form of files (field → name, content)
// and text fields.
func MultipartBody(t testing.TB, files map[string][2]string, fields map[string]string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for field, f := range files {
		part, err := w.CreateFormFile(field, f[0])
		if err != nil {
			t.Fatal(err)
		}
		part.Write([]byte(f[1]))
	}
	for k, v := range fields {
		w.WriteField(k, v)
	}
	w.Close()
	return w.FormDataContentType(), &buf
}

// Upload posts a dataset and returns its description.
func Upload(t testing.TB, s *api.Server, kind, contentType, body string) registry.DatasetInfo {
	t.Helper()
	var info registry.DatasetInfo
	Decode(t, Send(t, s, "POST", "/v1/datasets?kind="+kind, contentType, "", strings.NewReader(body)), http.StatusCreated, &info)
	return info
}

// CandidatesCSV holds candidates around Guéret (23) and Paris (75).
const CandidatesCSV = "id,lon,lat,commune,max_km\nA,1.8707,46.1712,,20\nB,,,23096,\nC,2.3522,48.8566,,\nD,1.95,46.2,,40\n"

// Do sends a request with a body and an optional bearer token, and no
// Content-Type.
func Do(t testing.TB, s *api.Server, method, url, token, body string) *httptest.ResponseRecorder {
	t.Helper()
	return Send(t, s, method, url, "", token, strings.NewReader(body))
}
