package assign

import (
	"context"
	"math"

	"github.com/maillage/maillage/matching/internal/stop"
)

// flowWorker runs the shortest-path searches of one goroutine: its heap and
// the lists of nodes labelled by the current search.
type flowWorker struct {
	ctx  context.Context // the solver stops when it is done
	net  *flowNet
	rep  *flowProgress
	heap []flowEntry

	touchedS, touchedC, touchedD []int32

	dt      int64 // label of t
	tCand   int32 // t reached from this free candidate, or -1
	tStruct int32 // else through the unfilled arc of this structure
}

// flowEntry is a heap entry. node >= 0 is a structure, node < 0 the
// département node -1-node. pos < 0 settles the node; pos >= 0 resumes the
// scan of a structure's arcs at adjCand[pos], key being a lower bound of the
// labels those arcs give.
type flowEntry struct {
	key  int64
	node int32
	pos  int32
}

// solve routes every unit of supply of a component. It returns false,
// leaving the flow unfinished, when w.ctx is done.
func (w *flowWorker) solve(c *flowComponent) bool {
	n := w.net
	for _, s := range c.structs {
		for n.excessS[s] > 0 {
			if !w.search(s) {
				return false
			}
			w.rep.add(w.augment())
			w.settle()
		}
	}
	for _, d := range c.depts {
		for n.excessD[d] > 0 {
			if !w.search(-1 - d) {
				return false
			}
			w.rep.add(w.augment())
			w.settle()
		}
	}
	return true
}

// search labels nodes by reduced distance from src until t is the closest
// unsettled node. It returns false when w.ctx is done (looked at on entry
// and every stop.Every heap pops: a search through a saturated region can
// pop a whole component).
func (w *flowWorker) search(src int32) bool {
	if w.ctx.Err() != nil {
		return false
	}
	n := w.net
	w.dt, w.tCand, w.tStruct = math.MaxInt64, -1, -1
	w.heap = w.heap[:0]
	if src >= 0 {
		n.distS[src], n.parS[src] = 0, parSource
		w.touchedS = append(w.touchedS, src)
	} else {
		d := -1 - src
		n.distD[d], n.parD[d] = 0, parSource
		w.touchedD = append(w.touchedD, d)
	}
	w.push(flowEntry{0, src, -1})
	for pops := 1; len(w.heap) > 0 && w.heap[0].key < w.dt; pops++ {
		if pops&(stop.Every-1) == 0 && w.ctx.Err() != nil {
			return false
		}
		e := w.pop()
		switch {
		case e.node < 0:
			d := -1 - e.node
			if !n.doneD[d] && e.key == n.distD[d] {
				n.doneD[d] = true
				w.expandD(d)
			}
		case e.pos < 0:
			u := e.node
			if !n.doneS[u] && e.key == n.distS[u] {
				n.doneS[u] = true
				w.settleStruct(u)
			}
		default:
			w.scan(e.node, e.pos)
		}
	}
	return true
}

// settleStruct relaxes the unfilled arc of u and its arc back to its
// département node, then starts the scan of its candidates.
func (w *flowWorker) settleStruct(u int32) {
	n := w.net
	du := n.distS[u]
	if t := du + n.bigM[u] + n.piS[u]; t < w.dt {
		w.dt, w.tCand, w.tStruct = t, -1, u
	}
	if d := n.sD[u]; d >= 0 && n.dflow[u] > 0 {
		if nd := du + n.piS[u] - n.piD[d]; nd < n.distD[d] {
			if n.distD[d] == math.MaxInt64 {
				w.touchedD = append(w.touchedD, d)
			}
			n.distD[d], n.parD[d] = nd, u
			w.push(flowEntry{nd, -1 - d, -1})
		}
	}
	w.scan(u, n.adjStart[u])
}

// expandD relaxes the arcs of département node d to its structures with
// posts left.
func (w *flowWorker) expandD(d int32) {
	n := w.net
	base := n.distD[d] + n.piD[d]
	for _, u := range n.dList[n.dStart[d]:n.dStart[d+1]] {
		if n.dflow[u] >= n.posts[u] {
			continue
		}
		if nd := base - n.piS[u]; nd < n.distS[u] {
			if n.distS[u] == math.MaxInt64 {
				w.touchedS = append(w.touchedS, u)
			}
			n.distS[u], n.parS[u] = nd, parFromD
			w.push(flowEntry{nd, u, -1})
		}
	}
}

// scan relaxes the arcs of settled structure u from adjCand[p] on, in
// increasing cost, while their lower bound is below d(t) and no heap entry
// is closer; it leaves the rest in the heap.
func (w *flowWorker) scan(u, p int32) {
	n := w.net
	du := n.distS[u]
	base := du + n.wpen[u] + n.piS[u] // label of arc p is base + cost − π(v) ≥ base + cost
	end := n.adjStart[u+1]
	for ; p < end; p++ {
		bound := base + int64(n.adjCost[p])
		key := max(bound, du)
		if key >= w.dt {
			return
		}
		if len(w.heap) > 0 && key > w.heap[0].key {
			w.push(flowEntry{key, u, p})
			return
		}
		v := n.adjCand[p]
		c := &n.cand[v]
		if c.match == u {
			continue
		}
		if nd := bound - c.pi; nd < c.dist {
			w.relaxCand(c, v, u, p, nd)
		}
	}
}

// relaxCand gives candidate v the label nd through arc p of u, and relaxes
// its one residual out-arc at once: to t when free, else back to its
// structure.
func (w *flowWorker) relaxCand(c *flowCand, v, u, p int32, nd int64) {
	n := w.net
	if c.dist == math.MaxInt64 {
		w.touchedC = append(w.touchedC, v)
	}
	c.dist = nd
	n.candPar[v] = flowCandPar{u, p}
	s := c.match
	if s < 0 {
		if t := nd + c.pi; t < w.dt {
			w.dt, w.tCand, w.tStruct = t, v, -1
		}
		return
	}
	nd2 := nd - c.matchC + c.pi - n.piS[s]
	if nd2 < n.distS[s] {
		if n.distS[s] == math.MaxInt64 {
			w.touchedS = append(w.touchedS, s)
		}
		n.distS[s], n.parS[s] = nd2, v
		w.push(flowEntry{nd2, s, -1})
	}
}

// augment sends flow along the path to t found by search and returns the
// number of units routed: one, or all that can go when the path is a source
// straight to the unfilled arc.
func (w *flowWorker) augment() int64 {
	n := w.net
	amount := int64(1)
	var u int32
	if v := w.tCand; v >= 0 {
		u = n.matchTo(v)
	} else {
		u = w.tStruct
		switch n.parS[u] {
		case parSource:
			amount = n.excessS[u]
		case parFromD:
			if d := n.sD[u]; n.parD[d] == parSource {
				amount = min(n.excessD[d], int64(n.posts[u]-n.dflow[u]))
			}
		}
		n.unfilled[u] += int32(amount)
	}
	for {
		switch p := n.parS[u]; p {
		case parSource:
			n.excessS[u] -= amount
			return amount
		case parFromD:
			n.dflow[u] += int32(amount)
			d := n.sD[u]
			from := n.parD[d]
			if from == parSource {
				n.excessD[d] -= amount
				return amount
			}
			n.dflow[from] -= int32(amount)
			u = from
		default: // p is a candidate matched to u, moving to the structure that reached it
			u = n.matchTo(p)
		}
	}
}

// matchTo matches candidate v to the structure that labelled it and
// returns that structure.
func (n *flowNet) matchTo(v int32) int32 {
	par := n.candPar[v]
	n.cand[v].match = par.s
	n.cand[v].matchC = int64(n.adjCost[par.arc]) + n.wpen[par.s]
	return par.s
}

// settle updates the potentials of the nodes closer than t by d(v) − d(t)
// and clears the labels.
func (w *flowWorker) settle() {
	n, dt := w.net, w.dt
	for _, u := range w.touchedS {
		if d := n.distS[u]; d < dt {
			n.piS[u] += d - dt
		}
		n.distS[u], n.doneS[u] = math.MaxInt64, false
	}
	for _, v := range w.touchedC {
		c := &n.cand[v]
		if c.dist < dt {
			c.pi += c.dist - dt
		}
		c.dist = math.MaxInt64
	}
	for _, d := range w.touchedD {
		if l := n.distD[d]; l < dt {
			n.piD[d] += l - dt
		}
		n.distD[d], n.doneD[d] = math.MaxInt64, false
	}
	w.touchedS, w.touchedC, w.touchedD = w.touchedS[:0], w.touchedC[:0], w.touchedD[:0]
}

// push adds e to the binary min-heap on key.
func (w *flowWorker) push(e flowEntry) {
	h := append(w.heap, e)
	i := len(h) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if h[parent].key <= e.key {
			break
		}
		h[i] = h[parent]
		i = parent
	}
	h[i] = e
	w.heap = h
}

// pop removes and returns the entry of least key.
func (w *flowWorker) pop() flowEntry {
	h := w.heap
	top := h[0]
	last := h[len(h)-1]
	h = h[:len(h)-1]
	i, n := 0, len(h)
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h[c+1].key < h[c].key {
			c++
		}
		if last.key <= h[c].key {
			break
		}
		h[i] = h[c]
		i = c
	}
	if n > 0 {
		h[i] = last
	}
	w.heap = h
	return top
}
