// Package sphere is the unit-sphere arithmetic of matching's nearest-site
// and within-reach scans: points as unit vectors, compared by squared chord
// (a strictly increasing function of the great-circle distance, cheaper
// than the haversine).
package sphere

import (
	"math"

	"github.com/paulmach/orb"
)

// Vec3 is a unit vector on the sphere (Earth radius 1).
type Vec3 [3]float64

// UnitVec returns the unit vector of p (longitude, latitude in degrees).
func UnitVec(p orb.Point) Vec3 {
	sinLat, cosLat := math.Sincos(p[1] * math.Pi / 180)
	sinLon, cosLon := math.Sincos(p[0] * math.Pi / 180)
	return Vec3{cosLat * cosLon, cosLat * sinLon, sinLat}
}

// Chord2 is the squared chord between unit vectors, a strictly increasing
// function of their great-circle distance, exact for small distances.
func Chord2(a, b Vec3) float64 {
	dx, dy, dz := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return dx*dx + dy*dy + dz*dz
}

// ChordAngle converts a squared chord to an angle in radians.
func ChordAngle(c2 float64) float64 {
	c := math.Sqrt(c2) / 2
	if c >= 1 {
		return math.Pi
	}
	return 2 * math.Asin(c)
}

// ChordOfAngle returns the squared chord of an angle in radians (4 beyond π).
func ChordOfAngle(a float64) float64 {
	if a >= math.Pi {
		return 4
	}
	c := 2 * math.Sin(a/2)
	return c * c
}

// AngleSlack widens a candidate radius against rounding (about 6 mm).
const AngleSlack = 1e-9
