package matching_test

import (
	"testing"

	"github.com/maillage/maillage/internal/testworld"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
)

// TestCacheSizes checks the counts the metrics report: a coverage query
// caches its layer's nearest-site set, a union one more, and forgetting
// the layer drops both.
func TestCacheSizes(t *testing.T) {
	e, err := testworld.New()
	if err != nil {
		t.Fatal(err)
	}
	if got := e.CacheSizes(); got != (matching.CacheSizes{}) {
		t.Fatalf("fresh engine: %+v", got)
	}
	for _, layers := range [][]string{{"france-services"}, {"france-services", "cnfs-permanences"}} {
		if _, err := coverage.Compute(e.Coverage(), coverage.Query{Layers: layers}); err != nil {
			t.Fatal(err)
		}
	}
	// france-services, cnfs-permanences (computed for the union) and the union.
	if got := e.CacheSizes().CoverageSets; got != 3 {
		t.Errorf("after two queries: %d coverage sets, want 3", got)
	}
	e.ForgetCoverageCache("france-services")
	if got := e.CacheSizes().CoverageSets; got != 1 {
		t.Errorf("after forgetting france-services: %d coverage sets, want 1 (cnfs-permanences)", got)
	}
}
