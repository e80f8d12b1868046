package pairing

import (
	"fmt"
	"math/rand/v2"

	"github.com/paulmach/orb"
)

// genSmall returns a tiny random instance around Paris for exhaustive
// checks: 1–8 candidates, 1–5 structures with 1–3 posts, MaxKm in 5–40 km,
// three départements, random caps on some, weights on half the instances.
func genSmall(r *rand.Rand) ([]Candidate, []Structure, map[string]int) {
	depts := [...]string{"75", "92", "93"}
	pt := func() orb.Point { return orb.Point{2.1 + 0.5*r.Float64(), 48.7 + 0.3*r.Float64()} }
	kms := [...]float64{0, 5, 10, 15, 20, 40}
	cands := make([]Candidate, 1+r.IntN(8))
	for i := range cands {
		cands[i] = Candidate{ID: fmt.Sprintf("c%d", i), Point: pt(), MaxKm: kms[r.IntN(len(kms))], Departement: depts[r.IntN(3)]}
	}
	weighted := r.IntN(2) == 0
	structs := make([]Structure, 1+r.IntN(5))
	for i := range structs {
		structs[i] = Structure{ID: fmt.Sprintf("s%d", i), Point: pt(), Posts: 1 + r.IntN(3), Departement: depts[r.IntN(3)]}
		if weighted {
			structs[i].Weight = [...]float64{1, 1.5, 2, 3}[r.IntN(4)]
		}
	}
	var caps map[string]int
	if r.IntN(2) == 0 {
		caps = map[string]int{}
		for _, d := range depts {
			if r.IntN(2) == 0 {
				caps[d] = r.IntN(4)
			}
		}
	}
	return cands, structs, caps
}
