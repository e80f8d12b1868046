package layers

import (
	"github.com/paulmach/orb/maptile"

	"github.com/maillage/maillage/geo/topo"
	"github.com/maillage/maillage/internal/maplayers"
)

// What the external tests of this package reach inside it.
var (
	MapViews      = mapViews
	MapTileLayers = mapTileLayers
	TilesCovering = tilesCovering
	PreparedZooms = preparedZooms
	MinutesClass  = minutesClass
)

// Zoom and tile constants the tests check against.
const (
	TopoMaxZoom     = topoMaxZoom
	TileBufferUnits = tileBufferUnits
)

// Names the external tests read.
type (
	TileEntry = tileEntry
	LayerView = layerView
)

// Raw returns the tile's MVT bytes (nil for an empty tile), gunzipped
// when the cache keeps the gzip form alone.
func (e *tileEntry) Raw() []byte {
	b, _ := e.mvt() // nil on an unreadable gzip form: the tests comparing bytes then fail
	return b
}

// KeptForms reports which forms of a cached tile the cache holds.
func (e *tileEntry) KeptForms() (raw, gz bool) { return e.raw != nil, e.gz != nil }

// ETag returns the tile's ETag.
func (e *tileEntry) ETag() string { return e.etag }

// RenderTile renders tile t of l, bypassing the cache.
func (s *Handlers) RenderTile(l *maplayers.Layer, t maptile.Tile) ([]byte, error) {
	return s.renderTile(l, t)
}

// Tile returns tile t of l from m's cache, rendered on a miss.
func (s *Handlers) Tile(m *State, l *maplayers.Layer, t maptile.Tile) (*tileEntry, error) {
	return s.tile(m, l, t)
}

// CachedTile returns the MVT bytes of tile t of l (Tile).
func (s *Handlers) CachedTile(m *State, l *maplayers.Layer, t maptile.Tile) ([]byte, error) {
	return s.cachedTile(m, l, t)
}

// Cached returns tile t of l when m's cache holds it.
func (m *State) Cached(l *maplayers.Layer, t maptile.Tile) (*tileEntry, bool) {
	return m.tiles.get(tileKey{l, t})
}

// OnRender makes m's tile cache call fn before each render.
func (m *State) OnRender(fn func()) { m.tiles.onRender = func(tileKey) { fn() } }

// TopologyLevel returns the communes' shared topology at zoom z.
func (m *State) TopologyLevel(z int) *topo.TopoLevel { return m.communeTopology().level(z) }

// AreaValues is areaValues.
var AreaValues = areaValues
