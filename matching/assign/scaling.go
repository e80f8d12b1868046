package assign

import (
	"context"
	"math"

	"github.com/maillage/maillage/matching/internal/stop"
)

// Cost scaling: the same optimum as the shortest paths of flow.go, found by
// Goldberg's push–relabel with ε-scaling, whose work does not grow with the
// length of augmenting paths. It serves instances with equal priorities and
// no binding group cap; Optimal uses it where it is faster.
//
// The network is a transportation problem with exact supplies:
//
//	candidate v ──(cap 1, cost c(v,u))──▶ structure u      (v takes a post of u)
//	candidate v ──(cap 1, cost K)──▶ H                     (v stays free)
//	H ──(cap Posts(u), cost 0)──▶ structure u              (a post of u stays empty)
//
// Every candidate supplies one unit, every structure demands its posts and H
// supplies posts − candidates (a demand when negative), so a flow always
// exists. Its cost is Σ c + K·(free candidates): with K large enough every
// optimum fills the most posts. K starts small (sixteen times the costliest
// edge, which keeps prices in a narrow range) and the answer is checked:
// when an alternating path from a free candidate to an empty post remains,
// the posts filled are not the most, and the solve is redone with K sixteen
// times larger, up to the bound that needs no check. A minimum-cost flow
// whose posts filled are the most is the lexicographic optimum: any
// assignment filling as many posts costs at least as much.
//
// Costs are multiplied by the number of nodes plus one, so an ε-optimal flow
// with ε = 1 is optimal. Each refinement starts from no flow, keeping the
// prices (as in Goldberg and Kennedy's CSA): candidates bid, each relabel
// taking the second best value (the auction's bid), and a structure over
// its posts gives back at once the unit it values least (the double push).
//
// Prices follow Goldberg's convention: the reduced cost of arc (x, y) is
// c(x, y) + p(x) − p(y), an arc is admissible when residual and negative,
// and relabels lower prices. A candidate values structure u at p(u) − c.

// scaleAlpha divides ε at each refinement.
const scaleAlpha = 8

// Destination of a candidate in a scaling flow.
const (
	toH    int32 = -1 // free: its unit goes to H
	toNone int32 = -2 // active, or without edges
)

// scaleArc is an arc from a candidate: its structure and cost (unscaled).
type scaleArc struct {
	s    int32
	cost uint32
}

// scaleNet is the network of the cost-scaling solver and its state.
type scaleNet struct {
	ctx   context.Context
	scale int64 // cost multiplier: nodes + 1
	kS    int64 // K·scale
	eps   int64
	alpha int64 // ε divisor

	// Candidates: arcs sorted by cost, price, destination.
	cStart  []int32
	arcs    []scaleArc
	pc      []int64
	to      []int32
	active  []int32 // stack of candidates to place
	freeAt  []int32 // index in free, for candidates with to == toH
	free    []int32 // candidates whose unit goes to H
	inNet   []bool  // candidate has edges
	cands   int     // with edges
	supplyH int64

	// Structures: holders packed in slots [sStart[u], sStart[u]+held[u]),
	// with the scaled cost of their arc; tok[u] units come from H.
	posts  []int32
	sDeg   []int32
	sStart []int32
	hCand  []int32
	hCost  []int64
	held   []int32
	tok    []int32
	ps     []int64

	psMax int64   // bound of the structures' prices in this refinement
	top   []int64 // bound of the prices of each candidate's structures

	// H: price, excess and current arcs (free list, then structures).
	pH, exH int64
	hf, hs  int
	bids    int
}

// newScaleNet lays out the network of in.
func newScaleNet(ctx context.Context, in *instance) *scaleNet {
	ns, nc := len(in.posts), in.nc
	n := &scaleNet{ctx: ctx, alpha: scaleAlpha,
		cStart: make([]int32, nc+1), arcs: make([]scaleArc, len(in.pair)),
		pc: make([]int64, nc), to: make([]int32, nc), freeAt: make([]int32, nc), inNet: make([]bool, nc),
		top:   make([]int64, nc),
		posts: in.posts, sDeg: in.structDeg, sStart: make([]int32, ns+1),
		held: make([]int32, ns), tok: make([]int32, ns), ps: make([]int64, ns),
	}
	for c, d := range in.candDeg {
		n.cStart[c+1] = n.cStart[c] + d
		if d > 0 {
			n.inNet[c] = true
			n.cands++
		}
	}
	fill := make([]int32, nc)
	copy(fill, n.cStart[:nc])
	for i, p := range in.pair {
		c, s := Ends(p)
		n.arcs[fill[c]] = scaleArc{s, in.cost[i]}
		fill[c]++
	}
	var posts int64
	for s, p := range in.posts {
		n.sStart[s+1] = n.sStart[s]
		if in.structDeg[s] > 0 {
			n.sStart[s+1] += p + 1 // one spare slot for the unit given back
			posts += int64(p)
		}
	}
	n.hCand = make([]int32, n.sStart[ns])
	n.hCost = make([]int64, n.sStart[ns])
	n.supplyH = posts - int64(n.cands)
	n.scale = int64(n.cands) + int64(ns) + 2
	return n
}

// solve runs the refinements for K (unscaled) and returns false when ctx
// is done.
func (n *scaleNet) solve(k int64) bool {
	n.kS = k * n.scale
	clear(n.pc)
	clear(n.ps)
	for v := range n.top {
		n.top[v] = math.MaxInt64
	}
	n.pH = 0
	n.eps = n.kS
	for n.eps > 1 {
		n.eps = max(n.eps/n.alpha, 1)
		if !n.refine() {
			return false
		}
	}
	return true
}

// refine turns the prices, ε·α-optimal, into an ε-optimal flow.
func (n *scaleNet) refine() bool {
	clear(n.held)
	clear(n.tok)
	n.free = n.free[:0]
	n.exH = n.supplyH
	n.active = n.active[:0]
	for v := len(n.to) - 1; v >= 0; v-- {
		n.to[v] = toNone
		if n.inNet[v] {
			n.active = append(n.active, int32(v))
		}
	}
	// With no flow H's arcs to every structure are residual: ε-optimal
	// when H's price is at least theirs less ε (H has no residual in-arc).
	for u, p := range n.ps {
		if n.sDeg[u] > 0 {
			n.pH = max(n.pH, p)
		}
	}
	n.psMax = math.MinInt64
	for u, p := range n.ps {
		if n.sDeg[u] > 0 {
			n.psMax = max(n.psMax, p)
		}
	}
	n.hf, n.hs = 0, 0
	for {
		if n.exH > 0 {
			n.dischargeH()
			continue
		}
		if len(n.active) == 0 {
			return true
		}
		v := n.active[len(n.active)-1]
		n.active = n.active[:len(n.active)-1]
		n.bid(v)
		if n.bids++; n.bids&(stop.Every-1) == 0 && n.ctx.Err() != nil {
			return false
		}
	}
}

// bid places active candidate v at the structure it values most (or H),
// its price dropping to the second best value less ε.
func (n *scaleNet) bid(v int32) {
	best, second := n.pH-n.kS, int64(math.MinInt64)
	bu, bc := toH, int64(0)
	ps, scale := n.ps, n.scale
	top := min(n.psMax, n.top[v])
	seen, whole := int64(math.MinInt64), true
	for _, arc := range n.arcs[n.cStart[v]:n.cStart[v+1]] {
		c := int64(arc.cost) * scale
		if top-c <= second {
			whole = false
			break // arcs are sorted by cost: none further can be among the two best
		}
		p := ps[arc.s]
		seen = max(seen, p)
		if val := p - c; val > best {
			second, best, bu, bc = best, val, arc.s, c
		} else if val > second {
			second = val
		}
	}
	if whole {
		n.top[v] = seen // prices only drop during a solve
	}
	if second == math.MinInt64 {
		second = best
	}
	n.pc[v] = second - n.eps
	if bu == toH {
		n.to[v] = toH
		n.freeAt[v] = int32(len(n.free))
		n.free = append(n.free, v)
		n.exH++
		return
	}
	n.to[v] = bu
	i := n.sStart[bu] + n.held[bu]
	n.hCand[i], n.hCost[i] = v, bc
	n.held[bu]++
	if n.held[bu]+n.tok[bu] > n.posts[bu] {
		n.giveBack(bu)
	}
}

// giveBack returns the unit structure u values least (the highest p + c:
// the holder closest to preferring elsewhere), relabelling u first when no
// arc back is admissible; u's price then drops to the second value less ε,
// which keeps the remaining holders ε-optimal.
func (n *scaleNet) giveBack(u int32) {
	best, second := int64(math.MinInt64), int64(math.MinInt64)
	arg := int32(-1) // slot, or -1 for a unit of H
	if t := n.tok[u]; t > 0 {
		best = n.pH
		if t > 1 {
			second = n.pH
		}
	}
	base := n.sStart[u]
	for i := base; i < base+n.held[u]; i++ {
		val := n.pc[n.hCand[i]] + n.hCost[i]
		if val > best {
			second, best, arg = best, val, i
		} else if val > second {
			second = val
		}
	}
	p := min(n.ps[u], best-n.eps)
	if second != math.MinInt64 {
		p = min(p, second-n.eps)
	}
	n.ps[u] = p
	if arg < 0 {
		n.tok[u]--
		n.exH++
		return
	}
	y := n.hCand[arg]
	last := base + n.held[u] - 1
	n.hCand[arg], n.hCost[arg] = n.hCand[last], n.hCost[last]
	n.held[u]--
	n.to[y] = toNone
	n.active = append(n.active, y)
}

// dischargeH pushes H's excess along admissible arcs: back to free
// candidates (who bid again) or to structures as empty posts, relabelling H
// when none is left. An arc of H becomes admissible only when H is
// relabelled, so the current arcs only move forward in between.
func (n *scaleNet) dischargeH() {
	for n.exH > 0 {
		if n.hf < len(n.free) {
			v := n.free[n.hf]
			if n.pH-n.kS-n.pc[v] < 0 {
				n.unfree(v)
				n.to[v] = toNone
				n.active = append(n.active, v)
				n.exH--
			} else {
				n.hf++
			}
			continue
		}
		if n.hs < len(n.ps) {
			u := int32(n.hs)
			if n.sDeg[u] > 0 && n.tok[u] < n.posts[u] && n.ps[u] > n.pH {
				n.tok[u]++
				n.exH--
				if n.held[u]+n.tok[u] > n.posts[u] {
					n.giveBack(u)
				}
			} else {
				n.hs++
			}
			continue
		}
		m := int64(math.MinInt64)
		for _, v := range n.free {
			m = max(m, n.pc[v]+n.kS)
		}
		for u, p := range n.ps {
			if n.sDeg[u] > 0 && n.tok[u] < n.posts[u] {
				m = max(m, p)
			}
		}
		n.pH = m - n.eps
		n.hf, n.hs = 0, 0
	}
}

// unfree removes v from the free list.
func (n *scaleNet) unfree(v int32) {
	i, last := n.freeAt[v], n.free[len(n.free)-1]
	n.free[i], n.freeAt[last] = last, i
	n.free = n.free[:len(n.free)-1]
}

// augmentable reports whether an alternating path joins a free candidate
// to an empty post: the posts filled are then not the most possible.
func (n *scaleNet) augmentable() bool {
	seenS := make([]bool, len(n.ps))
	seenC := make([]bool, len(n.to))
	queue := make([]int32, 0, len(n.free))
	for _, v := range n.free {
		seenC[v] = true
		queue = append(queue, v)
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for a := n.cStart[v]; a < n.cStart[v+1]; a++ {
			u := n.arcs[a].s
			if seenS[u] {
				continue
			}
			seenS[u] = true
			if n.tok[u] > 0 {
				return true
			}
			for i := n.sStart[u]; i < n.sStart[u]+n.held[u]; i++ {
				if y := n.hCand[i]; !seenC[y] {
					seenC[y] = true
					queue = append(queue, y)
				}
			}
		}
	}
	return false
}

// scalingApplies reports whether the cost-scaling solver serves in: equal
// priorities and no group cap below the posts it could bound.
func scalingApplies(in *instance) bool {
	for _, w := range in.weightQ {
		if w != in.weightQ[0] {
			return false
		}
	}
	reach := make([]int64, len(in.deptCap))
	for s, p := range in.posts {
		if in.structDeg[s] > 0 {
			reach[in.sDept[s]] += int64(p)
		}
	}
	for d, c := range in.deptCap {
		if c >= 0 && int64(c) < reach[d] {
			return false
		}
	}
	return true
}

// scalingPays reports whether cost scaling should beat the shortest paths
// on in: when posts are nearly as many as candidates (or more). With fewer
// posts the paths' searches stay short (free candidates are near) and
// cost it less: on the plane instances of 50,000 candidates, the paths
// took 0.4–0.5 s for 10,000 to 40,000 posts against 0.7–1.1 s for
// scaling, and 3.3 s for 49,774 posts against 1.6 s.
func scalingPays(in *instance) bool {
	var posts, cands int64
	for s, p := range in.posts {
		if in.structDeg[s] > 0 {
			posts += int64(p)
		}
	}
	for _, d := range in.candDeg {
		if d > 0 {
			cands++
		}
	}
	return 10*posts >= 9*cands
}

// optimalScaling solves in by cost scaling (scalingApplies must hold). It
// returns ok false when the prices could overflow, for the caller to use
// the shortest paths instead.
func optimalScaling(ctx context.Context, in *instance) (match []int32, ok bool, err error) {
	n := newScaleNet(ctx, in)
	var dmax int64
	for _, c := range in.cost {
		dmax = max(dmax, int64(c))
	}
	dmax++
	// Bound that needs no check: one more post outweighs any total cost.
	safe := (min(int64(n.cands), n.supplyH+int64(n.cands))+1)*dmax + 1
	for k := min(16*dmax, safe); ; k = min(16*k, safe) {
		// Prices move by at most about 3·nodes·ε per refinement.
		if float64(k)*float64(n.scale)*float64(n.scale)*8 >= maxPotential {
			return nil, false, nil
		}
		if !n.solve(k) {
			return nil, false, stop.Err(ctx, "optimal assignment")
		}
		if k == safe || !n.augmentable() {
			break
		}
	}
	match = make([]int32, len(n.to))
	for v, u := range n.to {
		match[v] = max(u, -1)
	}
	return match, true, nil
}
