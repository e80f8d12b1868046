package mclp

// celfEntry is a candidate in the lazy greedy's queue: bound is its gain
// when computed at step stamp, an upper bound of its gain at any later step
// (submodularity).
type celfEntry struct {
	bound float64
	cand  int32
	stamp int32
}

// celfHeap is a binary max-heap of entries by bound, ties to the lowest
// candidate (so that lazy and plain greedy pick the same candidates).
type celfHeap []celfEntry

func (h celfHeap) before(i, j int) bool {
	if h[i].bound != h[j].bound {
		return h[i].bound > h[j].bound
	}
	return h[i].cand < h[j].cand
}

func (h celfHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h.before(r, l) {
			m = r
		}
		if !h.before(m, i) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func (h *celfHeap) pop() {
	n := len(*h) - 1
	(*h)[0] = (*h)[n]
	*h = (*h)[:n]
	h.down(0)
}

// topKSum returns the sum of the k largest bounds of the heap, walking it
// from the root with a small heap of frontier positions (scratch).
func (h celfHeap) topKSum(k int, scratch []int32) (float64, []int32) {
	front := append(scratch[:0], 0)
	var sum float64
	for taken := 0; taken < k && len(front) > 0; taken++ {
		// front is small (≤ k + 1): a linear scan for its maximum is enough
		// and keeps this allocation-free.
		best := 0
		for j := 1; j < len(front); j++ {
			if h[front[j]].bound > h[front[best]].bound {
				best = j
			}
		}
		i := int(front[best])
		front[best] = front[len(front)-1]
		front = front[:len(front)-1]
		sum += h[i].bound
		for _, c := range [2]int{2*i + 1, 2*i + 2} {
			if c < len(h) {
				front = append(front, int32(c))
			}
		}
	}
	return sum, front
}
