package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserPage is a headless Chromium tab of the browser tests, with the
// page's console errors collected and, when the test fails, the page's
// state and a screenshot kept.
type browserPage struct {
	t   *testing.T
	ctx context.Context
	log *browserLog
}

// newBrowserPage starts exe (see browserPath) for the test; it is closed
// when the test ends.
func newBrowserPage(t *testing.T, exe string) *browserPage {
	t.Helper()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browserOptions(exe, t.TempDir())...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelT)
	p := &browserPage{t: t, ctx: ctx, log: &browserLog{}}
	t.Cleanup(func() { // runs first: on failure, keep what the browser showed
		if !t.Failed() {
			return
		}
		st, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`(() => { const a = window.maillage || {}; const m = a.map;
  return { ready: a.ready, pending: a.pending, errors: a.errors, loaded: m && m.loaded(), tiles: m && m.areTilesLoaded(),
    moving: m && m.isMoving(), zoom: m && m.getZoom(), hash: location.hash, recruit: a.recruit }; })()`))
		t.Logf("page state at the failure: %s (err %v)", st, err)
		if shotPNG, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
			f := filepath.Join(os.TempDir(), "maillage-"+filepath.Base(t.Name())+"-failure.png")
			if os.WriteFile(f, shotPNG, 0o644) == nil {
				t.Logf("screenshot of the failure: %s", f)
			}
		}
	})
	if err := chromedp.Listen(ctx, p.log.listen); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	return p
}

// run runs a browser action.
func (p *browserPage) run(what string, a chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, a); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// settle waits until the map is idle (jsSettle).
func (p *browserPage) settle(what string) {
	p.t.Helper()
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](jsSettle, chromedp.EvalAwaitPromise))
	if err != nil || !ok {
		p.t.Fatalf("%s: map not idle (err %v); browser errors: %q", what, err, p.log.all())
	}
}

// eval evaluates js (awaiting a promise) into out.
func (p *browserPage) eval(what, js string, out any) {
	p.t.Helper()
	raw, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if err == nil {
		err = json.Unmarshal(raw, out)
	}
	if err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// waitFor waits up to 20 s for the JavaScript condition js.
func (p *browserPage) waitFor(what, js string) {
	p.t.Helper()
	cond := fmt.Sprintf(`(async () => { const until = performance.now() + 20000;
  while (performance.now() < until) { if (%s) return true; await new Promise((r) => setTimeout(r, 40)); }
  return false; })()`, js)
	ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](cond, chromedp.EvalAwaitPromise))
	if err != nil || !ok {
		p.t.Fatalf("%s: condition %s not met (err %v); browser errors: %q", what, js, err, p.log.all())
	}
}
