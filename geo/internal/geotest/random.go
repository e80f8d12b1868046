package geotest

import (
	"math/rand/v2"

	"github.com/paulmach/orb"
)

// FranceRegions returns lon/lat boxes of metropolitan France (first) and the
// DROM, used to draw realistic random sites and queries.
func FranceRegions() [6]orb.Bound {
	return [...]orb.Bound{
		{Min: orb.Point{-5, 41.3}, Max: orb.Point{9.6, 51.1}},      // metropole
		{Min: orb.Point{-61.9, 15.8}, Max: orb.Point{-61, 16.6}},   // Guadeloupe
		{Min: orb.Point{-61.3, 14.3}, Max: orb.Point{-60.8, 14.9}}, // Martinique
		{Min: orb.Point{-54.6, 2.1}, Max: orb.Point{-51.6, 5.8}},   // Guyane
		{Min: orb.Point{55.2, -21.4}, Max: orb.Point{55.9, -20.8}}, // La Réunion
		{Min: orb.Point{45, -13.1}, Max: orb.Point{45.3, -12.6}},   // Mayotte
	}
}

// RandomPointIn returns a point drawn uniformly in the lon/lat box b.
func RandomPointIn(r *rand.Rand, b orb.Bound) orb.Point {
	return orb.Point{
		b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]),
		b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1]),
	}
}

// MetroQueries returns n points drawn uniformly in metropolitan France's box,
// the same n points on every call.
func MetroQueries(n int) []orb.Point {
	r := rand.New(rand.NewPCG(11, 12))
	metro := FranceRegions()[0]
	qs := make([]orb.Point, n)
	for i := range qs {
		qs[i] = RandomPointIn(r, metro)
	}
	return qs
}
