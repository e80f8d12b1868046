package crs

import (
	"math"

	"github.com/paulmach/orb"
)

// GRS80, the ellipsoid of RGF93 (and, within 0.1 mm, of WGS 84).
const (
	grs80A    = 6378137.0
	grs80InvF = 298.257222101
)

// lcc is a Lambert conformal conic projection with two standard parallels
// (EPSG method 9802) with its constants computed once.
type lcc struct {
	e          float64 // eccentricity
	lon0       float64 // longitude of the false origin, radians
	n, aF, rF  float64 // cone constant, a·F, radius at the false origin
	fe, fn     float64 // false easting and northing, metres
	iterations int     // of the inverse's latitude
}

// newLCC builds the projection from the ellipsoid (semi-major axis a in
// metres, inverse flattening) and the parameters in degrees and metres.
func newLCC(a, invF, lon0, lat0, lat1, lat2, fe, fn float64) *lcc {
	f := 1 / invF
	e := math.Sqrt(2*f - f*f)
	p := &lcc{e: e, lon0: rad(lon0), fe: fe, fn: fn, iterations: 8}
	m1, m2 := p.m(rad(lat1)), p.m(rad(lat2))
	t1, t2, t0 := p.t(rad(lat1)), p.t(rad(lat2)), p.t(rad(lat0))
	p.n = (math.Log(m1) - math.Log(m2)) / (math.Log(t1) - math.Log(t2))
	p.aF = a * m1 / (p.n * math.Pow(t1, p.n))
	p.rF = p.aF * math.Pow(t0, p.n)
	return p
}

func rad(deg float64) float64 { return deg * math.Pi / 180 }

func (p *lcc) m(phi float64) float64 {
	s := math.Sin(phi)
	return math.Cos(phi) / math.Sqrt(1-p.e*p.e*s*s)
}

func (p *lcc) t(phi float64) float64 {
	s := math.Sin(phi)
	return math.Tan(math.Pi/4-phi/2) / math.Pow((1-p.e*s)/(1+p.e*s), p.e/2)
}

// forward projects lon/lat (degrees) to easting, northing (metres).
func (p *lcc) forward(q orb.Point) orb.Point {
	r := p.aF * math.Pow(p.t(rad(q[1])), p.n)
	sin, cos := math.Sincos(p.n * (rad(q[0]) - p.lon0))
	return orb.Point{p.fe + r*sin, p.fn + p.rF - r*cos}
}

// inverse returns lon/lat (degrees) of easting, northing (metres).
func (p *lcc) inverse(q orb.Point) orb.Point {
	dx, dy := q[0]-p.fe, p.rF-(q[1]-p.fn)
	r := math.Copysign(math.Hypot(dx, dy), p.n)
	t := math.Pow(r/p.aF, 1/p.n)
	theta := math.Atan2(dx, dy)
	if p.n < 0 {
		theta = math.Atan2(-dx, -dy)
	}
	phi := math.Pi/2 - 2*math.Atan(t)
	for range p.iterations {
		s := math.Sin(phi)
		phi = math.Pi/2 - 2*math.Atan(t*math.Pow((1-p.e*s)/(1+p.e*s), p.e/2))
	}
	return orb.Point{(theta/p.n + p.lon0) * 180 / math.Pi, phi * 180 / math.Pi}
}
