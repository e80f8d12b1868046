package data

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/maillage/maillage/data/boundaries"
	"github.com/paulmach/orb"
)

// square returns the one-polygon shape of the lon/lat box.
func square(minLon, minLat, maxLon, maxLat float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat}}}}
}

// fixtureTerritory is a tiny territory built by newTerritory (the same as
// data/people/testdata/territory, which the tests of data/people load):
//
//	01001 [5.0, 5.1]×[46.0, 46.1], 1,000 inhabitants, Ain (01), région 84
//	01002 [5.1, 5.2]×[46.0, 46.1] plus its delegated commune 01099
//	      [5.2, 5.4]×[46.0, 46.1] (twice the area), 3,000 inhabitants
//	2A004 [8.7, 8.8]×[41.9, 42.0], 500 inhabitants, Corse-du-Sud, région 94
//	97501 no boundary (an overseas collectivity), 6,000 inhabitants
func fixtureTerritory(tb testing.TB) *Territory {
	tb.Helper()
	bounds := []boundaries.Boundary{
		{Code: "01001", Name: "Alpha", Shape: square(5.0, 46.0, 5.1, 46.1)},
		{Code: "01002", Name: "Beta", Shape: square(5.1, 46.0, 5.2, 46.1)},
		{Code: "01099", Name: "Beta-le-Vieux", Shape: square(5.2, 46.0, 5.4, 46.1)},
		{Code: "2A004", Name: "Gamma", Shape: square(8.7, 41.9, 8.8, 42.0)},
	}
	for i := range bounds {
		bounds[i].Bound = bounds[i].Shape.Bound()
	}
	adm := admin{
		communes: []cogCommune{
			{Code: "01001", Name: "Alpha", Type: cogCurrent, Departement: "01", Region: "84", Zone: "metro", Population: 1000},
			{Code: "01002", Name: "Beta", Type: cogCurrent, Departement: "01", Region: "84", Zone: "metro", Population: 3000},
			{Code: "01099", Name: "Beta-le-Vieux", Type: cogDelegated, ChefLieu: "01002", Departement: "01", Region: "84"},
			{Code: "2A004", Name: "Gamma", Type: cogCurrent, Departement: "2A", Region: "94", Zone: "metro", Population: 500},
			{Code: "97501", Name: "Delta", Type: cogCurrent, Departement: "975", Region: "975", Zone: "com", Population: 6000},
		},
		departements: []Departement{{Code: "01", Name: "Ain", Region: "84"}, {Code: "2A", Name: "Corse-du-Sud", Region: "94"}, {Code: "975", Name: "Saint-Pierre-et-Miquelon", Region: "975"}},
		regions:      []Region{{Code: "84", Name: "Auvergne-Rhône-Alpes"}, {Code: "94", Name: "Corse"}, {Code: "975", Name: "Saint-Pierre-et-Miquelon"}},
	}
	t, err := newTerritory(bounds, adm)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// TestPeopleFixtureFiles checks that the files of
// data/people/testdata/territory, which the tests of data/people load,
// hold the territory fixtureTerritory builds in code: the two must not
// drift apart.
func TestPeopleFixtureFiles(t *testing.T) {
	got, err := LoadTerritory(filepath.Join("people", "testdata", "territory"))
	if err != nil {
		t.Fatal(err)
	}
	want := fixtureTerritory(t)
	if !reflect.DeepEqual(got.Communes, want.Communes) {
		t.Errorf("communes:\n got %+v\nwant %+v", got.Communes, want.Communes)
	}
	if !reflect.DeepEqual(got.formerCode, want.formerCode) {
		t.Errorf("former codes: got %v, want %v", got.formerCode, want.formerCode)
	}
	if !reflect.DeepEqual(got.Departements, want.Departements) || !reflect.DeepEqual(got.Regions, want.Regions) {
		t.Errorf("départements %v, régions %v; want %v, %v", got.Departements, got.Regions, want.Departements, want.Regions)
	}
}
