package mvt

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
)

// TestLayerRoundTrip encodes features by hand-made protobuf and decodes
// them with orb's mvt.Unmarshal.
func TestLayerRoundTrip(t *testing.T) {
	keys := []string{"s", "n", "b", "l", "x"}
	enc := NewLayer("test", keys, 4096, 2)
	square := orb.MultiPolygon{
		{{{-64, -64}, {100, -64}, {100, 100}, {-64, 100}, {-64, -64}}, {{0, 0}, {0, 50}, {50, 50}, {50, 0}, {0, 0}}},
		{{{200, 200}, {300, 200}, {300, 300}, {200, 200}}},
	}
	enc.Add(7, square, []Value{Str("é\"x"), Num(-12), Boolean(true), List([]string{"23", "87"}), {}})
	enc.Add(8, orb.Point{4000, 10}, []Value{Str("é\"x"), Num(0.125), Boolean(false), {}, Int(1 << 40)})
	layers, err := mvt.Unmarshal(enc.Tile())
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
	if NewLayer("empty", keys, 4096, 0).Tile() != nil {
		t.Error("an empty layer is not a nil tile")
	}
}

// BenchmarkLayerAdd encodes a tile of 1,000 small squares with repeated and
// unique values, as a département's communes at zoom 8.
func BenchmarkLayerAdd(b *testing.B) {
	b.ReportAllocs()
	keys := []string{"code", "population", "covered", "class"}
	classes := []string{"0-10", "10-20", "20-30"}
	for b.Loop() {
		enc := NewLayer("communes", keys, 4096, 1000)
		for i := range 1000 {
			x := float64(i%32) * 128
			y := float64(i/32) * 128
			sq := orb.MultiPolygon{{{{x, y}, {x + 100, y}, {x + 100, y + 100}, {x, y + 100}, {x, y}}}}
			enc.Add(uint64(i+1), sq, []Value{Str("c"), Int(i * 7), Boolean(i%2 == 0), Str(classes[i%3])})
		}
		if enc.Tile() == nil {
			b.Fatal("empty tile")
		}
	}
}
