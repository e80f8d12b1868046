package assign

import (
	"context"
	"syscall"
	"testing"
	"time"
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

// balancedSpec is the balanced case of issue 17 on the plane: 50,000
// candidates for about 50,000 posts (1–19 per structure), where the late
// shortest-path searches cross saturated regions. Unlike
// BenchmarkAssignBalanced50k of matching/pairing it times the solver
// alone, without the graph building.
var balancedSpec = genSpec{Seed: 2024, Candidates: 50000, Structures: 5000, MaxPosts: 19, Clustered: 0.5}

// BenchmarkOptimalBalanced times both methods of Optimal on it.
func BenchmarkOptimalBalanced(b *testing.B) {
	p := genProblem(balancedSpec, -1)
	for _, method := range []string{MethodPaths, MethodScaling} {
		b.Run(method, func(b *testing.B) {
			b.ReportAllocs()
			var sol Solution
			c0 := cpuTime()
			for b.Loop() {
				var err error
				if sol, err = Optimal(context.Background(), p, Options{Method: method}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			o, ok := evaluate(p, sol.Match)
			if !ok {
				b.Fatal("infeasible assignment")
			}
			b.ReportMetric(float64(o.posts), "posts")
			b.ReportMetric(float64(o.cost)/1000, "total-km")
		})
	}
}

// cpuTime is the CPU time of the process (user and system).
func cpuTime() time.Duration {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
