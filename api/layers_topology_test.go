package api

import (
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/internal/maplayers"
)

// TestLayerTopologyHook: up to topoMaxZoom the communes layer serves the
// shapes of the communes' shared topology (so neighbours meet), beyond it
// each commune's own simplification.
func TestLayerTopologyHook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the communes' topology: skipped in -short mode")
	}
	s := mapServer(t)
	l, ok := s.mapsNow().mapLayers().Get("communes")
	if !ok || l.Cache == nil || l.Cache.Topo == nil {
		t.Fatal("communes layer without a topology hook")
	}
	src, err := l.Open(maplayers.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	const z = 5
	lv := s.mapsNow().communeTopology().level(z)
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
		want := maplayers.PolygonsOrNil(maplayers.ZoomSimplifier(topoMaxZoom + 1).MultiPolygon(own))
		if g := l.Cache.AtZoom(src, i, topoMaxZoom+1); !orb.Equal(g, want) {
			t.Fatalf("commune %d at z%d is not its own simplification", i, topoMaxZoom+1)
		}
	}
	if served == 0 {
		t.Fatal("the topology serves no commune at z5")
	}
}
