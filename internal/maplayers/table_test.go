package maplayers

import (
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/internal/mvt"
)

// TestPointLayerSelectAndPage: a point layer's features are found by
// bbox (R-tree) and département, in ascending order, and paged.
func TestPointLayerSelectAndPage(t *testing.T) {
	l := NewPointLayer("test", "Test", "three points", KindUploaded,
		[]PropSpec{{Name: "label", Type: "string", Description: "a label"}},
		[]PointFeature{
			{ID: "gueret", Point: orb.Point{1.87, 46.17}, Departement: "23", Props: []mvt.Value{mvt.Str("Guéret")}},
			{ID: "paris", Point: orb.Point{2.35, 48.86}, Departement: "75", Props: []mvt.Value{mvt.Str("Paris")}},
			{ID: "aubusson", Point: orb.Point{2.17, 45.96}, Departement: "23", Props: []mvt.Value{mvt.Str("Aubusson")}},
		})
	src, err := l.Open(Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := l.Count(); err != nil || n != 3 {
		t.Fatalf("Count = %d, %v", n, err)
	}
	creuse := orb.Bound{Min: orb.Point{1.3, 45.6}, Max: orb.Point{2.7, 46.5}}
	for _, tc := range []struct {
		name string
		f    Filter
		want []int
	}{
		{"all", Filter{}, []int{0, 1, 2}},
		{"bbox", Filter{BBox: creuse, HasBBox: true}, []int{0, 2}},
		{"departement", Filter{Departement: "75"}, []int{1}},
		{"both", Filter{Departement: "75", BBox: creuse, HasBBox: true}, []int{}},
	} {
		ids, matched := Select(src, tc.f)
		if got := Page(ids, matched, 10, 0); !slices.Equal(got, tc.want) || matched != len(tc.want) {
			t.Errorf("%s: %v (%d matched), want %v", tc.name, got, matched, tc.want)
		}
	}
	ids, matched := Select(src, Filter{})
	if got := Page(ids, matched, 1, 1); !slices.Equal(got, []int{1}) {
		t.Errorf("page 2 of 1: %v", got)
	}
	if got := Page(ids, matched, 5, 9); len(got) != 0 {
		t.Errorf("page past the end: %v", got)
	}
	if i, ok := src.Lookup("aubusson"); !ok || i != 2 || src.ID(i) != "aubusson" {
		t.Errorf("Lookup aubusson = %d, %v", i, ok)
	}
	if v := src.Props(1, nil); len(v) != 1 || v[0].S != "Paris" {
		t.Errorf("Props(1) = %+v", v)
	}
}

// TestRegistry: layers are listed in the order added, replaced under
// their name, removed, and refused under a name unfit for URLs.
func TestRegistry(t *testing.T) {
	r := NewRegistry()
	a, b := &Layer{Name: "a"}, &Layer{Name: "b"}
	if err := r.Add(a); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(b); err != nil {
		t.Fatal(err)
	}
	a2 := &Layer{Name: "a"}
	if err := r.Add(a2); err != nil {
		t.Fatal(err)
	}
	if got := r.List(); len(got) != 2 || got[0] != a2 || got[1] != b {
		t.Fatalf("List = %v", got)
	}
	if !r.Remove("a") || r.Remove("a") {
		t.Error("Remove")
	}
	if _, ok := r.Get("a"); ok {
		t.Error("a removed layer is found")
	}
	for _, bad := range []string{"", "A", "a b", "é", string(make([]byte, 65))} {
		if err := r.Add(&Layer{Name: bad}); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
}

// TestZoomCacheSharesSimplifications: a polygon asked twice at a cached
// zoom is simplified once and held; beyond MaxCachedZoom nothing is kept.
func TestZoomCacheSharesSimplifications(t *testing.T) {
	tab := NewFeatureTable(1)
	sq := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}
	tab.Add("sq", sq, nil, nil)
	zc := NewZoomCache()
	if zc.Cached(5, 0) {
		t.Fatal("cached before use")
	}
	g1 := zc.AtZoom(tab, 0, 5)
	if !zc.Cached(5, 0) {
		t.Fatal("not cached after use")
	}
	g2 := zc.AtZoom(tab, 0, 5)
	if g1 == nil || !orb.Equal(g1, g2) {
		t.Fatalf("AtZoom: %v then %v", g1, g2)
	}
	zc.AtZoom(tab, 0, MaxCachedZoom+1)
	if zc.Cached(MaxCachedZoom+1, 0) {
		t.Error("a zoom beyond MaxCachedZoom is cached")
	}
}

// TestZoomCacheTopo: a feature the Topo hook serves takes the hook's shape
// (asked on each call, never copied into the cache: the hook holds its
// shapes), one it declines is simplified on its own and held.
func TestZoomCacheTopo(t *testing.T) {
	tab := NewFeatureTable(2)
	sq := orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}
	shared := orb.MultiPolygon{{{{0, 0}, {1, 0}, {0, 1}, {0, 0}}}}
	tab.Add("a", sq, nil, nil)
	tab.Add("b", sq, nil, nil)
	zc := NewZoomCache()
	calls := 0
	zc.Topo = func(z, i int) (orb.MultiPolygon, bool) {
		calls++
		if i == 0 {
			return shared, true
		}
		return nil, false
	}
	for range 2 {
		if g := zc.AtZoom(tab, 0, 5); !orb.Equal(g, shared) {
			t.Fatalf("feature served by Topo: got %v, want %v", g, shared)
		}
	}
	if calls != 2 {
		t.Errorf("Topo called %d times for two reads of one feature, want 2", calls)
	}
	if len(zc.geoms[5]) > 0 && zc.geoms[5][0].Load() != nil {
		t.Error("the shape served by Topo was copied into the cache")
	}
	if g, want := zc.AtZoom(tab, 1, 5), PolygonsOrNil(ZoomSimplifier(5).MultiPolygon(sq)); !orb.Equal(g, want) {
		t.Errorf("feature declined by Topo: got %v, want its own simplification %v", g, want)
	}
	if zc.geoms[5][1].Load() == nil {
		t.Error("the feature declined by Topo is not held")
	}
}
