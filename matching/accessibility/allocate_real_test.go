package accessibility

import (
	"cmp"
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/maillage/maillage/matching/alloc"
	"github.com/maillage/maillage/matching/internal/mtest"
)

// TestAllocateReal places the 1,862 posts between the 2,138 of the 2021
// committees and the 4,000 target on the real grid, for both objectives:
// the départements receive N in all, floors and caps hold, accessibility
// never falls, and the figures of the README's "Capacity and need" are
// logged.
func TestAllocateReal(t *testing.T) {
	e := mtest.Real(t)
	const n = 1862
	for _, obj := range []alloc.Objective{alloc.Equity, alloc.Coverage} {
		t0 := time.Now()
		q := AllocationQuery{Posts: n, Objective: obj, Floors: map[string]int{"75": 30}, Caps: map[string]int{"23": 8, "93": 40}}
		a, err := Allocate(context.Background(), e, q)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %v, %d candidate points, reference %.3f → %.3f per 10,000; reaching it %.0f → %.0f; served %.0f → %.0f (bound %.0f, %s); largest shortfall %.3f → %.3f; national %.3f → %.3f; %+v",
			obj, time.Since(t0), a.CandidatePoints, a.ReferenceBeforePer10k, a.ReferencePer10k, a.ReachingReferenceBefore, a.ReachingReferenceAfter,
			a.ServedBefore, a.ServedAfter, a.ServedUpperBound, a.BoundScope, a.LargestShortfallBeforePer10k, a.LargestShortfallAfterPer10k,
			a.AccessBeforePer10k, a.AccessAfterPer10k, a.Timings)
		sum, points := 0, 0
		for _, d := range a.Departements {
			sum += d.AllocatedPosts
			if lo := q.Floors[d.Code]; d.AllocatedPosts < lo {
				t.Errorf("%s: %s got %d posts under its floor %d", obj, d.Code, d.AllocatedPosts, lo)
			}
			if hi, ok := q.Caps[d.Code]; ok && d.AllocatedPosts > hi {
				t.Errorf("%s: %s got %d posts over its cap %d", obj, d.Code, d.AllocatedPosts, hi)
			}
			if d.AccessAfterPer10k < d.AccessBeforePer10k-1e-9 || d.PostsAfter != d.PostsBefore+float64(d.AllocatedPosts) {
				t.Errorf("%s: %+v", obj, d)
			}
		}
		for _, p := range a.Points {
			points += p.AllocatedPosts
		}
		if sum != n || points != n {
			t.Errorf("%s: départements got %d posts, points %d, want %d", obj, sum, points, n)
		}
		if !(a.ServedAfter > a.ServedBefore && a.ServedUpperBound >= a.ServedAfter) {
			t.Errorf("%s: served %v → %v, bound %v", obj, a.ServedBefore, a.ServedAfter, a.ServedUpperBound)
		}
		// With binary weights the posts spread exactly: the national mean
		// gains n posts over the demand.
		if gain, want := a.AccessAfterPer10k-a.AccessBeforePer10k, a.ReferencePer10k-a.ReferenceBeforePer10k; math.Abs(gain-want) > 1e-6*want {
			t.Errorf("%s: national accessibility gained %v per 10,000, want the %v of the new posts", obj, gain, want)
		}
		deps := slices.Clone(a.Departements)
		slices.SortFunc(deps, func(x, y AllocationDepartement) int {
			return cmp.Compare(x.OverServedPostsBefore, y.OverServedPostsBefore)
		})
		for _, d := range append(deps[:5:5], deps[len(deps)-5:]...) {
			t.Logf("| %s %s | %.0f | %.0f | %.1f | %d | %.0f | %.2f | %.2f |", d.Code, d.Name, d.Demand, d.PostsBefore, d.OverServedPostsBefore,
				d.AllocatedPosts, d.PostsAfter, d.AccessBeforePer10k, d.AccessAfterPer10k)
		}
	}
}

// BenchmarkAllocateNational places 2,000 posts nationally (2021 structures
// and France Services as hosts, 30 minutes), both objectives, the pair
// tables cached (the first query of a server builds them: see
// BenchmarkAccessNational/cold-30min).
func BenchmarkAllocateNational(b *testing.B) {
	e := mtest.Real(b)
	for _, obj := range []alloc.Objective{alloc.Equity, alloc.Coverage} {
		b.Run(string(obj)+"-2000", func(b *testing.B) {
			q := AllocationQuery{Posts: 2000, Objective: obj}
			if _, err := Allocate(context.Background(), e, q); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			c0 := cpuTime()
			for b.Loop() {
				if _, err := Allocate(context.Background(), e, q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
