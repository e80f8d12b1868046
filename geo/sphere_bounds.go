package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// chordOfM returns the chord, in Earth radii, of a great-circle distance.
func chordOfM(m float64) float64 {
	if m >= math.Pi*EarthRadiusM {
		return 2
	}
	return 2 * math.Sin(m/(2*EarthRadiusM))
}

// mOfChord2 returns the great-circle distance of a squared chord.
func mOfChord2(c2 float64) float64 {
	return 2 * EarthRadiusM * math.Asin(math.Min(math.Sqrt(c2)/2, 1))
}

// lonLatVector returns the 3-D unit vector of a lon/lat point.
func lonLatVector(p orb.Point) [3]float64 {
	sinLat, cosLat := math.Sincos(p[1] * degToRad)
	sinLon, cosLon := math.Sincos(p[0] * degToRad)
	return [3]float64{cosLat * cosLon, cosLat * sinLon, sinLat}
}

// boxChord2LowerBound returns a lower bound of the squared chord (in Earth
// radii) between p and any point of the lon/lat box [lo, hi]; cosLat is
// cos(p's latitude). It takes the larger of two bounds, each exact to
// within a relative 1e-9 at the distances that matter here:
//
//   - latitude: every point of the box is at least Δφ away along the sphere,
//     Δφ being p's latitude distance to the box's latitude range, and a chord
//     of angle θ is 2 sin(θ/2) >= θ − θ³/24;
//   - longitude: when p is outside the box's longitude range, every path to
//     the box crosses one of its two bounding meridians, so it is at least as
//     long as the distance from p to their great circles, whose sine is
//     cos φ |sin Δλ|; a chord of angle θ is at least sin θ, and
//     sin x >= x − x³/6.
//
// Both use only arithmetic, so boxes cost a few nanoseconds each.
func boxChord2LowerBound(p orb.Point, cosLat float64, lo, hi [2]float64) float64 {
	var dLat float64
	switch {
	case p[1] < lo[1]:
		dLat = (lo[1] - p[1]) * degToRad
	case p[1] > hi[1]:
		dLat = (p[1] - hi[1]) * degToRad
	}
	lb := dLat - dLat*dLat*dLat/24

	if p[0] < lo[0] || p[0] > hi[0] {
		gE := angleFold(lo[0] - p[0]) // to the western edge, going east
		gW := angleFold(p[0] - hi[0]) // to the eastern edge, going west
		g := math.Min(gE, gW) * degToRad
		if s := cosLat * (g - g*g*g/6); s > lb {
			lb = s
		}
	}
	if lb <= 0 {
		return 0
	}
	return lb * lb * (1 - 1e-12) // never above the truth through rounding
}

// angleFold maps a longitude difference in degrees to x in [0, 90] with
// |sin Δλ| = sin x.
func angleFold(d float64) float64 {
	d = math.Abs(d)
	if d >= 360 {
		d = math.Mod(d, 360)
	}
	if d > 180 {
		d = 360 - d
	}
	if d > 90 {
		d = 180 - d
	}
	return d
}

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
