package matching_test

import (
	"testing"

	"github.com/maillage/maillage/data"
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
	st := data.NewMemoryStore()
	if err := st.Put(&data.Dataset{Meta: data.DatasetMeta{ID: "cand-1", Kind: data.KindCandidates}}); err != nil {
		t.Fatal(err)
	}
	reg := matching.NewRegistry(st, e)
	if got := reg.CachedDatasets(); got != 0 {
		t.Errorf("fresh registry: %d cached datasets", got)
	}
	if _, _, err := reg.Dataset("cand-1"); err != nil {
		t.Fatal(err)
	}
	if got := reg.CachedDatasets(); got != 1 {
		t.Errorf("after reading cand-1: %d cached datasets, want 1", got)
	}
}
