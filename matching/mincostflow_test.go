package matching

import (
	"context"
	"errors"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
)

// TestAssignCertificate checks the optimality conditions of the final flow
// on larger instances: every residual arc has a nonnegative reduced cost
// and every unit of supply is routed.
func TestAssignCertificate(t *testing.T) {
	for _, spec := range []genSpec{
		{Seed: 11, Candidates: 6000, Structures: 800, MaxPosts: 3, Clustered: 0.5},
		{Seed: 12, Candidates: 1500, Structures: 900, MaxPosts: 3, Clustered: 0.8, MaxKm: 25, Weights: true},
	} {
		cands, structs := genInstance(spec)
		caps := map[string]int{}
		for i, s := range structs {
			if i%3 == 0 {
				caps[s.Departement] = 2
			}
		}
		in, err := newAssignInput(context.Background(), cands, structs, AssignOptions{DepartementCaps: caps})
		if err != nil {
			t.Fatal(err)
		}
		g, err := buildAssignGraph(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		n, err := runOptimal(context.Background(), in, g)
		if err != nil {
			t.Fatal(err)
		}
		checkCertificate(t, n, g)
	}
}

func checkCertificate(t *testing.T, n *flowNet, g *assignGraph) {
	t.Helper()
	matched := make([]int32, len(n.posts))
	for ci, v := range n.rank {
		c := n.cand[v]
		if c.pi > 0 || c.match < 0 && c.pi != 0 && g.candDeg[ci] > 0 {
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
		if g.structDeg[u] == 0 {
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

func TestRadixSortEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, maxCost := range []uint32{0, 1, 200, 30000, 1 << 22, 20_100_000} {
		for _, workers := range []int{1, 3} {
			var segCost [][]uint32
			var segPair [][]uint64
			var all []struct {
				c uint32
				p uint64
			}
			for range 1 + r.IntN(9) {
				n := r.IntN(2000)
				cs, ps := make([]uint32, n), make([]uint64, n)
				for i := range cs {
					cs[i] = uint32(r.Uint64N(uint64(maxCost) + 1))
					ps[i] = r.Uint64()
					all = append(all, struct {
						c uint32
						p uint64
					}{cs[i], ps[i]})
				}
				segCost, segPair = append(segCost, cs), append(segPair, ps)
			}
			cost, pair, err := radixSortEdges(context.Background(), segCost, segPair, workers)
			if err != nil {
				t.Fatal(err)
			}
			sort.SliceStable(all, func(i, j int) bool { return all[i].c < all[j].c })
			if len(cost) != len(all) || len(pair) != len(all) {
				t.Fatalf("max %d: %d edges, want %d", maxCost, len(cost), len(all))
			}
			for i := range all {
				if cost[i] != all[i].c || pair[i] != all[i].p {
					t.Fatalf("max %d workers %d: edge %d = (%d, %x), want (%d, %x)", maxCost, workers, i, cost[i], pair[i], all[i].c, all[i].p)
				}
			}
		}
	}
}

func TestAssignEmpty(t *testing.T) {
	s := []Structure{{ID: "s", Point: orb.Point{2, 48}, Posts: 2, Departement: "75"}}
	c := []Candidate{{ID: "c", Point: orb.Point{2, 48}, Departement: "75"}}
	for _, alg := range []string{AlgorithmOptimal, AlgorithmGreedy} {
		res, err := Assign(context.Background(), nil, s, AssignOptions{Algorithm: alg})
		if err != nil || res.PostsFilled != 0 || len(res.Unfilled) != 1 || res.Unfilled[0].Reason != ReasonNoCandidateInReach {
			t.Fatalf("%s without candidates: %+v, %v", alg, res, err)
		}
		res, err = Assign(context.Background(), c, nil, AssignOptions{Algorithm: alg})
		if err != nil || res.PostsFilled != 0 || len(res.Unmatched) != 1 || res.Unmatched[0].Reason != ReasonNoStructureInReach {
			t.Fatalf("%s without structures: %+v, %v", alg, res, err)
		}
		res, err = Assign(context.Background(), c, s, AssignOptions{Algorithm: alg, DepartementCaps: map[string]int{"75": 0}})
		if err != nil || res.PostsFilled != 0 || len(res.Unfilled) != 1 || res.Unfilled[0].Reason != ReasonDepartementCap || res.Unmatched[0].Reason != ReasonOutcompeted {
			t.Fatalf("%s with cap 0: %+v, %v", alg, res, err)
		}
	}
}

func TestAssignProgress(t *testing.T) {
	cands, structs := genInstance(genSpec{Seed: 8, Candidates: 3000, Structures: 600, MaxPosts: 3, Clustered: 0.5})
	total := 0
	for _, s := range structs {
		total += s.Posts
	}
	for _, alg := range []string{AlgorithmOptimal, AlgorithmGreedy} {
		var calls, last int
		progress := func(done, tot int) {
			if tot != total || done < last || done > tot {
				t.Fatalf("%s: progress(%d, %d) after %d, total %d", alg, done, tot, last, total)
			}
			calls++
			last = done
		}
		if _, err := Assign(context.Background(), cands, structs, AssignOptions{Algorithm: alg, Progress: progress}); err != nil {
			t.Fatal(err)
		}
		if last != total || calls == 0 {
			t.Fatalf("%s: %d calls, last done %d of %d", alg, calls, last, total)
		}
	}
}

func TestAssignTooLarge(t *testing.T) {
	cands, structs := genInstance(genSpec{Seed: 4, Candidates: 2000, Structures: 200, MaxPosts: 2, Clustered: 0.5})
	in, err := newAssignInput(context.Background(), cands, structs, AssignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := buildAssignGraph(context.Background(), in)
	if err != nil || g.edges() < 1000 {
		t.Fatalf("%v, %d edges", err, g.edges())
	}
	in.maxEdges = int64(g.edges()) - 1
	if _, err := buildAssignGraph(context.Background(), in); !errors.Is(err, ErrAssignTooLarge) {
		t.Fatalf("limit %d below %d edges: error %v", in.maxEdges, g.edges(), err)
	}
	in.maxEdges = int64(g.edges())
	if _, err := buildAssignGraph(context.Background(), in); err != nil {
		t.Fatalf("limit at %d edges: %v", g.edges(), err)
	}
}

// TestSetCosts checks the cost rule by hand: B, the weight penalties and M
// of one component, and the refusal when labels could overflow.
func TestSetCosts(t *testing.T) {
	const maxD = 20_000_000 // half the Earth, in metres
	in := &assignInput{
		structs: []Structure{{ID: "light"}, {ID: "heavy"}},
		weightQ: []int64{100, 10000}, // weights 1 and 100
	}
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
	// Equal weights: costs are the distances and M = (F+1)·Dmax + 1.
	in.weightQ = []int64{150, 150}
	if err := n.setCosts(in, comps); err != nil || n.wpen[0] != 0 || n.wpen[1] != 0 || n.bigM[0] != 11*maxD+1 {
		t.Fatalf("equal weights: %v, wpen %v, M %v", err, n.wpen, n.bigM)
	}
	// 2,000 candidates over half the Earth with weights 1 to 100 would
	// overflow int64 labels: refused.
	in.weightQ = []int64{100, 10000}
	comps[0].cands, comps[0].supply = 2000, 2000
	if err := n.setCosts(in, comps); !errors.Is(err, ErrBadAssignInput) {
		t.Fatalf("overflowing weights: error %v", err)
	}
}

// TestAssignGraphOrder checks that the edges come by (cost, candidate,
// structure) even with many ties: structures stacked on the same points.
func TestAssignGraphOrder(t *testing.T) {
	cands, structs := genInstance(genSpec{Seed: 21, Candidates: 3000, Structures: 400, MaxPosts: 2, Clustered: 0.7})
	for i := range structs {
		structs[i].Point = structs[i/8*8].Point // stacks of 8
	}
	in, err := newAssignInput(context.Background(), cands, structs, AssignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := buildAssignGraph(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	ties := 0
	for i := 1; i < g.edges(); i++ {
		if g.cost[i] < g.cost[i-1] || g.cost[i] == g.cost[i-1] && g.pair[i] <= g.pair[i-1] {
			c0, s0 := edgeEnds(g.pair[i-1])
			c1, s1 := edgeEnds(g.pair[i])
			t.Fatalf("edge %d (%d m, %d→%d) after (%d m, %d→%d)", i, g.cost[i], c1, s1, g.cost[i-1], c0, s0)
		}
		if g.cost[i] == g.cost[i-1] && g.pair[i]>>32 == g.pair[i-1]>>32 {
			ties++
		}
	}
	if ties < 1000 {
		t.Fatalf("only %d tied edges: the test is too weak", ties)
	}
	want := 0
	for i := range cands {
		for j := range structs {
			if geo.DistanceM(cands[i].Point, structs[j].Point) <= in.maxM[i] {
				want++
			}
		}
	}
	if g.edges() != want {
		t.Fatalf("%d edges, brute force %d", g.edges(), want)
	}
}
