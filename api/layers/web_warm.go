package layers

import (
	"github.com/maillage/maillage/internal/maplayers"

	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// MapWarmZoom is the deepest zoom WarmMap renders for maillage serve: the
// territories open at zooms 5 to 10 and a département at 7 to 9, and the
// tiles up to zoom 8 are the costly ones to render (all of them: about
// 3 s on two cores, some 30 MB in the tile cache).
const MapWarmZoom = 8

// mapView is a territory of the built-in map's switcher and its bounds
// (the same as TERRITORIES in web/app.js).
type mapView struct {
	Name  string
	Bound orb.Bound
}

// mapViews are the six territories the page opens on.
func mapViews() []mapView {
	return []mapView{
		{"Métropole", orb.Bound{Min: orb.Point{-5.3, 41.3}, Max: orb.Point{9.7, 51.15}}},
		{"Guadeloupe", orb.Bound{Min: orb.Point{-61.85, 15.82}, Max: orb.Point{-60.98, 16.53}}},
		{"Martinique", orb.Bound{Min: orb.Point{-61.25, 14.38}, Max: orb.Point{-60.8, 14.9}}},
		{"Guyane", orb.Bound{Min: orb.Point{-54.62, 2.1}, Max: orb.Point{-51.6, 5.8}}},
		{"La Réunion", orb.Bound{Min: orb.Point{55.2, -21.4}, Max: orb.Point{55.85, -20.86}}},
		{"Mayotte", orb.Bound{Min: orb.Point{44.98, -13.03}, Max: orb.Point{45.32, -12.63}}},
	}
}

// mapTileLayers are the tile layers the built-in map draws.
func mapTileLayers() []string { return []string{"communes", "departements", "sites"} }

// WarmStats says what WarmMap did.
type WarmStats struct {
	Tiles    int           `json:"tiles"`    // tiles rendered or found in the cache
	Failed   int           `json:"failed"`   // tiles that could not be rendered
	Duration time.Duration `json:"duration"` // wall time
}

// warmJob is one tile of one layer to warm.
type warmJob struct {
	l *maplayers.Layer
	t maptile.Tile
}

// WarmMap renders every tile of the built-in map's layers over its six
// territories from zoom 0 to maxZoom into the server-side tile cache, so
// that it holds them before a browser asks: low-zoom tiles are the costly
// ones (a zoom-5 tile holds ~20,000 communes). It calls the tile renderer
// directly, not the router: the rate limit and the other middleware are
// for clients, and a warm-up of a few hundred tiles at start-up tripped
// them. It uses every CPU and stops early when ctx ends; the first
// failure is logged.
func (s *Handlers) WarmMap(ctx context.Context, maxZoom int) (WarmStats, error) {
	return s.WarmMapPaced(ctx, maxZoom, nil)
}

// WarmMapPaced is WarmMap at pace: one tile at a time, pausing between
// tiles to keep to pace.Duty of one core (the map of a reloaded engine,
// warmed while the light routes are served); nil pace: every CPU, as
// WarmMap.
func (s *Handlers) WarmMapPaced(ctx context.Context, maxZoom int, pace *Pace) (WarmStats, error) {
	t0 := time.Now()
	var jobs []warmJob
	m := s.Current()
	for _, name := range mapTileLayers() {
		l, ok := m.Layers().Get(name)
		if !ok {
			return WarmStats{}, fmt.Errorf("warm map: no layer %s", name)
		}
		for _, v := range mapViews() {
			for z := max(0, l.MinTileZoom); z <= maxZoom; z++ {
				for _, t := range tilesCovering(v.Bound, maptile.Zoom(z)) {
					jobs = append(jobs, warmJob{l, t})
				}
			}
		}
	}
	var mu sync.Mutex
	st := WarmStats{}
	var firstErr error
	render := func(j warmJob) {
		_, err := s.tile(m, j.l, j.t)
		mu.Lock()
		st.Tiles++
		if err != nil {
			st.Failed++
			if firstErr == nil {
				firstErr = fmt.Errorf("tile %s/%d/%d/%d: %w", j.l.Name, j.t.Z, j.t.X, j.t.Y, err)
			}
		}
		mu.Unlock()
	}
	var err error
	if pace != nil {
		pc := newPacer(ctx, pace)
		for _, j := range jobs {
			if err = pc.step(); err != nil {
				break
			}
			render(j)
		}
	} else {
		err = warmAll(ctx, jobs, render)
	}
	st.Duration = time.Since(t0)
	if firstErr != nil {
		s.env.Logger.Warn("warming the map", "failed", st.Failed, "first", firstErr)
	}
	return st, err
}

// warmAll renders jobs on every CPU until ctx ends.
func warmAll(ctx context.Context, jobs []warmJob, render func(warmJob)) error {
	work := make(chan warmJob)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				render(j)
			}
		}()
	}
	var err error
feed:
	for _, j := range jobs {
		if err = ctx.Err(); err != nil {
			break
		}
		select {
		case work <- j:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(work)
	wg.Wait()
	return err
}

// tilesCovering lists the tiles of zoom z meeting b.
func tilesCovering(b orb.Bound, z maptile.Zoom) []maptile.Tile {
	lo := maptile.At(orb.Point{b.Min[0], b.Max[1]}, z) // north-west corner
	hi := maptile.At(orb.Point{b.Max[0], b.Min[1]}, z) // south-east corner
	var out []maptile.Tile
	for x := lo.X; x <= hi.X; x++ {
		for y := lo.Y; y <= hi.Y; y++ {
			out = append(out, maptile.New(x, y, z))
		}
	}
	return out
}
