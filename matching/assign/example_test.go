package assign_test

import (
	"context"
	"fmt"

	"github.com/maillage/maillage/matching/assign"
)

// Two candidates and two single-post structures: candidate 0 is nearest to
// structure 0, but structure 0 is the only one within reach of candidate
// 1. The greedy baseline takes the nearest pair first and fills one post;
// the optimum fills both.
func ExampleOptimal() {
	p := &assign.Problem{
		Candidates: 2,
		Posts:      []int{1, 1},
		Edges: assign.Edges{ // sorted by (cost, candidate, structure)
			Cost: []uint32{800, 1200, 4000},
			Pair: []uint64{assign.Pair(0, 0), assign.Pair(1, 0), assign.Pair(0, 1)},
		},
	}
	opt, err := assign.Optimal(context.Background(), p, assign.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	greedy, err := assign.Greedy(context.Background(), p, assign.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("optimal:", opt.Match)
	fmt.Println("greedy: ", greedy.Match)
	// Output:
	// optimal: [1 0]
	// greedy:  [0 -1]
}
