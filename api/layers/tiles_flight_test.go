package layers_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	apilayers "github.com/maillage/maillage/api/layers"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/paulmach/orb/maptile"
)

// TestTileSingleFlight: two requests for the same missing tile render it
// once; the second waits for the first's render (issue 14: it rendered it
// again).
func TestTileSingleFlight(t *testing.T) {
	s := api.New(apitest.Real(t).Registry(), api.Config{DataDir: apitest.TestData})
	l, ok := s.Maps().Current().Layers().Get("sites")
	if !ok {
		t.Fatal("no sites layer")
	}
	var renders atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	s.Maps().Current().OnRender(func() {
		if renders.Add(1) == 1 {
			close(started)
			<-release // hold the first render while the second request comes
		}
	})
	tile := maptile.New(16, 11, 5) // central France
	var wg sync.WaitGroup
	got := make([]*apilayers.TileEntry, 2)
	errs := make([]error, 2)
	for i := range 2 {
		if i == 1 {
			<-started
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = s.Maps().Tile(s.Maps().Current(), l, tile)
		}()
	}
	time.Sleep(100 * time.Millisecond) // the second request reaches the cache and misses
	close(release)
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	if n := renders.Load(); n != 1 {
		t.Fatalf("%d renders of one tile asked twice at once, want 1", n)
	}
	if got[0] != got[1] || got[0].Raw() == nil {
		t.Errorf("the two requests got different or empty tiles")
	}
}

// TestWarmMapIgnoresRateLimit: WarmMap renders every tile into the cache
// even when clients are limited to 10 requests per second (issue 14: going
// through the router, 53 of 84 tiles failed with 429).
func TestWarmMapIgnoresRateLimit(t *testing.T) {
	s := api.New(apitest.Real(t).Registry(), api.Config{DataDir: apitest.TestData, RateLimit: 10, RateBurst: 1})
	const maxZoom = 3
	want := 0
	for _, v := range apilayers.MapViews() {
		for z := maptile.Zoom(0); z <= maxZoom; z++ {
			want += len(tilesMeeting(v.Bound, z)) * len(apilayers.MapTileLayers())
		}
	}
	st, err := s.WarmMap(context.Background(), maxZoom)
	if err != nil || st.Failed != 0 || st.Tiles != want {
		t.Fatalf("WarmMap(%d) with a rate limit of 10/s = %+v, %v; want %d tiles, none failed", maxZoom, st, err, want)
	}
	for _, name := range apilayers.MapTileLayers() {
		l, _ := s.Maps().Current().Layers().Get(name)
		for _, v := range apilayers.MapViews() {
			for z := maptile.Zoom(0); z <= maxZoom; z++ {
				for _, tile := range apilayers.TilesCovering(v.Bound, z) {
					if _, ok := s.Maps().Current().Cached(l, tile); !ok {
						t.Fatalf("tile %s/%d/%d/%d not in the cache after WarmMap", name, tile.Z, tile.X, tile.Y)
					}
				}
			}
		}
	}
}
