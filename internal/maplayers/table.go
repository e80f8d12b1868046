package maplayers

import (
	"github.com/maillage/maillage/internal/mvt"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// PointFeature is one feature of a point layer.
type PointFeature struct {
	ID          string
	Point       orb.Point
	Departement string
	Props       []mvt.Value // in the layer's Props order
}

// FeatureTable is a source holding its features in memory, with an R-tree
// over their bounds and an index by département.
type FeatureTable struct {
	ids    []string
	geoms  []orb.Geometry
	bounds []orb.Bound
	props  [][]mvt.Value
	// propsOf, when set, makes the values of feature i on each read
	// instead of props holding them (NewPointLayerOf).
	propsOf func(i int, dst []mvt.Value) []mvt.Value
	byID    map[string]int
	byDep   map[string][]int
	tree    rtree.RTreeG[int32]
}

func NewFeatureTable(n int) *FeatureTable {
	return &FeatureTable{ids: make([]string, 0, n), geoms: make([]orb.Geometry, 0, n),
		bounds: make([]orb.Bound, 0, n), props: make([][]mvt.Value, 0, n),
		byID: make(map[string]int, n), byDep: map[string][]int{}}
}

// Add appends a feature (g may be nil) in the départements deps; a repeated
// id keeps its first feature for Lookup.
func (t *FeatureTable) Add(id string, g orb.Geometry, deps []string, props []mvt.Value) {
	i := len(t.ids)
	t.ids = append(t.ids, id)
	t.geoms = append(t.geoms, g)
	var b orb.Bound
	if g != nil {
		b = g.Bound()
		t.tree.Insert(b.Min, b.Max, int32(i))
	}
	t.bounds = append(t.bounds, b)
	t.props = append(t.props, props)
	if _, ok := t.byID[id]; !ok {
		t.byID[id] = i
	}
	for _, d := range deps {
		if l := t.byDep[d]; len(l) == 0 || l[len(l)-1] != i {
			t.byDep[d] = append(l, i)
		}
	}
}

// Len is the number of features; with ID, Geometry, InDepartement, Lookup,
// Bound, Props and Search it implements Source.
func (t *FeatureTable) Len() int                     { return len(t.ids) }
func (t *FeatureTable) ID(i int) string              { return t.ids[i] }
func (t *FeatureTable) Geometry(i int) orb.Geometry  { return t.geoms[i] }
func (t *FeatureTable) InDepartement(d string) []int { return slices.Clone(t.byDep[d]) }

func (t *FeatureTable) Lookup(id string) (int, bool) {
	i, ok := t.byID[id]
	return i, ok
}

func (t *FeatureTable) Bound(i int) (orb.Bound, bool) { return t.bounds[i], t.geoms[i] != nil }

func (t *FeatureTable) Props(i int, dst []mvt.Value) []mvt.Value {
	if t.propsOf != nil {
		return t.propsOf(i, dst)
	}
	return append(dst, t.props[i]...)
}

func (t *FeatureTable) Search(b orb.Bound, fn func(i int) bool) {
	t.tree.Search(b.Min, b.Max, func(_, _ [2]float64, i int32) bool { return fn(int(i)) })
}

// NewPointLayer makes a static layer of points: the service layers, and
// any point layer added at run time (uploaded structures, proposals,
// recommendations) through Registry.add. props describes the values
// of every feature's Props.
func NewPointLayer(name, title, description, kind string, props []PropSpec, features []PointFeature) *Layer {
	return NewPointLayerOf(name, title, description, kind, props, features, nil)
}

// NewPointLayerOf is NewPointLayer with the values of feature i (in
// features' order, their Props unused) made by values on each read rather
// than held: a layer of many points with many values, such as the service
// points (nine values of 56 bytes each a site), holds none of them. A nil
// values is NewPointLayer.
func NewPointLayerOf(name, title, description, kind string, props []PropSpec, features []PointFeature, values func(i int, dst []mvt.Value) []mvt.Value) *Layer {
	l := &Layer{Name: name, Title: title, Description: description, Kind: kind,
		GeometryType: GeomPoint, Props: props}
	return StaticLayer(l, func() (Source, error) {
		t := NewFeatureTable(len(features))
		t.propsOf = values
		for _, f := range features {
			var deps []string
			if f.Departement != "" {
				deps = []string{f.Departement}
			}
			t.Add(f.ID, f.Point, deps, f.Props)
		}
		return t, nil
	})
}
