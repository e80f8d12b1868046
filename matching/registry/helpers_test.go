package registry

import (
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching"
)

// mustStructures returns the built-in structures of e, failing t when
// they are not loaded.
func mustStructures(t testing.TB, e *matching.Engine) []people.Structure {
	t.Helper()
	ss, ok := e.Structures(matching.BuiltinStructuresDataset)
	if !ok {
		t.Fatal("built-in structures not loaded")
	}
	return ss
}

// mustReport returns the load report of e's built-in structures.
func mustReport(e *matching.Engine) data.LoadReport {
	rep, _ := e.StructureReport(matching.BuiltinStructuresDataset)
	return rep
}
