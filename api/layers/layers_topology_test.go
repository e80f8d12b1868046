package layers_test

import (
	"testing"

	apilayers "github.com/maillage/maillage/api/layers"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/internal/maplayers"
)

// TestLayerTopologyHook: up to apilayers.TopoMaxZoom the communes layer serves the
// shapes of the communes' shared topology (so neighbours meet), beyond it
// each commune's own simplification.
func TestLayerTopologyHook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the communes' topology: skipped in -short mode")
	}
	s := apitest.MapServer(t)
	l, ok := s.Maps().Current().Layers().Get("communes")
	if !ok || l.Cache == nil || l.Cache.Topo == nil {
		t.Fatal("communes layer without a topology hook")
	}
	src, err := l.Open(maplayers.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	const z = 5
	lv := s.Maps().Current().TopologyLevel(z)
	if lv == nil {
		t.Fatal("no topology level at z5")
	}
	served := 0
	for i := 0; i < src.Len() && served < 50; i++ {
		if lv.Shape(i) == nil {
			continue
		}
		served++
		if g := l.Cache.AtZoom(src, i, z); !orb.Equal(g, lv.Shape(i)) {
			t.Fatalf("commune %d at z%d is not the topology's shape", i, z)
		}
		own, _ := src.Geometry(i).(orb.MultiPolygon)
		want := maplayers.PolygonsOrNil(maplayers.ZoomSimplifier(apilayers.TopoMaxZoom + 1).MultiPolygon(own))
		if g := l.Cache.AtZoom(src, i, apilayers.TopoMaxZoom+1); !orb.Equal(g, want) {
			t.Fatalf("commune %d at z%d is not its own simplification", i, apilayers.TopoMaxZoom+1)
		}
	}
	if served == 0 {
		t.Fatal("the topology serves no commune at z5")
	}
}
