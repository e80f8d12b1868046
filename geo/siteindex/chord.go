package siteindex

import (
	"math"

	"github.com/maillage/maillage/geo"
	"github.com/paulmach/orb"
)

// chordOfM returns the chord, in Earth radii, of a great-circle distance.
func chordOfM(m float64) float64 {
	if m >= math.Pi*geo.EarthRadiusM {
		return 2
	}
	return 2 * math.Sin(m/(2*geo.EarthRadiusM))
}

// mOfChord2 returns the great-circle distance of a squared chord.
func mOfChord2(c2 float64) float64 {
	return 2 * geo.EarthRadiusM * math.Asin(math.Min(math.Sqrt(c2)/2, 1))
}

// mOfChord2Near is mOfChord2 with the arcsine's series for chords under
// 0.02 Earth radii (127 km), where its first four terms are exact to a
// relative 1e-19: Go's math.Asin goes through an arctangent, the costliest
// step of a radius query's point.
func mOfChord2Near(c2 float64) float64 {
	if c2 >= 4e-4 {
		return mOfChord2(c2)
	}
	x := math.Sqrt(c2) / 2
	x2 := x * x
	return 2 * geo.EarthRadiusM * x * (1 + x2*(1.0/6+x2*(3.0/40+x2*(15.0/336))))
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

// degToRad converts degrees to radians.
const degToRad = math.Pi / 180
