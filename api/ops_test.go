package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/internal/metrics"
	"github.com/maillage/maillage/matching/registry"
)

// scrape reads the server's /metrics over HTTP and parses it with the
// Prometheus text parser.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}

// series returns the metric of family name whose labels include want, or nil.
func series(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	return nil
}

// counter returns the value of a counter series, 0 when absent.
func counter(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	if m := series(fams, name, labels); m != nil {
		return m.GetCounter().GetValue()
	}
	return 0
}

func TestMetricsScrape(t *testing.T) {
	m := metrics.New()
	reg := registry.New(m.Store(data.NewMemoryStore()), nil)
	s := api.New(reg, api.Config{Metrics: m, InsecureOpen: true})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()

	readyz := map[string]string{"route": "/readyz", "method": "GET", "status": "200"}
	before := counter(scrape(t, ts.URL), "maillage_http_requests_total", readyz)
	for _, path := range []string{"/readyz", "/readyz", "/v1/datasets/cand-75056", "/v1/datasets/cand-13055", "/no/such/path", "/v1/datasets"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for _, method := range []string{"FOO1", "FOO2"} { // odd methods: one "other" series, not one each
		req, _ := http.NewRequest(method, ts.URL+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	fams := scrape(t, ts.URL)
	if got := counter(fams, "maillage_http_requests_total", map[string]string{"method": "other"}); got != 2 {
		t.Errorf("requests_total{method=other} = %v, want 2", got)
	}
	if got := counter(fams, "maillage_http_requests_total", readyz) - before; got != 2 {
		t.Errorf("requests_total{route=/readyz,status=200} grew by %v, want 2", got)
	}
	// Route patterns, never raw paths: the labels stay bounded.
	if got := counter(fams, "maillage_http_requests_total", map[string]string{"route": "/v1/datasets/:id", "status": "404"}); got != 2 {
		t.Errorf("requests_total{route=/v1/datasets/:id,status=404} = %v, want 2", got)
	}
	if got := counter(fams, "maillage_http_requests_total", map[string]string{"route": "(no route)", "status": "404"}); got != 1 {
		t.Errorf("requests_total{route=(no route)} = %v, want 1", got)
	}
	for _, mm := range fams["maillage_http_requests_total"].GetMetric() {
		for _, l := range mm.GetLabel() {
			if strings.Contains(l.GetValue(), "75056") || strings.Contains(l.GetValue(), "such") || strings.Contains(l.GetValue(), "FOO") {
				t.Errorf("a raw path in a label: %s=%q", l.GetName(), l.GetValue())
			}
		}
	}
	h := series(fams, "maillage_http_request_duration_seconds", map[string]string{"route": "/readyz", "method": "GET"})
	if h == nil || h.GetHistogram().GetSampleCount() < 2 || len(h.GetHistogram().GetBucket()) < 10 {
		t.Fatalf("request_duration_seconds{route=/readyz}: %v", h)
	}
	if fams["maillage_http_requests_in_flight"] == nil {
		t.Error("no requests_in_flight gauge")
	}
	// The dataset list and reads went through the timed store; an unknown
	// id is an answer, not a store failure.
	if st := series(fams, "maillage_store_operation_duration_seconds", map[string]string{"op": "list"}); st == nil || st.GetHistogram().GetSampleCount() != 1 {
		t.Errorf("store_operation_duration_seconds{op=list}: %v, want 1 sample", st)
	}
	if st := series(fams, "maillage_store_operation_duration_seconds", map[string]string{"op": "get"}); st == nil || st.GetHistogram().GetSampleCount() != 2 {
		t.Errorf("store_operation_duration_seconds{op=get}: %v, want 2 samples", st)
	}
	if fams["maillage_store_errors_total"] != nil && len(fams["maillage_store_errors_total"].GetMetric()) > 0 {
		t.Errorf("store errors counted for unknown ids: %v", fams["maillage_store_errors_total"])
	}
	for _, name := range []string{"maillage_tile_cache_tiles", "maillage_tile_cache_bytes", "maillage_coverage_cache_sets",
		"maillage_access_cache_tables", "maillage_dataset_cache_entries", "maillage_engine_load_seconds", "go_goroutines", "process_resident_memory_bytes"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
}

// TestMetricsPerServer checks that two servers in one process count apart
// (no default registry).
func TestMetricsPerServer(t *testing.T) {
	a, b := api.New(registry.New(nil, nil), api.Config{}), api.New(registry.New(nil, nil), api.Config{})
	apitest.Get(t, a, "/readyz", nil)
	ta, tb := httptest.NewServer(a.Handler()), httptest.NewServer(b.Handler())
	defer ta.Close()
	defer tb.Close()
	labels := map[string]string{"route": "/readyz", "status": "200"}
	if got := counter(scrape(t, ta.URL), "maillage_http_requests_total", labels); got != 1 {
		t.Errorf("server a: %v /readyz, want 1", got)
	}
	if got := counter(scrape(t, tb.URL), "maillage_http_requests_total", labels); got != 0 {
		t.Errorf("server b: %v /readyz, want 0", got)
	}
}

func TestReadyz(t *testing.T) {
	ready := api.NewReadiness(api.ReasonReloading)
	s := api.New(registry.New(nil, nil), api.Config{Readiness: ready})
	var e apitest.ErrorBody
	rec := apitest.Do(t, s, "GET", "/readyz", "", "")
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		!strings.Contains(rec.Body.String(), api.CodeNotReady) || !strings.Contains(rec.Body.String(), api.ReasonReloading) {
		t.Fatalf("reloading: %d %q", rec.Code, rec.Body.String())
	}
	ready.Set("")
	if code := apitest.Get(t, s, "/readyz", &e); code != http.StatusOK {
		t.Errorf("ready: %d", code)
	}
	if ok, _ := api.New(nil, api.Config{}).Readiness().Ready(); !ok {
		t.Error("a server without Readiness is not ready")
	}
}

// TestGate checks a server listening while its data loads: alive, not
// ready, every route 503 not_ready, metrics served; then the opened
// handler answers everything.
func TestGate(t *testing.T) {
	ready := api.NewReadiness(api.ReasonLoading)
	m := metrics.New()
	g := api.NewGate(ready, m.Handler())
	ts := httptest.NewServer(g)
	defer ts.Close()
	cases := []struct {
		path   string
		status int
		has    string
	}{
		{"/healthz", 200, `"loading"`},
		{"/readyz", 503, api.CodeNotReady},
		{"/v1/communes/75056", 503, api.ReasonLoading},
		{"/metrics", 200, "go_goroutines"},
	}
	for _, tc := range cases {
		resp, err := http.Get(ts.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.has) {
			t.Errorf("loading, %s: %d %.200q, want %d with %q", tc.path, resp.StatusCode, body, tc.status, tc.has)
		}
		if tc.status == 503 && resp.Header.Get("Retry-After") == "" {
			t.Errorf("loading, %s: no Retry-After", tc.path)
		}
	}
	s := api.New(registry.New(nil, nil), api.Config{Metrics: m, Readiness: ready})
	g.Open(s.Handler())
	ready.Set("")
	resp, err := http.Get(ts.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get(api.RequestIDHeader) == "" {
		t.Errorf("opened: /readyz %d, X-Request-Id %q", resp.StatusCode, resp.Header.Get(api.RequestIDHeader))
	}
}

func TestPprof(t *testing.T) {
	off := api.New(registry.New(nil, nil), api.Config{InsecureOpen: true})
	for _, p := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/profile"} {
		if rec := apitest.Do(t, off, "GET", p, "", ""); rec.Code != http.StatusNotFound {
			t.Errorf("pprof off, %s: %d, want 404", p, rec.Code)
		}
	}
	nat, _ := access.NewToken()
	dep, _ := access.NewToken()
	tokens := access.NewTokenSet([]access.Token{{Hash: access.HashToken(nat), Scope: access.Scope{National: true}, Name: "n"},
		{Hash: access.HashToken(dep), Scope: access.Scope{Departements: []string{"23"}}, Name: "d"}})
	on := api.New(registry.New(nil, nil), api.Config{Tokens: tokens, Pprof: true})
	for _, tc := range []struct {
		path, token string
		status      int
	}{
		{"/debug/pprof/", "", http.StatusUnauthorized},
		{"/debug/pprof/heap", "", http.StatusUnauthorized},
		{"/debug/pprof/profile?seconds=1", "", http.StatusUnauthorized},
		{"/debug/pprof/heap", dep, http.StatusForbidden},
		{"/debug/pprof/goroutine", dep, http.StatusForbidden},
		{"/debug/pprof/", nat, http.StatusOK},
		{"/debug/pprof/heap?debug=1", nat, http.StatusOK},
		{"/debug/pprof/cmdline", nat, http.StatusOK},
	} {
		if rec := apitest.Do(t, on, "GET", tc.path, tc.token, ""); rec.Code != tc.status {
			t.Errorf("pprof on, %s (token %v): %d, want %d", tc.path, tc.token != "", rec.Code, tc.status)
		}
	}
}
