package layers_test

import (
	"context"
	"testing"

	apilayers "github.com/maillage/maillage/api/layers"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// tilesMeeting lists the tiles of zoom z meeting b by testing every tile of
// the zoom (brute force, small zooms only).
func tilesMeeting(b orb.Bound, z maptile.Zoom) map[maptile.Tile]bool {
	out := map[maptile.Tile]bool{}
	n := uint32(1) << z
	for x := uint32(0); x < n; x++ {
		for y := uint32(0); y < n; y++ {
			t := maptile.New(x, y, z)
			tb := t.Bound()
			if tb.Min[0] <= b.Max[0] && b.Min[0] <= tb.Max[0] && tb.Min[1] <= b.Max[1] && b.Min[1] <= tb.Max[1] {
				out[t] = true
			}
		}
	}
	return out
}

func TestTilesCovering(t *testing.T) {
	for _, v := range apilayers.MapViews() {
		for z := maptile.Zoom(0); z <= 9; z++ {
			want := tilesMeeting(v.Bound, z)
			got := apilayers.TilesCovering(v.Bound, z)
			if len(got) != len(want) {
				t.Errorf("%s z%d: %d tiles, want %d", v.Name, z, len(got), len(want))
				continue
			}
			for _, tl := range got {
				if !want[tl] {
					t.Errorf("%s z%d: tile %v does not meet the bounds", v.Name, z, tl)
				}
			}
		}
	}
	if got := apilayers.TilesCovering(orb.Bound{Min: orb.Point{2.3, 48.8}, Max: orb.Point{2.4, 48.9}}, 0); len(got) != 1 || got[0] != maptile.New(0, 0, 0) {
		t.Errorf("Paris at z0: %v, want the world tile", got)
	}
}

func TestWarmMap(t *testing.T) {
	s := api.New(apitest.Real(t).Registry(), api.Config{DataDir: apitest.TestData})
	const maxZoom = 3
	want := 0
	for _, v := range apilayers.MapViews() {
		for z := maptile.Zoom(0); z <= maxZoom; z++ {
			want += len(tilesMeeting(v.Bound, z)) * len(apilayers.MapTileLayers())
		}
	}
	st, err := s.WarmMap(context.Background(), maxZoom)
	if err != nil || st.Failed != 0 || st.Tiles != want {
		t.Fatalf("WarmMap(%d) = %+v, %v; want %d tiles, none failed", maxZoom, st, err, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if st, err := s.WarmMap(ctx, maxZoom); err == nil || st.Tiles >= want {
		t.Errorf("cancelled WarmMap = %+v, %v; want the context error and fewer tiles", st, err)
	}
}
