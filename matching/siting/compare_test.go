package siting

import (
	"context"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/mtest"
	"github.com/maillage/maillage/matching/lookup"
)

func TestCompareCoverageTiny(t *testing.T) {
	w := mtest.NewTiny(t)
	w.E.Layer("extra").Sites[0].Departement = "02"
	w.E.Layer(matching.DefaultLayer).Sites[0].Departement = "01"
	// From S3 (B's centre) to S1 and S2 at 1 km: A (700) and D (30) come
	// within reach of S1, B (70) falls out of every reach.
	cmp, err := CompareCoverage(context.Background(), w.E, CompareQuery{From: []string{"extra"}, To: []string{matching.DefaultLayer}, Reach: new(coverage.ReachKm(1))})
	if err != nil {
		t.Fatal(err)
	}
	s := cmp.Summary
	if s.CoveredBefore != 70 || s.CoveredAfter != 730 || s.GainedPopulation != 730 || s.LostPopulation != 70 ||
		s.CommunesGained != 2 || s.CommunesLost != 1 || s.CommunesMixed != 0 || s.SitesBefore != 1 || s.SitesAfter != 2 ||
		s.Population != 850 || s.UncoveredInDifficultyBefore != 420 || s.UncoveredInDifficultyAfter != 56 {
		t.Errorf("summary %+v", s)
	}
	var got []string
	for _, c := range cmp.Communes {
		got = append(got, c.Code+":"+c.Change)
	}
	if want := []string{"01001:gained", "01002:gained", "02001:lost"}; !slices.Equal(got, want) {
		t.Errorf("communes %v, want %v", got, want)
	}
	if b := cmp.Communes[2]; b.CoveredBefore != 70 || b.CoveredAfter != 0 || b.NearestSiteBefore != "S3" || b.NearestSiteAfter != "S2" {
		t.Errorf("B %+v", b)
	}
	if len(cmp.Departements) != 2 || cmp.Departements[0].GainedPopulation != 730 || cmp.Departements[1].LostPopulation != 70 ||
		cmp.Departements[0].SitesAfter != 1 || cmp.Departements[1].SitesBefore != 1 {
		t.Errorf("départements %+v", cmp.Departements)
	}
	// Same network on both sides: nothing changes.
	same, err := CompareCoverage(context.Background(), w.E, CompareQuery{From: []string{matching.DefaultLayer}, Reach: new(coverage.ReachKm(1)), Departement: "02"})
	if err != nil {
		t.Fatal(err)
	}
	if len(same.Communes) != 0 || same.Summary.GainedPopulation != 0 || same.Summary.LostPopulation != 0 || same.Scope.Code != "02" {
		t.Errorf("same network: %+v", same)
	}
	if _, err := CompareCoverage(context.Background(), w.E, CompareQuery{}); err == nil {
		t.Error("no from: no error")
	}
}

// TestCompareCoverageReal checks the evolution from the 2020 network to the
// 2024 one against the two coverages it pairs.
func TestCompareCoverageReal(t *testing.T) {
	e := mtest.Real(t)
	r := coverage.ReachMinutes(20, coverage.TravelModel{})
	cmp, err := CompareCoverage(context.Background(), e, CompareQuery{From: []string{"france-services-2020"}, Reach: &r})
	if err != nil {
		t.Fatal(err)
	}
	before := mtest.MustCoverage(t, e, coverage.Query{Layers: []string{"france-services-2020"}, Reach: &r, NoGaps: true})
	after := mtest.MustCoverage(t, e, coverage.Query{Reach: &r, NoGaps: true})
	s := cmp.Summary
	t.Logf("20 min: %d → %d sites, covered %d → %d (%.4f → %.4f), gained %d, lost %d; communes gained %d, lost %d, mixed %d",
		s.SitesBefore, s.SitesAfter, s.CoveredBefore, s.CoveredAfter, coverage.Value(s.CoveredShareBefore), coverage.Value(s.CoveredShareAfter),
		s.GainedPopulation, s.LostPopulation, s.CommunesGained, s.CommunesLost, s.CommunesMixed)
	if s.CoveredBefore != before.Summary.CoveredPopulation || s.CoveredAfter != after.Summary.CoveredPopulation ||
		s.SitesBefore != 908 || s.SitesAfter != 2845 {
		t.Errorf("summary %+v", s)
	}
	areas := append([]AreaComparison{s}, cmp.Departements...)
	for _, a := range areas {
		// Each figure is its fractional inhabitants rounded once: four
		// roundings, at most 2 inhabitants apart.
		if d := a.CoveredAfter - a.CoveredBefore - (a.GainedPopulation - a.LostPopulation); d < -2 || d > 2 {
			t.Errorf("%s: after − before = %d, gained − lost = %d", a.Code, a.CoveredAfter-a.CoveredBefore, a.GainedPopulation-a.LostPopulation)
		}
	}
	var gained, lost, nGained int
	for _, c := range cmp.Communes {
		gained += c.GainedPopulation
		lost += c.LostPopulation
		if c.Change == ChangeGained {
			nGained++
		}
		if d := c.CoveredAfter - c.CoveredBefore - (c.GainedPopulation - c.LostPopulation); d < -2 || d > 2 || c.GainedPopulation+c.LostPopulation == 0 {
			t.Fatalf("commune %+v", c)
		}
	}
	// Communes round their own fractional gains, the summary the sum: a
	// few inhabitants apart (14 in 17 million gained, 3 in 1,870 lost).
	near := func(a, b int) bool { return math.Abs(float64(a-b)) <= 2+1e-3*float64(b) }
	if !near(gained, s.GainedPopulation) || !near(lost, s.LostPopulation) || nGained != s.CommunesGained {
		t.Errorf("communes gained %d, lost %d (%d gaining); summary %d, %d (%d)", gained, lost, nGained,
			s.GainedPopulation, s.LostPopulation, s.CommunesGained)
	}
	if s.CoveredAfter <= s.CoveredBefore || s.GainedPopulation == 0 {
		t.Errorf("2024 covers no more than 2020: %+v", s)
	}
}

// TestLayerUnionCountsSitesOnce: naming a layer twice changes nothing, in
// coverage and in nearest sites.
func TestLayerUnionCountsSitesOnce(t *testing.T) {
	e := mtest.Real(t)
	one := mtest.MustCoverage(t, e, coverage.Query{Layers: []string{matching.DefaultLayer}})
	two := mtest.MustCoverage(t, e, coverage.Query{Layers: []string{matching.DefaultLayer, matching.DefaultLayer}})
	a, b := one.Summary, two.Summary
	a.WorstCommunes, b.WorstCommunes = nil, nil
	if !reflect.DeepEqual(a, b) || len(one.Gaps) != len(two.Gaps) || !slices.Equal(two.Layers, []string{matching.DefaultLayer}) {
		t.Errorf("layers fs,fs: %+v (%d gaps); fs: %+v (%d gaps)", b, len(two.Gaps), a, len(one.Gaps))
	}
	mixed := mtest.MustCoverage(t, e, coverage.Query{Layers: []string{matching.DefaultLayer, "cnfs-permanences", matching.DefaultLayer}})
	if len(mixed.Layers) != 2 || mixed.Summary.CoveredPopulation < one.Summary.CoveredPopulation {
		t.Errorf("layers fs,cnfs,fs: %v covered %d", mixed.Layers, mixed.Summary.CoveredPopulation)
	}
	for _, c := range e.Territory().Communes[:200] {
		if !c.HasShape() {
			continue
		}
		hits := lookup.NearestSites(e, c.Rep, 8, []string{matching.DefaultLayer, "cnfs-permanences", matching.DefaultLayer})
		seen := map[string]bool{}
		for _, h := range hits {
			key := h.Site.Layer + "/" + h.Site.ID
			if seen[key] {
				t.Fatalf("%s: site %s listed twice", c.Code, key)
			}
			seen[key] = true
		}
		single := lookup.NearestSites(e, c.Rep, 8, []string{matching.DefaultLayer, "cnfs-permanences"})
		if len(single) != len(hits) {
			t.Fatalf("%s: %d hits with a repeated layer, %d without", c.Code, len(hits), len(single))
		}
		for i := range hits {
			if hits[i].Site != single[i].Site {
				t.Fatalf("%s: hit %d differs", c.Code, i)
			}
		}
	}
}

// BenchmarkCompareCoverage is the national 2020 → 2024 comparison at 30
// minutes (nearest-site caches warm).
func BenchmarkCompareCoverage(b *testing.B) {
	e := mtest.WarmCoverage(b, "france-services-2020")
	mtest.WarmCoverage(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CompareCoverage(context.Background(), e, CompareQuery{From: []string{"france-services-2020"}}); err != nil {
			b.Fatal(err)
		}
	}
}
