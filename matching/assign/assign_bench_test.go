package assign

import (
	"context"
	"testing"
)

// benchSpec is a mid-size instance: 20,000 candidates and 2,000 structures
// with 1–3 posts, half of the points clustered, 30 km of reach.
var benchSpec = genSpec{Seed: 2024, Candidates: 20000, Structures: 2000, MaxPosts: 3, Clustered: 0.5}

func benchSolve(b *testing.B, solve func(context.Context, *Problem, Options) (Solution, error), capped int) {
	p := genProblem(benchSpec, capped)
	b.ReportAllocs()
	b.ResetTimer()
	filled := 0
	for b.Loop() {
		sol, err := solve(context.Background(), p, Options{})
		if err != nil {
			b.Fatal(err)
		}
		filled = 0
		for _, s := range sol.Match {
			if s >= 0 {
				filled++
			}
		}
	}
	b.ReportMetric(float64(filled), "posts")
	b.ReportMetric(float64(p.Edges.Len()), "edges")
}

func BenchmarkOptimal(b *testing.B)       { benchSolve(b, Optimal, -1) }
func BenchmarkOptimalCapped(b *testing.B) { benchSolve(b, Optimal, 5) }
func BenchmarkGreedy(b *testing.B)        { benchSolve(b, Greedy, -1) }
