package geo

import (
	"cmp"
	"math"
	"slices"
)

// weightScale is the integer resolution of relative weights in
// spreadLargestRemainder: weights are rounded to w/wmax·2³⁰. With populations
// below 2³¹ every product pop·w fits in a uint64, and so does the sum of
// up to 2³³ weights.
const weightScale = 1 << 30

// spreadScratch holds reusable buffers for spreadLargestRemainder.
type spreadScratch struct {
	w, rem []uint64
	order  []int32
}

// spreadLargestRemainder splits pop (0 ≤ pop < 2³¹) over len(out) parts in
// proportion to weights (areas, > 0) and writes the parts to out. The parts
// sum to pop exactly: each part gets the floor of its quota, and the units
// left go one each to the parts with the largest remainders, ties to the
// lower position. Quotas are computed in integers (weights rounded to 30
// bits) so the result does not depend on floating-point summation order.
func spreadLargestRemainder(pop int64, weights []float64, out []int32, sc *spreadScratch) {
	n := len(weights)
	if n == 0 {
		return
	}
	wmax := 0.0
	for _, w := range weights {
		if w > wmax {
			wmax = w
		}
	}
	sc.w = slices.Grow(sc.w[:0], n)[:n]
	sc.rem = slices.Grow(sc.rem[:0], n)[:n]
	var total uint64
	for i, w := range weights {
		q := uint64(1)
		if wmax > 0 && !math.IsInf(wmax, 1) {
			q = max(1, uint64(math.Round(w/wmax*weightScale)))
		}
		sc.w[i] = q
		total += q
	}
	p := uint64(pop)
	left := p
	for i, w := range sc.w {
		quota := p * w / total
		sc.rem[i] = p * w % total
		out[i] = int32(quota)
		left -= quota
	}
	if left == 0 {
		return
	}
	sc.order = slices.Grow(sc.order[:0], n)[:n]
	for i := range sc.order {
		sc.order[i] = int32(i)
	}
	slices.SortFunc(sc.order, func(a, b int32) int {
		if c := cmp.Compare(sc.rem[b], sc.rem[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for _, i := range sc.order[:left] {
		out[i]++
	}
}
