package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadiusM is the one Earth radius maillage uses for every great-circle
// distance: the IUGG mean radius, in metres. H3 uses the same sphere to a few
// metres (6,371,007.2 m).
const EarthRadiusM = 6371008.8

const degToRad = math.Pi / 180

// DistanceM returns the great-circle (haversine) distance in metres between
// two lon/lat points.
func DistanceM(a, b orb.Point) float64 {
	return DistanceMCos(a, b, math.Cos(a[1]*degToRad), math.Cos(b[1]*degToRad))
}

// DistanceMCos is DistanceM given the cosines of the two latitudes
// (math.Cos(lat * math.Pi / 180)), bit for bit: radius queries that hold
// them for the query point and every indexed point save two cosines per
// pair.
func DistanceMCos(a, b orb.Point, cosLatA, cosLatB float64) float64 {
	lat1 := a[1] * degToRad
	lat2 := b[1] * degToRad
	sdLat := math.Sin((lat2 - lat1) / 2)
	sdLon := math.Sin((b[0] - a[0]) * degToRad / 2)
	h := sdLat*sdLat + cosLatA*cosLatB*sdLon*sdLon
	if h > 1 {
		h = 1
	}
	return 2 * EarthRadiusM * math.Asin(math.Sqrt(h))
}
