package layerdiff

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/maillage/maillage/internal/testworld"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
)

// layer builds a layer of sites (id, name, commune, département, point).
func layer(name string, sites ...data.Site) *data.Layer {
	pts := make([]orb.Point, len(sites))
	for i := range sites {
		sites[i].Layer = name
		pts[i] = sites[i].Point
	}
	return &data.Layer{Name: name, Sites: sites, Index: siteindex.New(pts)}
}

func site(id, name, commune, dep string, lon, lat float64) data.Site {
	return data.Site{ID: id, Name: name, Commune: commune, Departement: dep, Point: orb.Point{lon, lat}}
}

func TestSites(t *testing.T) {
	from := layer("a",
		site("1", "Alpha", "23001", "23", 1.60, 46.00),
		site("2", "Beta", "23002", "23", 1.70, 46.00),            // moves 1 km east
		site("3", "Gamma", "87001", "87", 1.60, 45.90),           // closes
		site("4", "Maison de Delta", "87002", "87", 1.70, 45.90), // renamed, 100 m away: not moved
		site("x9", "Epsilon", "63001", "63", 1.80, 46.00),        // renumbered: matched by name and commune
	)
	to := layer("b",
		site("1", "France services Alpha", "23001", "23", 1.60, 46.00), // the label is not a new name
		site("2", "Beta", "23002", "23", 1.713, 46.00),
		site("4", "Delta Nord", "87002", "87", 1.701, 45.90),
		site("E-1", "Épsilon", "63001", "63", 1.80, 46.00),
		site("5", "Zeta", "63001", "63", 1.85, 46.00), // opens
	)
	d := Sites(from, to)
	want := Counts{SitesFrom: 5, SitesTo: 5, Opened: 1, Closed: 1, Moved: 1, Renamed: 1, Unchanged: 2}
	if d.Summary != want {
		t.Errorf("summary %+v, want %+v", d.Summary, want)
	}
	if d.MatchedByID != 3 || d.MatchedByNC != 1 {
		t.Errorf("matched by id %d, by name and commune %d", d.MatchedByID, d.MatchedByNC)
	}
	byID := map[string]Change{}
	for _, c := range d.Changes {
		byID[c.Change+":"+c.ID] = c
	}
	if m := byID["moved:2"]; m.DistanceM < 900 || m.DistanceM > 1100 || m.FromLon != 1.70 || m.Renamed {
		t.Errorf("moved %+v", m)
	}
	if r := byID["renamed:4"]; r.FromName != "Maison de Delta" || r.Name != "Delta Nord" || r.DistanceM != 0 {
		t.Errorf("renamed %+v", r)
	}
	if o, c := byID["opened:5"], byID["closed:3"]; o.Departement != "63" || c.Departement != "87" || c.Lon != 1.60 {
		t.Errorf("opened %+v closed %+v", o, c)
	}
	if len(d.Changes) != 4 || d.Changes[0].Change != Opened || d.Changes[3].Change != Renamed {
		t.Errorf("changes %+v", d.Changes)
	}
	deps := map[string]Counts{}
	for _, c := range d.Departements {
		deps[c.Code] = c
	}
	if deps["87"].Closed != 1 || deps["87"].Renamed != 1 || deps["63"].Opened != 1 || deps["23"].Moved != 1 || len(deps) != 3 {
		t.Errorf("départements %+v", d.Departements)
	}
}

func TestNameKey(t *testing.T) {
	for in, want := range map[string]string{
		"France services de Valserhône":   "valserhone",
		"Valserhône":                      "valserhone",
		"Maison France Services d'Embrun": "embrun",
		"Terre d’Auge":                    "terre auge",
		"France services":                 "france services",
		"":                                "",
	} {
		if got := nameKey(in); got != want {
			t.Errorf("nameKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCompareCoverage: the coverage consequence of the changes comes from
// the engine's comparison: closing the site of Gamma (20,000 inhabitants)
// loses reach, opening one in Delta gains some.
func TestCompareCoverage(t *testing.T) {
	p, err := testworld.Parts()
	if err != nil {
		t.Fatal(err)
	}
	cur := p.Layers[data.LayerFranceServices]
	next := layer("fs-next", cur.Sites[0], site("FS3", "Delta", "87002", "87", 1.70, 45.90))
	p.Layers["fs-next"] = next
	e := matching.New(p, matching.Options{Workers: 1})
	r := coverage.ReachKm(6)
	d, err := Compare(context.Background(), e, Query{From: data.LayerFranceServices, To: "fs-next", Reach: &r})
	if err != nil {
		t.Fatal(err)
	}
	if d.Summary.Closed != 1 || d.Summary.Opened != 1 || d.Coverage == nil {
		t.Fatalf("diff %+v", d.Summary)
	}
	s := d.Coverage.Summary
	if s.LostPopulation <= 0 || s.GainedPopulation <= 0 || s.CoveredAfter-s.CoveredBefore != s.GainedPopulation-s.LostPopulation {
		t.Errorf("coverage %+v", s)
	}
	if _, err := Compare(context.Background(), e, Query{From: "nope", To: "fs-next"}); !errors.Is(err, coverage.ErrUnknownLayer) {
		t.Errorf("unknown layer: %v", err)
	}
	d, err = Compare(context.Background(), e, Query{From: data.LayerFranceServices, To: "fs-next", NoCoverage: true})
	if err != nil || d.Coverage != nil {
		t.Errorf("no coverage: %v %+v", err, d.Coverage)
	}
}

var realDir = filepath.Join("..", "..", "..", "shared", "data")

var realLayers = sync.OnceValues(func() (map[string]*data.Layer, error) {
	t, err := data.LoadTerritory(realDir)
	if err != nil {
		return nil, err
	}
	ls, _, err := layerconf.Load(layerconf.Default(realDir), t)
	return layerconf.Layers(ls), err
})

// TestRealFranceServices2020To2024 diffs the 2020 and 2024 France Services
// lists: both number sites with the ANCT matricule, so 897 of the 908
// sites of 2020 are found by id.
func TestRealFranceServices2020To2024(t *testing.T) {
	if _, err := os.Stat(filepath.Join(realDir, data.CommunesFile)); err != nil {
		t.Skip(err)
	}
	ls, err := realLayers()
	if err != nil {
		t.Fatal(err)
	}
	d := Sites(ls[data.LayerFranceServices2020], ls[data.LayerFranceServices])
	want := Counts{SitesFrom: 908, SitesTo: 2845, Opened: 1948, Closed: 11, Moved: 59, Renamed: 361, Unchanged: 501}
	if d.Summary != want || d.MatchedByID != 897 {
		t.Errorf("summary %+v by id %d, want %+v by id 897", d.Summary, d.MatchedByID, want)
	}
	var sum Counts
	for _, c := range d.Departements {
		sum.SitesFrom += c.SitesFrom
		sum.SitesTo += c.SitesTo
		sum.Opened += c.Opened
		sum.Closed += c.Closed
		sum.Moved += c.Moved
		sum.Renamed += c.Renamed
		sum.Unchanged += c.Unchanged
	}
	if sum != d.Summary {
		t.Errorf("départements add up to %+v, summary %+v", sum, d.Summary)
	}
	for _, c := range d.Changes {
		if c.Change == Moved && c.DistanceM <= MovedM {
			t.Errorf("moved %.0f m: %+v", c.DistanceM, c)
		}
	}
}
