package matching

import (
	"context"
	"slices"
)

// solveGreedy is the nearest-pair-first baseline: it walks the edges in
// (cost, candidate, structure) order and takes every pair whose candidate is
// free, whose structure has an open post and whose département cap is not
// reached. The result is a maximal assignment, not a maximum one.
func solveGreedy(ctx context.Context, in *assignInput, g *assignGraph) (assignSolution, error) {
	match := make([]int32, len(in.cands))
	for i := range match {
		match[i] = -1
	}
	open := make([]int32, len(in.structs))
	total := 0
	for i, s := range in.structs {
		open[i] = int32(s.Posts)
		total += s.Posts
	}
	deptLeft := slices.Clone(in.deptCap) // -1: not capped
	for i, p := range g.pair {
		if err := stopped(ctx, i, "greedy assignment"); err != nil {
			return assignSolution{}, err
		}
		c, s := edgeEnds(p)
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
	return assignSolution{match: match}, nil
}
