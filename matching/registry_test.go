package matching

import (
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
)

// A registry re-pointed to a new engine (a reload) serves the new
// engine's built-in datasets and keeps its uploads.
func TestRegistrySetEngine(t *testing.T) {
	engineWith := func(ids ...string) *Engine {
		ss := make([]people.Structure, len(ids))
		for i, id := range ids {
			ss[i] = people.Structure{ID: id, Posts: 1, Departement: "23"}
		}
		return New(Parts{Structures: map[string][]people.Structure{BuiltinStructuresDataset: ss}}, Options{Workers: 1})
	}
	r := NewRegistry(nil, engineWith("a"))
	info, err := r.AddDataset(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates}, Candidates: []people.Candidate{{ID: "c", Departement: "23", MaxKm: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	if d, builtin, err := r.Dataset(BuiltinStructuresDataset); err != nil || !builtin || len(d.Structures) != 1 {
		t.Fatalf("before: %v builtin %v err %v", d, builtin, err)
	}
	next := engineWith("a", "b")
	r.SetEngine(next)
	if r.Engine() != next {
		t.Fatal("Engine is not the new engine")
	}
	if d, _, err := r.Dataset(BuiltinStructuresDataset); err != nil || len(d.Structures) != 2 {
		t.Fatalf("after: %+v err %v, want the new engine's 2 structures", d, err)
	}
	if list, err := r.Datasets(); err != nil || len(list) != 2 || list[0].Rows != 2 || list[1].ID != info.ID {
		t.Fatalf("after: list %+v err %v, want the new built-in then the upload", list, err)
	}
	r.SetEngine(nil)
	if _, _, err := r.Dataset(BuiltinStructuresDataset); err == nil {
		t.Fatal("an engine without data still serves the built-in dataset")
	}
	if _, _, err := r.Dataset(info.ID); err != nil {
		t.Fatalf("upload lost: %v", err)
	}
}
