package layers

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
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
//
// The cache keeps a tile in one form only, gzipped when it is worth it
// (about 40 % of the MVT's bytes): clients ask for gzip (browsers, Go's
// HTTP client), and the rare one that does not gets the tile gunzipped
// (~0.2 ms for a 90 kB tile). 24 MB of gzipped tiles hold what 64 MB of
// both forms held before (issue 17: a smaller heap).
const (
	tileCacheBytes   = 24 << 20 // the cache is emptied when it would grow beyond
	tileCacheMaxZoom = 10       // deeper tiles are cheap and too many to keep
)

// tileCache holds encoded tiles by layer and tile, each with its ETag and,
// when large enough, its gzip form computed once: re-compressing a 2 MB
// zoom-5 tile on every request cost ~40 ms.
type tileCache struct {
	mu     sync.Mutex
	tiles  map[tileKey]*tileEntry
	bytes  int
	flight singleflight.Group // renders in progress, by tileKey.String
	// onRender, when set (tests), is called before each render.
	onRender func(tileKey)
}

// tileEntry is one rendered tile ready to serve. A tile is empty when
// both raw and gz are nil.
type tileEntry struct {
	raw  []byte // the MVT; nil for an empty tile or when the cache keeps gz alone
	gz   []byte // the MVT gzipped, nil when not cached or not worth it
	etag string
}

// empty reports whether no feature reaches the tile.
func (e *tileEntry) empty() bool { return e.raw == nil && e.gz == nil }

// mvt returns the tile's MVT bytes, gunzipped when the cache keeps only
// its gzip form; nil for an empty tile.
func (e *tileEntry) mvt() ([]byte, error) {
	if e.raw != nil || e.gz == nil {
		return e.raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(e.gz))
	if err != nil {
		return nil, fmt.Errorf("cached tile: %w", err)
	}
	return io.ReadAll(zr)
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
	return e.mvt()
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
		// length): the cache keeps an exact-size copy of one of them, so
		// that what it holds is what it counts. This request gets the
		// rendered MVT too, not only the gzipped form.
		ce := &tileEntry{raw: bytes.Clone(body), etag: e.etag}
		if len(body) >= httpx.GzipMinBytes {
			if gz := web.Gzip(body, gzip.DefaultCompression); gz != nil {
				ce.raw, ce.gz = nil, bytes.Clone(gz)
				e.gz = ce.gz
			}
		}
		tc.put(k, ce)
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
