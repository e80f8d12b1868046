package layers_test

import (
	"reflect"
	"testing"

	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
	apilayers "github.com/maillage/maillage/api/layers"
	"github.com/maillage/maillage/internal/maplayers"
	"github.com/maillage/maillage/internal/mvt"
	"github.com/maillage/maillage/matching/accessibility"
	"github.com/maillage/maillage/matching/coverage"
)

// TestCommunesLayerFigures: the communes layer, which keeps of the national
// coverage and of the 2SFCA answer only what it shows of each commune,
// gives every commune the values it gave when it read them from the
// Coverage's and the Access's communes.
func TestCommunesLayerFigures(t *testing.T) {
	s := apitest.MapServer(t)
	l, ok := s.Maps().Current().Layers().Get("communes")
	if !ok {
		t.Fatal("no communes layer")
	}
	src, err := l.Open(maplayers.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	e := s.Registry().Engine()
	cv, err := coverage.Compute(e.Coverage(), coverage.Query{})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := accessibility.Compute(e, accessibility.AccessQuery{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int]*coverage.CommuneCoverage{}
	for k := range cv.Communes {
		byID[cv.Communes[k].ID()] = &cv.Communes[k]
	}
	terr := e.Territory()
	for i := range src.Len() {
		com := &terr.Communes[i]
		// The values as the layer made them from cv.Communes and
		// acc.Communes before.
		want := []mvt.Value{mvt.Str(com.Code), mvt.Str(com.Name), mvt.Str(com.Departement), mvt.Str(com.Region)}
		switch m := byID[i]; {
		case m == nil:
			want = apilayers.AreaValues(want, com.Population, 0, 0, nil, nil, "")
			want = append(want, mvt.Value{}, mvt.Value{}, mvt.Num(httpx.Round(com.AreaKm2, 3)))
		case !m.Located:
			want = apilayers.AreaValues(want, m.Population, m.CoveredPopulation, m.UncoveredPopulation, m.CoveredShare, m.MeanDistanceM, m.NoDataReason)
			want = append(want, mvt.Value{}, mvt.Value{}, mvt.Num(httpx.Round(com.AreaKm2, 3)))
		default:
			want = apilayers.AreaValues(want, m.Population, m.CoveredPopulation, m.UncoveredPopulation, m.CoveredShare, m.MeanDistanceM, m.NoDataReason)
			want = append(want, mvt.OptStr(m.NearestSiteID), mvt.Num(httpx.Round(m.NearestDistanceM, 0)), mvt.Num(httpx.Round(com.AreaKm2, 3)))
		}
		if a := &acc.Communes[i]; a.Population == 0 {
			want = append(want, mvt.Value{}, mvt.Value{})
		} else {
			want = append(want, mvt.Num(httpx.Round(a.AccessPer10k, 3)), mvt.Num(httpx.Round(a.RatioToReference, 2)))
		}
		if got := src.Props(i, nil); !reflect.DeepEqual(got, want) {
			t.Fatalf("commune %s: %v, want %v", com.Code, got, want)
		}
	}
}

// TestSitesLayerValues: the service point layers, which make each site's
// values on each read, give the values they held before, for the union
// layer ("sites", ids layer:id) and for each layer.
func TestSitesLayerValues(t *testing.T) {
	s := apitest.MapServer(t)
	e := s.Registry().Engine()
	for _, name := range append([]string{"sites"}, e.LayerNames()...) {
		l, ok := s.Maps().Current().Layers().Get(name)
		if !ok {
			t.Fatalf("no layer %s", name)
		}
		src, err := l.Open(maplayers.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		names := []string{name}
		if name == "sites" {
			names = e.LayerNames()
		}
		i := 0
		for _, n := range names {
			for _, site := range e.Layer(n).Sites {
				id := site.ID
				if name == "sites" {
					id = site.Layer + ":" + site.ID
				}
				want := []mvt.Value{mvt.Str(site.ID), mvt.Str(site.Name), mvt.Str(site.Layer), mvt.Str(string(site.Kind)),
					mvt.Boolean(site.Itinerant), mvt.OptStr(site.Format), mvt.OptStr(site.Address), mvt.OptStr(site.Commune), mvt.OptStr(site.Departement)}
				if got := src.Props(i, nil); src.ID(i) != id || !reflect.DeepEqual(got, want) {
					t.Fatalf("%s feature %d: %s %v, want %s %v", name, i, src.ID(i), got, id, want)
				}
				i++
			}
		}
		if i != src.Len() || i == 0 {
			t.Fatalf("%s: %d features, want %d", name, src.Len(), i)
		}
	}
}
