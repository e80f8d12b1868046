package pairing

import (
	"context"
	"testing"

	"github.com/maillage/maillage/matching/assign"
)

// TestAssignMethodsAgree50k solves the 50k instances of the benchmarks
// (AssignOptimal50k, AssignBalanced50k) by shortest paths and by cost
// scaling: the posts filled and the total cost in metres must be equal.
func TestAssignMethodsAgree50k(t *testing.T) {
	if testing.Short() {
		t.Skip("50k instances")
	}
	for _, spec := range []SyntheticSpec{spec50k, specBalanced50k} {
		cands, structs := Synthetic(spec)
		in, err := newAssignInput(context.Background(), cands, structs, AssignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		g, err := buildAssignGraph(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		p := in.problem(g)
		p.Layout = mortonRanks(in.cands)
		cost := make(map[uint64]int64, len(g.pair))
		for i, pr := range g.pair {
			cost[pr] = int64(g.cost[i])
		}
		var totals [2][2]int64
		for k, method := range []string{assign.MethodPaths, assign.MethodScaling} {
			sol, err := assign.Optimal(context.Background(), p, assign.Options{Method: method})
			if err != nil {
				t.Fatal(err)
			}
			for c, s := range sol.Match {
				if s >= 0 {
					totals[k][0]++
					totals[k][1] += cost[assign.Pair(int32(c), s)]
				}
			}
		}
		if totals[0] != totals[1] {
			t.Fatalf("%+v: paths fill %d posts at %d m, scaling %d at %d m", spec, totals[0][0], totals[0][1], totals[1][0], totals[1][1])
		}
		t.Logf("%d candidates, %d structures up to %d posts: both methods fill %d posts at %d m", spec.Candidates, spec.Structures, spec.MaxPosts, totals[0][0], totals[0][1])
	}
}
