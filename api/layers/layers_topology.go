package layers

import (
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/topo"
)

// topoMaxZoom is the deepest zoom whose communes, départements and régions
// are simplified through the communes' shared topology. Beyond it the
// tolerance (under 150 m) leaves gaps of a few pixels at most between
// communes simplified each on its own, and the levels would hold most of
// the vertices again.
const topoMaxZoom = 8

// communeTopology simplifies the communes through their shared arcs (see
// topo.Topology), so that neighbours meet exactly at every zoom up to
// topoMaxZoom and département and région outlines run along the same
// simplified borders. It is built on first use (the map's warm-up at
// start), each zoom level on its first request.
type communeTopology struct {
	shapes func() []orb.MultiPolygon // the communes' shapes, by commune id
	log    func(msg string, args ...any)

	once sync.Once
	topo *topo.Topology // nil when it could not be built: features fall back to their own simplification

	levels [topoMaxZoom + 1]struct {
		once  sync.Once
		level *topo.TopoLevel
	}
}

// level returns the communes simplified for zoom z, nil beyond
// topoMaxZoom or when the topology could not be built.
func (ct *communeTopology) level(z int) *topo.TopoLevel {
	if ct == nil || z < 0 || z > topoMaxZoom {
		return nil
	}
	ct.once.Do(func() {
		start := time.Now()
		topo, err := topo.BuildTopology(ct.shapes())
		if err != nil {
			ct.log("commune topology failed: communes are simplified each on its own", "error", err)
			return
		}
		ct.topo = topo
		ct.log("commune topology built", "arcs", topo.NumArcs(), "points", topo.NumPoints(), "duration_ms", time.Since(start).Milliseconds())
	})
	if ct.topo == nil {
		return nil
	}
	lv := &ct.levels[z]
	lv.once.Do(func() {
		lv.level = ct.topo.Simplify(geo.ZoomToleranceDeg(z))
		if lv.level.ShapesInvalid > 0 {
			ct.log("communes left invalid by the topology's simplification", "zoom", z, "shapes", lv.level.ShapesInvalid)
		}
	})
	return lv.level
}

// groupLevels are outlines assembled from the communes' arcs (a layer of
// départements or régions), per zoom, computed on first use.
type groupLevels struct {
	ct      *communeTopology
	groupOf func() ([]int, int) // each commune's feature in the layer (-1: none), and the number of features
	levels  [topoMaxZoom + 1]struct {
		once   sync.Once
		shapes []topo.PackedMultiPolygon // by feature, packed (a quarter of the orb form; issue 17)
	}
}

// outline returns feature i's outline at zoom z, decoded (bit for bit)
// from its packed form; ok false when the topology does not serve that
// zoom or no commune of the feature has a shape.
func (g *groupLevels) outline(z, i int) (orb.MultiPolygon, bool) {
	l := g.ct.level(z)
	if l == nil {
		return nil, false
	}
	lv := &g.levels[z]
	lv.once.Do(func() {
		shapes := l.Groups(g.groupOf())
		lv.shapes = make([]topo.PackedMultiPolygon, len(shapes))
		for k, mp := range shapes {
			lv.shapes[k] = topo.PackMultiPolygon(mp)
		}
	})
	if i >= len(lv.shapes) || lv.shapes[i] == nil {
		return nil, false
	}
	return lv.shapes[i].MultiPolygon(), true
}
