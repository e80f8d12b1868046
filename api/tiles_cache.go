package api

import (
	"sync"

	"github.com/paulmach/orb/maptile"
)

// Server-side tile cache: tiles of static layers do not change while the
// server runs, and the low-zoom ones (a zoom-5 tile holds 20,000 communes)
// are the costliest and the most requested.
const (
	tileCacheBytes   = 64 << 20 // the cache is emptied when it would grow beyond
	tileCacheMaxZoom = 10       // deeper tiles are cheap and too many to keep
)

// tileCache holds encoded tiles (nil for empty ones) by layer and tile.
type tileCache struct {
	mu    sync.Mutex
	tiles map[tileKey][]byte
	bytes int
}

// tileKey identifies a tile of one layer value (a layer replaced under the
// same name is another key).
type tileKey struct {
	l *mapLayer
	t maptile.Tile
}

// cachedTile returns tile t of l, rendering it on a miss. Layers built per
// query (cells) are not cached.
func (s *Server) cachedTile(l *mapLayer, t maptile.Tile) ([]byte, error) {
	if l.needsFilter || int(t.Z) > tileCacheMaxZoom {
		return s.renderTile(l, t)
	}
	tc := &s.maps.tiles
	k := tileKey{l, t}
	tc.mu.Lock()
	body, ok := tc.tiles[k]
	tc.mu.Unlock()
	if ok {
		return body, nil
	}
	body, err := s.renderTile(l, t)
	if err != nil {
		return nil, err
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.tiles == nil || tc.bytes+len(body) > tileCacheBytes {
		tc.tiles, tc.bytes = map[tileKey][]byte{}, 0
	}
	tc.tiles[k] = body
	tc.bytes += len(body)
	return body, nil
}
