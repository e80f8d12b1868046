package pairing

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
)

// Synthetic assignment instances for tests, benchmarks and load tests:
// points in the bounding box of metropolitan France, part of them drawn
// around a few city clusters, with a fixed seed.

// genCities are the cluster centres (lon, lat) of Synthetic.
var genCities = [...]orb.Point{
	{2.35, 48.86},  // Paris
	{4.84, 45.76},  // Lyon
	{5.37, 43.30},  // Marseille
	{1.44, 43.60},  // Toulouse
	{3.06, 50.63},  // Lille
	{-0.58, 44.84}, // Bordeaux
	{-1.55, 47.22}, // Nantes
	{7.75, 48.58},  // Strasbourg
	{7.26, 43.70},  // Nice
	{-1.68, 48.11}, // Rennes
}

// SyntheticSpec describes an instance of Synthetic.
type SyntheticSpec struct {
	Seed       uint64
	Candidates int
	Structures int
	MaxPosts   int     // posts per structure are uniform in 1..MaxPosts
	MaxKm      float64 // candidates' MaxKm (0: default)
	Clustered  float64 // share of points drawn around the cities
	Weights    bool    // random weights in {1, 1.5, 2, 3}
}

// Synthetic returns the candidates and structures of spec. Départements
// are cells of a 1.3° × 0.9° grid, about the size of real ones.
func Synthetic(spec SyntheticSpec) ([]Candidate, []Structure) {
	r := rand.New(rand.NewPCG(spec.Seed, 0x5eed))
	point := func() orb.Point {
		if r.Float64() < spec.Clustered {
			c := genCities[r.IntN(len(genCities))]
			return orb.Point{
				clamp(c[0]+r.NormFloat64()*0.3, -4.8, 8.2),
				clamp(c[1]+r.NormFloat64()*0.2, 42.3, 51.1),
			}
		}
		return orb.Point{-4.8 + 13*r.Float64(), 42.3 + 8.8*r.Float64()}
	}
	cands := make([]Candidate, spec.Candidates)
	for i := range cands {
		p := point()
		cands[i] = Candidate{ID: fmt.Sprintf("c%06d", i), Point: p, MaxKm: spec.MaxKm, Departement: genDept(p)}
	}
	weights := [...]float64{1, 1.5, 2, 3}
	structs := make([]Structure, spec.Structures)
	for i := range structs {
		p := point()
		structs[i] = Structure{
			ID: fmt.Sprintf("s%05d", i), Name: fmt.Sprintf("Structure %d", i), Type: "commune",
			Point: p, Posts: 1 + r.IntN(max(spec.MaxPosts, 1)), Departement: genDept(p),
		}
		if spec.Weights {
			structs[i].Weight = weights[r.IntN(len(weights))]
		}
	}
	return cands, structs
}

// genDept is the pseudo-département of p.
func genDept(p orb.Point) string {
	return fmt.Sprintf("%02d%02d", int(math.Floor((p[0]+5)/1.3)), int(math.Floor((p[1]-42)/0.9)))
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
