package mclp

import (
	"context"
	"math/rand/v2"
	"testing"
)

// BenchmarkSolve picks 100 of 20,000 candidates covering up to 400 of
// 200,000 elements each (about the national recommendation's shape).
func BenchmarkSolve(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	sets := randomSets(r, 20000, 200000, 400)
	p := &Problem{Weights: make([]float64, 200000), Candidates: len(sets), Coverage: sets, Workers: 2}
	for e := range p.Weights {
		p.Weights[e] = float64(1 + r.IntN(100))
	}
	b.ReportAllocs()
	b.ResetTimer()
	var res Result
	for b.Loop() {
		var err error
		if res, err = Solve(context.Background(), p, 100); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Evaluations), "evaluations")
	b.ReportMetric(res.Bound().AchievedShare, "achieved-share")
}
