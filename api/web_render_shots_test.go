package api_test

import (
	"bytes"
	"context"
	"image"
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

// writeShot writes a PNG of the page's #map element to path.
func writeShot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#map")))
	if err != nil {
		t.Fatalf("screenshot of the map: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
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
