package layers

import (
	"sync"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/topo"
	"github.com/maillage/maillage/internal/maplayers"
	"github.com/maillage/maillage/internal/mvt"
)

// At zooms up to coalesceMaxZoom a communes tile would hold ~20,000
// communes of a few pixels each (0.9–1.2 MB gzipped at z3–z5): communes
// smaller than coalesceMinPx squared pixels (of a 512-pixel tile) are
// drawn as part of a neighbour of the same département and distance class
// (tippecanoe's coalescing), so that the map looks the same and every tile
// stays under 500 kB. The merged outline carries its largest commune's
// properties; from zoom 6 every commune is its own feature again.
//
// The merged outlines are then simplified again through their own
// topology (resimplify): the junctions between communes of one group are
// no longer junctions, so the borders between groups become longer arcs
// that Douglas-Peucker thins further, and neighbouring groups still meet
// exactly. With 32 px² (8 before) the heaviest tile, 5/16/11, went from
// 544 to 172 kB raw (320 → 105 kB gzipped) and the map's first render in
// software WebGL from 2.57 to 2.03–2.06 s (issue 15, BENCHMARKS.md); the
// class borders move by about a pixel.
const (
	coalesceMaxZoom = 5
	coalesceMinPx   = 32
)

// coalescedCommunes are the communes merged for low-zoom tiles, per zoom,
// computed on first use from the topology's level and the layer's classes.
type coalescedCommunes struct {
	ct    *communeTopology
	class func() ([]int32, error) // per commune: département × distance class, -1 to keep alone
	log   func(msg string, args ...any)

	levels [coalesceMaxZoom + 1]struct {
		once   sync.Once
		rep    []int32
		shapes []topo.PackedMultiPolygon // by representative, packed: 24 MB of float64 rings for z0–5 as orb shapes (issue 17)
	}
}

// atZoom is the layer's TileCoalesce. Its outlines are decoded on each
// call, bit for bit: only low-zoom tiles not yet in the tile cache read them.
func (cc *coalescedCommunes) atZoom(z int) ([]int32, func(int) orb.MultiPolygon, bool) {
	if z < 0 || z > coalesceMaxZoom {
		return nil, nil, false
	}
	lv := &cc.levels[z]
	lv.once.Do(func() {
		level := cc.ct.level(z)
		if level == nil {
			return
		}
		class, err := cc.class()
		if err != nil {
			cc.log("communes not coalesced for low-zoom tiles", "zoom", z, "error", err)
			return
		}
		rep := level.Coalesce(class, coalesceMinPx)
		shapes, split := level.Coalesced(rep)
		if split > 0 {
			cc.log("coalesced communes split back (invalid merged outline)", "zoom", z, "groups", split)
		}
		shapes = cc.resimplify(z, shapes)
		packed := make([]topo.PackedMultiPolygon, len(shapes))
		for i, mp := range shapes {
			packed[i] = topo.PackMultiPolygon(mp)
		}
		lv.rep, lv.shapes = rep, packed
	})
	return lv.rep, func(i int) orb.MultiPolygon { return lv.shapes[i].MultiPolygon() }, lv.rep != nil
}

// resimplify simplifies the merged outlines of zoom z (by representative,
// nil for the others) again at the zoom's tolerance through a topology of
// their own, so that borders between groups lose the vertices the merged
// communes' junctions kept. A shape that collapses is dropped (its
// neighbours close over it, as in TopoLevel); when the topology cannot be
// built the outlines are kept as they are.
func (cc *coalescedCommunes) resimplify(z int, shapes []orb.MultiPolygon) []orb.MultiPolygon {
	t, err := topo.BuildTopology(shapes)
	if err != nil {
		cc.log("coalesced communes not simplified again", "zoom", z, "error", err)
		return shapes
	}
	level := t.Simplify(geo.ZoomToleranceDeg(z))
	if level.ShapesInvalid > 0 {
		cc.log("coalesced communes left invalid by their simplification", "zoom", z, "shapes", level.ShapesInvalid)
	}
	out := make([]orb.MultiPolygon, len(shapes))
	for r, mp := range shapes {
		if len(mp) > 0 {
			out[r] = level.Shape(r)
		}
	}
	return out
}

// communeClasses keys each commune of src by its département and value of
// the class property (the map's colour), -1 for a commune without either.
func communeClasses(l *maplayers.Layer, src maplayers.Source, classProp string) []int32 {
	iDep, iClass := l.PropIndex("departement"), l.PropIndex(classProp)
	keys := map[[2]string]int32{}
	out := make([]int32, src.Len())
	vals := make([]mvt.Value, 0, len(l.Props))
	for i := range out {
		out[i] = -1
		if iDep < 0 || iClass < 0 {
			continue
		}
		vals = src.Props(i, vals[:0])
		if vals[iDep].Kind != mvt.String || vals[iClass].Kind != mvt.String || vals[iClass].S == "" {
			continue
		}
		k := [2]string{vals[iDep].S, vals[iClass].S}
		id, ok := keys[k]
		if !ok {
			id = int32(len(keys))
			keys[k] = id
		}
		out[i] = id
	}
	return out
}
