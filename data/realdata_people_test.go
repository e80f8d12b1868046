package data

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// peopleDataDir returns the shared real-data folder, skipping the test when
// it is missing.
func peopleDataDir(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(dir, CommunesFile)); err != nil {
		tb.Skipf("real data not found in %s: %v", dir, err)
	}
	return dir
}

// peopleTerritoryOnce loads the real territory once for the tests of the
// people, synth, CNFS and indicator files.
var peopleTerritoryOnce = sync.OnceValues(func() (*Territory, error) {
	return LoadTerritory(filepath.Join("..", "..", "shared", "data"))
})

// peopleTerritory returns the real territory, skipping without data.
func peopleTerritory(tb testing.TB) *Territory {
	tb.Helper()
	peopleDataDir(tb)
	t, err := peopleTerritoryOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return t
}
