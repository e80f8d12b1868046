package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdpio "github.com/chromedp/cdproto/io"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/internal/web"
)

// mapProbeEnv, set to 1, runs TestMapRenderBreakdown; mapProbeOldEnv names
// an older app.js to load in the same run (git show main:internal/web/static/app.js).
const (
	mapProbeEnv    = "MAILLAGE_MAP_PROBE"
	mapProbeOldEnv = "MAILLAGE_MAP_PROBE_OLD"
	mapProbeRepEnv = "MAILLAGE_MAP_PROBE_REPS"
	// mapProbeTraceEnv names a folder where each load's DevTools trace
	// goes (<variant>-<rep>.json, for chrome://tracing or Perfetto).
	mapProbeTraceEnv = "MAILLAGE_MAP_PROBE_TRACE"
	// mapProbeOnlyEnv lists the variants to load (page,old); all by default.
	mapProbeOnlyEnv = "MAILLAGE_MAP_PROBE_ONLY"
	// mapProbeWarmEnv, set to 1, loads the page a second time in the same
	// browser (HTTP cache and compiled shaders kept): a return visit.
	mapProbeWarmEnv = "MAILLAGE_MAP_PROBE_WARM"
)

// traceCategories are the trace categories of a probe load: the main
// thread's tasks and scripts, the GPU process (WebGL calls, shader
// compiles), network and page loading.
var traceCategories = []string{"devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "toplevel",
	"blink.user_timing", "loading", "navigation", "gpu", "gpu.service", "disabled-by-default-gpu.service", "webgl", "blink", "browser", "startup"}

// jsRenderProbe runs before the page's scripts: it times the shader
// compile and link calls (synchronous on the main thread), the first
// message of MapLibre's worker, the first frame and the first idle after
// the gap zones arrived.
const jsRenderProbe = `(() => {
  const p = window.__probe = { glMs: 0, programs: 0 };
  for (const C of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    for (const f of ['getShaderParameter', 'getProgramParameter', 'linkProgram', 'compileShader']) {
      const orig = C.prototype[f];
      C.prototype[f] = function () { const t0 = performance.now();
        try { return orig.apply(this, arguments); } finally { p.glMs += performance.now() - t0; if (f === 'linkProgram') p.programs++; } };
    }
  }
  const W = window.Worker; // when the main thread takes the first message of MapLibre's worker
  window.Worker = function (...args) { const w = new W(...args);
    w.addEventListener('message', () => { if (p.workerMs === undefined) p.workerMs = performance.now(); });
    return w; };
  window.Worker.prototype = W.prototype;
  let app;
  Object.defineProperty(window, 'maillage', { configurable: true, get() { return app; }, set(a) {
    app = a; p.appMs = performance.now();
    let map;
    Object.defineProperty(a, 'map', { configurable: true, enumerable: true, get() { return map; }, set(m) {
      map = m;
      m.once('render', () => { p.frameMs = performance.now(); });
      m.on('idle', () => { if (p.gapsMs === undefined && app.gaps) p.gapsMs = performance.now(); });
    } });
  } });
})();`

// probeVariants are app.js and two reductions of it that measure what the
// software rasteriser costs without the map's content: "empty" draws
// nothing (MapLibre, its worker, the WebGL context), "flat" the communes
// tiles in one flat fill. Neither asks the API anything. Two more,
// loaded only when MAILLAGE_MAP_PROBE_ONLY names them, change how long the
// map waits for MapLibre's worker: "nowait" not at all (as before issue
// 15), "answer" until the worker answers (up to a second).
func probeVariants(t *testing.T) map[string][]byte {
	t.Helper()
	js, err := web.File("app.js")
	if err != nil {
		t.Fatal(err)
	}
	reduce := func(keep, paint string) []byte {
		s := string(js)
		const start = "if (map.isStyleLoaded()) start(); else map.once('style.load', start);"
		if !strings.Contains(s, "function style() {") || !strings.Contains(s, start) {
			t.Fatal("app.js no longer has style() and start(): update probeVariants")
		}
		s = strings.Replace(s, "function style() {", "function style() { return reduced(style0()); }\n  function style0() {", 1)
		s = strings.Replace(s, start, "app.gaps = { features: [] };", 1)
		s = strings.Replace(s, "'use strict';", `'use strict';
function reduced(s) { // layers but `+keep+` never drawn (zoom 23), so their sources never load
  s.layers = s.layers.map((l) => ('`+keep+`'.split(',').includes(l.id) ? l : Object.assign({}, l, { minzoom: 23 })));
  `+paint+` return s; }`, 1)
		return []byte(s)
	}
	vs := map[string][]byte{
		"page":  js,
		"empty": reduce("", ""),
		"flat":  reduce("communes-fill", "s.layers.find((l) => l.id === 'communes-fill').paint = { 'fill-color': '#41b6c4', 'fill-antialias': false };"),
	}
	const wait = "await workerUp();"
	if !strings.Contains(string(js), wait) {
		t.Fatal("app.js no longer waits for workerUp(): update probeVariants")
	}
	if strings.Contains(os.Getenv(mapProbeOnlyEnv), "nowait") {
		vs["nowait"] = []byte(strings.Replace(string(js), wait, "maplibregl.prewarm();", 1))
	}
	if strings.Contains(os.Getenv(mapProbeOnlyEnv), "answer") {
		vs["answer"] = []byte(strings.Replace(string(js), "const WORKER_WAIT_MS = 50;", "const WORKER_WAIT_MS = 1000;", 1))
	}
	if p := os.Getenv(mapProbeOldEnv); p != "" {
		if vs["old"], err = os.ReadFile(p); err != nil {
			t.Fatal(err)
		}
	}
	return vs
}

// TestMapRenderBreakdown (MAILLAGE_MAP_PROBE=1) loads the national map in a
// fresh headless Chromium (software WebGL) several times, interleaving the
// variants of probeVariants so that they share the machine's load, and
// logs where the first render's time goes: app.js running (MapLibre
// parsed), MapLibre's first frame (WebGL context and first shaders), the
// first tile request (MapLibre asks for tiles from that frame on), the
// first idle, the gap zones drawn, and the main thread's time in shader
// compile and link calls. BENCHMARKS.md quotes it.
func TestMapRenderBreakdown(t *testing.T) {
	if os.Getenv(mapProbeEnv) != "1" {
		t.Skipf("set %s=1 to measure the map's first render (minutes of real Chromium)", mapProbeEnv)
	}
	exe := browserPath()
	if exe == "" {
		t.Skip("no Chromium found: install it (Debian: apt-get install -y chromium) or set MAILLAGE_BROWSER")
	}
	srv := api.New(apitest.Real(t).Registry(), api.Config{InsecureOpen: true, DataDir: apitest.TestData})
	if ws, err := srv.WarmMap(context.Background(), api.MapWarmZoom); err != nil || ws.Failed > 0 {
		t.Fatalf("warm the map's tiles: %+v, %v", ws, err)
	}
	variants := probeVariants(t)
	names := make([]string, 0, len(variants))
	only := strings.Split(os.Getenv(mapProbeOnlyEnv), ",")
	for n := range variants {
		if only[0] == "" || slices.Contains(only, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var mu sync.Mutex
	var firstTile time.Time
	var served string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/static/app.js" {
			mu.Lock()
			js := variants[served]
			mu.Unlock()
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			_, _ = w.Write(js)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/tiles/") {
			mu.Lock()
			if firstTile.IsZero() {
				firstTile = time.Now()
			}
			mu.Unlock()
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()
	reps, _ := strconv.Atoi(os.Getenv(mapProbeRepEnv))
	if reps <= 0 {
		reps = 3
	}
	firsts, warms := map[string][]float64{}, map[string][]float64{}
	for rep := range reps {
		for _, name := range names {
			mu.Lock()
			served, firstTile = name, time.Time{}
			mu.Unlock()
			load, _ := os.ReadFile("/proc/loadavg")
			trace := ""
			if dir := os.Getenv(mapProbeTraceEnv); dir != "" {
				trace = filepath.Join(dir, fmt.Sprintf("%s-%d.json", name, rep))
			}
			r, again := probeLoad(t, exe, ts.URL, trace, os.Getenv(mapProbeWarmEnv) == "1")
			mu.Lock()
			tileMS := 0.0
			if !firstTile.IsZero() {
				tileMS = float64(firstTile.UnixMicro())/1000 - r.Origin
			}
			mu.Unlock()
			firsts[name] = append(firsts[name], r.First)
			t.Logf("%-5s #%d: first idle %5.0f ms | app.js %4.0f, first worker message %5.0f, first frame %5.0f, first tile request %5.0f, gaps drawn %5.0f | %2d programs, %4.0f ms in shader calls | load %s",
				name, rep, r.First, r.Probe.AppMS, r.Probe.WorkerMS, r.Probe.FrameMS, tileMS, r.Probe.GapsMS, r.Probe.Programs, r.Probe.GLMS, strings.Join(strings.Fields(string(load))[:3], " "))
			if again != nil {
				warms[name] = append(warms[name], again.First)
				t.Logf("%-5s #%d: return visit: first idle %5.0f ms | first frame %5.0f | %4.0f ms in shader calls", name, rep, again.First, again.Probe.FrameMS, again.Probe.GLMS)
			}
		}
	}
	for _, name := range names {
		f := firsts[name]
		slices.Sort(f)
		t.Logf("%-5s first idle median %.0f ms (%v)", name, f[len(f)/2], f)
		if w := warms[name]; len(w) > 0 {
			slices.Sort(w)
			t.Logf("%-5s return visit median %.0f ms (%v)", name, w[len(w)/2], w)
		}
	}
}

// probeResult is one page load of TestMapRenderBreakdown (ms since
// navigation start; Origin is performance.timeOrigin, Unix ms).
type probeResult struct {
	Origin float64 `json:"origin"`
	First  float64 `json:"first"`
	Probe  struct {
		AppMS    float64 `json:"appMs"`
		WorkerMS float64 `json:"workerMs"`
		FrameMS  float64 `json:"frameMs"`
		GapsMS   float64 `json:"gapsMs"`
		GLMS     float64 `json:"glMs"`
		Programs int     `json:"programs"`
	} `json:"probe"`
}

// probeLoad opens url in a fresh browser profile and waits for the map's
// first idle and the gap zones; with trace set, it writes the load's
// DevTools trace there. With again, it opens url a second time in the same
// browser and returns that load too.
func probeLoad(t *testing.T, exe, url, trace string, again bool) (probeResult, *probeResult) {
	t.Helper()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browserOptions(exe, t.TempDir())...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelT()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: jsRenderProbe}); err != nil {
		t.Fatal(err)
	}
	var done chan *tracing.EventTracingComplete
	if trace != "" {
		done = make(chan *tracing.EventTracingComplete, 1)
		if err := chromedp.Listen(ctx, func(ev any) {
			if e, ok := ev.(*tracing.EventTracingComplete); ok {
				done <- e
			}
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, tracing.Start, tracing.StartParams{TransferMode: tracing.StartTransferModeReturnAsStream,
			TraceConfig: &tracing.TraceConfig{IncludedCategories: traceCategories}}); err != nil {
			t.Fatalf("start tracing: %v", err)
		}
	}
	r := probeOpen(t, ctx, url)
	if trace != "" {
		writeTrace(t, ctx, done, trace)
	}
	if !again {
		return r, nil
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	r2 := probeOpen(t, ctx, url)
	return r, &r2
}

// probeOpen opens the page at url in the tab of ctx and waits for the
// map's first idle and the gap zones.
func probeOpen(t *testing.T, ctx context.Context, url string) probeResult {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"/")); err != nil {
		t.Fatal(err)
	}
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](jsSettle, chromedp.EvalAwaitPromise)); err != nil || !ok {
		t.Fatalf("map not idle: %v", err)
	}
	const gaps = `(async () => { for (let i = 0; i < 400 && window.__probe.gapsMs === undefined; i++) await new Promise((r) => setTimeout(r, 50));
  return { origin: performance.timeOrigin, first: window.maillage.firstIdleMs, probe: window.__probe }; })()`
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](gaps, chromedp.EvalAwaitPromise))
	var r probeResult
	if err == nil {
		err = json.Unmarshal(raw, &r)
	}
	if err != nil {
		t.Fatalf("read the timings: %v", err)
	}
	return r
}

// writeTrace ends the trace started by probeLoad and writes it to path.
func writeTrace(t *testing.T, ctx context.Context, done <-chan *tracing.EventTracingComplete, path string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, tracing.End, cdp.Empty{}); err != nil {
		t.Fatalf("end tracing: %v", err)
	}
	var ev *tracing.EventTracingComplete
	select {
	case ev = <-done:
	case <-ctx.Done():
		t.Fatalf("trace not written: %v", ctx.Err())
	}
	var b bytes.Buffer
	for {
		r, err := chromedp.Call(ctx, cdpio.Read, cdpio.ReadParams{Handle: ev.Stream, Size: 1 << 20})
		if err != nil {
			t.Fatalf("read the trace: %v", err)
		}
		data := r.Data
		if r.Base64encoded {
			if data, err = base64.StdEncoding.DecodeString(string(r.Data)); err != nil {
				t.Fatalf("read the trace: %v", err)
			}
		}
		b.Write(data)
		if r.EOF {
			break
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("trace: %s (%d kB)", path, b.Len()>>10)
}
