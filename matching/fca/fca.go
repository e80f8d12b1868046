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
// pairs of demand point i are Supply[Start[i]:Start[i+1]], at distances
// Dist[Start[i]:Start[i+1]]. It is the fast input of Compute (no call per
// pair, memory read in order); like Pairs, it may hold pairs beyond the
// threshold.
type Table struct {
	Start  []int32 // len(demand)+1 offsets, ascending
	Supply []int32
	Dist   []float32
}

// Problem is one accessibility computation. The pairs come from Table when
// it is set, else from Pairs.
type Problem struct {
	Supply    []float64 // capacity of each supply point, ≥ 0
	Demand    []float64 // weight of each demand point, ≥ 0
	Threshold float64   // d0: pairs farther apart do not interact
	Decay     Decay
	Pairs     Pairs
	Table     *Table
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
		if err := p.Table.check(ns, nd); err != nil {
			return nil, err
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

// check reports a table whose columns disagree or name a point out of
// range.
func (t *Table) check(ns, nd int32) error {
	if len(t.Start) != int(nd)+1 || len(t.Supply) != len(t.Dist) || t.Start[0] != 0 || int(t.Start[nd]) != len(t.Supply) {
		return fmt.Errorf("%w: table of %d starts, %d supply and %d distances for %d demand points", ErrBadInput, len(t.Start), len(t.Supply), len(t.Dist), nd)
	}
	for i := range nd {
		if t.Start[i] > t.Start[i+1] {
			return fmt.Errorf("%w: table starts decrease at demand point %d", ErrBadInput, i)
		}
	}
	for _, s := range t.Supply {
		if s < 0 || s >= ns {
			return fmt.Errorf("%w: table names supply point %d of %d", ErrBadInput, s, ns)
		}
	}
	return nil
}

// compute runs the two steps over the table (checked). With a decay, the
// weights of step 1 are kept for step 2 (one exp per pair, not two).
func (t *Table) compute(p Problem, r *Result, w func(float64) float64) {
	d0 := float32(p.Threshold)
	cd, acc := r.CatchmentDemand, r.Access
	var wt []float64
	if w != nil {
		wt = make([]float64, len(t.Supply))
	}
	for i, dem := range p.Demand {
		lo, hi := t.Start[i], t.Start[i+1]
		sup, dist := t.Supply[lo:hi], t.Dist[lo:hi]
		if w == nil {
			if dem == 0 {
				continue
			}
			for k, s := range sup {
				if dist[k] <= d0 {
					cd[s] += dem
				}
			}
			continue
		}
		ws := wt[lo:hi]
		for k, s := range sup {
			if d := dist[k]; d <= d0 {
				ws[k] = w(float64(d))
				cd[s] += ws[k] * dem
			}
		}
	}
	r.ratios(p.Supply)
	ratio := r.Ratio
	for i := range acc {
		lo, hi := t.Start[i], t.Start[i+1]
		sup, dist := t.Supply[lo:hi], t.Dist[lo:hi]
		var a float64
		if w == nil {
			for k, s := range sup {
				if dist[k] <= d0 {
					a += ratio[s]
				}
			}
		} else {
			for k, s := range wt[lo:hi] {
				a += s * ratio[sup[k]]
			}
		}
		acc[i] = a
	}
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
