package maplayers

import (
	"math"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"golang.org/x/sync/singleflight"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/topo"
)

// MaxCachedZoom is the deepest zoom whose simplified geometries are kept:
// beyond it the tolerance (under 10 m) barely simplifies the 2018
// boundaries, and a request touches few features.
const MaxCachedZoom = 12

// MaxZoom is the deepest zoom accepted by zoom= and tiles.
const MaxZoom = 22

// ZoomCache keeps the simplified geometry of each feature of a static
// polygon layer per zoom level, computed on first request. Entries are
// written once, as the positions they keep of the feature's geometry
// (topo.Simplified: one bit a position of the geometry as read, where
// packed on their own the communes at zooms 9 to 12, which keep nearly all
// their vertices, took 25 MB, and as orb values a third of the server's
// heap), and decoded from the geometry on each read: a Source's geometries
// must not change. Tiles of one
// zoom asking for the same feature at once wait for one simplification
// (single-flight) rather than each compute it.
type ZoomCache struct {
	once   [MaxCachedZoom + 1]sync.Once
	geoms  [MaxCachedZoom + 1][]atomic.Pointer[topo.Simplified]
	flight singleflight.Group // simplifications in progress, by "zoom/feature"

	// Topo, when set (before the layer is served), gives feature i at
	// zoom z from a topology shared with its neighbours, so that they
	// meet exactly; ok false leaves the feature to its own
	// simplification. Its shapes are not copied into the cache: the hook
	// holds them (or assembles them cheaply). It must be safe for
	// concurrent use.
	Topo func(z, i int) (mp orb.MultiPolygon, ok bool)
}

// NewZoomCache makes an empty cache.
func NewZoomCache() *ZoomCache { return &ZoomCache{} }

// Cached reports whether feature i is held simplified for zoom z, by the
// cache or by the Topo hook.
func (zc *ZoomCache) Cached(z, i int) bool {
	if z < 0 || z > MaxCachedZoom {
		return false
	}
	if zc.Topo != nil {
		if _, ok := zc.Topo(z, i); ok {
			return true
		}
	}
	return i < len(zc.geoms[z]) && zc.geoms[z][i].Load() != nil
}

// ZoomSimplifier simplifies for a map at zoom z: features smaller than the
// tolerance keep a minimal outline rather than vanish; retries may use up
// to 6 decimals.
func ZoomSimplifier(z int) topo.Simplifier {
	return topo.Simplifier{Tolerance: geo.ZoomToleranceDeg(z), Decimals: geo.ZoomDecimals(z), FineDecimals: 6, KeepOne: true}
}

// ToleranceSimplifier simplifies at a tolerance in degrees, with decimals
// that keep the rounding under a quarter of it.
func ToleranceSimplifier(tol float64) topo.Simplifier {
	d := 6
	if tol > 0 {
		d = max(1, min(6, int(math.Ceil(math.Log10(4/tol)))))
	}
	return topo.Simplifier{Tolerance: tol, Decimals: d, FineDecimals: 6, KeepOne: true}
}

// AtZoom returns feature i of src simplified for zoom z (possibly a shared
// value: do not modify it). Points and geometry-less features come back as
// they are.
func (zc *ZoomCache) AtZoom(src Source, i, z int) orb.Geometry {
	g := src.Geometry(i)
	mp, ok := g.(orb.MultiPolygon)
	if !ok {
		return g
	}
	if zc == nil || z > MaxCachedZoom || z < 0 {
		return PolygonsOrNil(ZoomSimplifier(z).MultiPolygon(mp))
	}
	if zc.Topo != nil {
		if s, ok := zc.Topo(z, i); ok {
			return PolygonsOrNil(s)
		}
	}
	zc.once[z].Do(func() { zc.geoms[z] = make([]atomic.Pointer[topo.Simplified], src.Len()) })
	slot := &zc.geoms[z][i]
	if p := slot.Load(); p != nil {
		return PolygonsOrNil(p.MultiPolygon(mp))
	}
	v, _, _ := zc.flight.Do(strconv.Itoa(z)+"/"+strconv.Itoa(i), func() (any, error) {
		if p := slot.Load(); p != nil { // stored while this call waited
			return p.MultiPolygon(mp), nil
		}
		s := ZoomSimplifier(z).MultiPolygon(mp)
		p := topo.HoldSimplified(mp, s)
		slot.Store(&p)
		return s, nil
	})
	return PolygonsOrNil(v.(orb.MultiPolygon))
}

// PolygonsOrNil returns mp, or a nil geometry when it has no polygon.
func PolygonsOrNil(mp orb.MultiPolygon) orb.Geometry {
	if len(mp) == 0 {
		return nil
	}
	return mp
}
