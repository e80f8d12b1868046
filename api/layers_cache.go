package api

import (
	"math"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
)

// maxCachedZoom is the deepest zoom whose simplified geometries are kept:
// beyond it the tolerance (under 10 m) barely simplifies the 2018
// boundaries, and a request touches few features.
const maxCachedZoom = 12

// maxZoom is the deepest zoom accepted by zoom= and tiles.
const maxZoom = 22

// zoomCache keeps the simplified geometry of each feature of a static
// polygon layer per zoom level, computed on first request. Entries are
// written once (a race computes the same value twice, harmlessly).
type zoomCache struct {
	once  [maxCachedZoom + 1]sync.Once
	geoms [maxCachedZoom + 1][]atomic.Pointer[orb.MultiPolygon]
}

func newZoomCache() *zoomCache { return &zoomCache{} }

// zoomSimplifier simplifies for a map at zoom z: features smaller than the
// tolerance keep a minimal outline rather than vanish; retries may use up
// to 6 decimals.
func zoomSimplifier(z int) geo.Simplifier {
	return geo.Simplifier{Tolerance: geo.ZoomToleranceDeg(z), Decimals: geo.ZoomDecimals(z), FineDecimals: 6, KeepOne: true}
}

// toleranceSimplifier simplifies at a tolerance in degrees, with decimals
// that keep the rounding under a quarter of it.
func toleranceSimplifier(tol float64) geo.Simplifier {
	d := 6
	if tol > 0 {
		d = max(1, min(6, int(math.Ceil(math.Log10(4/tol)))))
	}
	return geo.Simplifier{Tolerance: tol, Decimals: d, FineDecimals: 6, KeepOne: true}
}

// atZoom returns feature i of src simplified for zoom z (a shared value:
// do not modify it). Points and geometry-less features come back as they
// are.
func (zc *zoomCache) atZoom(src source, i, z int) orb.Geometry {
	g := src.Geometry(i)
	mp, ok := g.(orb.MultiPolygon)
	if !ok {
		return g
	}
	if zc == nil || z > maxCachedZoom || z < 0 {
		return polygonsOrNil(zoomSimplifier(z).MultiPolygon(mp))
	}
	zc.once[z].Do(func() { zc.geoms[z] = make([]atomic.Pointer[orb.MultiPolygon], src.Len()) })
	slot := &zc.geoms[z][i]
	if p := slot.Load(); p != nil {
		return polygonsOrNil(*p)
	}
	s := zoomSimplifier(z).MultiPolygon(mp)
	slot.Store(&s)
	return polygonsOrNil(s)
}

// polygonsOrNil returns mp, or a nil geometry when it has no polygon.
func polygonsOrNil(mp orb.MultiPolygon) orb.Geometry {
	if len(mp) == 0 {
		return nil
	}
	return mp
}
