package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// BoundAround returns a lon/lat box containing every point within radiusM
// great-circle metres of p. Its longitude half-width is the exact one of a
// spherical cap, asin(sin r / cos φ); near a pole, or when the box would
// cross the antimeridian, it spans all longitudes.
func BoundAround(p orb.Point, radiusM float64) orb.Bound {
	r := radiusM / EarthRadiusM // angular radius
	if r >= math.Pi {
		return orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	}
	dLat := r/degToRad + 1e-9 // a hair wider against rounding
	b := orb.Bound{
		Min: orb.Point{-180, math.Max(p[1]-dLat, -90)},
		Max: orb.Point{180, math.Min(p[1]+dLat, 90)},
	}
	if b.Min[1] == -90 || b.Max[1] == 90 {
		return b
	}
	s := math.Sin(r) / math.Cos(p[1]*degToRad)
	if s >= 1 {
		return b
	}
	dLon := math.Asin(s)/degToRad + 1e-9
	if p[0]-dLon < -180 || p[0]+dLon > 180 {
		return b
	}
	b.Min[0], b.Max[0] = p[0]-dLon, p[0]+dLon
	return b
}

// UnitVector returns the 3-D unit vector of a lon/lat point: chords
// between such vectors order points as great-circle distances do, with no
// trigonometry per comparison.
func UnitVector(p orb.Point) [3]float64 {
	sinLat, cosLat := math.Sincos(p[1] * degToRad)
	sinLon, cosLon := math.Sincos(p[0] * degToRad)
	return [3]float64{cosLat * cosLon, cosLat * sinLon, sinLat}
}
