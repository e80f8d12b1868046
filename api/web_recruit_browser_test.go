package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/matching/recruit"
)

// avisRGB are the colours of the prefect's opinions on the map (AVIS of
// recruit.js); "" is a structure without opinion.
var avisRGB = map[string][3]uint8{
	recruit.Favorable:   {0x11, 0x77, 0x33},
	recruit.Reserve:     {0xdd, 0xcc, 0x77},
	recruit.Defavorable: {0x88, 0x22, 0x55},
	"":                  {0x7f, 0x7f, 0x7f},
}

// recruitPanelState gives the Creuse (23) of f a recruitment under way:
// pairs of the match recruited, and an opinion cycling through favorable,
// reserve, defavorable and none over its structures. It returns how many
// of each opinion it gave.
func recruitPanelState(t *testing.T, f *recruitFixture) map[string]int {
	t.Helper()
	recruited := 0
	for _, a := range f.assignments(t, f.match) {
		if f.depOf(a.Structure) != "23" || recruited == 12 {
			continue
		}
		url := "/v1/recruitments/" + a.Structure + "/" + a.Candidate
		for _, st := range []string{"interessee", "recrutee"} {
			if code := f.call(t, f.national, "PATCH", url, `{"status":"`+st+`","match":"`+f.match+`"}`, nil); code != http.StatusOK {
				t.Fatalf("PATCH %s %s: %d", url, st, code)
			}
		}
		recruited++
	}
	given := map[string]int{}
	n := 0
	for _, s := range f.structs {
		if s.Departement != "23" {
			continue
		}
		avis := []string{recruit.Favorable, recruit.Reserve, recruit.Defavorable, ""}[n%4]
		n++
		given[avis]++
		if avis == "" {
			continue
		}
		body := fmt.Sprintf(`{"avis":%q,"structures":%q}`, avis, f.accessFixture.structs)
		if code := f.call(t, f.national, "PUT", "/v1/recruitments/opinions/"+s.ID, body, nil); code != http.StatusOK {
			t.Fatalf("PUT opinion on %s: %d", s.ID, code)
		}
	}
	if recruited == 0 || n < 8 {
		t.Fatalf("the Creuse has %d structures and %d recruitable pairs", n, recruited)
	}
	return given
}

// TestRecruitmentPanelInBrowser drives the map's recruitment panel in
// headless Chromium with a synthetic recruitment of the Creuse: the token
// asked for and kept out of the URL, the panel's figures equal to the
// dashboard's, and the structures drawn in the colour of their opinion
// with their filled posts.
func TestRecruitmentPanelInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	exe := browserPath()
	if exe == "" {
		t.Skip("no Chromium found: install it (Debian: apt-get install -y chromium) or set MAILLAGE_BROWSER")
	}
	f := newRecruitFixture(t)
	// The map's boundaries need the data folder; the recruitment is read
	// again from the fixture's store.
	f.srv = api.New(f.srv.Registry(), api.Config{Tokens: f.srv.Cfg().Tokens, DataDir: apitest.TestData})
	if ws, err := f.srv.WarmMap(context.Background(), api.MapWarmZoom); err != nil || ws.Failed > 0 {
		t.Fatalf("warm the map's tiles: %+v, %v", ws, err)
	}
	given := recruitPanelState(t, f)
	ts := httptest.NewServer(f.srv.Handler())
	t.Cleanup(ts.Close) // after the browser's failure report
	pg := newBrowserPage(t, exe)

	// 1. The link opens the Creuse with the panel; the server wants a token.
	pg.run("open the panel", chromedp.Steps(chromedp.EmulateViewport(1280, 800), chromedp.Navigate(ts.URL+"/#23/30min/recrutement")))
	const tokenShown = `document.querySelector('#recruit-token').offsetParent !== null`
	pg.waitFor("token asked", tokenShown+` && document.querySelector('#recruit').open`)
	pg.run("type the Creuse's token", chromedp.Steps(chromedp.SendKeys(chromedp.CSS("#recruit-token-input"), f.scoped),
		chromedp.Click(chromedp.CSS(`#recruit-token button[type="submit"]`))))
	pg.waitFor("panel filled", `window.maillage.recruit.data && window.maillage.recruit.data.features > 0`)
	pg.run("show the figures", chromedp.Evaluate[chromedp.Void](`document.querySelector('#recruit').scrollIntoView()`))
	pg.settle("structures drawn")
	var page struct {
		TokenShown bool                         `json:"token_shown"`
		Hash       string                       `json:"hash"`
		Stored     bool                         `json:"stored"`
		Data       map[string]any               `json:"data"`
		Cells      map[string]map[string]string `json:"cells"`
		Legend     string                       `json:"legend"`
		Count      string                       `json:"count"`
	}
	pg.eval("panel", fmt.Sprintf(`(() => { const norm = (s) => s.replace(/[\s\u202f\u00a0]+/g, ' ').trim(); const cells = {};
  for (const tr of document.querySelectorAll('#recruit-table tbody tr')) {
    cells[tr.dataset.phase] = {};
    for (const td of tr.querySelectorAll('td[data-k]')) cells[tr.dataset.phase][td.dataset.k] = norm(td.textContent);
  }
  const lg = document.querySelector('#legend-recruit');
  return { token_shown: `+tokenShown+`, hash: location.hash, stored: sessionStorage.getItem('maillage.token') === %q, data: window.maillage.recruit.data, cells,
    legend: lg.hidden ? '' : norm(lg.textContent), count: norm(document.querySelector('#recruit-structures').textContent) }; })()`, f.scoped), &page)
	if page.Hash != "#23/30min/recrutement" || strings.Contains(page.Hash, f.scoped) || !page.Stored {
		t.Errorf("hash %q, token kept for the tab %v: want #23/30min/recrutement and the token in sessionStorage only", page.Hash, page.Stored)
	}
	if page.TokenShown {
		t.Error("the token form is still shown once the token is taken")
	}
	if page.Data["candidates"] != f.accessFixture.cands || page.Data["structures"] != f.accessFixture.structs {
		t.Errorf("panel reads datasets %v, want %s and %s", page.Data, f.accessFixture.cands, f.accessFixture.structs)
	}
	for _, w := range []string{"avis du préfet", "favorable", "réservé", "défavorable", "sans avis", "tous pourvus"} {
		if !strings.Contains(page.Legend, w) {
			t.Errorf("legend %q lacks %q", page.Legend, w)
		}
	}

	// 2. The panel's figures are the dashboard's, for the département and
	// each phase.
	var dash struct {
		Departements []recruit.DashboardRow `json:"departements"`
	}
	q := "?candidates=" + f.accessFixture.cands + "&structures=" + f.accessFixture.structs + "&departement=23"
	if code := f.call(t, f.scoped, "GET", "/v1/recruitments/dashboard"+q, "", &dash); code != http.StatusOK || len(dash.Departements) != 1 {
		t.Fatalf("dashboard: %d %+v", code, dash)
	}
	row := dash.Departements[0]
	if row.PostsFilled == 0 || row.PostsFavorable == 0 || row.CandidatesAvailableInReach == 0 {
		t.Fatalf("the synthetic recruitment is too thin to test: %+v", row.Figures)
	}
	want := map[string]recruit.Figures{"all": row.Figures}
	for _, p := range row.ByPhase {
		want[fmt.Sprint(p.Phase)] = p.Figures
	}
	if len(page.Cells) != len(want) {
		t.Errorf("panel rows %v, want the phases of %+v", page.Cells, row)
	}
	for phase, fig := range want {
		for k, v := range map[string]int{"posts_requested": fig.PostsRequested, "posts_favorable": fig.PostsFavorable,
			"posts_filled": fig.PostsFilled, "candidates_available_in_reach": fig.CandidatesAvailableInReach} {
			if got, w := page.Cells[phase][k], strings.ReplaceAll(frenchInt(v), "\u202f", " "); got != w {
				t.Errorf("panel %s %s = %q, want the API's %s", phase, k, got, w)
			}
		}
	}
	t.Logf("panel of the Creuse: %v; %s", page.Cells, page.Count)

	// 3. Every structure drawn has the colour of its opinion (as MapLibre
	// evaluates it), its filled share as the API says, and the counts by
	// opinion are the ones given.
	var fc struct {
		Features []struct {
			ID         string                 `json:"id"`
			Properties recruit.StructureState `json:"properties"`
		} `json:"features"`
	}
	if code := f.call(t, f.scoped, "GET", "/v1/recruitments/structures?structures="+f.accessFixture.structs+"&departement=23", "", &fc); code != http.StatusOK {
		t.Fatalf("structures: %d", code)
	}
	api := map[string]recruit.StructureState{}
	for _, ft := range fc.Features {
		api[ft.ID] = ft.Properties
	}
	_, list, _ := strings.Cut(page.Count, " — ")
	parts := strings.Split(list, ", ")
	for avis, n := range given {
		label := map[string]string{recruit.Favorable: "favorable", recruit.Reserve: "réservé", recruit.Defavorable: "défavorable", "": "sans avis"}[avis]
		if !slices.Contains(parts, fmt.Sprintf("%s : %d", label, n)) {
			t.Errorf("structures count %q, want %d %s", page.Count, n, label)
		}
	}
	type drawn struct {
		ID    string     `json:"id"`
		Layer string     `json:"layer"`
		RGB   [3]float64 `json:"rgb"`
		X     float64    `json:"x"`
		Y     float64    `json:"y"`
		R     float64    `json:"r"`
	}
	var rendered []drawn
	pg.eval("structures rendered", `(() => { const m = window.maillage.map; const r = m.getCanvas().getBoundingClientRect();
  return m.queryRenderedFeatures({ layers: ['recruit-ring', 'recruit-filled'] }).map((f) => {
    const ring = f.layer.id === 'recruit-ring'; const c = f.layer.paint[ring ? 'circle-stroke-color' : 'circle-color'];
    const p = m.project(f.geometry.coordinates);
    return { id: String(f.properties.id), layer: f.layer.id, rgb: [c.r * 255, c.g * 255, c.b * 255], x: r.left + p.x, y: r.top + p.y,
      r: f.layer.paint['circle-radius'] };
  }); })()`, &rendered)
	rings, discs := map[string]drawn{}, map[string]bool{}
	for _, d := range rendered {
		s, ok := api[d.ID]
		if !ok {
			t.Fatalf("structure %s drawn, not in the API's answer", d.ID)
		}
		avis := ""
		if s.Avis != nil {
			avis = *s.Avis
		}
		w := avisRGB[avis]
		if math.Abs(d.RGB[0]-float64(w[0])) > 1 || math.Abs(d.RGB[1]-float64(w[1])) > 1 || math.Abs(d.RGB[2]-float64(w[2])) > 1 {
			t.Errorf("structure %s (avis %q) drawn in %v on %s, want %v", d.ID, avis, d.RGB, d.Layer, w)
		}
		if d.Layer == "recruit-ring" {
			rings[d.ID] = d
		} else {
			discs[d.ID] = true
		}
	}
	if len(rings) < len(api)/2 {
		t.Fatalf("%d of the %d structures of the Creuse drawn", len(rings), len(api))
	}
	filledDrawn := 0
	for id := range rings {
		if s := api[id]; discs[id] != (s.PostsFilled > 0) {
			t.Errorf("structure %s: %d of %d posts filled, disc drawn %v", id, s.PostsFilled, s.Posts, discs[id])
		} else if discs[id] {
			filledDrawn++
		}
	}
	if filledDrawn == 0 {
		t.Error("no structure with filled posts drawn")
	}

	// 4. And on screen: around each structure standing alone, the pixels
	// of its opinion's colour.
	shot, err := chromedp.Run(pg.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	var rects struct {
		Map  screenRect   `json:"Map"`
		Over []screenRect `json:"Over"`
	}
	pg.eval("map rectangles", jsMapRects, &rects)
	seen := map[string]int{}
	for id, d := range rings {
		alone := true
		for id2, d2 := range rings {
			if id2 != id && math.Hypot(d.X-d2.X, d.Y-d2.Y) < d.R+d2.R+8 {
				alone = false
			}
		}
		box := screenRect{X: d.X - d.R - 2, Y: d.Y - d.R - 2, W: 2*d.R + 4, H: 2*d.R + 4}
		if !alone || !rects.Map.has(int(box.X), int(box.Y)) || !rects.Map.has(int(box.X+box.W), int(box.Y+box.H)) {
			continue
		}
		avis := ""
		if a := api[id].Avis; a != nil {
			avis = *a
		}
		n, err := colourPixels(shot, avisRGB[avis], 12, box, rects.Over)
		if err != nil {
			t.Fatal(err)
		}
		if n < 4 {
			t.Errorf("structure %s (avis %q) at (%.0f, %.0f): %d pixels of its colour on screen", id, avis, d.X, d.Y, n)
		}
		seen[avis]++
	}
	for avis := range given {
		if seen[avis] == 0 {
			t.Errorf("no structure of opinion %q standing alone on screen to check (%v)", avis, seen)
		}
	}
	t.Logf("structures checked on screen by opinion: %v", seen)

	if os.Getenv(writeScreenshotEnv) == "1" {
		if small, err := paletted(shot); err == nil {
			shot = small
		}
		p := filepath.Join("..", "docs", "map-recrutement.png")
		if err := os.WriteFile(p, shot, 0o644); err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		t.Logf("screenshot %s (%d KB)", p, len(shot)/1024)
	}

	// 5. The Creuse's token sees nothing of the Haute-Vienne: the panel
	// offers another token and draws nothing.
	pg.run("pick Haute-Vienne", chromedp.Evaluate[chromedp.Void](`window.maillage.selectDepartement('87')`))
	pg.waitFor("token offered again", tokenShown+` && !window.maillage.recruit.data &&
  window.maillage.recruit.drawn === 0`)
	var note string
	pg.eval("note", jsText("#recruit-note"), &note)
	if !strings.Contains(note, "jeton") {
		t.Errorf("note %q, want it to ask for a token", note)
	}
	if errs := pg.log.all(); len(errs) > 0 {
		for _, e := range errs {
			// The refusals the panel answers with its token form.
			if !strings.Contains(e, "401") && !strings.Contains(e, "403") {
				t.Errorf("browser error: %s", e)
			}
		}
	}
	var appErrs []string
	pg.eval("page errors", `window.maillage.errors`, &appErrs)
	if len(appErrs) > 0 {
		raw, _ := json.Marshal(appErrs)
		t.Errorf("page errors: %s", raw)
	}
}
