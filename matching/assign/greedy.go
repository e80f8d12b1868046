package assign

import (
	"context"
	"slices"

	"github.com/maillage/maillage/matching/internal/stop"
)

// Greedy is the nearest-pair-first baseline: it walks the edges in
// (cost, candidate, structure) order and takes every pair whose candidate is
// free, whose structure has an open post and whose group cap is not
// reached. The result is a maximal assignment, not a maximum one; it
// ignores priorities and Options.Workers. Greedy stops when ctx is done and
// returns its error wrapped.
func Greedy(ctx context.Context, p *Problem, opt Options) (Solution, error) {
	in, err := newInstance(ctx, p, opt, "greedy assignment")
	if err != nil {
		return Solution{}, err
	}
	match := make([]int32, in.nc)
	for i := range match {
		match[i] = -1
	}
	open := slices.Clone(in.posts)
	total := 0
	for _, n := range in.posts {
		total += int(n)
	}
	deptLeft := slices.Clone(in.deptCap) // -1: not capped
	for i, p := range in.pair {
		if err := stop.At(ctx, i, "greedy assignment"); err != nil {
			return Solution{}, err
		}
		c, s := Ends(p)
		if match[c] >= 0 || open[s] == 0 {
			continue
		}
		d := in.sDept[s]
		if deptLeft[d] == 0 {
			continue
		}
		if deptLeft[d] > 0 {
			deptLeft[d]--
		}
		match[c] = s
		open[s]--
	}
	if in.progress != nil {
		in.progress(total, total)
	}
	return Solution{Match: match}, nil
}
