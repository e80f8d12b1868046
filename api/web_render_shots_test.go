package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// mapProbeShotsEnv names a folder where TestMapRenderBreakdown writes a
// PNG of the map of each variant's first load (<variant>.png), once the
// gap zones are drawn, and logs the share of the map's pixels that differ
// from the first variant's: what a change of the tiles did to the picture.
const mapProbeShotsEnv = "MAILLAGE_MAP_PROBE_SHOTS"

// writeShot writes a PNG of the page's #map element to path, cut from a
// screenshot of the viewport (a screenshot of the element alone made
// Chromium lay the page out again, and the map moved), and logs the map's
// view.
func writeShot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	const js = `(() => { const r = document.querySelector('#map').getBoundingClientRect(); const m = window.maillage.map;
  return { x: r.x, y: r.y, w: r.width, h: r.height, zoom: m.getZoom(), center: m.getCenter().toArray() }; })()`
	var v struct {
		X, Y, W, H float64
		Zoom       float64
		Center     []float64
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](js))
	if err == nil {
		err = json.Unmarshal(raw, &v)
	}
	if err != nil {
		t.Fatalf("map rectangle: %v", err)
	}
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	r := image.Rect(int(v.X), int(v.Y), int(v.X+v.W), int(v.Y+v.H)).Intersect(img.Bounds())
	out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(out, out.Bounds(), img, r.Min, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: map %v at zoom %.2f, centre %v", path, r, v.Zoom, v.Center)
}

// compareShots logs, for each PNG of paths after the first, the share of
// its pixels that differ from the first's (any channel by more than 8 of
// 255: the rasteriser's rounding is not a difference).
func compareShots(t *testing.T, paths []string) {
	t.Helper()
	if len(paths) < 2 {
		return
	}
	read := func(p string) image.Image {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return img
	}
	ref := read(paths[0])
	for _, p := range paths[1:] {
		img := read(p)
		if img.Bounds() != ref.Bounds() {
			t.Logf("%s: %v, %s: %v: not comparable", paths[0], ref.Bounds(), p, img.Bounds())
			continue
		}
		diff, n := 0, 0
		b := ref.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				n++
				r0, g0, b0, _ := ref.At(x, y).RGBA()
				r1, g1, b1, _ := img.At(x, y).RGBA()
				if far(r0, r1) || far(g0, g1) || far(b0, b1) {
					diff++
				}
			}
		}
		t.Logf("picture: %s differs from %s in %d of %d map pixels (%.2f %%)", filepath.Base(p), filepath.Base(paths[0]), diff, n, 100*float64(diff)/float64(n))
	}
}

// far reports whether two 16-bit channel values differ by more than 8 of 255.
func far(a, b uint32) bool {
	if a > b {
		a, b = b, a
	}
	return b-a > 8*257
}
