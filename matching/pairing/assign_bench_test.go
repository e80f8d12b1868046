package pairing

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/maillage/maillage/geo/siteindex"
	"github.com/paulmach/orb"
)

// spec50k is the target instance: 50,000 candidates (MaxKm 30) and 5,000
// structures with 1–3 posts (about 10,000), half of the points clustered.
var spec50k = SyntheticSpec{Seed: 2024, Candidates: 50000, Structures: 5000, MaxPosts: 3, Clustered: 0.5}

// heapPeak samples the live heap every millisecond until stopped, without
// stopping the world, and reports its peak in MB.
type heapPeak struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func startHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			h.peak = max(h.peak, sample[0].Value.Uint64())
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

func (h *heapPeak) stopMB() float64 {
	close(h.stop)
	h.wg.Wait()
	return float64(h.peak) / (1 << 20)
}

func benchAssign(b *testing.B, spec SyntheticSpec, alg string) {
	cands, structs := Synthetic(spec)
	b.ReportAllocs()
	peak := startHeapPeak()
	b.ResetTimer()
	c0 := cpuTime()
	var res AssignResult
	for b.Loop() {
		var err error
		res, err = Assign(context.Background(), cands, structs, AssignOptions{Algorithm: alg})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(peak.stopMB(), "peak-heap-MB")
	b.ReportMetric(float64(res.PostsFilled), "posts")
	b.ReportMetric(res.TotalDistanceM/1000, "total-km")
	b.ReportMetric(float64(res.Edges), "edges")
}

func BenchmarkAssignOptimal50k(b *testing.B) {
	benchAssign(b, spec50k, AlgorithmOptimal)
	cands, structs := Synthetic(spec50k)
	opt, err := Assign(context.Background(), cands, structs, AssignOptions{})
	if err != nil {
		b.Fatal(err)
	}
	gr, err := Assign(context.Background(), cands, structs, AssignOptions{Algorithm: AlgorithmGreedy})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("optimal: %d posts, %.0f km; greedy: %d posts, %.0f km; optimal fills %d more posts and saves %.0f km (%.2f%%)",
		opt.PostsFilled, opt.TotalDistanceM/1000, gr.PostsFilled, gr.TotalDistanceM/1000,
		opt.PostsFilled-gr.PostsFilled, (gr.TotalDistanceM-opt.TotalDistanceM)/1000, 100*(gr.TotalDistanceM-opt.TotalDistanceM)/gr.TotalDistanceM)
}

func BenchmarkAssignGreedy50k(b *testing.B) { benchAssign(b, spec50k, AlgorithmGreedy) }

// specBalanced50k is the balanced case of issue 17: the 50k instance's
// generator with 1–19 posts per structure, about 50,000 posts for the
// 50,000 candidates, so that late searches cross saturated regions.
var specBalanced50k = SyntheticSpec{Seed: 2024, Candidates: 50000, Structures: 5000, MaxPosts: 19, Clustered: 0.5}

// BenchmarkAssignBalanced50k solves the balanced case, optimal and greedy.
func BenchmarkAssignBalanced50k(b *testing.B) {
	b.Run("optimal", func(b *testing.B) { benchAssign(b, specBalanced50k, AlgorithmOptimal) })
	b.Run("greedy", func(b *testing.B) { benchAssign(b, specBalanced50k, AlgorithmGreedy) })
}

// BenchmarkAssignGraphShared50k builds the graph of the 50k instance with
// candidates stacked ten to a point (as when located by their commune):
// each point's structures queried once (shared) or once per candidate
// (per-candidate, the build before de-duplication).
func BenchmarkAssignGraphShared50k(b *testing.B) {
	cands, structs := Synthetic(spec50k)
	for i := range cands {
		cands[i].Point = cands[i/10*10].Point
	}
	for _, mode := range []struct {
		name    string
		noDedup bool
	}{{"shared", false}, {"per-candidate", true}} {
		b.Run(mode.name, func(b *testing.B) {
			in, err := newAssignInput(context.Background(), cands, structs, AssignOptions{})
			if err != nil {
				b.Fatal(err)
			}
			in.noDedup = mode.noDedup
			b.ReportAllocs()
			var g *assignGraph
			for b.Loop() {
				if g, err = buildAssignGraph(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(g.edges()), "edges")
		})
	}
}

// BenchmarkAssignTight10k is a tighter instance, where the optimum and the
// greedy baseline differ: 10,000 candidates for about 10,000 posts.
func BenchmarkAssignTight10k(b *testing.B) {
	spec := SyntheticSpec{Seed: 2025, Candidates: 10000, Structures: 5000, MaxPosts: 3, Clustered: 0.5}
	b.Run("optimal", func(b *testing.B) { benchAssign(b, spec, AlgorithmOptimal) })
	b.Run("greedy", func(b *testing.B) { benchAssign(b, spec, AlgorithmGreedy) })
}

// suggestFixture is the 50k instance half-way through a manual assignment:
// every other pair of the optimal assignment is made, so that some posts
// are open and some candidates taken. It returns indexes over both sides.
func suggestFixture(b *testing.B) (cands []Candidate, structs []Structure, candIx, structIx *siteindex.Index, taken map[string]bool, open map[string]int) {
	cands, structs = Synthetic(spec50k)
	res, err := Assign(context.Background(), cands, structs, AssignOptions{})
	if err != nil {
		b.Fatal(err)
	}
	taken = map[string]bool{}
	open = map[string]int{}
	for _, s := range structs {
		open[s.ID] = s.Posts
	}
	for i, a := range res.Assignments {
		if i%2 == 0 {
			taken[a.Candidate] = true
			open[a.Structure]--
		}
	}
	cp := make([]orb.Point, len(cands))
	for i, c := range cands {
		cp[i] = c.Point
	}
	sp := make([]orb.Point, len(structs))
	for i, s := range structs {
		sp[i] = s.Point
	}
	return cands, structs, siteindex.New(cp), siteindex.New(sp), taken, open
}

func BenchmarkSuggestStructures(b *testing.B) {
	cands, structs, _, structIx, _, open := suggestFixture(b)
	openPosts := func(id string) int { return open[id] }
	b.ReportAllocs()
	b.ResetTimer()
	i, found := 0, 0
	for b.Loop() {
		found += len(SuggestStructures(cands[i%len(cands)], structs, structIx, openPosts, 10))
		i += 7919
	}
	b.ReportMetric(float64(found)/float64(b.N), "found/op")
}

func BenchmarkSuggestCandidates(b *testing.B) {
	cands, structs, candIx, _, taken, _ := suggestFixture(b)
	isTaken := func(id string) bool { return taken[id] }
	b.ReportAllocs()
	b.ResetTimer()
	i, found := 0, 0
	for b.Loop() {
		found += len(SuggestCandidates(structs[i%len(structs)], cands, candIx, isTaken, 10))
		i += 7919
	}
	b.ReportMetric(float64(found)/float64(b.N), "found/op")
}
