package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/maillage/maillage/internal/testworld"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/registry"
)

// worldLoader returns a Loader building the small world anew at each call;
// load n (from 1) holds the France Services site of Gamma only when n is
// odd, and its layer's vintage is "gen-<n>": the generation the engine
// gets when it is the registry's first and every load succeeds, so that an
// answer can be checked against the generation in its header. fail makes
// a load fail.
func worldLoader(t testing.TB, fail *atomic.Bool) (matching.Loader, *atomic.Int64) {
	var loads atomic.Int64
	return func(ctx context.Context, _ *matching.Engine) (*matching.Engine, error) {
		if fail != nil && fail.Load() {
			return nil, errors.New("layer france-services: sites france-services.csv: no column \"latitude\" in the header")
		}
		n := loads.Add(1)
		p, err := testworld.Parts()
		if err != nil {
			return nil, err
		}
		fs := p.Layers[data.LayerFranceServices]
		sites := fs.Sites
		if n%2 == 0 {
			sites = sites[:1] // Alpha's only
		}
		pts := make([]orb.Point, len(sites))
		for i := range sites {
			pts[i] = sites[i].Point
		}
		fs.Sites, fs.Index, fs.Vintage = sites, siteindex.New(pts), "gen-"+strconv.FormatInt(n, 10)
		return matching.New(p, matching.Options{Workers: 1}), nil
	}, &loads
}

// reloadServer is a small-world server whose reloads run worldLoader.
func reloadServer(t testing.TB, store data.Store, fail *atomic.Bool) *api.Server {
	t.Helper()
	load, _ := worldLoader(t, fail)
	e, err := load(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.New(store, e)
	if _, err := reg.Layers().Restore(); err != nil {
		t.Fatal(err)
	}
	return api.New(reg, api.Config{InsecureOpen: true, Loader: load})
}

// generation reads the generation header of an answer.
func generation(t testing.TB, rec *httptest.ResponseRecorder) uint64 {
	t.Helper()
	g, err := strconv.ParseUint(rec.Header().Get(api.GenerationHeader), 10, 64)
	if err != nil {
		t.Fatalf("%s header %q: %v", api.GenerationHeader, rec.Header().Get(api.GenerationHeader), err)
	}
	return g
}

// Every answer given while 20 reloads run comes from one engine: the
// vintage of the France Services layer (GET /v1/layers, from the map
// state), the site nearest to Gamma (FS2 only in odd loads) and the
// /healthz generation all agree with the generation header.
func TestReloadUnderLoad(t *testing.T) {
	const clients, reloads = 200, 20
	// The engines are built ahead: building one takes tens of
	// milliseconds of CPU, which the reload would get 1/200th of.
	load, _ := worldLoader(t, nil)
	engines := make([]*matching.Engine, reloads+1)
	for i := range engines {
		var err error
		if engines[i], err = load(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	var next atomic.Int64
	s := api.New(registry.New(nil, engines[0]), api.Config{InsecureOpen: true,
		Loader: func(context.Context, *matching.Engine) (*matching.Engine, error) { return engines[next.Add(1)], nil }})
	var done atomic.Bool
	var answers atomic.Int64
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	check := func(i int) error {
		var url string
		switch i % 3 {
		case 0:
			url = "/v1/layers"
		case 1:
			url = "/v1/sites/nearest?lon=1.6&lat=45.9&layers=france-services"
		default:
			url = "/healthz"
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		if rec.Code != http.StatusOK {
			return fmt.Errorf("GET %s: status %d: %.300s", url, rec.Code, rec.Body.String())
		}
		gen, err := strconv.ParseUint(rec.Header().Get(api.GenerationHeader), 10, 64)
		if err != nil {
			return fmt.Errorf("GET %s: generation header: %v", url, err)
		}
		body := rec.Body.String()
		switch i % 3 {
		case 0:
			if want := fmt.Sprintf(`"vintage":"gen-%d"`, gen); !strings.Contains(body, want) {
				return fmt.Errorf("GET %s: generation %d, layers without %s: %.400s", url, gen, want, body)
			}
		case 1:
			want := testworld.SiteGamma // even generations hold Alpha's site only
			if gen%2 == 0 {
				want = testworld.SiteAlpha
			}
			if !strings.Contains(body, `"id":"`+want+`"`) {
				return fmt.Errorf("GET %s: generation %d, nearest is not %s: %.300s", url, gen, want, body)
			}
		default:
			if want := fmt.Sprintf(`"generation":%d,`, gen); !strings.Contains(body, want) {
				return fmt.Errorf("GET %s: header generation %d, body: %.300s", url, gen, body)
			}
		}
		answers.Add(1)
		return nil
	}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; !done.Load(); i += clients {
				if err := check(i); err != nil {
					errs <- err
					return
				}
				time.Sleep(time.Millisecond) // 200 clients, not 200 CPU hogs
			}
		}()
	}
	var reloadErr error
	for range reloads {
		rec := apitest.Send(t, s, http.MethodPost, "/v1/admin/reload", "", "", nil)
		if rec.Code != http.StatusOK {
			reloadErr = fmt.Errorf("reload: status %d: %s", rec.Code, rec.Body.String())
			break
		}
		time.Sleep(2 * time.Millisecond) // let requests run on each generation
	}
	done.Store(true)
	wg.Wait()
	close(errs)
	if reloadErr != nil {
		t.Fatal(reloadErr)
	}
	for err := range errs {
		t.Error(err)
	}
	if _, gen := s.Registry().Current(); gen != reloads+1 {
		t.Fatalf("generation %d after %d reloads, want %d", gen, reloads, reloads+1)
	}
	t.Logf("%d answers during %d reloads", answers.Load(), reloads)
}

// A reload that fails keeps the engine in service and says why, in the
// answer and in /healthz's generation; one running makes another wait
// its turn with 409.
func TestReloadFailureKeepsState(t *testing.T) {
	var fail atomic.Bool
	s := reloadServer(t, nil, &fail)
	before, gen := s.Registry().Current()
	fail.Store(true)
	var e apitest.ErrorBody
	rec := apitest.Send(t, s, http.MethodPost, "/v1/admin/reload", "", "", nil)
	apitest.Decode(t, rec, http.StatusInternalServerError, &e)
	if e.Error != httpx.CodeReloadFailed || !strings.Contains(e.Message, `no column \"latitude\"`) && !strings.Contains(e.Message, `no column "latitude"`) {
		t.Fatalf("failed reload answer %+v", e)
	}
	if after, g := s.Registry().Current(); after != before || g != gen {
		t.Fatalf("a failed reload changed the engine (generation %d → %d)", gen, g)
	}
	var h api.HealthView
	if apitest.Get(t, s, "/healthz", &h); h.Generation != gen {
		t.Fatalf("healthz generation %d, want %d", h.Generation, gen)
	}
	fail.Store(false)

	// A reload blocked in its loader: the second one gets 409 at once.
	release := make(chan struct{})
	entered := make(chan struct{})
	load := s.Cfg().Loader
	s.Cfg().Loader = func(ctx context.Context, _ *matching.Engine) (*matching.Engine, error) {
		close(entered)
		<-release
		return load(ctx, nil)
	}
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- apitest.Send(t, s, http.MethodPost, "/v1/admin/reload", "", "", nil) }()
	<-entered
	apitest.Decode(t, apitest.Send(t, s, http.MethodPost, "/v1/admin/reload", "", "", nil), http.StatusConflict, &e)
	if e.Error != httpx.CodeReloadRunning {
		t.Fatalf("concurrent reload: %+v", e)
	}
	if rec := apitest.Send(t, s, http.MethodGet, "/readyz", "", "", nil); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz during a reload: %d %s", rec.Code, rec.Body.String())
	}
	close(release)
	var rep matching.ReloadReport
	apitest.Decode(t, <-first, http.StatusOK, &rep)
	if rec := apitest.Send(t, s, http.MethodGet, "/readyz", "", "", nil); rec.Code != http.StatusOK {
		t.Fatalf("/readyz after the reload: %d %s", rec.Code, rec.Body.String())
	}
	if rep.Generation != gen+1 {
		t.Fatalf("reload report %+v, want generation %d", rep, gen+1)
	}
}

// A reload needs a national token.
func TestReloadNeedsNationalToken(t *testing.T) {
	f := newAuthFixture(t)
	f.srv.Cfg().Loader, _ = worldLoader(t, nil)
	for _, tc := range []struct {
		token string
		want  int
	}{{"", http.StatusUnauthorized}, {f.dep23, http.StatusForbidden}} {
		if rec := apitest.Do(t, f.srv, http.MethodPost, "/v1/admin/reload", tc.token, ""); rec.Code != tc.want {
			t.Errorf("token %q: status %d, want %d: %s", tc.token, rec.Code, tc.want, rec.Body.String())
		}
	}
	for _, route := range []string{"/v1/layers", "/v1/layers/mine"} {
		method := http.MethodPost
		if route != "/v1/layers" {
			method = http.MethodDelete
		}
		if rec := apitest.Do(t, f.srv, method, route, "", ""); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s %s without token: status %d", method, route, rec.Code)
		}
		if rec := apitest.Do(t, f.srv, method, route, f.dep23, ""); rec.Code != http.StatusForbidden {
			t.Errorf("%s %s with a département token: status %d", method, route, rec.Code)
		}
	}
}

// healthz says which files are in service: an engine loaded from files
// lists them with their sha256; one built in memory lists none.
func TestHealthzFiles(t *testing.T) {
	s := reloadServer(t, nil, nil)
	var h struct {
		Generation uint64                `json:"generation"`
		LoadedAt   time.Time             `json:"loaded_at"`
		Files      []matching.FileStatus `json:"files"`
	}
	rec := apitest.Send(t, s, http.MethodGet, "/healthz", "", "", nil)
	apitest.Decode(t, rec, http.StatusOK, &h)
	if h.Generation != generation(t, rec) || h.LoadedAt.IsZero() || h.Files == nil {
		t.Fatalf("healthz %+v", h)
	}
	raw, _ := json.Marshal(h)
	if !strings.Contains(rec.Body.String(), `"files":[]`) {
		t.Fatalf("files of an engine built in memory: %s", raw)
	}
}

// A reload tells serve when it begins, with the old engine still in
// service (OnReloadStart: serve stops warming that engine's tiles), and
// when the new one is in service (OnReload: serve warms it).
func TestReloadHooks(t *testing.T) {
	s := reloadServer(t, nil, nil)
	_, gen := s.Registry().Current()
	var events []string
	s.Cfg().OnReloadStart = func() {
		_, g := s.Registry().Current()
		events = append(events, fmt.Sprintf("start at %d", g))
	}
	s.Cfg().OnReload = func(rep matching.ReloadReport) {
		_, g := s.Registry().Current()
		events = append(events, fmt.Sprintf("done at %d (report %d)", g, rep.Generation))
	}
	apitest.Decode(t, apitest.Send(t, s, http.MethodPost, "/v1/admin/reload", "", "", nil), http.StatusOK, &matching.ReloadReport{})
	want := []string{fmt.Sprintf("start at %d", gen), fmt.Sprintf("done at %d (report %d)", gen+1, gen+1)}
	if fmt.Sprint(events) != fmt.Sprint(want) {
		t.Fatalf("hooks %q, want %q", events, want)
	}
}
