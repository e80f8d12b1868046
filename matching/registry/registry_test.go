package registry

import (
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching"
)

// A registry re-pointed to a new engine (a reload) serves the new
// engine's built-in datasets and keeps its uploads.
func TestRegistrySetEngine(t *testing.T) {
	engineWith := func(ids ...string) *matching.Engine {
		ss := make([]people.Structure, len(ids))
		for i, id := range ids {
			ss[i] = people.Structure{ID: id, Posts: 1, Departement: "23"}
		}
		return matching.New(matching.Parts{Structures: map[string][]people.Structure{matching.BuiltinStructuresDataset: ss}}, matching.Options{Workers: 1})
	}
	r := New(nil, engineWith("a"))
	info, err := r.Datasets().Add(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates}, Candidates: []people.Candidate{{ID: "c", Departement: "23", MaxKm: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	if d, builtin, err := r.Datasets().Get(matching.BuiltinStructuresDataset); err != nil || !builtin || len(d.Structures) != 1 {
		t.Fatalf("before: %v builtin %v err %v", d, builtin, err)
	}
	next := engineWith("a", "b")
	r.SetEngine(next)
	if r.Engine() != next {
		t.Fatal("Engine is not the new engine")
	}
	if d, _, err := r.Datasets().Get(matching.BuiltinStructuresDataset); err != nil || len(d.Structures) != 2 {
		t.Fatalf("after: %+v err %v, want the new engine's 2 structures", d, err)
	}
	if list, err := r.Datasets().List(); err != nil || len(list) != 2 || list[0].Rows != 2 || list[1].ID != info.ID {
		t.Fatalf("after: list %+v err %v, want the new built-in then the upload", list, err)
	}
	r.SetEngine(nil)
	if _, _, err := r.Datasets().Get(matching.BuiltinStructuresDataset); err == nil {
		t.Fatal("an engine without data still serves the built-in dataset")
	}
	if _, _, err := r.Datasets().Get(info.ID); err != nil {
		t.Fatalf("upload lost: %v", err)
	}
}

// TestCachedDatasets checks the count the metrics report: a dataset read
// is cached.
func TestCachedDatasets(t *testing.T) {
	st := data.NewMemoryStore()
	if err := st.Put(&data.Dataset{Meta: data.DatasetMeta{ID: "cand-1", Kind: data.KindCandidates}}); err != nil {
		t.Fatal(err)
	}
	reg := New(st, nil)
	if got := reg.Datasets().Cached(); got != 0 {
		t.Errorf("fresh registry: %d cached datasets", got)
	}
	if _, _, err := reg.Datasets().Get("cand-1"); err != nil {
		t.Fatal(err)
	}
	if got := reg.Datasets().Cached(); got != 1 {
		t.Errorf("after reading cand-1: %d cached datasets, want 1", got)
	}
}
