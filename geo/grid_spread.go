package geo

// spreadProportional splits pop over len(out) parts in exact proportion to
// weights (≥ 0, at least one > 0) and writes the parts to out: fractional
// inhabitants, nobody moved by rounding. The parts sum to pop in
// floating point (their running sum, in order, is pop within one rounding of
// the last part, which takes what the others left: no drift with the
// number of cells).
//
// An earlier version rounded parts to whole inhabitants by largest
// remainder; a commune with fewer inhabitants than cells then gave its
// leftover inhabitants to its largest cells, which H3 groups by latitude,
// so the spread was not even (Iracoubo, Guyane: every cell populated at
// 4.9–5.0°N, 2 % at 5.5°N).
func spreadProportional(pop float64, weights, out []float64) {
	n := len(weights)
	if n == 0 {
		return
	}
	var total float64
	last := -1
	for i, w := range weights {
		if w > 0 {
			total += w
			last = i
		}
	}
	if last < 0 || total <= 0 {
		// No weight: spread evenly (callers pass area weights, always > 0).
		for i := range out[:n] {
			out[i] = pop / float64(n)
		}
		return
	}
	var sum float64
	for i, w := range weights {
		out[i] = 0
		if i == last || w <= 0 {
			continue
		}
		out[i] = pop * (w / total)
		sum += out[i]
	}
	out[last] = max(0, pop-sum)
}
