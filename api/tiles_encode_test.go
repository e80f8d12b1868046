package api

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
)

// TestMVTLayerRoundTrip encodes features by hand-made protobuf and decodes
// them with orb's mvt.Unmarshal.
func TestMVTLayerRoundTrip(t *testing.T) {
	keys := []string{"s", "n", "b", "l", "x"}
	enc := newMVTLayer("test", keys, 4096, 2)
	square := orb.MultiPolygon{
		{{{-64, -64}, {100, -64}, {100, 100}, {-64, 100}, {-64, -64}}, {{0, 0}, {0, 50}, {50, 50}, {50, 0}, {0, 0}}},
		{{{200, 200}, {300, 200}, {300, 300}, {200, 200}}},
	}
	enc.add(7, square, []value{strVal("é\"x"), numVal(-12), boolVal(true), listVal([]string{"23", "87"}), value{}})
	enc.add(8, orb.Point{4000, 10}, []value{strVal("é\"x"), numVal(0.125), boolVal(false), value{}, intVal(1 << 40)})
	layers, err := mvt.Unmarshal(enc.tile())
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 || layers[0].Name != "test" || layers[0].Version != 2 || layers[0].Extent != 4096 || len(layers[0].Features) != 2 {
		t.Fatalf("layers %+v", layers)
	}
	f := layers[0].Features
	mp, ok := f[0].Geometry.(orb.MultiPolygon)
	if !ok || !orb.Equal(mp, square) {
		t.Fatalf("polygon came back as %v", f[0].Geometry)
	}
	if f[0].ID != 7.0 || f[1].ID != 8.0 {
		t.Errorf("ids %v %v", f[0].ID, f[1].ID)
	}
	want0 := map[string]any{"s": "é\"x", "n": -12.0, "b": true, "l": "23,87"}
	want1 := map[string]any{"s": "é\"x", "n": 0.125, "b": false, "x": float64(1 << 40)}
	for i, want := range []map[string]any{want0, want1} {
		if len(f[i].Properties) != len(want) {
			t.Errorf("feature %d: properties %v", i, f[i].Properties)
		}
		for k, v := range want {
			if got := f[i].Properties[k]; got != v {
				t.Errorf("feature %d: %s = %v (%T), want %v", i, k, got, got, v)
			}
		}
	}
	if p, ok := f[1].Geometry.(orb.Point); !ok || p != (orb.Point{4000, 10}) {
		t.Errorf("point came back as %v", f[1].Geometry)
	}
	if newMVTLayer("empty", keys, 4096, 0).tile() != nil {
		t.Error("an empty layer is not a nil tile")
	}
}
