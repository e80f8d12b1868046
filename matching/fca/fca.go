// Package fca computes spatial accessibility by the two-step floating
// catchment area method (2SFCA, Luo & Wang 2003), with an optional distance
// decay as in PySAL access and the enhanced 2SFCA of the health-care access
// literature.
//
// Supply points j carry a capacity S_j (posts, sites), demand points i a
// weight D_i (people). With d0 the threshold and w a decay (w = 1 for the
// plain method):
//
//	step 1: R_j = S_j / Σ_{k : d_kj ≤ d0} w(d_kj) D_k   (capacity per unit of demand in j's catchment)
//	step 2: A_i = Σ_{j : d_ij ≤ d0} w(d_ij) R_j         (capacity per unit of demand reachable from i)
//
// When every supply point reaches some demand and w(d) is the same in both
// steps, Σ_i D_i A_i = Σ_j S_j: demand-weighted accessibility spreads the
// whole capacity, so its mean over all demand is total supply over total
// demand.
//
// The package knows nothing of geography: the caller lists the pairs of
// supply and demand points within reach with their distance, in any unit
// consistent with the threshold.
package fca

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
)

// DecayKind names a distance-decay function.
type DecayKind string

// Decay kinds.
const (
	DecayNone     DecayKind = "none"     // binary: 1 within the threshold (the plain 2SFCA); "" means none
	DecayLinear   DecayKind = "linear"   // 1 − d/d0: 1 at the point, 0 at the threshold
	DecayGaussian DecayKind = "gaussian" // exp(−d² / 2σ²), PySAL access's gaussian(sigma), cut at the threshold
)

// Decay is the weight of a pair by its distance, within the threshold.
type Decay struct {
	Kind DecayKind `json:"kind"`
	// Sigma is the width of the gaussian, in the unit of the distances; 0
	// takes half the threshold (a weight of exp(−2) ≈ 0.135 at the
	// threshold). Ignored by the other kinds.
	Sigma float64 `json:"sigma,omitempty"`
}

// ErrBadInput is wrapped by the errors of Compute and Decay.Check.
var ErrBadInput = errors.New("bad 2SFCA input")

// Check validates the decay against threshold d0 and returns it with its
// defaults filled in.
func (dc Decay) Check(d0 float64) (Decay, error) {
	switch dc.Kind {
	case "", DecayNone:
		return Decay{Kind: DecayNone}, nil
	case DecayLinear:
		return Decay{Kind: DecayLinear}, nil
	case DecayGaussian:
		if dc.Sigma == 0 {
			dc.Sigma = d0 / 2
		}
		if !(dc.Sigma > 0) || math.IsInf(dc.Sigma, 0) {
			return Decay{}, fmt.Errorf("%w: gaussian sigma %v (want > 0)", ErrBadInput, dc.Sigma)
		}
		return dc, nil
	}
	return Decay{}, fmt.Errorf("%w: decay %q (want %s, %s or %s)", ErrBadInput, dc.Kind, DecayNone, DecayLinear, DecayGaussian)
}

// weightFunc returns w(d) for distances within d0 (dc checked).
func (dc Decay) weightFunc(d0 float64) func(d float64) float64 {
	switch dc.Kind {
	case DecayLinear:
		if d0 == 0 {
			return func(float64) float64 { return 1 }
		}
		return func(d float64) float64 { return 1 - d/d0 }
	case DecayGaussian:
		k := -1 / (2 * dc.Sigma * dc.Sigma)
		return func(d float64) float64 { return math.Exp(k * d * d) }
	}
	return nil // binary: callers skip the call
}

// Weight returns the weight of distance d under the decay and threshold d0:
// 0 beyond the threshold.
func (dc Decay) Weight(d, d0 float64) float64 {
	if d > d0 {
		return 0
	}
	dc, err := dc.Check(d0)
	if err != nil {
		return 0
	}
	if f := dc.weightFunc(d0); f != nil {
		return f(d)
	}
	return 1
}

// Pairs lists the (supply, demand, distance) pairs that may be within
// reach, calling yield for each until it returns false. Pairs farther than
// the threshold are skipped by Compute, so a list built once for a larger
// radius serves every smaller threshold. A pair must not be listed twice.
// Compute walks the pairs twice.
type Pairs func(yield func(supply, demand int32, dist float64) bool)

// Table lists the pairs demand point by demand point, in columns: the
// pairs of demand point i are supply[start[i]:start[i+1]], at distances
// dist[start[i]:start[i+1]]. It is the fast input of Compute (no call per
// pair, memory read in order, checked once by NewTable); like Pairs, it may
// hold pairs beyond the threshold. A Table is read-only and safe for
// concurrent use.
type Table struct {
	start []int32
	// The supply point of each pair: narrow holds them as uint16 when
	// there are at most 65,536 supply points (the national tables, 3.3
	// million pairs: half the memory of int32), wide otherwise.
	narrow []uint16
	wide   []int32
	dist   []float32
	sorted bool
	ns     int // supply points
}

// maxNarrowSupply is the most supply points a table holds as uint16.
const maxNarrowSupply = 1 << 16

// NewTable checks and wraps the columns of a table over supplyPoints
// supply points and len(start)−1 demand points. When sorted, the pairs of
// each demand point are by ascending distance and Compute stops at the
// first beyond the threshold, so a table listed for a large radius costs
// little more at a small one. The table keeps the slices: do not modify
// them afterwards.
func NewTable(start, supply []int32, dist []float32, supplyPoints int, sorted bool) (*Table, error) {
	t := &Table{start: start, wide: supply, dist: dist, sorted: sorted, ns: supplyPoints}
	if err := t.check(); err != nil {
		return nil, err
	}
	if supplyPoints <= maxNarrowSupply {
		t.narrow = make([]uint16, len(supply))
		for k, s := range supply {
			t.narrow[k] = uint16(s)
		}
		t.wide = nil
	}
	return t, nil
}

// Columns returns the table's slices (read-only; supply is a new slice
// when the table holds its supply points as uint16).
func (t *Table) Columns() (start, supply []int32, dist []float32) {
	if t.narrow == nil {
		return t.start, t.wide, t.dist
	}
	supply = make([]int32, len(t.narrow))
	for k, s := range t.narrow {
		supply[k] = int32(s)
	}
	return t.start, supply, t.dist
}

// Len returns the number of pairs.
func (t *Table) Len() int { return len(t.dist) }

// Problem is one accessibility computation. The pairs come from Table when
// it is set, else from Pairs.
type Problem struct {
	Supply    []float64 // capacity of each supply point, ≥ 0
	Demand    []float64 // weight of each demand point, ≥ 0
	Threshold float64   // d0: pairs farther apart do not interact
	Decay     Decay
	Pairs     Pairs
	Table     *Table
	// Workers is the number of goroutines walking a Table (default 1).
	// Results do not depend on it: partial sums are merged in a fixed
	// order.
	Workers int
}

// Result is the accessibility of every demand point and the ratio of every
// supply point.
type Result struct {
	// Access is A_i per demand point: capacity per unit of demand within
	// reach (0 when no supply is).
	Access []float64
	// Ratio is R_j per supply point, 0 when its catchment holds no demand.
	Ratio []float64
	// CatchmentDemand is Σ w(d_kj) D_k per supply point.
	CatchmentDemand []float64
	// IdleSupply is the capacity of the supply points whose catchment
	// holds no demand: it reaches no one and is left out of Access.
	IdleSupply float64
	Decay      Decay // with its defaults
}

// Compute runs the two steps. It fails on negative or non-finite
// capacities, weights or threshold, on a bad decay, and on a pair naming a
// point out of range.
func Compute(p Problem) (*Result, error) {
	if !(p.Threshold >= 0) || math.IsInf(p.Threshold, 0) {
		return nil, fmt.Errorf("%w: threshold %v", ErrBadInput, p.Threshold)
	}
	dc, err := p.Decay.Check(p.Threshold)
	if err != nil {
		return nil, err
	}
	if err := checkValues("supply", p.Supply); err != nil {
		return nil, err
	}
	if err := checkValues("demand", p.Demand); err != nil {
		return nil, err
	}
	ns, nd := int32(len(p.Supply)), int32(len(p.Demand))
	d0, w := p.Threshold, dc.weightFunc(p.Threshold)
	r := &Result{Access: make([]float64, nd), Ratio: make([]float64, ns), CatchmentDemand: make([]float64, ns), Decay: dc}
	if p.Table != nil {
		if len(p.Table.start) != int(nd)+1 || p.Table.ns != int(ns) {
			return nil, fmt.Errorf("%w: table of %d demand and %d supply points for %d and %d", ErrBadInput, len(p.Table.start)-1, p.Table.ns, nd, ns)
		}
		p.Table.compute(p, r, w)
		return r, nil
	}
	if p.Pairs == nil {
		return nil, fmt.Errorf("%w: no pair list", ErrBadInput)
	}

	// Step 1: demand in each supply point's catchment.
	var bad error
	p.Pairs(func(s, d int32, dist float64) bool {
		if s < 0 || s >= ns || d < 0 || d >= nd {
			bad = fmt.Errorf("%w: pair (supply %d, demand %d) out of range (%d supply, %d demand points)", ErrBadInput, s, d, ns, nd)
			return false
		}
		if !(dist <= d0) {
			return true
		}
		if w == nil {
			r.CatchmentDemand[s] += p.Demand[d]
		} else {
			r.CatchmentDemand[s] += w(dist) * p.Demand[d]
		}
		return true
	})
	if bad != nil {
		return nil, bad
	}
	r.ratios(p.Supply)

	// Step 2: ratios within reach of each demand point.
	p.Pairs(func(s, d int32, dist float64) bool {
		if !(dist <= d0) {
			return true
		}
		if w == nil {
			r.Access[d] += r.Ratio[s]
		} else {
			r.Access[d] += w(dist) * r.Ratio[s]
		}
		return true
	})
	return r, nil
}

// ratios sets R_j and the idle supply from the catchment demands.
func (r *Result) ratios(supply []float64) {
	for j, c := range r.CatchmentDemand {
		if c > 0 {
			r.Ratio[j] = supply[j] / c
		} else {
			r.IdleSupply += supply[j]
		}
	}
}

// check reports a table whose columns disagree, name a point out of range
// or, said sorted, are not.
func (t *Table) check() error {
	n := len(t.start) - 1
	if n < 0 || len(t.wide) != len(t.dist) || t.start[0] != 0 || int(t.start[n]) != len(t.wide) {
		return fmt.Errorf("%w: table of %d starts, %d supply and %d distances", ErrBadInput, len(t.start), len(t.wide), len(t.dist))
	}
	for i := range n {
		if t.start[i] > t.start[i+1] {
			return fmt.Errorf("%w: table starts decrease at demand point %d", ErrBadInput, i)
		}
		if t.sorted {
			for k := t.start[i] + 1; k < t.start[i+1]; k++ {
				if t.dist[k] < t.dist[k-1] {
					return fmt.Errorf("%w: table said sorted, but demand point %d's distances decrease", ErrBadInput, i)
				}
			}
		}
	}
	for _, s := range t.wide {
		if s < 0 || int(s) >= t.ns {
			return fmt.Errorf("%w: table names supply point %d of %d", ErrBadInput, s, t.ns)
		}
	}
	return nil
}

// tableChunk is the number of demand points a worker takes at a time.
const tableChunk = 1 << 15

// compute runs the two steps over the table (checked), on p.Workers
// goroutines: step 1 sums each chunk of demand points into its own
// catchment array, merged in chunk order; step 2 writes disjoint ranges.
// With a decay, the weights of step 1 are kept for step 2 (one exp per
// pair, not two).
func (t *Table) compute(p Problem, r *Result, w func(float64) float64) {
	nd := len(p.Demand)
	nChunks := (nd + tableChunk - 1) / tableChunk
	var wt []float64
	if w != nil {
		wt = make([]float64, len(t.dist))
	}
	partial := make([][]float64, nChunks)
	parallel(p.Workers, nChunks, func(c int) {
		cd := make([]float64, len(p.Supply))
		partial[c] = cd
		for i := c * tableChunk; i < min(nd, (c+1)*tableChunk); i++ {
			t.step1(i, p.Demand[i], float32(p.Threshold), cd, w, wt)
		}
	})
	for _, cd := range partial {
		for j, v := range cd {
			r.CatchmentDemand[j] += v
		}
	}
	r.ratios(p.Supply)
	parallel(p.Workers, nChunks, func(c int) {
		for i := c * tableChunk; i < min(nd, (c+1)*tableChunk); i++ {
			r.Access[i] = t.step2(i, float32(p.Threshold), r.Ratio, w, wt)
		}
	})
}

// step1 adds demand point i's weighted demand to the catchments it falls
// in, keeping the weights in wt when there is a decay.
func (t *Table) step1(i int, dem float64, d0 float32, cd []float64, w func(float64) float64, wt []float64) {
	if t.narrow != nil {
		tableStep1(t, t.narrow, i, dem, d0, cd, w, wt)
	} else {
		tableStep1(t, t.wide, i, dem, d0, cd, w, wt)
	}
}

// tableStep1 is step1 over the supply column sup.
func tableStep1[S uint16 | int32](t *Table, sup []S, i int, dem float64, d0 float32, cd []float64, w func(float64) float64, wt []float64) {
	lo, hi := t.start[i], t.start[i+1]
	sup, dist := sup[lo:hi], t.dist[lo:hi]
	if w == nil && dem == 0 {
		return
	}
	for k, s := range sup {
		d := dist[k]
		if d > d0 {
			if t.sorted {
				return
			}
			continue
		}
		if w == nil {
			cd[s] += dem
		} else {
			wt[int(lo)+k] = w(float64(d))
			cd[s] += wt[int(lo)+k] * dem
		}
	}
}

// step2 returns the accessibility of demand point i.
func (t *Table) step2(i int, d0 float32, ratio []float64, w func(float64) float64, wt []float64) float64 {
	if t.narrow != nil {
		return tableStep2(t, t.narrow, i, d0, ratio, w, wt)
	}
	return tableStep2(t, t.wide, i, d0, ratio, w, wt)
}

// tableStep2 is step2 over the supply column sup.
func tableStep2[S uint16 | int32](t *Table, sup []S, i int, d0 float32, ratio []float64, w func(float64) float64, wt []float64) float64 {
	lo, hi := t.start[i], t.start[i+1]
	sup, dist := sup[lo:hi], t.dist[lo:hi]
	var a float64
	for k, s := range sup {
		if dist[k] > d0 {
			if t.sorted {
				break
			}
			continue
		}
		if w == nil {
			a += ratio[s]
		} else {
			a += wt[int(lo)+k] * ratio[s]
		}
	}
	return a
}

// parallel calls fn(c) for every c in [0, n) on up to workers goroutines.
func parallel(workers, n int, fn func(c int)) {
	workers = min(workers, n)
	if workers <= 1 {
		for c := range n {
			fn(c)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := int(next.Add(1) - 1); c < n; c = int(next.Add(1) - 1) {
				fn(c)
			}
		}()
	}
	wg.Wait()
}

// checkValues reports a negative or non-finite value.
func checkValues(what string, vs []float64) error {
	for i, v := range vs {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s point %d has %v (want a finite value ≥ 0)", ErrBadInput, what, i, v)
		}
	}
	return nil
}
