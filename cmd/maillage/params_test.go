package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/matching/registry"
)

// TestParamsCLIMatchesAPI: a value the API refuses with a 400 is refused
// by the CLI with exit 2 and the same message (the shared table of
// internal/param); before it, `coverage --max-minutes 0` and `recommend
// --max-minutes -3` ran at 30 minutes with exit 0 and `recommend --k 0`
// picked nothing.
func TestParamsCLIMatchesAPI(t *testing.T) {
	srv := api.New(registry.New(nil, nil), api.Config{InsecureOpen: true})
	missing := t.TempDir() + "/none" // a command that got past its flags would fail here with exit 1
	for _, c := range []struct {
		cli    []string
		method string
		url    string
	}{
		{[]string{"coverage", "--max-minutes", "0"}, "GET", "/v1/coverage/departements?max_minutes=0"},
		{[]string{"coverage", "--max-minutes", "181"}, "GET", "/v1/coverage/departements?max_minutes=181"},
		{[]string{"coverage", "--max-km", "600"}, "GET", "/v1/coverage/departements?max_km=600"},
		{[]string{"coverage", "--max-km", "0x1p4"}, "GET", "/v1/coverage/departements?max_km=0x1p4"},
		{[]string{"recommend", "--max-minutes", "-3"}, "GET", "/v1/recommendations?max_minutes=-3"},
		{[]string{"recommend", "--k", "0"}, "GET", "/v1/recommendations?k=0"},
		{[]string{"recommend", "--k", "501"}, "GET", "/v1/recommendations?k=501"},
		{[]string{"recommend", "--k", "two"}, "GET", "/v1/recommendations?k=two"},
		{[]string{"compare", "--max-minutes", "0"}, "GET", "/v1/coverage/compare?max_minutes=0"},
		{[]string{"articulation", "--max-km", "-1"}, "GET", "/v1/articulation?max_km=-1"},
		{[]string{"evaluate", "p.csv", "--redundancy-km", "-1"}, "POST", "/v1/proposals/evaluate?redundancy_km=-1"},
	} {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest(c.method, c.url, strings.NewReader("id,commune\na,23096\n")))
		var body struct{ Error, Message string }
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusBadRequest || body.Message == "" {
			t.Errorf("%s %s: %d %s, want 400 with a message", c.method, c.url, rec.Code, rec.Body)
			continue
		}
		var out, errw bytes.Buffer
		code := run(append(c.cli, "--data", missing), &out, &errw)
		if code != 2 || !strings.Contains(errw.String(), body.Message) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with the API's message %q", c.cli, code, errw.String(), body.Message)
		}
	}
}

// TestUsageExitCodes: -h exits 0 for every subcommand (it exited 1);
// refused arguments exit 2; serve checks its address before loading.
func TestUsageExitCodes(t *testing.T) {
	for name := range commands() {
		var out, errw bytes.Buffer
		if code := run([]string{name, "-h"}, &out, &errw); code != 0 {
			t.Errorf("%s -h: exit %d, stderr %q", name, code, errw.String())
		}
	}
	missing := t.TempDir() + "/none"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--addr", ":99999"}, "port 99999 is out of range [0, 65535]"},
		{[]string{"serve", "--addr", "localhost"}, `--addr "localhost"`},
		{[]string{"coverage", "--format", "xml"}, `format: want one of csv, json, geojson, got "xml"`},
		{[]string{"coverage", "--by", "town"}, `by: want one of`},
		{[]string{"recommend", "--max-km", "10", "--max-minutes", "20"}, "not both"},
		{[]string{"recommend", "--nope"}, "flag provided but not defined"},
	} {
		var out, errw bytes.Buffer
		if code := run(append(c.args, "--data", missing), &out, &errw); code != 2 || !strings.Contains(errw.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with %q", c.args, code, errw.String(), c.want)
		}
	}
}
