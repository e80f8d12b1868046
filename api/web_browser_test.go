package api_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/matching/registry"

	"github.com/maillage/maillage/data/boltstore"
)

// writeScreenshotEnv, set to 1, makes TestMapInBrowser write the page's
// screenshot to docs/map.png (the README's picture).
const writeScreenshotEnv = "MAILLAGE_WRITE_SCREENSHOT"

// Targets of the built-in map (issue 10), checked by TestMapInBrowser.
const (
	// metropolitan France, navigation start to the first frame drawn with
	// every communes tile of the view (app.js firstDrawMs); the first idle
	// (every layer's tiles and the API's gap zones drawn) is logged beside
	maxFirstRenderMS = 2000
	maxTileMS        = 20 // every vector tile the page requests, server side
)

// TestMapInBrowser drives the page at / in headless Chromium over the real
// data: the person's path of the README (Creuse, its gaps, a proposal in the
// largest one), the slider, a commune's panel, La Réunion, and the timings.
func TestMapInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	exe := browserPath()
	if exe == "" {
		t.Skip("no Chromium found: install it (Debian: apt-get install -y chromium) or set MAILLAGE_BROWSER")
	}
	base := apitest.Real(t)
	// Proposals are a protected route: the page runs here as an open server
	// does, over a registry of its own with a store, so that the layer it
	// uploads stays out of the other tests' server.
	store, err := boltstore.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv := api.New(registry.New(store, base.Registry().Engine()), api.Config{InsecureOpen: true, DataDir: apitest.TestData})
	// A layer uploaded before the page opens: its checkbox comes from the
	// layer list (step 6b), its sites from the tiles.
	upIDs, upCSV := uploadedCreuseSites(t, base)
	if rec := postLayer(t, srv, map[string]string{"name": uploadedLayer, "title": "Maisons de test", "vintage": "2026-01"}, "maisons.csv", upCSV); rec.Code != http.StatusCreated {
		t.Fatalf("upload a layer: status %d: %s", rec.Code, rec.Body)
	}
	tiles := &requestTimings{prefix: "/tiles/"}
	warmZoom := api.MapWarmZoom
	ws, err := srv.WarmMap(context.Background(), warmZoom)
	if err != nil || ws.Failed > 0 {
		t.Fatalf("warm the map's tiles: %+v, %v", ws, err)
	}
	t.Logf("warm-up (as maillage serve does at start): %d tiles up to zoom %d in %v", ws.Tiles, warmZoom, ws.Duration.Round(time.Millisecond))
	ts := httptest.NewServer(tiles.wrap(srv.Handler()))
	defer ts.Close()

	pg := newBrowserPage(t, exe)
	ctx, blog := pg.ctx, pg.log
	run, settle, eval, waitFor := pg.run, pg.settle, pg.eval, pg.waitFor

	// 1. Metropolitan France, first render.
	run("open /", chromedp.Steps(chromedp.EmulateViewport(1280, 800), chromedp.Navigate(ts.URL+"/")))
	settle("first render")
	var first struct {
		FirstDrawMS float64 `json:"first_draw_ms"`
		FirstIdleMS float64 `json:"first_idle_ms"`
		ScriptMS    float64 `json:"script_ms"`
		LoadMS      float64 `json:"load_ms"`
	}
	eval("first idle", `({ first_draw_ms: window.maillage.firstDrawMs, first_idle_ms: window.maillage.firstIdleMs,
  script_ms: window.maillage.scriptMs, load_ms: window.maillage.loadMs })`, &first)
	var codes []string
	eval("communes rendered", jsCommunes, &codes)
	t.Logf("first render of metropolitan France: the communes drawn %.0f ms after navigation start, first idle at %.0f ms (app.js at %.0f ms, map load at %.0f ms), %d communes rendered",
		first.FirstDrawMS, first.FirstIdleMS, first.ScriptMS, first.LoadMS, len(codes))
	if first.FirstDrawMS <= 0 || first.FirstIdleMS < first.FirstDrawMS {
		t.Errorf("first render not measured: communes drawn at %v ms, first idle at %v ms", first.FirstDrawMS, first.FirstIdleMS)
	}
	checkTiming(t, "first render of metropolitan France (communes drawn)", first.FirstDrawMS, maxFirstRenderMS)
	if len(codes) <= 1000 {
		t.Errorf("%d communes rendered, want > 1000", len(codes))
	}
	shareFrance := textOf(t, ctx, "#stat-share")
	if !strings.Contains(shareFrance, "%") {
		t.Errorf("national coverage %q, want a percentage", shareFrance)
	}

	// 1b. The national view shows the gaps: the headline states the API's
	// figures, the gap zones are drawn in their colour, the URL holds the view.
	var nat struct {
		Headline string `json:"headline"`
		Zones    int    `json:"zones"`
		Out      int    `json:"out"`
		Hash     string `json:"hash"`
	}
	waitFor("headline", `document.querySelector('#headline').textContent.includes('zones blanches')`)
	eval("national headline", `fetch('/v1/coverage?max_minutes=30').then((r) => r.json()).then((cv) => ({
  headline: document.querySelector('#headline').textContent.replace(/[\s\u202f\u00a0]+/g, ' '),
  zones: cv.gap_zones, out: cv.summary.uncovered_population, hash: location.hash }))`, &nat)
	t.Logf("national headline: %q (hash %s)", nat.Headline, nat.Hash)
	if wantOut := strings.ReplaceAll(frenchInt(nat.Out), "\u202f", " ") + " hab."; !strings.Contains(nat.Headline, "à moins de 30 min") ||
		!strings.Contains(nat.Headline, fmt.Sprintf("%d zones blanches", nat.Zones)) || !strings.HasSuffix(nat.Headline, wantOut) {
		t.Errorf("national headline %q, want the API's %d zones and %s", nat.Headline, nat.Zones, wantOut)
	}
	if nat.Hash != "#metropole/30min" {
		t.Errorf("URL hash %q, want #metropole/30min", nat.Hash)
	}
	waitFor("gap zones drawn", `window.maillage.gaps && window.maillage.gaps.features.length > 0`)
	settle("gap zones drawn")
	nationalPNG, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("national screenshot: %v", err)
	}
	var rects struct {
		Map  screenRect   `json:"Map"`
		Over []screenRect `json:"Over"`
	}
	eval("map rectangles", jsMapRects, &rects)
	if n, err := colourPixels(nationalPNG, gapRGB, 40, rects.Map, rects.Over); err != nil || n < 50 {
		t.Errorf("national view: %d pixels of the gap colour (err %v), want the gap zones visible (≥ 50)", n, err)
	} else {
		t.Logf("national view: %d pixels of the gap colour", n)
	}

	// 1c. Colour the communes by capacity against need (2SFCA, issue 19):
	// the French legend replaces the travel-time one, and the rendered
	// communes carry the ratio the colours are read from.
	run("colour by access", chromedp.Click(chromedp.CSS(`input[name="colouring"][value="access"]`)))
	settle("access colouring")
	var acc struct {
		Mode       string    `json:"mode"`
		Legend     []string  `json:"legend"`
		OldHidden  bool      `json:"old_hidden"`
		Ratios     []float64 `json:"ratios"`
		PaintsFrom bool      `json:"paints_from"`
	}
	eval("access colouring", `(() => { const m = window.maillage.map;
  const fs = m.queryRenderedFeatures({ layers: ['communes-fill'] });
  const el = document.querySelector('#legend-access');
  return { mode: window.maillage.state.colouring, old_hidden: document.querySelector('#legend-classes').hidden,
    legend: el.hidden ? [] : [...el.querySelectorAll('li')].map((li) => li.textContent.trim()),
    ratios: fs.map((f) => f.properties.access_ratio).filter((r) => typeof r === 'number').slice(0, 5000),
    paints_from: JSON.stringify(m.getPaintProperty('communes-fill', 'fill-color')).includes('access_ratio') }; })()`, &acc)
	if acc.Mode != "access" || !acc.OldHidden || !acc.PaintsFrom || len(acc.Legend) != 7 ||
		!strings.Contains(acc.Legend[0], "10 000 personnes en difficulté") || !strings.Contains(acc.Legend[1], "moins d\u2019un quart") {
		t.Errorf("access colouring: mode %q, travel legend hidden %v, paint from access_ratio %v, legend %q", acc.Mode, acc.OldHidden, acc.PaintsFrom, acc.Legend)
	}
	below, above := 0, 0
	for _, r := range acc.Ratios {
		if r < 1 {
			below++
		} else {
			above++
		}
	}
	t.Logf("access colouring: %d rendered communes with a ratio, %d below the national level, %d at or above; legend %q", len(acc.Ratios), below, above, acc.Legend)
	if len(acc.Ratios) < 1000 || below == 0 || above == 0 {
		t.Errorf("access colouring: %d communes with access_ratio (%d below 1, %d above), want > 1000 on both sides", len(acc.Ratios), below, above)
	}
	run("colour by minutes", chromedp.Click(chromedp.CSS(`input[name="colouring"][value="minutes"]`)))
	settle("minutes colouring")

	// 2. Pick Creuse: zoom, table, gap zones and rural mairies.
	run("pick Creuse", chromedp.Steps(chromedp.SetValue(chromedp.CSS("#departement"), "23"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#departement').dispatchEvent(new Event('change', { bubbles: true }))`)))
	settle("Creuse")
	if got := textOf(t, ctx, "#stat-scope"); !strings.Contains(got, "Creuse") {
		t.Errorf("scope %q, want Creuse", got)
	}
	// The list names départements by /v1/coverage/departements' "nom".
	if got := textOf(t, ctx, `#departement option[value="23"]`); got != "23 – Creuse" {
		t.Errorf("département option %q, want %q", got, "23 – Creuse")
	}
	share30 := textOf(t, ctx, "#stat-share")

	// 3. The slider: 30 → 15 min with the keyboard changes the coverage %.
	run("slider", chromedp.Steps(chromedp.Focus(chromedp.CSS("#minutes")),
		chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft)))
	waitFor("slider at 15", `window.maillage.state.minutes === 15`)
	settle("slider")
	waitFor("coverage updated", fmt.Sprintf(`%s !== %q`, jsText("#stat-share"), share30))
	settle("coverage updated")
	share15 := textOf(t, ctx, "#stat-share")
	t.Logf("Creuse coverage: %s at 30 min, %s at 15 min", share30, share15)
	var hash string
	eval("hash in Creuse", `location.hash`, &hash)
	if hash != "#23/15min" {
		t.Errorf("URL hash in Creuse at 15 min: %q, want #23/15min", hash)
	}
	if share15 == share30 {
		t.Errorf("coverage %% did not change with the slider: %s", share15)
	}
	var gaps struct {
		Rows    int        `json:"rows"`
		Mairies int        `json:"mairies"`
		Largest [2]float64 `json:"largest"`
		Pop     int        `json:"pop"`
	}
	eval("Creuse tables", `(() => { const g = window.maillage.gaps.features; return {
  rows: document.querySelectorAll('#gaps-table tbody tr[data-gap]').length,
  mairies: window.maillage.mairies.items.length,
  largest: g.length ? g[0].properties.centroid : [0, 0], pop: g.length ? g[0].properties.population : 0 }; })()`, &gaps)
	if gaps.Rows == 0 || gaps.Mairies == 0 {
		t.Fatalf("Creuse at 15 min: %d gap rows, %d rural mairies shown, want both > 0", gaps.Rows, gaps.Mairies)
	}
	t.Logf("Creuse at 15 min: %d gap zones listed (largest %d inhabitants), %d rural mairies in gaps", gaps.Rows, gaps.Pop, gaps.Mairies)

	// 4. Click a known commune: Guéret.
	com, ok := base.Registry().Engine().Territory().Commune("23096")
	if !ok {
		t.Fatal("commune 23096 (Guéret) not in the territory")
	}
	var at screenXY
	eval("project Guéret", jsProject(com.Rep[0], com.Rep[1]), &at)
	run("click Guéret", chromedp.MouseClickXY(at.X, at.Y))
	waitFor("commune panel", fmt.Sprintf(`%s === %q`, jsText("#commune h3"), com.Name))
	var shown struct{ Code, Population, Fragility, ZRR string }
	eval("commune panel", `(() => { const dd = (k) => { const dt = [...document.querySelectorAll('#commune dt')].find((d) => d.textContent === k);
  return dt ? dt.nextElementSibling.textContent.replace(/[\s\u202f\u00a0]+/g, ' ') : ''; };
  return { Code: dd('Code INSEE'), Population: dd('Population'), Fragility: dd('Indice de fragilité numérique'),
    ZRR: dd('Zone de revitalisation rurale') }; })()`, &shown)
	if want := strings.ReplaceAll(frenchInt(com.Population), "\u202f", " ") + " hab."; shown.Code != com.Code || shown.Population != want {
		t.Errorf("commune panel shows code %q population %q, want %q and %q", shown.Code, shown.Population, com.Code, want)
	}
	settle("commune outlined")
	var outlined []string
	eval("selected commune", `window.maillage.map.queryRenderedFeatures({ layers: ['communes-selected'] }).map((f) => String(f.properties.code))`, &outlined)
	if len(outlined) == 0 || slices.IndexFunc(outlined, func(c string) bool { return c != com.Code }) >= 0 {
		t.Errorf("outlined communes %v, want %s", outlined, com.Code)
	}
	ind := base.Registry().Engine().Indicator(com.Code)
	wantFrag, wantZRR := "non renseigné", map[string]string{"C": "classée", "P": "partiellement classée", "NC": "non classée"}[ind.ZRR]
	if ind.Fragility != nil {
		wantFrag = strings.ReplaceAll(strconv.FormatFloat(math.Round(ind.Fragility.Total*10)/10, 'f', -1, 64), ".", ",") + " / 10"
	}
	if wantZRR == "" {
		wantZRR = "non renseigné"
	}
	if shown.Fragility != wantFrag || shown.ZRR != wantZRR {
		t.Errorf("commune panel shows fragility %q and ZRR %q, want %q and %q", shown.Fragility, shown.ZRR, wantFrag, wantZRR)
	}

	// 5. Propose a site at the centroid of Creuse's largest gap.
	run("proposer un site", chromedp.Click(chromedp.CSS("#propose")))
	eval("project gap", jsProject(gaps.Largest[0], gaps.Largest[1]), &at)
	run("place proposal", chromedp.MouseClickXY(at.X, at.Y))
	waitFor("verdict", `document.querySelector('#verdict').dataset.label`)
	settle("verdict")
	var verdict struct {
		Label  string `json:"label"`
		Text   string `json:"text"`
		Gained int    `json:"gained"`
	}
	eval("verdict", fmt.Sprintf(`({ label: document.querySelector('#verdict').dataset.label, text: %s,
  gained: window.maillage.verdict.gain_population })`, jsText("#verdict")), &verdict)
	t.Logf("proposal at the largest gap's centroid %v: %s", gaps.Largest, verdict.Text)
	if !slices.Contains([]string{"fills_gap", "extends", "redundant"}, verdict.Label) || !strings.Contains(verdict.Text, "Population gagnée") {
		t.Errorf("verdict %q (%q), want a label and the population gained", verdict.Label, verdict.Text)
	}
	if verdict.Gained <= 0 {
		t.Errorf("a site in the largest gap gains %d inhabitants, want > 0", verdict.Gained)
	}
	run("leave proposal mode", chromedp.Click(chromedp.CSS("#propose")))
	settle("before screenshot")
	shotPNG, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	// The tracked docs/map.png is rewritten only on demand, so that go test
	// leaves the tree clean; otherwise the shot goes to the temp folder.
	shot := filepath.Join(t.TempDir(), "map.png")
	if os.Getenv(writeScreenshotEnv) == "1" {
		shot = filepath.Join("..", "docs", "map.png")
	}
	if len(shotPNG) > 450<<10 { // docs/map.png stays small
		if shotPNG, err = paletted(shotPNG); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
	}
	if err := os.WriteFile(shot, shotPNG, 0o644); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	t.Logf("screenshot %s (%d KB; %s=1 writes docs/map.png)", shot, len(shotPNG)/1024, writeScreenshotEnv)

	// 6. The k recommended sites, the rural mairies' CSV, and a second layer.
	run("k = 3", chromedp.Evaluate[chromedp.Void](`document.querySelector('#k').value = '3'`))
	run("recommend", chromedp.Click(chromedp.CSS("#recommend")))
	waitFor("recommended sites", `document.querySelectorAll('.marker-reco').length === 3 && document.querySelectorAll('#recos li').length === 3`)
	var csvHead string
	eval("mairies CSV", `fetch(document.querySelector('#mairies-csv').href).then(async (r) =>
  r.headers.get('content-type') + '|' + (await r.text()).split('\n')[0])`, &csvHead)
	if !strings.HasPrefix(csvHead, "text/csv") || !strings.Contains(csvHead, "|code,nom,") {
		t.Errorf("rural mairies CSV link gives %q, want a CSV with a code,nom,... header", csvHead)
	}
	run("count advisors' places", chromedp.Click(chromedp.CSS(`input[name="layer"][value="cnfs-permanences"]`)))
	waitFor("coverage with advisors' places", fmt.Sprintf(`%s !== %q`, jsText("#stat-share"), share15))
	settle("coverage with advisors' places")
	var stateM float64
	eval("commune colour with advisors' places", `window.maillage.map.getFeatureState({ source: 'communes', sourceLayer: 'communes', id: '23096' }).mean_m`, &stateM)
	if stateM <= 0 {
		t.Errorf("Guéret's distance with advisors' places = %v, want the coverage CSV's value as feature state", stateM)
	}
	shareBoth := textOf(t, ctx, "#stat-share")
	t.Logf("Creuse at 15 min: %s with France Services, %s with advisors' places too", share15, shareBoth)

	// 6b. The layer checkboxes are the service layers of GET /v1/layers,
	// declared and uploaded, with their title and vintage; ticking the
	// uploaded one draws its sites.
	var services struct {
		Items []layerEntry `json:"items"`
	}
	if code := apitest.Get(t, srv, "/v1/layers?kind=service", &services); code != http.StatusOK {
		t.Fatalf("service layers: status %d", code)
	}
	var wantChecks []string
	for _, l := range services.Items {
		if l.Name != "sites" {
			wantChecks = append(wantChecks, l.Name)
		}
	}
	var checks struct {
		Values []string `json:"values"`
		Label  string   `json:"label"`
		Drawn  int      `json:"drawn"`
	}
	jsUploaded := fmt.Sprintf(`window.maillage.map.queryRenderedFeatures({ layers: ['sites-x-%s'] })`, uploadedLayer)
	eval("layer checkboxes", fmt.Sprintf(`(() => { const cbs = [...document.querySelectorAll('input[name="layer"]')];
  const cb = cbs.find((c) => c.value === %q);
  return { values: cbs.map((c) => c.value), label: cb ? cb.parentElement.textContent.trim() : '', drawn: %s.length }; })()`, uploadedLayer, jsUploaded), &checks)
	t.Logf("layer checkboxes %v; the uploaded one reads %q", checks.Values, checks.Label)
	if len(checks.Values) == 0 || checks.Values[0] != "france-services" || !slices.Equal(slices.Sorted(slices.Values(checks.Values)), slices.Sorted(slices.Values(wantChecks))) || checks.Label != "Maisons de test (2026-01)" || checks.Drawn != 0 {
		t.Fatalf("layer checkboxes %v (uploaded one %q, %d of its sites drawn before ticking it), want france-services first, then the others of %v, and \"Maisons de test (2026-01)\", none drawn",
			checks.Values, checks.Label, checks.Drawn, wantChecks)
	}
	run("tick the uploaded layer", chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name="layer"][value=%q]`, uploadedLayer))))
	waitFor("uploaded sites drawn", jsUploaded+".length > 0")
	settle("uploaded sites drawn")
	var drawn []string
	eval("uploaded sites", jsUploaded+".map((f) => f.properties.id)", &drawn)
	eval("hash with the uploaded layer", `location.hash`, &hash)
	t.Logf("uploaded layer ticked: %d of its %d sites drawn (%v), hash %s", len(drawn), len(upIDs), drawn, hash)
	if len(drawn) == 0 || slices.IndexFunc(drawn, func(id string) bool { return !slices.Contains(upIDs, id) }) >= 0 ||
		!strings.Contains(hash, uploadedLayer) {
		t.Errorf("drawn sites %v, want some of %v; hash %s, want the layer named", drawn, upIDs, hash)
	}

	// 7. La Réunion: nothing of Creuse stays (its commune card, the
	// proposal and its verdict, the recommendations).
	run("La Réunion", chromedp.Click(chromedp.CSS(`#territories button[data-territory="974"]`)))
	settle("La Réunion")
	var foreign []string
	eval("cards after the switch", `[...document.querySelectorAll('#cards .card')].filter((c) => !c.hidden).map((c) => c.id)
  .concat([...document.querySelectorAll('.marker-prop, .marker-reco')].map((m) => m.className))`, &foreign)
	if len(foreign) > 0 {
		t.Errorf("after switching from Creuse to La Réunion, still shown: %v", foreign)
	}
	eval("Réunion communes", jsCommunes, &codes)
	n974 := 0
	for _, c := range codes {
		if strings.HasPrefix(c, "974") {
			n974++
		}
	}
	if n974 < 20 || n974 != len(codes) {
		t.Errorf("La Réunion shows %d communes of which %d in 974 (%v), want its 24", len(codes), n974, codes)
	}

	// 7b. A link restores the view: Creuse at 15 minutes with Guéret's card.
	run("open a link", chromedp.Navigate(ts.URL+"/#23/15min/c23096"))
	settle("restored view")
	waitFor("restored commune card", fmt.Sprintf(`%s === %q`, jsText("#commune h3"), com.Name))
	var restored struct {
		Dep     string `json:"dep"`
		Minutes int    `json:"minutes"`
		Scope   string `json:"scope"`
		Slider  string `json:"slider"`
	}
	waitFor("restored scope", `document.querySelector('#stat-scope').textContent.includes('Creuse')`)
	eval("restored view", `({ dep: window.maillage.state.departement, minutes: window.maillage.state.minutes,
  scope: document.querySelector('#stat-scope').textContent, slider: document.querySelector('#minutes').value })`, &restored)
	if restored.Dep != "23" || restored.Minutes != 15 || restored.Slider != "15" {
		t.Errorf("link #23/15min/c23096 restored %+v, want Creuse at 15 min", restored)
	}

	// 8. Tiles and console.
	n, p50, worst, slowest := tiles.stats()
	t.Logf("tiles served: %d, median %.2f ms, max %.2f ms (%s)", n, p50, worst, slowest)
	if n == 0 {
		t.Error("the page requested no vector tile")
	}
	if slow := tiles.over(maxTileMS); len(slow) > 0 {
		t.Logf("tiles over %d ms: %d of %d: %s", maxTileMS, len(slow), n, strings.Join(slow, ", "))
	}
	checkTiming(t, "slowest tile "+slowest, worst, maxTileMS)
	if errs := blog.all(); len(errs) > 0 {
		t.Errorf("browser errors:\n%s", strings.Join(errs, "\n"))
	}
}
