package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
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
)

// jsRenderProbe runs before the page's scripts: it times the shader
// compile and link calls (synchronous on the main thread), the first frame
// and the first idle after the gap zones arrived.
const jsRenderProbe = `(() => {
  const p = window.__probe = { glMs: 0, programs: 0 };
  for (const C of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    for (const f of ['getShaderParameter', 'getProgramParameter', 'linkProgram', 'compileShader']) {
      const orig = C.prototype[f];
      C.prototype[f] = function () { const t0 = performance.now();
        try { return orig.apply(this, arguments); } finally { p.glMs += performance.now() - t0; if (f === 'linkProgram') p.programs++; } };
    }
  }
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
// software rasteriser costs without the map's content: "empty" draws the
// background only (MapLibre, the WebGL context, one shader), "flat" the
// communes tiles in one flat fill. Neither asks the API anything.
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
		"empty": reduce("background", ""),
		"flat":  reduce("background,communes-fill", "s.layers[1].paint = { 'fill-color': '#41b6c4', 'fill-antialias': false };"),
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
	for n := range variants {
		names = append(names, n)
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
	reps = max(reps, 3)
	firsts := map[string][]float64{}
	for rep := range reps {
		for _, name := range names {
			mu.Lock()
			served, firstTile = name, time.Time{}
			mu.Unlock()
			load, _ := os.ReadFile("/proc/loadavg")
			r := probeLoad(t, exe, ts.URL)
			mu.Lock()
			tileMS := 0.0
			if !firstTile.IsZero() {
				tileMS = float64(firstTile.UnixMicro())/1000 - r.Origin
			}
			mu.Unlock()
			firsts[name] = append(firsts[name], r.First)
			t.Logf("%-5s #%d: first idle %5.0f ms | app.js %4.0f, first frame %5.0f, first tile request %5.0f, gaps drawn %5.0f | %2d programs, %4.0f ms in shader calls | load %s",
				name, rep, r.First, r.Probe.AppMS, r.Probe.FrameMS, tileMS, r.Probe.GapsMS, r.Probe.Programs, r.Probe.GLMS, strings.Join(strings.Fields(string(load))[:3], " "))
		}
	}
	for _, name := range names {
		f := firsts[name]
		slices.Sort(f)
		t.Logf("%-5s first idle median %.0f ms (%v)", name, f[len(f)/2], f)
	}
}

// probeResult is one page load of TestMapRenderBreakdown (ms since
// navigation start; Origin is performance.timeOrigin, Unix ms).
type probeResult struct {
	Origin float64 `json:"origin"`
	First  float64 `json:"first"`
	Probe  struct {
		AppMS    float64 `json:"appMs"`
		FrameMS  float64 `json:"frameMs"`
		GapsMS   float64 `json:"gapsMs"`
		GLMS     float64 `json:"glMs"`
		Programs int     `json:"programs"`
	} `json:"probe"`
}

// probeLoad opens url in a fresh browser profile and waits for the map's
// first idle and the gap zones.
func probeLoad(t *testing.T, exe, url string) probeResult {
	t.Helper()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("use-angle", "swiftshader"), chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-extensions", true),
		chromedp.Flag("force-color-profile", "srgb"), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800))
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
