package pairing

import (
	"context"
	"fmt"
	"sync"

	"github.com/maillage/maillage/geo/siteindex"
	"github.com/paulmach/orb"

	"github.com/maillage/maillage/matching/internal/stop"
)

// sharedReach is the part of the assignment graph's radius queries that
// candidates share: candidates located by their commune (or at one address)
// stand on the same point with the same reach, and their queries return
// the same structures in the same order (SiteIndex.WithinChordUnsorted is
// deterministic), so each such point is queried once. The lists hold chord
// distances, resolved per pair by pairCostM.
type sharedReach struct {
	group []int32                // per candidate, its list in lists; -1 when no other candidate shares its point and reach
	lists [][]siteindex.Neighbor // per shared point and reach, the structures within it
}

// reachKey is a candidate's point and reach.
type reachKey struct {
	p orb.Point
	m float64
}

// dedupChunk is the number of shared points a worker queries at a time.
const dedupChunk = 64

// findSharedReach groups the candidates of in by point and reach and
// queries ix once for each group of two or more, on in.workers goroutines.
// It returns an empty sharedReach when in.noDedup is set, and
// ErrAssignTooLarge when the shared lists alone exceed in.maxEdges.
func findSharedReach(ctx context.Context, in *assignInput, ix *siteindex.Index) (sharedReach, error) {
	sr := sharedReach{group: make([]int32, len(in.cands))}
	for i := range sr.group {
		sr.group[i] = -1
	}
	if in.noDedup {
		return sr, nil
	}
	first := make(map[reachKey]int32, len(in.cands))
	var reps []int32 // a candidate of each shared group
	for ci := range in.cands {
		if ci%4096 == 0 && ctx.Err() != nil {
			return sharedReach{}, stop.Err(ctx, "assignment graph")
		}
		k := reachKey{in.cands[ci].Point, in.maxM[ci]}
		f, ok := first[k]
		if !ok {
			first[k] = int32(ci)
			continue
		}
		if sr.group[f] < 0 {
			sr.group[f] = int32(len(reps))
			reps = append(reps, f)
		}
		sr.group[ci] = sr.group[f]
	}
	if len(reps) == 0 {
		return sr, nil
	}
	sr.lists = make([][]siteindex.Neighbor, len(reps))
	nChunks := (len(reps) + dedupChunk - 1) / dedupChunk
	tooMany := false
	var total int64
	var mu sync.Mutex
	assignParallel(in.workers, nChunks, func(next func() (int, bool)) {
		for k, ok := next(); ok && ctx.Err() == nil; k, ok = next() {
			n := 0
			for g := k * dedupChunk; g < min(len(reps), (k+1)*dedupChunk); g++ {
				ci := reps[g]
				sr.lists[g] = ix.WithinChordUnsorted(in.cands[ci].Point, in.maxM[ci], nil)
				n += len(sr.lists[g])
			}
			mu.Lock()
			total += int64(n)
			stop := total > in.maxEdges
			tooMany = tooMany || stop
			mu.Unlock()
			if stop {
				return
			}
		}
	})
	if err := stop.Err(ctx, "assignment graph"); err != nil {
		return sharedReach{}, err
	}
	if tooMany {
		return sharedReach{}, fmt.Errorf("%w: more than %d candidate–structure pairs within reach; lower the candidates' max_km", ErrAssignTooLarge, in.maxEdges)
	}
	return sr, nil
}
