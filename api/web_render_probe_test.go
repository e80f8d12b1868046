package api_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
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
	// mapProbeConfigsEnv lists the browser set-ups each variant is loaded
	// in: "soft" (the browser tests' flags: software compositing, WebGL on
	// SwiftShader; the default) and "gpucomp" (the page composited on
	// SwiftShader too, the tests' flags before issue 15's second round).
	mapProbeConfigsEnv = "MAILLAGE_MAP_PROBE_CONFIGS"
	// mapProbeServersEnv lists running servers to load the page from, as
	// name=URL pairs separated by commas (e.g.
	// main=http://127.0.0.1:8081,branch=http://127.0.0.1:8082): each is a
	// variant, its own page and tiles, loaded alternately with the others,
	// so that two builds of the server are compared in one run. No server
	// is built here then, and the page variants are not loaded.
	mapProbeServersEnv = "MAILLAGE_MAP_PROBE_SERVERS"
)

// probeServers reads MAILLAGE_MAP_PROBE_SERVERS: a reverse proxy per
// server name, nil when it is not set.
func probeServers(t *testing.T) map[string]http.Handler {
	t.Helper()
	env := os.Getenv(mapProbeServersEnv)
	if env == "" {
		return nil
	}
	out := map[string]http.Handler{}
	for _, pair := range strings.Split(env, ",") {
		name, raw, ok := strings.Cut(pair, "=")
		u, err := url.Parse(raw)
		if !ok || name == "" || err != nil || u.Host == "" {
			t.Fatalf("%s: %q is not name=http://host:port", mapProbeServersEnv, pair)
		}
		out[name] = httputil.NewSingleHostReverseProxy(u)
	}
	return out
}

// traceCategories are the trace categories of a probe load: the main
// thread's tasks and scripts, the GPU process (WebGL calls, shader
// compiles), network and page loading.
var traceCategories = []string{"devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "toplevel",
	"blink.user_timing", "loading", "navigation", "gpu", "gpu.service", "disabled-by-default-gpu.service", "webgl", "blink", "browser", "startup"}

// jsRenderProbe runs before the page's scripts: it times the shader
// compile and link calls (synchronous on the main thread), the first
// message of MapLibre's worker, the first frame, the first frame with every
// communes tile of the view drawn and the first idle after the gap zones
// arrived.
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
      // as app.js firstDrawMs, for an older app.js without it
      const drawn = (e) => { if (e.sourceId !== 'communes' || !e.tile || !m.isSourceLoaded('communes')) return;
        m.off('sourcedata', drawn); m.once('render', () => { p.drawMs = performance.now(); }); };
      m.on('sourcedata', drawn);
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
		if !strings.Contains(s, "function style() {") || !strings.Contains(s, start) || !strings.Contains(s, "function addOverlays() {") {
			t.Fatal("app.js no longer has style(), start() and addOverlays(): update probeVariants")
		}
		s = strings.Replace(s, "function style() {", "function style() { return reduced(style0()); }\n  function style0() {", 1)
		s = strings.Replace(s, start, "app.gaps = { features: [] };", 1)
		// nor the overlays added once the communes are drawn
		s = strings.Replace(s, "function addOverlays() {", "function addOverlays() { return;", 1)
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
// communes drawn (app.js firstDrawMs, the first render TestMapInBrowser
// checks), the first idle, the gap zones drawn, the main thread's time in
// shader compile and link calls, and the processor time of the browser's
// processes (less distorted by a loaded machine than the wall times).
// BENCHMARKS.md quotes it.
func TestMapRenderBreakdown(t *testing.T) {
	if os.Getenv(mapProbeEnv) != "1" {
		t.Skipf("set %s=1 to measure the map's first render (minutes of real Chromium)", mapProbeEnv)
	}
	exe := browserPath()
	if exe == "" {
		t.Skip("no Chromium found: install it (Debian: apt-get install -y chromium) or set MAILLAGE_BROWSER")
	}
	servers := probeServers(t)
	var handler http.Handler
	var variants map[string][]byte
	var names []string
	if servers == nil {
		srv := api.New(apitest.Real(t).Registry(), api.Config{InsecureOpen: true, DataDir: apitest.TestData})
		if ws, err := srv.WarmMap(context.Background(), api.MapWarmZoom); err != nil || ws.Failed > 0 {
			t.Fatalf("warm the map's tiles: %+v, %v", ws, err)
		}
		handler = srv.Handler()
		variants = probeVariants(t)
		only := strings.Split(os.Getenv(mapProbeOnlyEnv), ",")
		for n := range variants {
			if only[0] == "" || slices.Contains(only, n) {
				names = append(names, n)
			}
		}
	} else {
		for n := range servers {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var mu sync.Mutex
	var firstTile time.Time
	var served string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		name := served
		if strings.HasPrefix(r.URL.Path, "/tiles/") && firstTile.IsZero() {
			firstTile = time.Now()
		}
		mu.Unlock()
		if servers != nil {
			servers[name].ServeHTTP(w, r)
			return
		}
		if r.URL.Path == "/static/app.js" {
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			_, _ = w.Write(variants[name])
			return
		}
		handler.ServeHTTP(w, r)
	}))
	defer ts.Close()
	reps, _ := strconv.Atoi(os.Getenv(mapProbeRepEnv))
	if reps <= 0 {
		reps = 3
	}
	configs := strings.Split(cmp.Or(os.Getenv(mapProbeConfigsEnv), "soft"), ",")
	firsts, draws, cpus, warms := map[string][]float64{}, map[string][]float64{}, map[string][]float64{}, map[string][]float64{}
	var keys, shots []string
	for _, name := range names {
		if servers == nil {
			break
		}
		// one load each first, not counted: the servers gzip their files
		// and render the tiles of the view on their first requests
		mu.Lock()
		served = name
		mu.Unlock()
		r, _ := probeLoad(t, exe, ts.URL, "", "", false, false)
		t.Logf("%-12s warm-up load: communes drawn %5.0f ms", name, r.Draw)
	}
	for rep := range reps {
		for _, name := range names {
			for _, cfg := range configs {
				if cfg != "soft" && cfg != "gpucomp" {
					t.Fatalf("%s: unknown set-up %q (soft, gpucomp)", mapProbeConfigsEnv, cfg)
				}
				key := name
				if len(configs) > 1 {
					key += "/" + cfg
				}
				if rep == 0 {
					keys = append(keys, key)
				}
				mu.Lock()
				served, firstTile = name, time.Time{}
				mu.Unlock()
				load, _ := os.ReadFile("/proc/loadavg")
				trace := ""
				if dir := os.Getenv(mapProbeTraceEnv); dir != "" {
					trace = filepath.Join(dir, fmt.Sprintf("%s-%s-%d.json", name, cfg, rep))
				}
				shot := ""
				if dir := os.Getenv(mapProbeShotsEnv); dir != "" && rep == 0 {
					shot = filepath.Join(dir, key+".png")
					shots = append(shots, shot)
				}
				r, again := probeLoad(t, exe, ts.URL, trace, shot, cfg == "gpucomp", os.Getenv(mapProbeWarmEnv) == "1")
				mu.Lock()
				tileMS := 0.0
				if !firstTile.IsZero() {
					tileMS = float64(firstTile.UnixMicro())/1000 - r.Origin
				}
				mu.Unlock()
				firsts[key], draws[key], cpus[key] = append(firsts[key], math.Round(r.First)), append(draws[key], math.Round(r.Draw)), append(cpus[key], r.CPUS)
				t.Logf("%-12s #%d: communes drawn %5.0f ms, first idle %5.0f | app.js %4.0f, first worker message %5.0f, first frame %5.0f, first tile request %5.0f, gaps drawn %5.0f | %2d programs, %4.0f ms in shader calls | browser CPU %.2f s | load %s",
					key, rep, r.Draw, r.First, r.Probe.AppMS, r.Probe.WorkerMS, r.Probe.FrameMS, tileMS, r.Probe.GapsMS, r.Probe.Programs, r.Probe.GLMS, r.CPUS, strings.Join(strings.Fields(string(load))[:3], " "))
				if again != nil {
					warms[key] = append(warms[key], again.First)
					t.Logf("%-12s #%d: return visit: first idle %5.0f ms | first frame %5.0f | %4.0f ms in shader calls", key, rep, again.First, again.Probe.FrameMS, again.Probe.GLMS)
				}
			}
		}
	}
	compareShots(t, shots)
	median := func(x []float64) float64 { s := slices.Sorted(slices.Values(x)); return s[len(s)/2] }
	for _, key := range keys {
		t.Logf("%-12s medians: communes drawn %.0f ms %v, first idle %.0f ms %v, browser CPU %.2f s", key,
			median(draws[key]), draws[key], median(firsts[key]), firsts[key], median(cpus[key]))
		if w := warms[key]; len(w) > 0 {
			t.Logf("%-12s return visit median %.0f ms (%v)", key, median(w), w)
		}
	}
}

// probeResult is one page load of TestMapRenderBreakdown (ms since
// navigation start; Origin is performance.timeOrigin, Unix ms).
type probeResult struct {
	Origin float64 `json:"origin"`
	Draw   float64 `json:"-"` // every communes tile of the view drawn (as app.js firstDrawMs)
	First  float64 `json:"first"`
	CPUS   float64 `json:"-"` // processor time of the browser's processes during the load, s
	Probe  struct {
		AppMS    float64 `json:"appMs"`
		WorkerMS float64 `json:"workerMs"`
		DrawMS   float64 `json:"drawMs"`
		FrameMS  float64 `json:"frameMs"`
		GapsMS   float64 `json:"gapsMs"`
		GLMS     float64 `json:"glMs"`
		Programs int     `json:"programs"`
	} `json:"probe"`
}

// probeLoad opens url in a fresh browser profile and waits for the map's
// first idle and the gap zones; with trace set, it writes the load's
// DevTools trace there; with shot set, a PNG of the map once the gap
// zones are drawn. With gpuComp, the page is composited on SwiftShader
// (see browserOptions). With again, it opens url a second time in the same
// browser and returns that load too.
func probeLoad(t *testing.T, exe, url, trace, shot string, gpuComp, again bool) (probeResult, *probeResult) {
	t.Helper()
	opts := browserOptions(exe, t.TempDir())
	if gpuComp {
		opts = append(opts, chromedp.Flag("disable-gpu-compositing", false)) // false drops the flag
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
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
	var pid int
	if b := chromedp.FromContext(ctx).Browser; b != nil && b.Process() != nil {
		pid = b.Process().Pid
	}
	cpu0 := processTreeCPU(pid)
	r := probeOpen(t, ctx, url)
	r.CPUS = processTreeCPU(pid) - cpu0
	r.Draw = r.Probe.DrawMS // the same event as app.js firstDrawMs, for every variant
	if shot != "" {
		writeShot(t, ctx, shot)
	}
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

// processTreeCPU is the processor time (user + system, seconds) of process
// pid and its descendants, read from /proc; 0 where there is no /proc.
func processTreeCPU(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	children, ticks := map[int][]int{}, map[int]float64{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// fields after the command name, which may hold spaces: state ppid ... utime(12th) stime(13th)
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		u, _ := strconv.ParseFloat(f[11], 64)
		st, _ := strconv.ParseFloat(f[12], 64)
		children[ppid] = append(children[ppid], p)
		ticks[p] = u + st
	}
	total := 0.0
	stack := []int{pid}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		total += ticks[p]
		stack = append(stack, children[p]...)
	}
	return total / 100 // USER_HZ, 100 on Linux
}
