package siting

import (
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/internal/mtest"
	"github.com/maillage/maillage/matching/internal/tinyworld"
)

// addTinyLayer adds a layer of sites to the tiny world.
func addTinyLayer(w *mtest.Tiny, name string, pts ...orb.Point) {
	l := &data.Layer{Name: name}
	for i, p := range pts {
		l.Sites = append(l.Sites, data.Site{ID: name + string(rune('a'+i)), Name: name, Layer: name, Point: p, Departement: "02"})
	}
	l.Index = siteindex.New(pts)
	w.E = w.E.Rebuild(func(p *matching.Parts) { p.Layers[name] = l })
}

func TestArticulateTiny(t *testing.T) {
	w := mtest.NewTiny(t)
	pA, pB := geo.CellCenter(w.CA), geo.CellCenter(w.CB)
	// "near" sits 200 m north of S1 (co-located); "extra" holds S3 at B's
	// centre, 3 km from S2.
	addTinyLayer(w, "near", tinyworld.Offset(pA, 0, 0.2))
	w.E = w.E.Rebuild(func(p *matching.Parts) {
		p.Structures = map[string][]people.Structure{"structs": {
			{ID: "s1", Name: "at B", Point: pB, Posts: 2, Departement: "02", LocatedBy: "commune"},
			{ID: "s2", Name: "far", Point: tinyworld.Offset(pB, 0, 30), Posts: 1, Departement: "02"},
		}}
	})
	tests := []struct {
		source  string
		km      float64
		classes []string
		added   []int
		joint   int
	}{
		// At 1 km B's 7 cells (70 inhabitants) are out of France Services'
		// reach: S3 reaches them all.
		{"extra", 1, []string{ClassComplements}, []int{70}, 70},
		// At 5 km S2 (2–4 km from them) reaches them: S3 duplicates it.
		{"extra", 5, []string{ClassDuplicates}, []int{0}, 0},
		{"near", 1, []string{ClassCoLocated}, []int{0}, 0},
		// s2, 30 km north of B, reaches no inhabitant.
		{"structs", 1, []string{ClassComplements, ClassDuplicates}, []int{70, 0}, 70},
	}
	for _, tc := range tests {
		r := coverage.ReachKm(tc.km)
		a, err := Articulate(w.E, ArticulationQuery{Source: tc.source, Reach: &r})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Items) != len(tc.classes) {
			t.Fatalf("%s at %v km: %d items", tc.source, tc.km, len(a.Items))
		}
		for i, it := range a.Items {
			if it.Class != tc.classes[i] || it.AddedPopulation != tc.added[i] {
				t.Errorf("%s at %v km: item %+v, want %s adding %d", tc.source, tc.km, it, tc.classes[i], tc.added[i])
			}
		}
		n := a.National
		if n.AddedPopulation != tc.joint || n.Places != len(tc.classes) || n.CoLocated+n.Complements+n.Duplicates != n.Places {
			t.Errorf("%s at %v km: national %+v, want joint gain %d", tc.source, tc.km, n, tc.joint)
		}
		if tc.joint > 0 && math.Abs(n.AddedPopulationInDifficulty-0.8*float64(tc.joint)) > 1e-9 {
			t.Errorf("%s: added fragile %v, want %v (B's index 8)", tc.source, n.AddedPopulationInDifficulty, 0.8*float64(tc.joint))
		}
		if got := a.Departements[1]; got.Code != "02" || got.AddedPopulation != tc.joint {
			t.Errorf("%s: département %+v", tc.source, got)
		}
	}
	if it := mustArticulate(t, w.E, ArticulationQuery{Source: "extra"}).Items[0]; it.NearestFranceServicesID != "S2" ||
		math.Abs(it.NearestFranceServicesM-3000) > 1 {
		t.Errorf("S3 nearest France Services %s at %v m, want S2 at 3 km", it.NearestFranceServicesID, it.NearestFranceServicesM)
	}
	if a := mustArticulate(t, w.E, ArticulationQuery{Source: "structs", Departement: "01"}); len(a.Items) != 0 ||
		len(a.Departements) != 1 || a.National.Places != 2 || a.National.Posts != 3 {
		t.Errorf("structures in 01: %+v", a)
	}
	for _, src := range []string{matching.DefaultLayer, "nothing"} {
		if _, err := Articulate(w.E, ArticulationQuery{Source: src}); !errors.Is(err, ErrUnknownSource) {
			t.Errorf("source %q: err %v, want ErrUnknownSource", src, err)
		}
	}
	if _, err := Articulate(w.E, ArticulationQuery{Source: "extra", Departement: "99"}); !errors.Is(err, coverage.ErrUnknownDepartement) {
		t.Errorf("département 99: err %v", err)
	}
}

func mustArticulate(t *testing.T, e *matching.Engine, q ArticulationQuery) *Articulation {
	t.Helper()
	a, err := Articulate(e, q)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestArticulateRealBruteForce checks the classes of a sample of the real
// places against a scan of every France Services site and grid cell, and
// the joint gain against the coverage of the union of layers.
func TestArticulateRealBruteForce(t *testing.T) {
	e := mtest.Real(t)
	for _, tc := range []struct {
		source  string
		minutes float64
	}{{data.LayerCNFSPermanences, 30}, {data.LayerCNFSPermanences, 20}, {matching.BuiltinStructuresDataset, 20}} {
		r := coverage.ReachMinutes(tc.minutes, coverage.TravelModel{})
		a := mustArticulate(t, e, ArticulationQuery{Source: tc.source, Reach: &r})
		n := a.National
		t.Logf("%s at %v min: %d places: %d co-located, %d complement, %d duplicate; add %d inhabitants (%.0f fragile)",
			tc.source, tc.minutes, n.Places, n.CoLocated, n.Complements, n.Duplicates, n.AddedPopulation, n.AddedPopulationInDifficulty)
		if n.Places != len(a.Items) || n.CoLocated+n.Complements+n.Duplicates != n.Places || n.Complements == 0 || n.CoLocated == 0 {
			t.Errorf("%s: national %+v, %d items", tc.source, n, len(a.Items))
		}
		samples := 25
		if testing.Short() {
			samples = 8
		}
		step := max(1, len(a.Items)/samples)
		for i := 0; i < len(a.Items); i += step {
			it := a.Items[i]
			class, added, nearest := bruteArticulation(e, orb.Point{it.Lon, it.Lat}, r.MaxM)
			if it.Class != class || it.AddedPopulation != added || math.Abs(it.NearestFranceServicesM-nearest) > 1e-6 {
				t.Errorf("%s: %+v; brute force: %s adding %d, nearest at %v m", tc.source, it, class, added, nearest)
			}
		}
		if tc.source != data.LayerCNFSPermanences {
			continue
		}
		fs := mtest.MustCoverage(t, e, coverage.Query{Reach: &r, NoGaps: true})
		both := mtest.MustCoverage(t, e, coverage.Query{Layers: []string{matching.DefaultLayer, tc.source}, Reach: &r, NoGaps: true})
		// Three figures each rounded once from fractional inhabitants: at
		// most 1 apart.
		if got, want := n.AddedPopulation, both.Summary.CoveredPopulation-fs.Summary.CoveredPopulation; got < want-1 || got > want+1 {
			t.Errorf("national gain %d, union coverage gain %d", got, want)
		}
		for i, d := range a.Departements {
			if want := both.Departements[i].CoveredPopulation - fs.Departements[i].CoveredPopulation; d.Code != fs.Departements[i].Code || d.AddedPopulation < want-1 || d.AddedPopulation > want+1 {
				t.Errorf("%s: gain %d, union coverage gain %d", d.Code, d.AddedPopulation, want)
			}
		}
	}
}

// bruteArticulation classifies a place by scanning every France Services
// site and every inhabited grid cell.
func bruteArticulation(e *matching.Engine, p orb.Point, maxM float64) (class string, added int, nearestM float64) {
	addedF := 0.0
	g := e.Grid()
	sites := e.Layer(matching.DefaultLayer).Sites
	nearestM = math.Inf(1)
	var near []orb.Point // the only sites that can reach a cell within reach of p
	for _, s := range sites {
		d := geo.DistanceM(p, s.Point)
		nearestM = math.Min(nearestM, d)
		if d <= 2*maxM+1000 {
			near = append(near, s.Point)
		}
	}
	latDeg := maxM/geo.EarthRadiusM*180/math.Pi + 0.01
	for i, c := range g.Centers {
		if g.Population[i] <= 0 || math.Abs(c[1]-p[1]) > latDeg {
			continue
		}
		if float64(float32(geo.DistanceM(c, p))) > maxM {
			continue
		}
		covered := false
		for _, s := range near {
			if float64(float32(geo.DistanceM(c, s))) <= maxM {
				covered = true
				break
			}
		}
		if !covered {
			addedF += g.Population[i]
		}
	}
	added = int(math.Round(addedF)) // fractional inhabitants, rounded once as the engine does
	switch {
	case nearestM <= CoLocatedMaxM:
		class = ClassCoLocated
	case added > 0:
		class = ClassComplements
	default:
		class = ClassDuplicates
	}
	return class, added, nearestM
}

// BenchmarkArticulate classifies the 2,733 advisors' places at 20 minutes
// (nearest-site caches warm).
func BenchmarkArticulate(b *testing.B) {
	e := mtest.WarmCoverage(b)
	r := coverage.ReachMinutes(20, coverage.TravelModel{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Articulate(e, ArticulationQuery{Reach: &r}); err != nil {
			b.Fatal(err)
		}
	}
}
