package mclp_test

import (
	"context"
	"fmt"

	"github.com/maillage/maillage/matching/mclp"
)

// Three candidate sites over five demand cells: the first pick covers the
// most demand, the second the most of what is left.
func ExampleSolve() {
	p := &mclp.Problem{
		Weights:    []float64{50, 50, 10, 60, 60},
		Candidates: 3,
		Coverage:   mclp.Sets{{0, 1}, {3, 2}, {1, 3, 4}},
	}
	res, err := mclp.Solve(context.Background(), p, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, pk := range res.Picks {
		fmt.Printf("site %d covers %v more (cells %v)\n", pk.Candidate, pk.Gain, pk.Elements)
	}
	bd := res.Bound()
	fmt.Printf("curve %v, optimum at most %v\n", res.Curve(), bd.UpperBound)
	// Output:
	// site 2 covers 170 more (cells [1 3 4])
	// site 0 covers 50 more (cells [0])
	// curve [0 170 220], optimum at most 230
}
