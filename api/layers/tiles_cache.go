package layers

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"sync"

	"github.com/paulmach/orb/maptile"
	"golang.org/x/sync/singleflight"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/internal/maplayers"
	"github.com/maillage/maillage/internal/web"
)

// Server-side tile cache: tiles of static layers do not change while the
// server runs, and the low-zoom ones (a zoom-5 tile holds 20,000 communes)
// are the costliest and the most requested.
const (
	tileCacheBytes   = 64 << 20 // the cache is emptied when it would grow beyond
	tileCacheMaxZoom = 10       // deeper tiles are cheap and too many to keep
)

// tileCache holds encoded tiles (nil raw bytes for empty ones) by layer and
// tile, each with its gzip form and ETag computed once: re-compressing a
// 2 MB zoom-5 tile on every request cost ~40 ms.
type tileCache struct {
	mu     sync.Mutex
	tiles  map[tileKey]*tileEntry
	bytes  int
	flight singleflight.Group // renders in progress, by tileKey.String
	// onRender, when set (tests), is called before each render.
	onRender func(tileKey)
}

// tileEntry is one rendered tile ready to serve.
type tileEntry struct {
	raw  []byte // the MVT, nil for an empty tile
	gz   []byte // raw gzipped, nil when not cached or not worth it
	etag string
}

// tileKey identifies a tile of one layer value (a layer replaced under the
// same name is another key).
type tileKey struct {
	l *maplayers.Layer
	t maptile.Tile
}

// cachedTile returns tile t of l, rendering it on a miss.
func (s *Handlers) cachedTile(m *State, l *maplayers.Layer, t maptile.Tile) ([]byte, error) {
	e, err := s.tile(m, l, t)
	if err != nil {
		return nil, err
	}
	return e.raw, nil
}

// tile returns tile t of l ready to serve, from the cache or rendered.
// Layers built per query (cells) and deep zooms are not cached. Requests
// for a tile being rendered wait for that render (single-flight) rather
// than render it again: a map opening sends the same low-zoom tiles from
// many clients at once, and a zoom-5 tile costs a second of CPU.
func (s *Handlers) tile(m *State, l *maplayers.Layer, t maptile.Tile) (*tileEntry, error) {
	tc := &m.tiles
	cached := !l.NeedsFilter && int(t.Z) <= tileCacheMaxZoom
	k := tileKey{l, t}
	if cached {
		if e, ok := tc.get(k); ok {
			return e, nil
		}
	}
	v, err, _ := tc.flight.Do(k.String(), func() (any, error) {
		if cached {
			if e, ok := tc.get(k); ok { // rendered while this call waited
				return e, nil
			}
		}
		if tc.onRender != nil {
			tc.onRender(k)
		}
		body, err := s.renderTile(l, t)
		if err != nil {
			return nil, err
		}
		e := &tileEntry{raw: body, etag: web.ContentETag(body)}
		if !cached {
			return e, nil
		}
		// Both forms are built by appending (capacity up to twice the
		// length): the cache keeps exact-size copies, so that what it
		// holds is what it counts.
		e.raw = bytes.Clone(body)
		if len(body) >= httpx.GzipMinBytes {
			e.gz = bytes.Clone(web.Gzip(body, gzip.DefaultCompression))
		}
		tc.put(k, e)
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*tileEntry), nil
}

// get returns a cached tile.
func (tc *tileCache) get(k tileKey) (*tileEntry, bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	e, ok := tc.tiles[k]
	return e, ok
}

// put caches a tile, emptying the cache when it would outgrow
// tileCacheBytes.
func (tc *tileCache) put(k tileKey, e *tileEntry) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	size := len(e.raw) + len(e.gz)
	if tc.tiles == nil || tc.bytes+size > tileCacheBytes {
		tc.tiles, tc.bytes = map[tileKey]*tileEntry{}, 0
	}
	tc.tiles[k] = e
	tc.bytes += size
}

// String is the key's single-flight key: the layer value (a layer replaced
// under the same name is another key) and the tile.
func (k tileKey) String() string {
	return fmt.Sprintf("%p/%d/%d/%d", k.l, k.t.Z, k.t.X, k.t.Y)
}

// size returns how many tiles the cache holds and their bytes.
func (tc *tileCache) size() (tiles, bytes int) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return len(tc.tiles), tc.bytes
}

// TileCacheSize returns the tiles held in m's tile cache and their bytes
// (raw and gzipped), for the metrics.
func (m *State) TileCacheSize() (tiles, bytes int) { return m.tiles.size() }
