package maplayers

import (
	"fmt"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/mvt"
)

// Kinds of map layers.
const (
	KindBoundaries = "boundaries" // communes, départements, régions
	KindService    = "service"    // a loaded service-point layer
	KindAnalysis   = "analysis"   // computed from the coverage (gaps, cells)
	KindUploaded   = "uploaded"   // a point layer added at run time (structures, proposals, ...)
)

// Geometry types of map layers, as OGC collections announce them.
const (
	GeomPolygon = "MultiPolygon"
	GeomPoint   = "Point"
)

// PropSpec describes one property of a layer's features.
type PropSpec struct {
	Name        string `json:"name"`
	Type        string `json:"type"` // JSON Schema type: string, integer, number, boolean, array
	Description string `json:"description"`
}

// Layer is one collection of features served as GeoJSON
// (/v1/layers/{name}), OGC API items (/ogc/collections/{name}/items) and
// vector tiles (/tiles/{name}/{z}/{x}/{y}.mvt).
type Layer struct {
	Name         string
	Title        string
	Description  string
	Kind         string
	GeometryType string
	Vintage      string           // service layers: vintage of the file
	Source       string           // file or analysis it comes from
	Report       *data.LoadReport // service layers: how the file loaded
	Props        []PropSpec       // properties of every feature, in order
	IDProp       string           // the property holding the feature id, "" when none does
	MinTileZoom  int              // tiles below this zoom are refused (too many features)
	Count        func() (int, error)

	// open returns the features for a query. Static layers return the same
	// source every time (built on first use); the cells layer builds one
	// per query from its bbox or département (needsFilter).
	Open        func(f Filter) (Source, error)
	NeedsFilter bool
	// cache holds simplified geometries per zoom for static polygon layers
	// (nil for the others).
	Cache *ZoomCache
	// TileCoalesce, when set, gives the features as low-zoom tiles draw
	// them at zoom z: per feature its representative (the feature whose
	// outline draws it, itself when alone) and, by representative, that
	// outline (decoded on each call: the outlines are kept packed); ok
	// false draws every feature on its own. rep is shared: do not modify it.
	TileCoalesce func(z int) (rep []int32, outline func(rep int) orb.MultiPolygon, ok bool)
}

// Filter is what narrows a layer before paging. Offset and Limit are
// the page asked for: a layer built per query (cells) builds only that
// window when nothing else narrows it; the others ignore them.
type Filter struct {
	BBox          orb.Bound
	HasBBox       bool
	Departement   string
	Offset, Limit int
}

// PropIndex returns the position of a property, -1 when the layer has none
// of that name.
func (l *Layer) PropIndex(name string) int {
	return slices.IndexFunc(l.Props, func(p PropSpec) bool { return p.Name == name })
}

// PropNames lists the layer's property names.
func (l *Layer) PropNames() []string {
	out := make([]string, len(l.Props))
	for i, p := range l.Props {
		out[i] = p.Name
	}
	return out
}

// Source is the features of a layer: indexes 0..Len()-1 are stable for the
// source's lifetime and are the order of every answer.
type Source interface {
	Len() int
	ID(i int) string
	// Lookup finds a feature by id.
	Lookup(id string) (int, bool)
	// Bound is the bounding box of the feature's geometry; false when it
	// has none.
	Bound(i int) (orb.Bound, bool)
	// Geometry is the lon/lat geometry (orb.MultiPolygon or orb.Point), nil
	// when none. It must not be modified.
	Geometry(i int) orb.Geometry
	// Props appends the feature's property values, in the layer's Props
	// order, to dst.
	Props(i int, dst []mvt.Value) []mvt.Value
	// Search calls fn with every feature whose bound meets b (possibly more),
	// each once, in any order, until fn returns false.
	Search(b orb.Bound, fn func(i int) bool)
	// InDepartement returns the features of a département, ascending.
	InDepartement(code string) []int
}

// lazySource builds a static source on first use.
type lazySource struct {
	once  sync.Once
	build func() (Source, error)
	src   Source
	err   error
}

func (l *lazySource) get() (Source, error) {
	l.once.Do(func() { l.src, l.err = l.build() })
	return l.src, l.err
}

// StaticLayer makes the open function and count of a layer whose features
// do not depend on the query.
func StaticLayer(l *Layer, build func() (Source, error)) *Layer {
	lz := &lazySource{build: build}
	l.Open = func(Filter) (Source, error) { return lz.get() }
	l.Count = func() (int, error) {
		src, err := lz.get()
		if err != nil {
			return 0, err
		}
		return src.Len(), nil
	}
	if l.GeometryType == GeomPolygon {
		l.Cache = NewZoomCache()
	}
	return l
}

// Registry holds the map layers by name, in the order they were added.
// Layers can be added while serving (an uploaded point layer becomes a
// collection with Registry.Add).
type Registry struct {
	mu     sync.RWMutex
	order  []string
	byName map[string]*Layer
}

func NewRegistry() *Registry {
	return &Registry{byName: map[string]*Layer{}}
}

// Add registers l, replacing a layer of the same name (an upload made
// again); a name must be a valid URL path segment.
func (r *Registry) Add(l *Layer) error {
	if !ValidName(l.Name) {
		return fmt.Errorf("layer name %q: want 1-64 of a-z, 0-9, '-' and '_'", l.Name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byName[l.Name]; !ok {
		r.order = append(r.order, l.Name)
	}
	r.byName[l.Name] = l
	return nil
}

// Remove drops a layer; false when there was none.
func (r *Registry) Remove(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byName[name]; !ok {
		return false
	}
	delete(r.byName, name)
	r.order = slices.DeleteFunc(r.order, func(n string) bool { return n == name })
	return true
}

// Get returns the layer of a name.
func (r *Registry) Get(name string) (*Layer, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	l, ok := r.byName[name]
	return l, ok
}

// List returns the layers in registration order.
func (r *Registry) List() []*Layer {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Layer, len(r.order))
	for i, n := range r.order {
		out[i] = r.byName[n]
	}
	return out
}

// ValidName reports whether name is fit for URLs and MVT layer names.
func ValidName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
