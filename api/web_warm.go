package api

import (
	"context"
	"fmt"
	"net/http"
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
	Tiles    int           `json:"tiles"`    // tile requests made
	Failed   int           `json:"failed"`   // answers other than 200 and 204
	Duration time.Duration `json:"duration"` // wall time
}

// WarmMap requests, through the server's own handler, every tile of the
// built-in map's layers over its six territories from zoom 0 to maxZoom,
// so that the server-side tile cache holds them before a browser asks:
// low-zoom tiles are the costly ones (a zoom-5 tile holds ~20,000
// communes). It uses every CPU and stops early when ctx ends.
func (s *Server) WarmMap(ctx context.Context, maxZoom int) (WarmStats, error) {
	t0 := time.Now()
	var paths []string
	for _, v := range mapViews() {
		for z := 0; z <= maxZoom; z++ {
			for _, t := range tilesCovering(v.Bound, maptile.Zoom(z)) {
				for _, l := range mapTileLayers() {
					paths = append(paths, fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", l, t.Z, t.X, t.Y))
				}
			}
		}
	}
	work := make(chan string)
	var mu sync.Mutex
	st := WarmStats{}
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				code := s.warmOne(ctx, p)
				mu.Lock()
				st.Tiles++
				if code != http.StatusOK && code != http.StatusNoContent {
					st.Failed++
				}
				mu.Unlock()
			}
		}()
	}
	var err error
feed:
	for _, p := range paths {
		if err = ctx.Err(); err != nil {
			break
		}
		select {
		case work <- p:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(work)
	wg.Wait()
	st.Duration = time.Since(t0)
	return st, err
}

// warmOne serves one GET of path into a discarding writer and returns its
// status.
func (s *Server) warmOne(ctx context.Context, path string) int {
	req, err := http.NewRequestWithContext(quietContext(ctx), http.MethodGet, path, nil)
	if err != nil {
		return 0
	}
	req.RemoteAddr = "127.0.0.1:0"
	w := &discardWriter{h: http.Header{}}
	s.router.ServeHTTP(w, req)
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
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

// discardWriter is an http.ResponseWriter keeping only the status.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }

func (w *discardWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return len(b), nil
}

func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
