package accessibility

import (
	"cmp"
	"math"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/fca"
	"github.com/maillage/maillage/matching/internal/mtest"
)

// TestAccessReal runs 2SFCA for the 2021 host structures at 30 minutes on
// the real grid: the demand-weighted national mean equals the reference
// less the idle posts, the areas add up to the nation, and the figures of
// a few départements are logged (the README's "Capacity and need").
func TestAccessReal(t *testing.T) {
	e := mtest.Real(t)
	reach := coverage.DefaultReach()
	t0 := time.Now()
	a, err := Compute(e, AccessQuery{Supply: matching.BuiltinStructuresDataset, Reach: &reach})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(t0)
	t.Logf("%s at %s: %d structures, %.0f posts (%.0f idle), %.0f people in difficulty on the grid; reference %.3f posts per 10,000; national %.3f, %.1f %% below half; %d pairs listed; %v %+v",
		a.Supply, a.Reach, a.SupplyPoints, a.SupplyTotal, a.IdleSupply, a.DemandTotal, a.ReferencePer10k,
		a.National.AccessPer10k, 100*a.National.ShareBelowHalf, a.PairsListed, took, a.Timings)
	// 1,443 of the 1,450 structures are located (data.LoadCNFSStructures
	// reports the others), with 2,129 of the 2,138 posts.
	posts := 0
	ss, _ := e.Structures(matching.BuiltinStructuresDataset)
	for _, s := range ss {
		posts += s.Posts
	}
	if a.SupplyKind != SupplyPosts || a.SupplyTotal != float64(posts) || posts < 2100 {
		t.Errorf("supply %s %v, want the %d posts of the structures", a.SupplyKind, a.SupplyTotal, posts)
	}
	if math.Abs(a.DemandTotal-coverage.DifficultyNationalTotal) > 0.02*coverage.DifficultyNationalTotal {
		t.Errorf("demand on the grid %v, want about 13 million", a.DemandTotal)
	}
	want := (a.SupplyTotal - a.IdleSupply) / a.DemandTotal * 1e4
	if math.Abs(a.National.AccessPer10k-want) > 1e-6*want {
		t.Errorf("national mean %v, want reference less idle posts %v", a.National.AccessPer10k, want)
	}
	var demand, supply float64
	for _, d := range a.Departements {
		demand += d.Demand
		supply += d.Supply
		if d.AccessPer10k < 0 || d.ShareBelowHalf < 0 || d.ShareBelowHalf > 1 {
			t.Errorf("%s: %+v", d.Code, d)
		}
		switch d.Code {
		case "23", "75", "93", "48", "973", "59", "13":
			t.Logf("%s %s: %.0f in difficulty, %.0f posts located, %.2f posts per 10,000 within 30 min (%.2f × reference), %.1f %% below half",
				d.Code, d.Name, d.Demand, d.Supply, d.AccessPer10k, d.RatioToReference, 100*d.ShareBelowHalf)
		}
	}
	deps := slices.DeleteFunc(slices.Clone(a.Departements), func(d AccessArea) bool { return d.Demand == 0 })
	slices.SortFunc(deps, func(x, y AccessArea) int { return cmp.Compare(x.AccessPer10k, y.AccessPer10k) })
	for _, d := range append(deps[:6:6], deps[len(deps)-4:]...) {
		t.Logf("| %s %s | %.0f | %.0f | %.2f | %.2f | %.1f %% |", d.Code, d.Name, d.Demand, d.Supply, d.AccessPer10k, d.RatioToReference, 100*d.ShareBelowHalf)
	}
	if math.Abs(demand-a.National.Demand) > 1e-6*demand || supply > a.SupplyTotal {
		t.Errorf("départements: demand %v (nation %v), posts %v", demand, a.National.Demand, supply)
	}
	if !(a.National.ShareBelowHalf > 0 && a.National.ShareBelowHalf < 1) {
		t.Errorf("share below half the reference %v", a.National.ShareBelowHalf)
	}

	// A shorter threshold, another demand or decay reuse the table; a
	// longer threshold lists the pairs again, then serves the shorter.
	for _, tc := range []struct {
		q      AccessQuery
		cached bool
	}{
		{AccessQuery{Reach: new(coverage.ReachMinutes(20, coverage.TravelModel{}))}, true},
		{AccessQuery{Reach: new(coverage.ReachMinutes(20, coverage.TravelModel{})), Demand: coverage.DemandPopulation}, true},
		{AccessQuery{Reach: new(coverage.ReachMinutes(45, coverage.TravelModel{}))}, false},
		{AccessQuery{Decay: fca.Decay{Kind: fca.DecayGaussian}}, true},
	} {
		q := tc.q
		t0 := time.Now()
		b, err := Compute(e, q)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s %s %s: national %.3f per 10,000, %.1f %% below half, cached %v, %v",
			b.Reach, b.Demand, b.Decay.Kind, b.National.AccessPer10k, 100*b.National.ShareBelowHalf, b.Cached, time.Since(t0))
		if b.Cached != tc.cached {
			t.Errorf("%s: cached %v, want %v", b.Reach, b.Cached, tc.cached)
		}
	}
}

// BenchmarkAccessNational measures national 2SFCA of the 2021 host
// structures at res 8: cold (pairs listed) and at a new threshold (pairs
// cached). Besides wall time it reports the process CPU time per query
// (cpu-ms/op), which a machine shared with other work inflates less.
func BenchmarkAccessNational(b *testing.B) {
	e := mtest.Real(b)
	e.Coverage().Index()
	r30, r20 := coverage.DefaultReach(), coverage.ReachMinutes(20, coverage.TravelModel{})
	b.Run("cold-30min", func(b *testing.B) {
		b.ReportAllocs()
		c0 := cpuTime()
		for b.Loop() {
			e.ForgetAccessTable(matching.BuiltinStructuresDataset)
			if _, err := Compute(e, AccessQuery{Reach: &r30}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((cpuTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	})
	b.Run("new-threshold-20min", func(b *testing.B) {
		if _, err := Compute(e, AccessQuery{Reach: &r30}); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		c0 := cpuTime()
		for b.Loop() {
			if _, err := Compute(e, AccessQuery{Reach: &r20}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((cpuTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	})
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
