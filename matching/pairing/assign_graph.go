package pairing

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/maillage/maillage/matching/assign"
	"github.com/maillage/maillage/matching/internal/stop"
)

// assignGraph is the sparse bipartite graph of Assign: one edge per
// candidate–structure pair within the candidate's MaxKm, weighted by the
// great-circle distance rounded to the metre.
//
// Edges are sorted by (cost, candidate, structure): the greedy baseline walks
// them in that order and the optimal solver reads them per structure in
// increasing cost.
type assignGraph struct {
	cost      []uint32 // rounded metres of each edge
	pair      []uint64 // candidate<<32 | structure of each edge
	candDeg   []int32  // edges per candidate
	structDeg []int32  // edges per structure
	// Pairs within reach excluded by the process, by kind, per candidate
	// and per structure; nil when the process excludes nothing.
	candExcl   [][nExcl]int32
	structExcl [][nExcl]int32
}

func (g *assignGraph) edges() int { return len(g.cost) }

// edgeEnds unpacks a pair.
func edgeEnds(p uint64) (cand, strct int32) { return assign.Ends(p) }

// assignChunk is the number of candidates a worker queries at a time.
const assignChunk = 512

// MaxAssignEdges bounds the candidate–structure pairs within reach that
// Assign accepts: about 36 bytes each at the peak, so 40 million stay under
// 1.5 GB.
const MaxAssignEdges = 40_000_000

// buildAssignGraph queries, for every candidate, the structures within its
// MaxKm on a SiteIndex of the structures, on in.workers goroutines: once
// per point and reach that several candidates share (findSharedReach). It
// stops when ctx is done.
func buildAssignGraph(ctx context.Context, in *assignInput) (*assignGraph, error) {
	pts := make([]orb.Point, len(in.structs))
	for i, s := range in.structs {
		pts[i] = s.Point
	}
	ix := siteindex.New(pts)
	shared, err := findSharedReach(ctx, in, ix)
	if err != nil {
		return nil, err
	}

	nChunks := (len(in.cands) + assignChunk - 1) / assignChunk
	chunkCost := make([][]uint32, nChunks)
	chunkPair := make([][]uint64, nChunks)
	g := &assignGraph{candDeg: make([]int32, len(in.cands)), structDeg: make([]int32, len(in.structs))}
	if in.proc.active {
		g.candExcl, g.structExcl = make([][nExcl]int32, len(in.cands)), make([][nExcl]int32, len(in.structs))
	}
	var mu sync.Mutex
	var total atomic.Int64
	assignParallel(in.workers, nChunks, func(next func() (int, bool)) {
		var own, nbs []siteindex.Neighbor
		var cost []uint32
		var pair []uint64
		deg := make([]int32, len(in.structs))
		var sExcl [][nExcl]int32
		if in.proc.active {
			sExcl = make([][nExcl]int32, len(in.structs))
		}
		for k, ok := next(); ok && ctx.Err() == nil; k, ok = next() {
			cost, pair = cost[:0], pair[:0]
			for ci := k * assignChunk; ci < min(len(in.cands), (k+1)*assignChunk); ci++ {
				if ctx.Err() != nil { // a dense chunk can take a tenth of a second
					break
				}
				if in.proc.active && in.proc.fixed[ci] >= 0 {
					continue // a fixed pair: no other edge
				}
				if gi := shared.group[ci]; gi >= 0 {
					nbs = shared.lists[gi] // read only: other candidates share it
				} else {
					own = ix.WithinChordUnsorted(in.cands[ci].Point, in.maxM[ci], own)
					nbs = own
				}
				// Without a date or wish of its own, a candidate's pairs are
				// excluded by their structure only (structures with a mission
				// start make the process active for every candidate).
				perPair := in.proc.active && (in.cands[ci].AvailableDay != 0 || len(in.cands[ci].Wished) > 0)
				n := 0
				for _, nb := range nbs {
					m, ok := pairCostM(nb.DistanceM, in.maxM[ci], in.cands[ci].Point, in.structs[nb.ID].Point)
					if !ok {
						continue
					}
					ex := exclNone
					if perPair {
						ex = in.exclusion(ci, nb.ID)
					} else if in.proc.active {
						ex = in.proc.sExcl[nb.ID]
					}
					if ex != exclNone {
						g.candExcl[ci][ex]++
						sExcl[nb.ID][ex]++
						continue
					}
					cost = append(cost, m)
					pair = append(pair, assign.Pair(int32(ci), int32(nb.ID)))
					deg[nb.ID]++
					n++
				}
				g.candDeg[ci] = int32(n)
			}
			chunkCost[k], chunkPair[k] = slices.Clone(cost), slices.Clone(pair)
			if total.Add(int64(len(cost))) > in.maxEdges {
				return
			}
		}
		mu.Lock()
		for s, d := range deg {
			g.structDeg[s] += d
		}
		for s := range sExcl {
			for k, n := range sExcl[s] {
				g.structExcl[s][k] += n
			}
		}
		mu.Unlock()
	})
	if err := stop.Err(ctx, "assignment graph"); err != nil {
		return nil, err
	}
	if total.Load() > in.maxEdges {
		return nil, fmt.Errorf("%w: more than %d candidate–structure pairs within reach; lower the candidates' max_km", ErrAssignTooLarge, in.maxEdges)
	}
	if g.cost, g.pair, err = radixSortEdges(ctx, chunkCost, chunkPair, in.workers); err != nil {
		return nil, err
	}
	sortTies(g.cost, g.pair)
	return g, stop.Err(ctx, "assignment graph")
}

// pairCostM returns the cost of a pair, geo.DistanceM(c, s) rounded to
// the metre, and whether that distance is within maxM, from chordM, the
// pair's distance as siteindex.WithinChordUnsorted reports it (within
// siteindex.ChordToleranceM of geo.DistanceM). The haversine is computed
// only when chordM is that close to maxM or to a half metre, where the two
// could round or compare otherwise: the graph is the one geo.DistanceM
// gives.
func pairCostM(chordM, maxM float64, c, s orb.Point) (uint32, bool) {
	const tol = siteindex.ChordToleranceM
	d := chordM
	if d > maxM+tol {
		return 0, false
	}
	if math.Abs(d-maxM) <= tol || math.Abs(d-math.Floor(d)-0.5) <= tol {
		if d = geo.DistanceM(c, s); d > maxM {
			return 0, false
		}
	}
	return uint32(math.Round(d)), true
}

// edgeSample is the number of candidates EstimateEdges queries.
const edgeSample = 256

// EstimateEdges estimates the candidate–structure pairs within reach that
// Assign would build (the memory and time of a match grow with them): the
// pairs of edgeSample candidates drawn at random, scaled to all of them, at
// most MaxAssignEdges + 1. Drawing at random (not every n-th row) keeps a
// file ordered on purpose from hiding its dense part. Rows Assign would
// refuse are skipped.
func EstimateEdges(cands []Candidate, structs []Structure) int64 {
	if len(cands) == 0 || len(structs) == 0 {
		return 0
	}
	pts := make([]orb.Point, len(structs))
	for i, s := range structs {
		pts[i] = s.Point
	}
	ix := siteindex.New(pts)
	n := min(len(cands), edgeSample)
	var found int64
	var nbs []siteindex.Neighbor
	for k := range n {
		c := &cands[k]
		if n < len(cands) {
			c = &cands[rand.IntN(len(cands))]
		}
		km := c.MaxKm
		if km == 0 {
			km = DefaultCandidateMaxKm
		}
		if !(km > 0 && km < math.MaxFloat64) || !(c.Point[0] >= -180 && c.Point[0] <= 180 && c.Point[1] >= -90 && c.Point[1] <= 90) {
			continue
		}
		nbs = ix.WithinUnsorted(c.Point, km*1000, nbs)
		found += int64(len(nbs))
	}
	return min(found*int64(len(cands))/int64(n), MaxAssignEdges+1)
}

// assignParallel runs work on up to workers goroutines; each one takes
// task indexes in [0, n) from next until it reports false.
func assignParallel(workers, n int, work func(next func() (int, bool))) {
	var counter atomic.Int64
	next := func() (int, bool) {
		k := int(counter.Add(1) - 1)
		return k, k < n
	}
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(next)
		}()
	}
	wg.Wait()
}

// sortTies orders by structure the edges of one candidate at the same
// rounded cost: after radixSortEdges they are adjacent, in the order the
// index returned them. Such ties are rare (two structures at the same
// whole metre from a candidate).
func sortTies(cost []uint32, pair []uint64) {
	for i := 1; i < len(cost); i++ {
		if cost[i] != cost[i-1] || pair[i]>>32 != pair[i-1]>>32 {
			continue
		}
		j := i + 1
		for j < len(cost) && cost[j] == cost[i] && pair[j]>>32 == pair[i]>>32 {
			j++
		}
		slices.Sort(pair[i-1 : j]) // one candidate: by structure
		i = j
	}
}

// maxRadixBits is the widest digit of radixSortEdges: costs below 65.5 km
// (every reach up to that) sort in one pass, which needs no second pair of
// arrays; the counts of a pass take 2^16 × 4 bytes per group of segments.
const maxRadixBits = 16

// radixSortEdges concatenates the segments and stably sorts the edges by
// cost: a parallel LSD radix sort with as few passes of at most 16 bits as
// the largest cost needs (one for 30 km). Segments hold candidates in
// order, so the result is by (cost, candidate). The segments are released.
// It stops between passes when ctx is done.
func radixSortEdges(ctx context.Context, segCost [][]uint32, segPair [][]uint64, workers int) ([]uint32, []uint64, error) {
	n := 0
	var maxCost uint32
	for _, seg := range segCost {
		n += len(seg)
		for _, c := range seg {
			maxCost = max(maxCost, c)
		}
	}
	if n == 0 {
		return []uint32{}, []uint64{}, nil
	}
	width := bits.Len32(maxCost)
	passes := max(1, (width+maxRadixBits-1)/maxRadixBits)
	digit := uint(max(1, (width+passes-1)/passes))
	cost, pair := make([]uint32, n), make([]uint64, n)
	var bufCost []uint32
	var bufPair []uint64
	if passes > 1 {
		bufCost, bufPair = make([]uint32, n), make([]uint64, n)
	}
	// With an odd number of passes the first one writes the result arrays.
	dstCost, dstPair := cost, pair
	if passes%2 == 0 {
		dstCost, dstPair = bufCost, bufPair
	}
	for pass := range passes {
		if err := stop.Err(ctx, "assignment graph"); err != nil {
			return nil, nil, err
		}
		radixPass(ctx, segCost, segPair, dstCost, dstPair, uint(pass)*digit, digit, workers)
		if pass == 0 {
			clear(segCost)
			clear(segPair)
		}
		// The next pass reads the array just written, cut in segments.
		parts := max(1, 4*workers)
		segCost, segPair = make([][]uint32, 0, parts), make([][]uint64, 0, parts)
		for i := range parts {
			lo, hi := i*n/parts, (i+1)*n/parts
			segCost, segPair = append(segCost, dstCost[lo:hi]), append(segPair, dstPair[lo:hi])
		}
		if &dstCost[0] == &cost[0] {
			dstCost, dstPair = bufCost, bufPair
		} else {
			dstCost, dstPair = cost, pair
		}
	}
	if err := stop.Err(ctx, "assignment graph"); err != nil {
		return nil, nil, err
	}
	return cost, pair, nil
}

// radixPass is one stable counting-sort pass on the digit of width bits at
// shift. The segments are cut in up to 2·workers runs of consecutive
// segments, counted and scattered in parallel, each run writing at offsets
// that keep run order within a bucket. When ctx is done the runs left are
// skipped (the caller drops the result).
func radixPass(ctx context.Context, segCost [][]uint32, segPair [][]uint64, dstCost []uint32, dstPair []uint64, shift, width uint, workers int) {
	nb := 1 << width
	mask := uint32(nb - 1)
	runs := max(1, min(len(segCost), 2*workers))
	first := func(r int) int { return r * len(segCost) / runs } // first segment of run r
	off := make([]int32, runs*nb)
	assignParallel(workers, runs, func(next func() (int, bool)) {
		for r, ok := next(); ok; r, ok = next() {
			h := off[r*nb : (r+1)*nb]
			for _, seg := range segCost[first(r):first(r+1)] {
				for _, c := range seg {
					h[(c>>shift)&mask]++
				}
			}
		}
	})
	var sum int32
	for b := range nb {
		for r := range runs {
			k := off[r*nb+b]
			off[r*nb+b] = sum
			sum += k
		}
	}
	assignParallel(workers, runs, func(next func() (int, bool)) {
		for r, ok := next(); ok && ctx.Err() == nil; r, ok = next() {
			h := off[r*nb : (r+1)*nb]
			for s := first(r); s < first(r+1) && ctx.Err() == nil; s++ {
				pair := segPair[s]
				for i, c := range segCost[s] {
					d := (c >> shift) & mask
					dstCost[h[d]] = c
					dstPair[h[d]] = pair[i]
					h[d]++
				}
			}
		}
	})
}

// mortonRanks returns the rank of each candidate in the Z-order of its
// point (16 bits of longitude and latitude, about 500 m), ties by index:
// the memory layout of assign.Problem, so that the candidates of one
// structure are close in memory.
func mortonRanks(cands []Candidate) []int32 {
	spread := func(x uint64) uint64 { // 16 bits to the even bits of 32
		x = (x | x<<8) & 0x00ff00ff
		x = (x | x<<4) & 0x0f0f0f0f
		x = (x | x<<2) & 0x33333333
		x = (x | x<<1) & 0x55555555
		return x
	}
	keys := make([]uint64, len(cands))
	for i, c := range cands {
		lon := uint64((c.Point[0] + 180) / 360 * 65535)
		lat := uint64((c.Point[1] + 90) / 180 * 65535)
		keys[i] = (spread(lon)|spread(lat)<<1)<<32 | uint64(i)
	}
	slices.Sort(keys)
	rank := make([]int32, len(cands))
	for r, k := range keys {
		rank[uint32(k)] = int32(r)
	}
	return rank
}
