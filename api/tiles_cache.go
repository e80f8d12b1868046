package api

import (
	"bytes"
	"compress/gzip"
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

// tileCache holds encoded tiles (nil raw bytes for empty ones) by layer and
// tile, each with its gzip form and ETag computed once: re-compressing a
// 2 MB zoom-5 tile on every request cost ~40 ms.
type tileCache struct {
	mu    sync.Mutex
	tiles map[tileKey]*tileEntry
	bytes int
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
	l *mapLayer
	t maptile.Tile
}

// cachedTile returns tile t of l, rendering it on a miss.
func (s *Server) cachedTile(l *mapLayer, t maptile.Tile) ([]byte, error) {
	e, err := s.tile(l, t)
	if err != nil {
		return nil, err
	}
	return e.raw, nil
}

// tile returns tile t of l ready to serve, from the cache or rendered.
// Layers built per query (cells) and deep zooms are not cached.
func (s *Server) tile(l *mapLayer, t maptile.Tile) (*tileEntry, error) {
	if l.needsFilter || int(t.Z) > tileCacheMaxZoom {
		body, err := s.renderTile(l, t)
		if err != nil {
			return nil, err
		}
		return &tileEntry{raw: body, etag: contentETag(body)}, nil
	}
	tc := &s.maps.tiles
	k := tileKey{l, t}
	tc.mu.Lock()
	e, ok := tc.tiles[k]
	tc.mu.Unlock()
	if ok {
		return e, nil
	}
	body, err := s.renderTile(l, t)
	if err != nil {
		return nil, err
	}
	e = &tileEntry{raw: body, etag: contentETag(body)}
	if len(body) >= gzipMinBytes {
		e.gz = gzipBytes(body)
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	size := len(e.raw) + len(e.gz)
	if tc.tiles == nil || tc.bytes+size > tileCacheBytes {
		tc.tiles, tc.bytes = map[tileKey]*tileEntry{}, 0
	}
	tc.tiles[k] = e
	tc.bytes += size
	return e, nil
}

// gzipBytes compresses b (nil when compression fails: plain is served).
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err != nil {
		return nil
	}
	if _, err := zw.Write(b); err != nil {
		return nil
	}
	if err := zw.Close(); err != nil {
		return nil
	}
	return buf.Bytes()
}
