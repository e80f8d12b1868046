package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func TestBoundAround(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 2000; i++ {
		p := orb.Point{-180 + 360*r.Float64(), -89 + 178*r.Float64()}
		radiusM := math.Pow(10, 1+6*r.Float64())
		b := BoundAround(p, radiusM)
		// Points on the circle of radius radiusM must all be in the box.
		for j := 0; j < 72; j++ {
			q := destinationPoint(p, float64(j)*5, radiusM*(1-1e-12))
			if !b.Contains(q) {
				t.Fatalf("p %v r %v: %v at bearing %d° outside %v", p, radiusM, q, j*5, b)
			}
		}
	}
}

// destinationPoint returns the point at distM from p along the initial bearing
// (degrees clockwise from north), on the EarthRadiusM sphere.
func destinationPoint(p orb.Point, bearingDeg, distM float64) orb.Point {
	d := distM / EarthRadiusM
	lat1, lon1, th := p[1]*degToRad, p[0]*degToRad, bearingDeg*degToRad
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(th))
	lon2 := lon1 + math.Atan2(math.Sin(th)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
	lon := math.Remainder(lon2/degToRad, 360)
	return orb.Point{lon, lat2 / degToRad}
}
