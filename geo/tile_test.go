package geo

import (
	"math"
	"math/rand"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

func TestTileProjectionKnownValues(t *testing.T) {
	cases := []struct {
		tile maptile.Tile
		ll   orb.Point
		want orb.Point
	}{
		{maptile.New(0, 0, 0), orb.Point{-180, 0}, orb.Point{0, 2048}},
		{maptile.New(0, 0, 0), orb.Point{0, 0}, orb.Point{2048, 2048}},
		{maptile.New(0, 0, 0), orb.Point{180, MaxMercatorLat}, orb.Point{4096, 0}},
		{maptile.New(0, 0, 0), orb.Point{0, -90}, orb.Point{2048, 4096}}, // clamped
		{maptile.New(1, 1, 1), orb.Point{0, 0}, orb.Point{0, 0}},
		{maptile.New(1, 2, 2), orb.Point{-90, 0}, orb.Point{0, 0}},
		{maptile.New(1, 1, 2), orb.Point{0, 0}, orb.Point{4096, 4096}},
	}
	for _, c := range cases {
		got := NewTileProjection(c.tile, TileExtent).Point(c.ll)
		if math.Abs(got[0]-c.want[0]) > 1e-6 || math.Abs(got[1]-c.want[1]) > 1e-6 {
			t.Errorf("tile %v point %v = %v, want %v", c.tile, c.ll, got, c.want)
		}
	}
}

// TestTileProjectionMatchesOrb compares with orb's own MVT projection,
// which floors the tile coordinates, and checks the inverse.
func TestTileProjectionMatchesOrb(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for it := 0; it < 500; it++ {
		ll := orb.Point{-5 + 15*rng.Float64(), 41 + 10*rng.Float64()}
		z := maptile.Zoom(rng.Intn(15))
		tile := maptile.At(ll, z)
		p := NewTileProjection(tile, TileExtent)
		got := p.Point(ll)
		l := mvt.NewLayer("x", geojson.NewFeatureCollection().Append(geojson.NewFeature(ll)))
		l.ProjectToTile(tile)
		want := l.Features[0].Geometry.(orb.Point)
		// Floors may differ by one unit when the point is within float noise of a boundary.
		if math.Abs(math.Floor(got[0])-want[0]) > 1 || math.Abs(math.Floor(got[1])-want[1]) > 1 {
			t.Fatalf("z%d %v: %v, orb floors to %v", z, ll, got, want)
		}
		if got[0] < 0 || got[0] > TileExtent || got[1] < 0 || got[1] > TileExtent {
			t.Fatalf("z%d %v: %v outside its own tile %v", z, ll, got, tile)
		}
		back := p.LonLat(got)
		if math.Abs(back[0]-ll[0]) > 1e-9 || math.Abs(back[1]-ll[1]) > 1e-9 {
			t.Fatalf("inverse of %v is %v", ll, back)
		}
	}
}

func TestZoomDecimals(t *testing.T) {
	for z, want := range map[int]int{0: 1, 3: 2, 5: 3, 8: 4, 10: 4, 12: 5, 15: 6, 22: 6} {
		if got := ZoomDecimals(z); got != want {
			t.Errorf("ZoomDecimals(%d) = %d, want %d", z, got, want)
		}
		// A quarter of the tolerance is at least the rounding step, except
		// where 6 decimals cap it.
		if step := math.Pow(10, -float64(ZoomDecimals(z))); step > ZoomToleranceDeg(z)/4 && ZoomDecimals(z) < 6 {
			t.Errorf("zoom %d: step %v above a quarter of the tolerance %v", z, step, ZoomToleranceDeg(z))
		}
	}
	if got := ZoomToleranceDeg(0); got != 360.0/512 {
		t.Errorf("ZoomToleranceDeg(0) = %v", got)
	}
}
