package assign

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/maillage/maillage/matching/internal/stop"
)

// The optimal assignment is a min-cost flow. Posts are the supply, the
// candidates the demand:
//
//	structure u ──(cap 1, cost c(u,v))──▶ candidate v ──(cap 1, cost 0)──▶ t
//	structure u ──(cap ∞, cost M)──▶ t                       ("post left unfilled")
//
// Each structure u supplies Posts(u) units. In a département whose cap is
// binding (cap < posts of its structures that have a candidate in reach) a
// node D supplies cap units instead, with arcs D → u of capacity Posts(u).
// Every unit reaches t, through a candidate or through an "unfilled" arc, so
// the flow is always feasible, and the min-cost flow is the lexicographic
// optimum when:
//
//   - c(u,v) = cost(u,v) + B·(Wmax − W(u)), W the priority (matching passes
//     weights in hundredths), Wmax the largest in the component,
//     B = F·Dmax + 1 where F bounds the filled posts (min of candidates and
//     supply) and Dmax is the costliest edge: one level of priority outweighs
//     any total cost, and with equal priorities c(u,v) is the edge's cost
//     (matching: the distance rounded to the metre);
//   - M = (F+1)·Cmax + 1, Cmax the largest c: one more filled post outweighs
//     any total cost.
//
// Costs are int64; Optimal refuses components where potentials could exceed
// 2^62 (only possible with priorities spread over a large range).
//
// The solver is successive shortest paths from each supply node in turn
// (the Hungarian method generalised to capacities): Dijkstra on reduced
// costs c + π(u) − π(v), stopped as soon as t is the closest open node, then
// π(v) += d(v) − d(t) for every node closer than t, which keeps every
// residual reduced cost nonnegative, then one augmentation along the path.
// Three things make it fast on the 50,000 × 5,000 instance:
//
//   - Candidates have a single residual out-arc (to t when free, back to
//     their structure when matched), so they never enter the heap: the arc is
//     relaxed as soon as the candidate's label improves.
//   - A structure's arcs are kept sorted by cost and scanned lazily: since
//     π ≤ 0 everywhere (potentials only decrease from 0) and π = 0 at free
//     candidates, d(u) + c(u,v) + π(u) is a lower bound of the label the arc
//     gives v, exact for untouched candidates; the scan stops at the first
//     arc whose bound is not below d(t), and otherwise goes back into the heap
//     keyed by that bound whenever another node is closer. A fresh post
//     usually costs two heap operations.
//   - The bipartite graph is split into connected components (binding
//     départements join theirs), solved in parallel on Workers goroutines.
//   - What a scan reads of a candidate sits in one 32-byte record, and
//     candidates are numbered along a Z-order curve so that those of one
//     structure are close in memory.
//
// The searches are short while free candidates abound near the posts (the
// 50k × 5k instance: about 0.1 s). When posts are about as many as the
// candidates every late search crosses a saturated region, and a post that
// cannot be filled is only proven so by exploring all of it: 50,000
// candidates for 50,000 posts take 4 to 5 s (BenchmarkAssignBalanced50k in
// matching/pairing), the last tenth of the searches labelling three
// quarters of all the candidates labelled: Optimal solves those by cost
// scaling (scaling.go).
//
// Processing order (structures by index, then capped départements) and every
// tie-break are fixed, so the result does not depend on scheduling.

// maxPotential bounds every label and potential of the solver.
const maxPotential = 1 << 62

// Parent codes of a structure in a search.
const (
	parSource int32 = -1 // the search started here
	parFromD  int32 = -2 // reached from its département node
)

// flowNet is the network of the optimal solver and its state. Nodes are
// structures (index s), candidates (index c) and binding départements (index
// d); arrays are shared by the workers, each component owning its nodes.
type flowNet struct {
	// Structures: arcs to candidates sorted by (cost, candidate).
	adjStart []int32 // len ns+1
	adjCand  []int32
	adjCost  []uint32
	posts    []int32
	wpen     []int64 // B·(Wmax − W(u)), per component
	bigM     []int64 // cost of the unfilled arc, per component
	sD       []int32 // binding département node of each structure, or -1
	dStart   []int32 // structures (with edges) of each binding département
	dList    []int32

	// Candidates, numbered in a space-filling-curve order of their points
	// (rank maps input indexes to it) so that the candidates of a structure
	// are near each other in memory: the fields every arc scan reads, packed
	// in one cache line, and where the current search labelled them from.
	rank    []int32
	cand    []flowCand
	candPar []flowCandPar

	// Flow state.
	unfilled []int32 // units of each structure sent to t unfilled
	dflow    []int32 // flow on D → u
	excessS  []int64 // units still to route from each structure
	excessD  []int64 // units still to route from each département node
	piS      []int64 // potentials; t's is 0
	piD      []int64

	// Search labels (reset after each search).
	distS, distD []int64
	parS         []int32 // candidate index, parSource or parFromD
	parD         []int32 // structure index or parSource
	doneS, doneD []bool
}

// flowCand is the state of a candidate that arc scans read.
type flowCand struct {
	pi     int64 // potential (≤ 0, 0 while free)
	dist   int64 // label in the current search, MaxInt64 when unlabelled
	matchC int64 // cost c(u,v) of the arc to its structure u
	match  int32 // that structure, -1 when free
}

// flowCandPar is the arc through which a candidate got its label.
type flowCandPar struct {
	s   int32 // structure
	arc int32 // index in adjCand
}

// flowComponent is a connected part of the network.
type flowComponent struct {
	structs []int32 // with edges, by index
	depts   []int32 // binding département nodes, by index
	cands   int
	supply  int64
}

// Optimal solves p exactly: it fills the most posts possible; among those
// assignments it maximizes the summed priority of the filled posts; among
// those it minimizes the total cost. Each candidate takes at most one post,
// only along an edge; a structure never gets more candidates than its
// posts, and the posts filled in a group never exceed its cap.
//
// Options.Method chooses the algorithm: successive shortest paths (below)
// or cost scaling (scaling.go), by default the latter when priorities are
// equal, no group cap binds and posts are at least nine tenths of the
// candidates, where long augmenting paths make the former slow. Both find
// the optimum (the same posts filled and total cost); among equal optima
// the assignments may differ.
//
// The result is deterministic: it depends neither on Options.Workers nor
// on Problem.Layout. Optimal stops when ctx is done (it looks before every
// shortest-path search and every stop.Every heap pops within one, or every
// stop.Every bids of cost scaling) and returns its error wrapped.
func Optimal(ctx context.Context, p *Problem, opt Options) (Solution, error) {
	in, err := newInstance(ctx, p, opt, "optimal assignment")
	if err != nil {
		return Solution{}, err
	}
	method := opt.Method
	if method == MethodAuto && !scalingPays(in) {
		method = MethodPaths
	}
	if method != MethodPaths && scalingApplies(in) {
		match, ok, err := optimalScaling(ctx, in)
		if err != nil {
			return Solution{}, err
		}
		if ok {
			if in.progress != nil {
				total := 0
				for _, p := range in.posts {
					total += int(p)
				}
				in.progress(total, total)
			}
			return Solution{Match: match}, nil
		}
	}
	n, err := runOptimal(ctx, in)
	if err != nil {
		return Solution{}, err
	}
	match := make([]int32, len(n.cand))
	for i, r := range n.rank {
		match[i] = n.cand[r].match
	}
	return Solution{Match: match}, nil
}

// runOptimal builds and solves the network, returning it with its final
// flow and potentials. It stops when ctx is done: the workers look at it
// before every shortest-path search and every checkEvery heap pops within
// one.
func runOptimal(ctx context.Context, in *instance) (*flowNet, error) {
	n, err := newFlowNet(ctx, in)
	if err != nil {
		return nil, err
	}
	comps := n.components(in)
	if err := n.setCosts(in, comps); err != nil {
		return nil, err
	}

	total, decided := 0, 0
	for si, p := range in.posts {
		total += int(p)
		if in.structDeg[si] == 0 {
			decided += int(p)
		}
	}
	for _, c := range comps {
		for _, s := range c.structs {
			decided += int(n.posts[s])
		}
		decided -= int(c.supply) // binding caps leave posts out of the supply
	}
	rep := &flowProgress{fn: in.progress, total: total}
	rep.done.Store(int64(decided))

	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(in.workers, max(len(comps), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &flowWorker{ctx: ctx, net: n, rep: rep}
			for {
				k := int(next.Add(1) - 1)
				if k >= len(comps) || !w.solve(&comps[k]) {
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := stop.Err(ctx, "optimal assignment"); err != nil {
		return nil, err
	}
	rep.report(true)
	return n, nil
}

// newFlowNet lays out the network of the graph; it stops when ctx is done
// (filling the arcs of millions of edges takes a tenth of a second).
func newFlowNet(ctx context.Context, in *instance) (*flowNet, error) {
	ns, nc := len(in.posts), in.nc
	if in.rank == nil {
		in.rank = make([]int32, nc)
		for i := range in.rank {
			in.rank[i] = int32(i)
		}
	}
	n := &flowNet{
		adjStart: make([]int32, ns+1),
		adjCand:  make([]int32, len(in.pair)),
		adjCost:  make([]uint32, len(in.pair)),
		posts:    make([]int32, ns),
		wpen:     make([]int64, ns),
		bigM:     make([]int64, ns),
		sD:       make([]int32, ns),
		rank:     in.rank,
		cand:     make([]flowCand, nc),
		candPar:  make([]flowCandPar, nc),
		unfilled: make([]int32, ns),
		dflow:    make([]int32, ns),
		excessS:  make([]int64, ns),
		piS:      make([]int64, ns),
		distS:    make([]int64, ns),
		parS:     make([]int32, ns),
		doneS:    make([]bool, ns),
	}
	// CSR by structure; edges are sorted by cost, so each run is too.
	for s, d := range in.structDeg {
		n.adjStart[s+1] = n.adjStart[s] + d
	}
	fill := slices.Clone(n.adjStart[:ns])
	for i, p := range in.pair {
		if err := stop.At(ctx, i, "optimal assignment"); err != nil {
			return nil, err
		}
		c, s := Ends(p)
		n.adjCand[fill[s]] = n.rank[c]
		n.adjCost[fill[s]] = in.cost[i]
		fill[s]++
	}
	for i := range n.cand {
		n.cand[i] = flowCand{match: -1, dist: math.MaxInt64}
	}
	for i, p := range in.posts {
		n.posts[i] = p
		n.distS[i] = math.MaxInt64
		n.sD[i] = -1
	}

	// Binding départements: cap below the posts that could be filled.
	reach := make([]int64, len(in.deptCap))
	for si, p := range in.posts {
		if in.structDeg[si] > 0 {
			reach[in.sDept[si]] += int64(p)
		}
	}
	dOf := make([]int32, len(in.deptCap))
	for d := range in.deptCap {
		dOf[d] = -1
		if c := in.deptCap[d]; c >= 0 && int64(c) < reach[d] {
			dOf[d] = int32(len(n.excessD))
			n.excessD = append(n.excessD, int64(c))
		}
	}
	nd := len(n.excessD)
	n.dStart = make([]int32, nd+1)
	for si := range in.posts {
		if in.structDeg[si] == 0 {
			continue
		}
		if d := dOf[in.sDept[si]]; d >= 0 {
			n.sD[si] = d
			n.dStart[d+1]++
		} else {
			n.excessS[si] = int64(in.posts[si])
		}
	}
	for d := range nd {
		n.dStart[d+1] += n.dStart[d]
	}
	n.dList = make([]int32, n.dStart[nd])
	dfill := slices.Clone(n.dStart[:nd])
	for si := range in.posts {
		if d := n.sD[si]; d >= 0 {
			n.dList[dfill[d]] = int32(si)
			dfill[d]++
		}
	}
	n.piD = make([]int64, nd)
	n.distD = make([]int64, nd)
	n.parD = make([]int32, nd)
	n.doneD = make([]bool, nd)
	for d := range nd {
		n.distD[d] = math.MaxInt64
	}
	return n, stop.Err(ctx, "optimal assignment")
}

// components splits the network into connected components (union-find over
// edges and binding départements), sorted by decreasing supply then first
// structure so that big ones start first.
func (n *flowNet) components(in *instance) []flowComponent {
	ns, nc := len(in.posts), in.nc
	parent := make([]int32, ns+nc+len(n.excessD))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	union := func(a, b int32) {
		ra, rb := find(a), find(b)
		if ra != rb {
			parent[max(ra, rb)] = min(ra, rb)
		}
	}
	for _, p := range in.pair {
		c, s := Ends(p)
		union(s, int32(ns)+c)
	}
	for d := range n.excessD {
		for _, s := range n.dList[n.dStart[d]:n.dStart[d+1]] {
			union(s, int32(ns+nc+d))
		}
	}
	id := map[int32]int{}
	var comps []flowComponent
	get := func(node int32) *flowComponent {
		r := find(node)
		k, ok := id[r]
		if !ok {
			k = len(comps)
			id[r] = k
			comps = append(comps, flowComponent{})
		}
		return &comps[k]
	}
	for s := range ns {
		if in.structDeg[s] > 0 {
			c := get(int32(s))
			c.structs = append(c.structs, int32(s))
			c.supply += n.excessS[s]
		}
	}
	for d := range n.excessD {
		c := get(int32(ns + nc + d))
		c.depts = append(c.depts, int32(d))
		c.supply += n.excessD[d]
	}
	for ci := range nc {
		if in.candDeg[ci] > 0 {
			get(int32(ns+ci)).cands++
		}
	}
	slices.SortStableFunc(comps, func(a, b flowComponent) int {
		if c := cmp.Compare(b.supply, a.supply); c != 0 {
			return c
		}
		return cmp.Compare(a.structs[0], b.structs[0])
	})
	return comps
}

// setCosts fixes B, the weight penalties and M of every component (see the
// cost rule above) and checks that labels stay within maxPotential.
func (n *flowNet) setCosts(in *instance, comps []flowComponent) error {
	for k := range comps {
		c := &comps[k]
		var maxD int64
		wmin, wmax := int64(math.MaxInt64), int64(0)
		for _, s := range c.structs {
			maxD = max(maxD, int64(n.adjCost[n.adjStart[s+1]-1]))
			wmin, wmax = min(wmin, in.weightQ[s]), max(wmax, in.weightQ[s])
		}
		f := min(int64(c.cands), c.supply)
		var b int64
		if wmax > wmin {
			b = f*maxD + 1
		}
		cmax := maxD + b*(wmax-wmin)
		m := (f+1)*cmax + 1
		nodes := float64(len(c.structs) + c.cands + len(c.depts) + 1)
		bound := 4*(nodes*float64(cmax)+float64(m)) + float64(cmax)
		if bound >= maxPotential {
			return &SpreadError{Structure: int(c.structs[0]), MinPriority: wmin, MaxPriority: wmax, Structures: len(c.structs), Candidates: c.cands}
		}
		for _, s := range c.structs {
			n.wpen[s] = b * (wmax - in.weightQ[s])
			n.bigM[s] = m
		}
	}
	return nil
}

// flowProgress reports placed posts to Options.Progress.
type flowProgress struct {
	fn    func(done, total int)
	total int
	done  atomic.Int64
	mu    sync.Mutex
	last  int64
}

// add counts k more decided posts and reports every 256.
func (p *flowProgress) add(k int64) {
	if p.fn == nil {
		return
	}
	v := p.done.Add(k)
	if v>>8 != (v-k)>>8 {
		p.report(false)
	}
}

func (p *flowProgress) report(final bool) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	v := p.done.Load()
	if final {
		v = int64(p.total)
	}
	if v > p.last || final && p.last == 0 {
		p.last = v
		p.fn(int(v), p.total)
	}
}
