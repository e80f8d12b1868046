package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/access"
)

// slowRecommend is a national recommendation of about a second: 500 sites
// among the 35,000 communes against the 2020 network at 5 km.
const slowRecommend = "/v1/recommendations?k=500&max_km=5&format=json&layers=" + data.LayerFranceServices2020

// lightRoute is a point → commune lookup, never queued.
const lightRoute = "/v1/communes/at?lon=1.8707&lat=46.1712"

// warmRecommend builds the shared caches slowRecommend needs (they are
// built once for every request, never cancelled).
func warmRecommend(t *testing.T, s *api.Server) {
	t.Helper()
	if code := apitest.Get(t, s, "/v1/recommendations?k=1&departement=23&max_km=5&layers="+data.LayerFranceServices2020, nil); code != http.StatusOK {
		t.Fatalf("warm-up: status %d", code)
	}
}

// serveCancelled serves req with a context cancelled after delay, and
// returns the recorder and how long after the cancel the handler returned
// (negative when it returned before).
func serveCancelled(s *api.Server, req *http.Request, delay time.Duration) (*httptest.ResponseRecorder, time.Duration) {
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	at := make(chan time.Time, 1)
	timer := time.AfterFunc(delay, func() { at <- time.Now(); cancel() })
	defer timer.Stop()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req.WithContext(ctx))
	end := time.Now()
	select {
	case t0 := <-at:
		return rec, end.Sub(t0)
	default:
		return rec, -1
	}
}

// TestRecommendationCancelledByClient: a national recommendation whose
// client goes away 20 ms in stops within 100 ms, answered 499 (for the
// log: nobody reads it).
func TestRecommendationCancelledByClient(t *testing.T) {
	s := apitest.Real(t)
	warmRecommend(t, s)
	rec, after := serveCancelled(s, httptest.NewRequest(http.MethodGet, slowRecommend, nil), 20*time.Millisecond)
	if after < 0 {
		t.Fatalf("answered %d before the cancel: use a slower recommendation", rec.Code)
	}
	if rec.Code != httpx.StatusClientClosedRequest || after > 100*time.Millisecond {
		t.Fatalf("status %d %v after the cancel, want %d within 100 ms: %.300s", rec.Code, after, httpx.StatusClientClosedRequest, rec.Body.String())
	}
	var e apitest.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error != httpx.CodeCanceled {
		t.Fatalf("body %q (%v), want error %q", rec.Body.String(), err, httpx.CodeCanceled)
	}
}

// TestSitingBusy: with room for one national analysis and a queue timeout
// of 300 ms, concurrent national recommendations beyond it are answered
// 503 busy with Retry-After within the timeout, one of them runs, and a
// light route answers at once meanwhile.
func TestSitingBusy(t *testing.T) {
	base := apitest.Real(t)
	warmRecommend(t, base)
	const timeout = 300 * time.Millisecond
	s := api.New(base.Registry(), api.Config{Work: access.WorkLimits{SitingSites: 60_000, QueueTimeout: timeout}})
	type answer struct {
		code  int
		retry string
		body  apitest.ErrorBody
		took  time.Duration
	}
	answers := make([]answer, 4)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			t0 := time.Now()
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, slowRecommend, nil))
			a := answer{code: rec.Code, retry: rec.Header().Get("Retry-After"), took: time.Since(t0)}
			if a.code != http.StatusOK {
				_ = json.Unmarshal(rec.Body.Bytes(), &a.body)
			}
			answers[i] = a
		})
	}
	time.Sleep(timeout / 2)
	t0 := time.Now()
	if code := apitest.Get(t, s, lightRoute, nil); code != http.StatusOK {
		t.Fatalf("light route: status %d", code)
	}
	light := time.Since(t0)
	wg.Wait()
	ok, busy := 0, 0
	for _, a := range answers {
		switch a.code {
		case http.StatusOK:
			ok++
		case http.StatusServiceUnavailable:
			busy++
			if a.retry != "1" || a.body.Error != httpx.CodeBusy || !strings.Contains(a.body.Message, "retry") {
				t.Errorf("503 with Retry-After %q, body %+v", a.retry, a.body)
			}
			if a.took > timeout+500*time.Millisecond {
				t.Errorf("503 after %v, want about the queue timeout %v", a.took, timeout)
			}
		default:
			t.Errorf("status %d: %+v", a.code, a.body)
		}
	}
	if ok == 0 || busy == 0 {
		t.Fatalf("%d answered, %d busy: want both", ok, busy)
	}
	if light > 500*time.Millisecond {
		t.Errorf("light route took %v beside the heavy ones", light)
	}
	t.Logf("%d answered, %d busy; light route %v", ok, busy, light)
}

// matchRowsJSON returns n candidates and m structures (1 to 3 posts) at
// random points of central France, as JSON arrays: about as many posts as
// candidates, each candidate reaching hundreds of structures, seconds of
// optimal matching.
func matchRowsJSON(n, m int) (cands, structs []byte) {
	r := rand.New(rand.NewPCG(13, 13))
	pt := func() string { return fmt.Sprintf(`"lon":%.5f,"lat":%.5f`, 1+3*r.Float64(), 45.5+2*r.Float64()) }
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"c%d",%s}`, i, pt())
	}
	b.WriteByte(']')
	cands = bytes.Clone(b.Bytes())
	b.Reset()
	b.WriteByte('[')
	for i := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"s%d","name":"S%d",%s,"posts":%d}`, i, i, pt(), 1+r.IntN(3))
	}
	b.WriteByte(']')
	return cands, b.Bytes()
}

// storedMatches counts the match results the engine holds.
func storedMatches(t *testing.T, s *api.Server) int {
	t.Helper()
	all, err := s.Registry().Datasets().List()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range all {
		if d.Kind == data.KindMatchResult {
			n++
		}
	}
	return n
}

// TestMatchClientGoneStoresNothing: a match whose client disconnects while
// it is computed stops and stores no result (an id nobody received).
func TestMatchClientGoneStoresNothing(t *testing.T) {
	s := apitest.NewMatchServers(t).Open
	cands, structs := matchRowsJSON(20000, 10000)
	ids := map[string]string{}
	for kind, rows := range map[string][]byte{"candidates": cands, "structures": structs} {
		var info struct {
			ID string `json:"id"`
		}
		apitest.Decode(t, apitest.Send(t, s, http.MethodPost, "/v1/datasets?kind="+kind, "application/json", "", bytes.NewReader(rows)), http.StatusCreated, &info)
		ids[kind] = info.ID
		defer apitest.Send(t, s, http.MethodDelete, "/v1/datasets/"+info.ID, "", "", nil)
	}
	before := storedMatches(t, s)
	body := fmt.Sprintf(`{"candidates":%q,"structures":%q}`, ids["candidates"], ids["structures"])
	req := httptest.NewRequest(http.MethodPost, "/v1/match", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec, after := serveCancelled(s, req, 300*time.Millisecond)
	if after < 0 {
		t.Fatalf("answered %d before the cancel: use a larger match", rec.Code)
	}
	if rec.Code != httpx.StatusClientClosedRequest {
		t.Errorf("status %d, want %d: %.300s", rec.Code, httpx.StatusClientClosedRequest, rec.Body.String())
	}
	if n := storedMatches(t, s); n != before {
		t.Fatalf("%d match results stored, want %d: a cancelled match was stored", n, before)
	}
	t.Logf("stopped %v after the cancel", after)
}

// TestCommunesLayerStorm: 32 concurrent pages of every commune of France
// (55 MB of GeoJSON each) are each answered 200 or 503 busy, the heap
// stays bounded and a light route answers meanwhile. Unbounded, the pages
// rendered together took the server past 2 GB and none was answered.
func TestCommunesLayerStorm(t *testing.T) {
	base := apitest.MapServer(t)
	s := api.New(base.Registry(), api.Config{Work: access.WorkLimits{QueueTimeout: 2 * time.Second}})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	client := ts.Client()
	client.Timeout = 60 * time.Second
	getURL := func(path string) (int, string, error) {
		resp, err := client.Get(ts.URL + path)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, resp.Header.Get("Retry-After"), err
	}
	if code, _, err := getURL("/v1/layers/communes?limit=10"); code != http.StatusOK || err != nil {
		t.Fatalf("warm-up: %d %v", code, err)
	}
	// Garbage counts in the heap sample until the collector sweeps it, and
	// with the default GOGC it may reach the live heap's size (the engine's
	// hundreds of MB, more once other tests have warmed caches): collect
	// more often so the peak measures what the pages hold.
	defer debug.SetGCPercent(debug.SetGCPercent(20))
	peak := startHeapWatch()
	const n = 32
	codes := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var retry string
			codes[i], retry, errs[i] = getURL("/v1/layers/communes?limit=50000")
			if codes[i] == http.StatusServiceUnavailable && retry == "" {
				errs[i] = fmt.Errorf("503 without Retry-After")
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	t0 := time.Now()
	code, _, err := getURL(lightRoute)
	light := time.Since(t0)
	wg.Wait()
	growthMB := peak.stop()
	if code != http.StatusOK || err != nil || light > time.Second {
		t.Errorf("light route during the storm: %d %v in %v", code, err, light)
	}
	ok := 0
	for i := range n {
		switch {
		case errs[i] != nil:
			t.Errorf("request %d: %d %v", i, codes[i], errs[i])
		case codes[i] == http.StatusOK:
			ok++
		case codes[i] != http.StatusServiceUnavailable:
			t.Errorf("request %d: status %d", i, codes[i])
		}
	}
	if ok == 0 {
		t.Errorf("no page answered")
	}
	if growthMB > 700 {
		t.Errorf("heap grew by %.0f MB, want the pages bounded (under 700 MB)", growthMB)
	}
	t.Logf("%d answered 200, %d busy; heap growth %.0f MB; light route %v", ok, n-ok, growthMB, light)
}

// heapWatch samples the heap (live and not yet swept objects) every 5 ms
// without stopping the world and keeps its peak.
type heapWatch struct {
	done       chan struct{}
	wg         sync.WaitGroup
	base, peak uint64
}

func startHeapWatch() *heapWatch {
	runtime.GC()
	h := &heapWatch{done: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	h.base = sample[0].Value.Uint64()
	h.wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			h.peak = max(h.peak, sample[0].Value.Uint64())
			select {
			case <-h.done:
				return
			case <-tick.C:
			}
		}
	})
	return h
}

// stop returns the peak growth over the start, in MB.
func (h *heapWatch) stop() float64 {
	close(h.done)
	h.wg.Wait()
	return float64(h.peak-min(h.base, h.peak)) / (1 << 20)
}

// TestUploadUnitsFreedBeforeAnalysis: a request gives its upload units back
// once its rows are parsed, before it queues for its analysis, so that an
// analysis queue full of parsed uploads never blocks the next upload.
func TestUploadUnitsFreedBeforeAnalysis(t *testing.T) {
	base := apitest.Real(t)
	s := api.New(base.Registry(), api.Config{InsecureOpen: true, Work: access.WorkLimits{UploadBytes: 4096, SitingSites: 1000, QueueTimeout: 700 * time.Millisecond}})
	hold, err := s.Env().Acquire(context.Background(), access.WorkSiting, 1000) // the analyses are full
	if err != nil {
		t.Fatal(err)
	}
	defer hold()
	var csv strings.Builder
	csv.WriteString("id,name,lon,lat\n")
	for i := 0; csv.Len() < 8192; i++ { // weighs the whole upload capacity
		fmt.Fprintf(&csv, "p%d,Site %d,%.4f,46.1712\n", i, i, 1.80+float64(i)*0.001)
	}
	done := make(chan *httptest.ResponseRecorder)
	go func() {
		done <- apitest.Send(t, s, http.MethodPost, "/v1/recommendations?k=1&departement=23", "text/csv", "", strings.NewReader(csv.String()))
	}()
	time.Sleep(300 * time.Millisecond) // parsed, now waiting for siting room
	rec := apitest.Send(t, s, http.MethodPost, "/v1/datasets?kind=proposals&name=upload-bound-test", "text/csv", "", strings.NewReader("id,name,lon,lat\nq1,Q,1.87,46.17\n"))
	var info struct {
		ID string `json:"id"`
	}
	apitest.Decode(t, rec, http.StatusCreated, &info)
	defer apitest.Send(t, s, http.MethodDelete, "/v1/datasets/"+info.ID, "", "", nil)
	select {
	case <-done:
		t.Fatal("the upload was stored only once the queued recommendation gave up: it waited for its upload units")
	default:
	}
	if first := <-done; first.Code != http.StatusServiceUnavailable || first.Header().Get("Retry-After") == "" {
		t.Fatalf("recommendation with the analyses full: %d %.200s, want 503 busy", first.Code, first.Body.String())
	}
}
