package siting

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/mtest"
)

func TestEvaluateRealFranceServicesRedundant(t *testing.T) {
	e := mtest.Real(t)
	var props []people.Structure
	for _, s := range e.Layer(matching.DefaultLayer).Sites {
		props = append(props, people.Structure{ID: s.ID, Point: s.Point})
	}
	ev, err := EvaluateProposals(context.Background(), e, props, SitingQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if ev.JointGainPopulation != 0 || ev.Redundant != len(props) {
		t.Fatalf("today's sites as proposals: joint gain %d, %d redundant of %d", ev.JointGainPopulation, ev.Redundant, len(props))
	}
	for _, r := range ev.Proposals {
		if r.GainPopulation != 0 || r.Label != LabelRedundant || r.NearestFranceServicesM != 0 || !r.Redundant || r.InGap {
			t.Fatalf("proposal at France Services %s: %+v", r.ID, r)
		}
	}
	if ev.CoveredBefore != ev.CoveredAfter || ev.CoveredShareBefore < 0.99 {
		t.Fatalf("covered before %d, after %d (share %v)", ev.CoveredBefore, ev.CoveredAfter, ev.CoveredShareBefore)
	}
}

// TestRecommendRealDepartement recommends 5 sites in the Indre (36) against
// the 2020 network, where half the population was more than 30 minutes
// away, and checks the answer against plain greedy, the coverage analysis
// (with the picks added as a layer) and the scenario comparison.
func TestRecommendRealDepartement(t *testing.T) {
	e := mtest.Real(t)
	layers := []string{data.LayerFranceServices2020}
	q := RecommendQuery{Layers: layers, Departement: "36", K: 5}
	rec, err := Recommend(context.Background(), e, q)
	if err != nil {
		t.Fatal(err)
	}
	before := mtest.MustCoverage(t, e, coverage.Query{Layers: layers, Departement: "36", NoGaps: true})
	if rec.Population != before.Summary.Population || rec.CoveredBefore != before.Summary.CoveredPopulation || rec.CoveredShareBefore > 0.7 {
		t.Fatalf("Indre before: recommendation %d of %d, coverage %+v", rec.CoveredBefore, rec.Population, before.Summary)
	}
	if len(rec.Picks) != 5 || rec.Candidates != len(e.Territory().CommunesIn("36")) || rec.CoveredShareAfter < 0.95 {
		t.Fatalf("Indre: %d picks over %d candidates, after %v", len(rec.Picks), rec.Candidates, rec.CoveredShareAfter)
	}
	su, err := prepareRecommend(context.Background(), e, q)
	if err != nil {
		t.Fatal(err)
	}
	plain := plainGreedy(su.cover, 5)
	for i, p := range rec.Picks {
		if p.ID != su.cands[plain[i].cand].id || p.GainPopulation != plain[i].pop || p.Departement != "36" {
			t.Fatalf("pick %d: lazy %s (+%d), plain %s (+%d)", i, p.ID, p.GainPopulation, su.cands[plain[i].cand].id, plain[i].pop)
		}
	}
	if rec.GainEvaluations >= 5*rec.Candidates {
		t.Errorf("lazy greedy made %d evaluations, plain greedy %d", rec.GainEvaluations, 5*rec.Candidates)
	}
	if b := rec.Bound; b.UpperBound < b.Achieved || b.AchievedShare < 1-1/2.718281828 || math.Abs(b.Achieved-float64(rec.CoveredAfter-rec.CoveredBefore)) > 1 { // fractional inhabitants against two rounded figures
		t.Fatalf("bound %+v, gain %d", b, rec.CoveredAfter-rec.CoveredBefore)
	}

	// The picks as sites: the scenario and the coverage analysis agree.
	var sites []people.Structure
	var layerSites []data.Site
	var pts []orb.Point
	for _, p := range rec.Picks {
		pt := orb.Point{p.Lon, p.Lat}
		sites = append(sites, people.Structure{ID: p.ID, Point: pt})
		layerSites = append(layerSites, data.Site{ID: p.ID, Layer: "siting-test", Point: pt})
		pts = append(pts, pt)
	}
	sc, err := CompareScenario(context.Background(), e, sites, SitingQuery{Layers: layers})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(sc.Departements, func(a AreaChange) bool { return a.Code == "36" })
	if i < 0 || sc.Departements[i].CoveredAfter != rec.CoveredAfter || sc.Departements[i].CoveredBefore != rec.CoveredBefore {
		t.Fatalf("scenario Indre %+v, recommendation after %d", sc.Departements[i], rec.CoveredAfter)
	}
	// An engine never changes: the picks as a layer go in a new one.
	withPicks := e.Rebuild(func(p *matching.Parts) {
		p.Layers["siting-test"] = &data.Layer{Name: "siting-test", Sites: layerSites, Index: siteindex.New(pts)}
	})
	after := mtest.MustCoverage(t, withPicks, coverage.Query{Layers: append(layers, "siting-test"), NoGaps: true})
	for j, d := range after.Departements {
		if s := sc.Departements[j]; s.Code != d.Code || s.CoveredAfter != d.CoveredPopulation {
			t.Fatalf("département %s: scenario after %d, coverage with the sites %d", d.Code, s.CoveredAfter, d.CoveredPopulation)
		}
	}
	if sc.National.CoveredAfter != after.Summary.CoveredPopulation {
		t.Fatalf("national: scenario after %d, coverage %d", sc.National.CoveredAfter, after.Summary.CoveredPopulation)
	}
}

func TestRecommendRealCoveredDepartement(t *testing.T) {
	e := mtest.Real(t)
	// The Creuse is fully within 30 minutes of today's network: nothing to add.
	rec, err := Recommend(context.Background(), e, RecommendQuery{Departement: "23", K: 5})
	if err != nil {
		t.Fatal(err)
	}
	if rec.CoveredBefore != rec.PopulationLocated || len(rec.Picks) != 0 || !rec.Exhausted || rec.Bound.UpperBound != 0 || rec.Bound.AchievedShare != 1 {
		t.Fatalf("Creuse 2024: %+v", rec)
	}
	// Nationally, the online bound never exceeds what candidates can reach.
	nat, err := Recommend(context.Background(), e, RecommendQuery{K: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(nat.Picks) != 20 || nat.Bound.UpperBound > nat.Bound.Coverable || nat.Bound.Achieved > nat.Bound.UpperBound || nat.CoveredAfter <= nat.CoveredBefore {
		t.Fatalf("national: %d picks, bound %+v", len(nat.Picks), nat.Bound)
	}
	for i := 1; i < len(nat.Picks); i++ {
		if nat.Picks[i].GainDemand > nat.Picks[i-1].GainDemand {
			t.Fatalf("gains increase at pick %d: %v then %v", i, nat.Picks[i-1].GainDemand, nat.Picks[i].GainDemand)
		}
	}
}

// TestRecommendFragilityDemand: recommendations weighted by DemandWeights
// value the open demand at the people in difficulty out of reach.
func TestRecommendFragilityDemand(t *testing.T) {
	e := mtest.Real(t)
	weights, err := coverage.DemandWeights(e.Coverage(), coverage.DemandDifficulty)
	if err != nil {
		t.Fatal(err)
	}
	r := coverage.ReachMinutes(20, coverage.TravelModel{})
	rec, err := Recommend(context.Background(), e, RecommendQuery{Departement: "40", K: 2, Reach: &r, Demand: coverage.DemandDifficulty, DemandWeights: weights})
	if err != nil {
		t.Fatal(err)
	}
	cv := mtest.MustCoverage(t, e, coverage.Query{Departement: "40", Reach: &r, NoGaps: true})
	// Border cells shared with another département take the cell's mean
	// index: allow 1 %.
	if want := cv.Summary.UncoveredPopulationInDifficulty; rec.Demand != coverage.DemandDifficulty || math.Abs(rec.OpenDemand-want) > 0.01*want {
		t.Errorf("demand %q: open demand %v, uncovered fragile population %v", rec.Demand, rec.OpenDemand, want)
	}
	if len(rec.Picks) != 2 || rec.Picks[0].GainDemand <= 0 || rec.Picks[0].GainDemand >= float64(rec.Picks[0].GainPopulation) {
		t.Errorf("picks %+v", rec.Picks)
	}
}
