package coverage_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/maillage/maillage/matching/coverage"
)

// TestGapsMatchReference checks that the single-pass walk of gap zones
// gives what the reference code (gaps_reference_test.go) gives: the same
// zones in the same order with the same cells in the same order, the same
// figures to the last bit, and the same zone for every scope cell, at
// thresholds from a few kilometres (hundreds of small zones) to an hour,
// nationally and in a département and a région; and that outlines drawn
// from the zones' border cells are those drawn from all their cells.
func TestGapsMatchReference(t *testing.T) {
	e := coverageEngine(t)
	var queries []coverage.Query
	for _, km := range []float64{3, 5, 8, 10, 15, 25} {
		queries = append(queries, coverage.Query{Reach: reachPtr(coverage.ReachKm(km))})
	}
	for _, min := range []float64{15, 20, 30, 45, 60} {
		queries = append(queries, coverage.Query{Reach: reachPtr(coverage.ReachMinutes(min, coverage.TravelModel{}))})
	}
	queries = append(queries,
		coverage.Query{Departement: "48", Reach: reachPtr(coverage.ReachKm(5))},
		coverage.Query{Departement: "23", Reach: reachPtr(coverage.ReachKm(6))},
		coverage.Query{Departement: "2A", Reach: reachPtr(coverage.ReachKm(8)), RankBy: coverage.RankByZRR},
		coverage.Query{Region: "76", Reach: reachPtr(coverage.ReachKm(8)), RankBy: coverage.RankByFragility},
		coverage.Query{Region: "84", Reach: reachPtr(coverage.ReachKm(6))},
		coverage.Query{Reach: reachPtr(coverage.ReachKm(7)), RankBy: coverage.RankByZRR},
	)
	for _, q := range queries {
		cv := mustCoverage(t, e, q)
		gaps, unpop, gapOf := cv.ReferenceGaps()
		name := cv.Scope.Code + " " + cv.Reach.String() + " " + cv.RankBy
		if len(gaps) == 0 {
			t.Errorf("%s: no gap zone: the comparison tells nothing", name)
		}
		if unpop != cv.GapZonesUnpopulated {
			t.Errorf("%s: %d unpopulated zones, reference %d", name, cv.GapZonesUnpopulated, unpop)
		}
		if len(gaps) != len(cv.Gaps) {
			t.Errorf("%s: %d zones, reference %d", name, len(cv.Gaps), len(gaps))
			continue
		}
		for i := range gaps {
			if !reflect.DeepEqual(cv.Gaps[i], gaps[i]) || !slices.Equal(cv.Gaps[i].GapCellIndexes(), gaps[i].GapCellIndexes()) {
				t.Errorf("%s: zone %d is\n%+v\nreference\n%+v", name, i, cv.Gaps[i], gaps[i])
				break
			}
		}
		for i := range min(len(cv.Gaps), 20) {
			if !reflect.DeepEqual(cv.GapOutline(i), cv.ReferenceOutline(i)) {
				t.Errorf("%s: the outline of zone %d differs from the one of all its cells", name, i)
			}
		}
		if !slices.Equal(cv.GapOf(), gapOf) {
			t.Errorf("%s: the cells' zones differ from the reference", name)
		}
	}
}
