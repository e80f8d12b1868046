package coverage_test

import (
	"testing"

	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
)

// warmCoverage returns the real engine with the nearest-site caches of the
// layers and the coverage index built.
func warmCoverage(b *testing.B, layers ...string) *matching.Engine {
	e := coverageEngine(b)
	if _, err := coverage.Compute(e.Coverage(), coverage.Query{Layers: layers, NoGaps: true}); err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkLayerNearest is the one-off cost of a layer's nearest-site cache:
// every cell centre and commune of France to the nearest of its sites.
func BenchmarkLayerNearest(b *testing.B) {
	e := coverageEngine(b)
	b.ReportAllocs()
	for b.Loop() {
		e.Coverage().ComputeLayerNearest(coverage.DefaultLayer)
	}
}

// BenchmarkCoverageIndex is the one-off cost of the coverage index (grid
// adjacency, cell areas, département and région scopes).
func BenchmarkCoverageIndex(b *testing.B) {
	e := coverageEngine(b)
	b.ReportAllocs()
	for b.Loop() {
		coverage.BuildIndex(e.Territory(), e.Grid(), e.Workers())
	}
}

// BenchmarkCoverageNational is the full national coverage at 30 minutes
// (communes, aggregates, gap zones, rural mairies), caches warm.
func BenchmarkCoverageNational(b *testing.B) {
	e := warmCoverage(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := coverage.Compute(e.Coverage(), coverage.Query{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCoverageNationalAnswer is the national coverage as GET
// /v1/coverage computes it: gap zones, areas and rural mairies, without
// the list of communes (Query.NoCommunes).
func BenchmarkCoverageNationalAnswer(b *testing.B) {
	e := warmCoverage(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := coverage.Compute(e.Coverage(), coverage.Query{NoCommunes: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCoverageNationalTwoLayers is the same over the union of two
// layers.
func BenchmarkCoverageNationalTwoLayers(b *testing.B) {
	layers := []string{coverage.DefaultLayer, "cnfs-permanences"}
	e := warmCoverage(b, layers...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := coverage.Compute(e.Coverage(), coverage.Query{Layers: layers}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCoverageRethreshold is a full national coverage at a threshold
// changing at every call (15 to 45 minutes).
func BenchmarkCoverageRethreshold(b *testing.B) { benchRethreshold(b, false) }

// BenchmarkCoverageRethresholdFigures is re-thresholding without gap zones:
// the figures of every commune and area.
func BenchmarkCoverageRethresholdFigures(b *testing.B) { benchRethreshold(b, true) }

func benchRethreshold(b *testing.B, noGaps bool) {
	e := warmCoverage(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := coverage.ReachMinutes(float64(15+i%31), coverage.TravelModel{})
		i++
		if _, err := coverage.Compute(e.Coverage(), coverage.Query{Reach: &r, NoGaps: noGaps}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCoverageDepartement is the full coverage of one département (the
// Creuse, 23).
func BenchmarkCoverageDepartement(b *testing.B) {
	e := warmCoverage(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := coverage.Compute(e.Coverage(), coverage.Query{Departement: "23"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGapOutlines is the outline of the 100 most populated gap zones at
// 30 minutes.
func BenchmarkGapOutlines(b *testing.B) {
	e := warmCoverage(b)
	cv, err := coverage.Compute(e.Coverage(), coverage.Query{})
	if err != nil {
		b.Fatal(err)
	}
	n := min(100, len(cv.Gaps))
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < n; i++ {
			cv.GapOutline(i)
		}
	}
}
