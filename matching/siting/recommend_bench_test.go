package siting

import (
	"context"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/mtest"
)

// prepared returns the real-data engine with the coverage caches of layer
// built, so that benchmarks time the siting work only.
func prepared(b *testing.B, layer string) *matching.Engine {
	b.Helper()
	e := mtest.Real(b)
	if err := coverage.Prepare(e.Coverage(), []string{layer}); err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkRecommendNational100 picks 100 sites among the ~34,900 communes
// of France at res 8, against today's network (little open demand) and the
// 2020 one (8 % of the population out of reach).
func BenchmarkRecommendNational100(b *testing.B) {
	for _, layer := range []string{data.LayerFranceServices, data.LayerFranceServices2020} {
		b.Run(layer, func(b *testing.B) {
			e := prepared(b, layer)
			b.ReportAllocs()
			for b.Loop() {
				rec, err := Recommend(context.Background(), e, RecommendQuery{Layers: []string{layer}, K: 100})
				if err != nil || len(rec.Picks) == 0 {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecommendDepartement10 picks 10 sites in one département.
func BenchmarkRecommendDepartement10(b *testing.B) {
	for _, c := range []struct{ dep, layer string }{
		{"23", data.LayerFranceServices}, {"85", data.LayerFranceServices},
		{"23", data.LayerFranceServices2020}, {"36", data.LayerFranceServices2020},
	} {
		b.Run(c.dep+"/"+c.layer, func(b *testing.B) {
			e := prepared(b, c.layer)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Recommend(context.Background(), e, RecommendQuery{Layers: []string{c.layer}, Departement: c.dep, K: 10}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEvaluate500 judges 500 proposals spread over France (the
// representative points of every 70th commune).
func BenchmarkEvaluate500(b *testing.B) {
	for _, layer := range []string{data.LayerFranceServices, data.LayerFranceServices2020} {
		b.Run(layer, func(b *testing.B) {
			e := prepared(b, layer)
			var props []people.Structure
			for i := 0; len(props) < 500 && i < len(e.Territory().Communes); i += 69 {
				if c := &e.Territory().Communes[i]; c.HasShape() {
					props = append(props, people.Structure{ID: c.Code, Point: c.Rep})
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := EvaluateProposals(context.Background(), e, props, SitingQuery{Layers: []string{layer}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
