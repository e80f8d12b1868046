package siting

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/tinyworld"
)

// worldProposals returns random proposals in w: cell centres, points between
// them, and one at every existing site.
func worldProposals(w *sitingWorld, seed uint64, n int) []people.Structure {
	rng := rand.New(rand.NewPCG(seed, 5))
	g := w.e.Grid()
	var out []people.Structure
	for i := 0; i < n; i++ {
		p := g.Centers[rng.IntN(len(g.Centers))]
		if i%2 == 1 {
			p = orb.Point{p[0] + (rng.Float64()-0.5)*0.05, p[1] + (rng.Float64()-0.5)*0.03}
		}
		out = append(out, people.Structure{ID: string(rune('A' + i)), Point: p})
	}
	for _, s := range w.e.Layer(matching.DefaultLayer).Sites {
		out = append(out, people.Structure{ID: "at-" + s.ID, Point: s.Point})
	}
	return out
}

func TestEvaluateProposalsBruteForce(t *testing.T) {
	labels := map[string]int{}
	for seed := uint64(1); seed <= 10; seed++ {
		w := newSitingWorld(t, seed, 1+int(seed%3), 5+float64(seed%3)*2)
		props := worldProposals(w, seed, 14)
		ev, err := EvaluateProposals(context.Background(), w.e, props, SitingQuery{Reach: &w.reach})
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Proposals) != len(props) || ev.RedundancyM != DefaultRedundancyM {
			t.Fatalf("seed %d: %d results for %d proposals, redundancy %v", seed, len(ev.Proposals), len(props), ev.RedundancyM)
		}
		unc := w.uncovered()
		sites := w.e.Layer(matching.DefaultLayer).Sites
		all := make([]orb.Point, len(props))
		for i := range props {
			all[i] = props[i].Point
		}
		joint := w.value(all)
		sum, maxGain := 0, 0
		for i, r := range ev.Proposals {
			p := props[i].Point
			gain, cells := 0, 0
			for _, c := range w.cellsWithin(p) {
				if unc[c] && w.e.Grid().Population[c] > 0 {
					gain += int(w.e.Grid().Population[c])
					cells++
				}
			}
			others := append(append([]orb.Point{}, all[:i]...), all[i+1:]...)
			unique := joint - w.value(others)
			communes := 0
			for _, c := range r.Communes {
				communes += c.GainPopulation
			}
			nearest := math.Inf(1)
			for _, s := range sites {
				nearest = math.Min(nearest, geo.DistanceM(p, s.Point))
			}
			inGap := float64(float32(nearest)) > w.reach.MaxM
			label := LabelExtends
			switch {
			case gain == 0 || nearest < DefaultRedundancyM:
				label = LabelRedundant
			case inGap:
				label = LabelFillsGap
			}
			if r.ID != props[i].ID || r.GainPopulation != gain || r.NewCells != cells || communes != gain || r.UniqueGainPopulation != unique ||
				r.NearestFranceServicesM != nearest || r.NearestExistingM != nearest || r.InGap != inGap ||
				r.Redundant != (nearest < DefaultRedundancyM) || r.Label != label {
				t.Fatalf("seed %d proposal %d: got %+v; brute force gain %d over %d cells, unique %d, nearest %.1f m, label %s",
					seed, i, r, gain, cells, unique, nearest, label)
			}
			if r.UniqueGainPopulation > r.GainPopulation || r.GainPopulation < 0 {
				t.Fatalf("seed %d proposal %d: unique %d > gain %d", seed, i, r.UniqueGainPopulation, r.GainPopulation)
			}
			if r.NearestFranceServicesM == 0 && (r.GainPopulation != 0 || r.Label != LabelRedundant) {
				t.Fatalf("seed %d: proposal at an existing France Services: %+v", seed, r)
			}
			sum += gain
			maxGain = max(maxGain, gain)
			labels[r.Label]++
		}
		if ev.JointGainPopulation != joint || ev.SumGainPopulation != sum || joint > sum || joint < maxGain {
			t.Fatalf("seed %d: joint %d (brute force %d), sum %d (%d), max %d", seed, ev.JointGainPopulation, joint, ev.SumGainPopulation, sum, maxGain)
		}
		if ev.CoveredAfter != ev.CoveredBefore+joint || ev.FillsGap+ev.Extends+ev.Redundant != len(props) {
			t.Fatalf("seed %d: before %d, after %d, joint %d, labels %d/%d/%d", seed, ev.CoveredBefore, ev.CoveredAfter, joint, ev.FillsGap, ev.Extends, ev.Redundant)
		}
	}
	for _, l := range []string{LabelFillsGap, LabelExtends, LabelRedundant} {
		if labels[l] == 0 {
			t.Errorf("no proposal labelled %s over the instances: %v", l, labels)
		}
	}
}

func TestEvaluateProposalsRedundancy(t *testing.T) {
	w := newSitingWorld(t, 4, 1, 8)
	site := w.e.Layer(matching.DefaultLayer).Sites[0].Point
	// 3 km east of the site: within the default 5 km, beyond 2 km.
	p := tinyworld.Offset(site, 3, 0)
	props := []people.Structure{{ID: "near", Point: p}}
	for _, c := range []struct {
		redundancyM float64
		want        bool
	}{{0, true}, {2000, false}, {-1, false}, {3500, true}} {
		ev, err := EvaluateProposals(context.Background(), w.e, props, SitingQuery{Reach: &w.reach, RedundancyM: c.redundancyM})
		if err != nil {
			t.Fatal(err)
		}
		r := ev.Proposals[0]
		if r.Redundant != c.want || (c.want && r.Label != LabelRedundant) || (!c.want && r.GainPopulation > 0 && r.Label != LabelExtends) {
			t.Errorf("redundancy %v m: %+v", c.redundancyM, r)
		}
	}
	if _, err := EvaluateProposals(context.Background(), w.e, nil, SitingQuery{}); !errors.Is(err, ErrNoProposals) {
		t.Errorf("no proposals: %v", err)
	}
	if _, err := EvaluateProposals(context.Background(), w.e, []people.Structure{{ID: "x", Point: orb.Point{0, 95}}}, SitingQuery{}); !errors.Is(err, ErrBadSiting) {
		t.Errorf("bad point: %v", err)
	}
	if _, err := EvaluateProposals(context.Background(), w.e, props, SitingQuery{RedundancyM: math.NaN()}); !errors.Is(err, ErrBadSiting) {
		t.Errorf("NaN redundancy: %v", err)
	}
	if _, err := EvaluateProposals(context.Background(), w.e, props, SitingQuery{Reach: &coverage.Reach{MaxM: -1}}); !errors.Is(err, coverage.ErrBadReach) {
		t.Errorf("bad reach: %v", err)
	}
}

func TestCompareScenarioMatchesCoverage(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		w := newSitingWorld(t, seed, 1+int(seed%2), 6)
		props := worldProposals(w, seed+100, 5)[:5]
		q := SitingQuery{Reach: &w.reach}
		sc, err := CompareScenario(context.Background(), w.e, props, q)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := EvaluateProposals(context.Background(), w.e, props, q)
		if err != nil {
			t.Fatal(err)
		}
		if sc.National.GainPopulation != ev.JointGainPopulation || sc.National.CoveredAfter != ev.CoveredAfter {
			t.Fatalf("seed %d: scenario national %+v, evaluation joint %d", seed, sc.National, ev.JointGainPopulation)
		}
		// The same sites as a layer, through the coverage analysis.
		var sites []data.Site
		var pts []orb.Point
		for _, p := range props {
			sites = append(sites, data.Site{ID: p.ID, Layer: "scenario", Point: p.Point})
			pts = append(pts, p.Point)
		}
		withScenario := w.e.Rebuild(func(p *matching.Parts) {
			p.Layers["scenario"] = &data.Layer{Name: "scenario", Sites: sites, Index: siteindex.New(pts)}
		})
		after, err := coverage.Compute(withScenario.Coverage(), coverage.Query{Layers: []string{matching.DefaultLayer, "scenario"}, Reach: &w.reach, NoGaps: true})
		if err != nil {
			t.Fatal(err)
		}
		before, err := coverage.Compute(w.e.Coverage(), coverage.Query{Reach: &w.reach, NoGaps: true})
		if err != nil {
			t.Fatal(err)
		}
		check := func(got AreaChange, b, a coverage.AreaCoverage) {
			t.Helper()
			if got.Code != a.Code || got.Population != a.Population || got.CoveredBefore != b.CoveredPopulation ||
				got.CoveredAfter != a.CoveredPopulation || got.GainPopulation != a.CoveredPopulation-b.CoveredPopulation ||
				got.PopulationLocated != a.Population-a.PopulationUnlocated {
				t.Fatalf("seed %d %s %s: scenario %+v, coverage before %+v after %+v", seed, got.Level, got.Code, got, b, a)
			}
		}
		check(sc.National, before.Summary, after.Summary)
		if len(sc.Departements) != len(after.Departements) || len(sc.Regions) != len(after.Regions) {
			t.Fatalf("seed %d: %d départements, %d régions", seed, len(sc.Departements), len(sc.Regions))
		}
		for i := range sc.Departements {
			check(sc.Departements[i], before.Departements[i], after.Departements[i])
		}
		for i := range sc.Regions {
			check(sc.Regions[i], before.Regions[i], after.Regions[i])
		}
		gained := 0
		for _, c := range sc.Communes {
			gained += c.GainPopulation
		}
		if gained != sc.National.GainPopulation {
			t.Fatalf("seed %d: communes gain %d, national %d", seed, gained, sc.National.GainPopulation)
		}
	}
}
