// Package mtest holds the engines the tests of matching's packages share:
// a hand-built tiny world whose figures can be worked out by hand, and the
// engine over the real data, loaded once per test binary.
package mtest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
)

// realEngine holds the engine over the real data shared by a test binary's
// tests and benchmarks, loaded once.
var realEngine struct {
	once sync.Once
	e    *matching.Engine
	err  error
}

// Real returns the engine over the real data (../shared/data beside the
// repository root), skipping when the data is missing. The grid is cached
// in the system temp folder.
func Real(tb testing.TB) *matching.Engine {
	tb.Helper()
	dir, err := DataDir()
	if err != nil {
		tb.Skipf("real data not found (clone next to ../shared): %v", err)
	}
	realEngine.once.Do(func() {
		realEngine.e, realEngine.err = matching.Load(matching.Config{DataDir: dir,
			CacheDir: filepath.Join(os.TempDir(), "maillage-test-cache")})
	})
	if realEngine.err != nil {
		tb.Fatalf("load engine: %v", realEngine.err)
	}
	return realEngine.e
}

// DataDir returns the real data folder, ../shared/data from the repository
// root (the folder of go.mod above the working directory), or an error
// when it is missing.
func DataDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		up := filepath.Dir(root)
		if up == root {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
		root = up
	}
	dir := filepath.Join(root, "..", "shared", "data")
	if _, err := os.Stat(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// MustCoverage returns the coverage of q on e, failing tb on error.
func MustCoverage(tb testing.TB, e *matching.Engine, q coverage.Query) *coverage.Coverage {
	tb.Helper()
	cv, err := coverage.Compute(e.Coverage(), q)
	if err != nil {
		tb.Fatal(err)
	}
	return cv
}

// WarmCoverage returns the real engine with the nearest sites of layers
// (nil: the default layer) and the coverage index built, for benchmarks
// of what follows them.
func WarmCoverage(b *testing.B, layers ...string) *matching.Engine {
	e := Real(b)
	if _, err := coverage.Compute(e.Coverage(), coverage.Query{Layers: layers, NoGaps: true}); err != nil {
		b.Fatal(err)
	}
	return e
}
