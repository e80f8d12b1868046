// Package mclp solves the maximal covering location problem: choose k
// candidates so that the demand of the elements they cover together is as
// large as possible.
//
// The value of a set of candidates is the weight of the union of their
// coverage sets: a monotone submodular function, which the greedy choice
// (largest marginal gain first) maximises within 1 − 1/e of the optimum.
// Solve runs it lazily (CELF) and bounds the optimum from above, so that a
// caller can say how far from the best its picks can be.
//
// The package works on indexes only: elements are 0..len(Weights)-1 and
// candidates 0..Candidates-1, their coverage given by a Coverage (package
// matching computes it from grid cells within reach of points).
package mclp

import (
	"errors"
	"fmt"
	"math"
)

// Coverage gives the elements each candidate covers.
type Coverage interface {
	// Cover appends to dst[:0] the elements candidate c covers, each at
	// most once, and returns it. It is called from several goroutines at
	// once and must give the same set for the same candidate every time.
	Cover(c int, dst []int32) []int32
}

// Sets is a Coverage held in memory: Sets[c] are the elements candidate c
// covers.
type Sets [][]int32

// Cover implements Coverage.
func (s Sets) Cover(c int, dst []int32) []int32 { return append(dst[:0], s[c]...) }

// Problem is a maximal covering instance.
type Problem struct {
	// Weights is the demand of each element, finite and >= 0.
	Weights []float64
	// Candidates is the number of candidates.
	Candidates int
	// Coverage gives each candidate's elements.
	Coverage Coverage
	// Workers is the number of goroutines of the first evaluation of every
	// candidate (0 or 1: the calling goroutine); the result does not depend
	// on it.
	Workers int
}

// Pick is one chosen candidate with what it newly covers.
type Pick struct {
	Candidate int
	Gain      float64 // demand newly covered
	Elements  []int32 // elements newly covered, in the Coverage's order
}

// Result is the outcome of Solve.
type Result struct {
	// Picks are in the order chosen, gains non-increasing.
	Picks []Pick
	// Value is the demand covered by the picks (the sum of their gains).
	Value float64
	// Online is the smallest over the steps i of value(S_i) plus the sum of
	// the k largest gain bounds at S_i: an upper bound of the optimum,
	// reached at step OnlineStep.
	Online     float64
	OnlineStep int
	// Coverable is the demand covered by at least one candidate.
	Coverable float64
	// WithGain counts the candidates covering some demand alone.
	WithGain int
	// Evaluations counts the gain evaluations, the first ones included
	// (plain greedy makes Candidates per pick).
	Evaluations int
	// Exhausted reports that Solve stopped before k picks because no
	// candidate adds anything.
	Exhausted bool
}

// Bound bounds the best value any k candidates could reach.
type Bound struct {
	Achieved      float64 // Result.Value
	UpperBound    float64 // the least of Online, GreedyFactor and Coverable, at least Achieved
	AchievedShare float64 // Achieved / UpperBound, 1 when the upper bound is 0
	Gap           float64 // UpperBound − Achieved
	Online        float64 // Result.Online
	OnlineStep    int     // Result.OnlineStep
	GreedyFactor  float64 // Achieved / (1 − 1/e), or Achieved when exhausted
	Coverable     float64 // Result.Coverable
}

// Bound returns the bound on the optimum the run proves.
func (r *Result) Bound() Bound {
	bd := Bound{Achieved: r.Value, Online: r.Online, OnlineStep: r.OnlineStep, Coverable: r.Coverable}
	// Stopping early means every candidate's gain is 0: the picks cover all
	// the coverable demand, which is the optimum.
	bd.GreedyFactor = r.Value
	if !r.Exhausted {
		bd.GreedyFactor = r.Value / (1 - 1/math.E)
	}
	bd.UpperBound = math.Min(math.Min(bd.Online, bd.GreedyFactor), bd.Coverable)
	// Sums taken in another order may exceed the bound by rounding.
	bd.UpperBound = math.Max(bd.UpperBound, bd.Achieved)
	bd.Gap = bd.UpperBound - bd.Achieved
	bd.AchievedShare = 1
	if bd.UpperBound > 0 {
		bd.AchievedShare = bd.Achieved / bd.UpperBound
	}
	return bd
}

// Curve returns the demand covered after 0, 1, … len(Picks) picks: the
// gains curve, summed in pick order.
func (r *Result) Curve() []float64 {
	curve := make([]float64, 1, len(r.Picks)+1)
	var v float64
	for _, pk := range r.Picks {
		v += pk.Gain
		curve = append(curve, v)
	}
	return curve
}

// ErrInput is wrapped by every validation error of Solve.
var ErrInput = errors.New("invalid covering problem")

// check validates p and k.
func (p *Problem) check(k int) error {
	switch {
	case k < 0:
		return fmt.Errorf("%w: k = %d (want >= 0)", ErrInput, k)
	case p.Candidates < 0 || p.Candidates >= math.MaxInt32:
		return fmt.Errorf("%w: %d candidates", ErrInput, p.Candidates)
	case p.Candidates > 0 && p.Coverage == nil:
		return fmt.Errorf("%w: %d candidates and no coverage", ErrInput, p.Candidates)
	case p.Workers < 0:
		return fmt.Errorf("%w: workers %d", ErrInput, p.Workers)
	}
	for i, w := range p.Weights {
		if !(w >= 0 && w <= math.MaxFloat64) {
			return fmt.Errorf("%w: element %d: weight %v (want finite and >= 0)", ErrInput, i, w)
		}
	}
	return nil
}
