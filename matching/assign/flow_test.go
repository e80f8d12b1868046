package assign

import (
	"context"
	"errors"
	"testing"
)

// TestOptimalCertificate checks the optimality conditions of the final
// flow on larger instances: every residual arc has a nonnegative reduced
// cost and every unit of supply is routed.
func TestOptimalCertificate(t *testing.T) {
	for _, spec := range []genSpec{
		{Seed: 11, Candidates: 6000, Structures: 800, MaxPosts: 3, Clustered: 0.5},
		{Seed: 12, Candidates: 1500, Structures: 900, MaxPosts: 3, Clustered: 0.8, MaxM: 25e3, Priorities: true},
	} {
		p := genProblem(spec, 2)
		in, err := newInstance(context.Background(), p, Options{}, "test")
		if err != nil {
			t.Fatal(err)
		}
		n, err := runOptimal(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		checkCertificate(t, n, in)
	}
}

func checkCertificate(t *testing.T, n *flowNet, in *instance) {
	t.Helper()
	matched := make([]int32, len(n.posts))
	for ci, v := range n.rank {
		c := n.cand[v]
		if c.pi > 0 || c.match < 0 && c.pi != 0 && in.candDeg[ci] > 0 {
			t.Fatalf("candidate %d (structure %d): π = %d", v, c.match, c.pi)
		}
		if c.match >= 0 {
			matched[c.match]++
		}
	}
	for u := range n.posts {
		if n.excessS[u] != 0 {
			t.Fatalf("structure %d: excess %d left", u, n.excessS[u])
		}
		if in.structDeg[u] == 0 {
			continue
		}
		units := n.posts[u]
		if d := n.sD[u]; d >= 0 {
			units = n.dflow[u]
			if n.dflow[u] < n.posts[u] && n.piD[d]-n.piS[u] < 0 || n.dflow[u] > 0 && n.piS[u]-n.piD[d] < 0 {
				t.Fatalf("structure %d: D arc reduced cost violated", u)
			}
		}
		if matched[u]+n.unfilled[u] != units {
			t.Fatalf("structure %d: %d matched + %d unfilled != %d units", u, matched[u], n.unfilled[u], units)
		}
		if n.bigM[u]+n.piS[u] < 0 || n.unfilled[u] > 0 && -n.bigM[u]-n.piS[u] < 0 {
			t.Fatalf("structure %d: unfilled arc reduced cost violated (M %d, π %d)", u, n.bigM[u], n.piS[u])
		}
		for p := n.adjStart[u]; p < n.adjStart[u+1]; p++ {
			v := n.adjCand[p]
			c := n.cand[v]
			red := int64(n.adjCost[p]) + n.wpen[u] + n.piS[u] - c.pi
			if c.match == int32(u) {
				if c.matchC != int64(n.adjCost[p])+n.wpen[u] {
					t.Fatalf("candidate %d: match cost %d, arc %d→%d costs %d", v, c.matchC, u, v, int64(n.adjCost[p])+n.wpen[u])
				}
				red = -red
			}
			if red < 0 {
				t.Fatalf("arc %d→%d: reduced cost %d", u, v, red)
			}
		}
	}
	for d := range n.excessD {
		if n.excessD[d] != 0 {
			t.Fatalf("département node %d: excess %d left", d, n.excessD[d])
		}
	}
}

// TestSetCosts checks the cost rule by hand: B, the priority penalties and
// M of one component, and the refusal when labels could overflow.
func TestSetCosts(t *testing.T) {
	const maxD = 20_000_000 // half the Earth, in metres
	// Weights 1 and 100, in hundredths.
	in := &instance{weightQ: []int64{100, 10000}}
	n := &flowNet{
		adjStart: []int32{0, 2, 3},
		adjCost:  []uint32{5, maxD, 7},
		wpen:     make([]int64, 2),
		bigM:     make([]int64, 2),
	}
	comps := []flowComponent{{structs: []int32{0, 1}, cands: 10, supply: 40}}
	if err := n.setCosts(in, comps); err != nil {
		t.Fatal(err)
	}
	b := int64(10*maxD + 1) // F = min(10 candidates, 40 posts)
	cmax := maxD + b*9900
	if n.wpen[0] != b*9900 || n.wpen[1] != 0 || n.bigM[0] != 11*cmax+1 || n.bigM[1] != n.bigM[0] {
		t.Fatalf("wpen %v, M %v; want [%d 0], %d", n.wpen, n.bigM, b*9900, 11*cmax+1)
	}
	// Equal priorities: costs are the distances and M = (F+1)·Dmax + 1.
	in.weightQ = []int64{150, 150}
	if err := n.setCosts(in, comps); err != nil || n.wpen[0] != 0 || n.wpen[1] != 0 || n.bigM[0] != 11*maxD+1 {
		t.Fatalf("equal priorities: %v, wpen %v, M %v", err, n.wpen, n.bigM)
	}
	// 2,000 candidates over half the Earth with priorities 1 to 100 would
	// overflow int64 labels: refused.
	in.weightQ = []int64{100, 10000}
	comps[0].cands, comps[0].supply = 2000, 2000
	err := n.setCosts(in, comps)
	if se, ok := errors.AsType[*SpreadError](err); !ok || !errors.Is(err, ErrInput) || se.Structure != 0 || se.MinPriority != 100 || se.MaxPriority != 10000 {
		t.Fatalf("overflowing priorities: error %v", err)
	}
}
