package coverage_test

import (
	"testing"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/mtest"
)

// tinyWorld is an engine over the tiny world (package tinyworld: communes
// A, D, B and C, layers "france-services", "extra" and "empty") and the
// cells its tests name.
type tinyWorld struct {
	e          *matching.Engine
	cA, cB, xD geo.Cell
	diskA      []geo.Cell // ascending
	diskB      []geo.Cell
}

func newTinyWorld(t testing.TB) *tinyWorld {
	t.Helper()
	w := mtest.NewTiny(t)
	return &tinyWorld{e: w.E, cA: w.CA, cB: w.CB, xD: w.XD, diskA: w.DiskA, diskB: w.DiskB}
}

// coverageEngine returns the engine over the real data, skipping when it
// is missing.
func coverageEngine(tb testing.TB) *matching.Engine { return mtest.Real(tb) }

func mustCoverage(tb testing.TB, e *matching.Engine, q coverage.Query) *coverage.Coverage {
	tb.Helper()
	return mtest.MustCoverage(tb, e, q)
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
