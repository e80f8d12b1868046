package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TileExtent is the side of a vector tile in its own units (the Mapbox
// Vector Tile default).
const TileExtent = 4096

// MaxMercatorLat is the latitude where web-mercator tiles end.
const MaxMercatorLat = 85.05112877980659

// TileProjection maps lon/lat to the coordinate space of one web-mercator
// tile: x to the east and y to the south, the tile covering [0, extent) on
// both axes. Points outside the tile map outside that square.
type TileProjection struct {
	world  float64 // side of the whole world in tile units at the tile's zoom
	x0, y0 float64 // the tile's top-left corner in world units
}

// NewTileProjection returns the projection into tile t with the given extent.
func NewTileProjection(t maptile.Tile, extent float64) TileProjection {
	return TileProjection{world: math.Ldexp(extent, int(t.Z)), x0: float64(t.X) * extent, y0: float64(t.Y) * extent}
}

// Point projects a lon/lat point (latitudes clamped to ±MaxMercatorLat).
func (p TileProjection) Point(ll orb.Point) orb.Point {
	lat := max(-MaxMercatorLat, min(MaxMercatorLat, ll[1]))
	s := math.Sin(lat * math.Pi / 180)
	y := 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)
	return orb.Point{(ll[0]+180)/360*p.world - p.x0, y*p.world - p.y0}
}

// LonLat is the inverse of Point.
func (p TileProjection) LonLat(t orb.Point) orb.Point {
	x, y := (t[0]+p.x0)/p.world, (t[1]+p.y0)/p.world
	lat := math.Atan(math.Sinh(math.Pi*(1-2*y))) * 180 / math.Pi
	return orb.Point{x*360 - 180, lat}
}

// MultiPolygon returns mp projected into the tile (a new geometry).
func (p TileProjection) MultiPolygon(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for i, poly := range mp {
		q := make(orb.Polygon, len(poly))
		for j, r := range poly {
			pr := make(orb.Ring, len(r))
			for k, pt := range r {
				pr[k] = p.Point(pt)
			}
			q[j] = pr
		}
		out[i] = q
	}
	return out
}

// ZoomToleranceDeg is the simplification tolerance, in degrees, of a map at
// zoom z: one pixel at the equator for 512-pixel tiles (MapLibre's zoom
// levels), half a pixel for 256-pixel tiles (Leaflet's).
func ZoomToleranceDeg(z int) float64 {
	return 360 / math.Ldexp(512, z)
}

// ZoomDecimals is the number of decimals that keeps lon/lat coordinates
// within a quarter of ZoomToleranceDeg(z) of their true place, between 1
// and 6 (6 decimals are about 0.1 m).
func ZoomDecimals(z int) int {
	d := int(math.Ceil(math.Log10(4 / ZoomToleranceDeg(z))))
	return max(1, min(6, d))
}
