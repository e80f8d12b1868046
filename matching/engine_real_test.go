package matching

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/maillage/maillage/matching/coverage"
)

// realCoverage holds the engine over the real data shared by this package's
// coverage tests and benchmarks, loaded once per test binary.
var realCoverage struct {
	once sync.Once
	e    *Engine
	err  error
}

// coverageEngine returns the engine over ../../shared/data, skipping when
// the data is missing. The grid is cached in the system temp folder.
func coverageEngine(tb testing.TB) *Engine {
	tb.Helper()
	dir := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("real data not found at %s (clone next to ../shared): %v", dir, err)
	}
	realCoverage.once.Do(func() {
		realCoverage.e, realCoverage.err = Load(Config{DataDir: dir,
			CacheDir: filepath.Join(os.TempDir(), "maillage-test-cache")})
	})
	if realCoverage.err != nil {
		tb.Fatalf("load engine: %v", realCoverage.err)
	}
	return realCoverage.e
}

func mustCoverage(tb testing.TB, e *Engine, q coverage.Query) *coverage.Coverage {
	tb.Helper()
	cv, err := coverage.Compute(e.Coverage(), q)
	if err != nil {
		tb.Fatal(err)
	}
	return cv
}
