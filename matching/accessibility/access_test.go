package accessibility

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/fca"
	"github.com/maillage/maillage/matching/internal/mtest"
	"github.com/maillage/maillage/matching/registry"
)

// TestAccessTiny checks 2SFCA on the tiny world by hand. Within 5 km, S1
// reaches A's 7 cells only and S2 (3 km east of cB) B's 7 cells only.
// People in difficulty (factor 1): 60 in each of A's cells (D's 30 in xD
// have no index), 8 in each of B's: S1 serves 420, S2 56, so A's cells
// have 1/420 site per person (23.81 per 10,000), B's 1/56 (178.57); the
// reference is 2 sites for 476 people (42.02), as is the national mean.
// By inhabitants: S1 serves 730, S2 70, the reference is 2 / 800.
func TestAccessTiny(t *testing.T) {
	w := mtest.NewTiny(t)
	r := coverage.ReachKm(5)
	a, err := Compute(w.E, AccessQuery{Supply: matching.DefaultLayer, Reach: &r})
	if err != nil {
		t.Fatal(err)
	}
	if a.SupplyKind != SupplySites || a.SupplyTotal != 2 || a.DemandTotal != 476 || a.IdleSupply != 0 || a.Demand != coverage.DemandDifficulty {
		t.Fatalf("access %+v", a)
	}
	approx(t, "reference", a.ReferencePer10k, 2e4/476)
	approx(t, "national", a.National.AccessPer10k, 2e4/476)
	for i, c := range w.E.Grid().Cells {
		want := 1e4 / 420
		if slices.Contains(w.DiskB, c) {
			want = 1e4 / 56
		}
		approx(t, "cell", a.CellAccessPer10k(i), want)
	}
	for _, c := range a.Communes {
		switch c.Code {
		case "01001", "01002": // D has no demand: by inhabitants, its cell xD
			approx(t, c.Code, c.AccessPer10k, 1e4/420)
		case "02001":
			approx(t, c.Code, c.AccessPer10k, 1e4/56)
			approx(t, "B ratio", c.RatioToReference, (1e4/56)/(2e4/476))
		case "02002":
			if c.Located || c.Demand != 0 || c.AccessPer10k != 0 {
				t.Errorf("C (no boundary) %+v", c)
			}
		}
	}
	if len(a.Departements) != 2 || a.Departements[0].Code != "01" || a.Departements[1].Code != "02" {
		t.Fatalf("départements %+v", a.Departements)
	}
	approx(t, "dép. 01", a.Departements[0].AccessPer10k, 1e4/420)
	approx(t, "dép. 02", a.Departements[1].AccessPer10k, 1e4/56)
	if a.Departements[0].Demand != 420 || a.Departements[1].Demand != 56 || a.National.ShareBelowHalf != 0 {
		t.Errorf("demand by département %v, %v; share below half %v", a.Departements[0].Demand, a.Departements[1].Demand, a.National.ShareBelowHalf)
	}

	p, err := Compute(w.E, AccessQuery{Supply: matching.DefaultLayer, Reach: &r, Demand: coverage.DemandPopulation})
	if err != nil {
		t.Fatal(err)
	}
	approx(t, "reference by inhabitants", p.ReferencePer10k, 2e4/800)
	approx(t, "A by inhabitants", p.Communes[0].AccessPer10k, 1e4/730)
	if !p.Cached {
		t.Error("second query of the layer listed its pairs again")
	}

	// At 100 m no cell centre is within reach of S2: it idles, and the cells
	// of A alone (S1 sits on cA's centre) get 1/60.
	near := coverage.ReachKm(0.1)
	n, err := Compute(w.E, AccessQuery{Supply: matching.DefaultLayer, Reach: &near})
	if err != nil {
		t.Fatal(err)
	}
	if n.IdleSupply != 1 {
		t.Errorf("idle supply %v at 100 m, want S2's 1", n.IdleSupply)
	}
	cA, _ := w.E.Grid().Index(w.CA)
	approx(t, "cA at 100 m", n.CellAccessPer10k(cA), 1e4/60)
	// Half the reference is 2e4/476/2 = 21.0 per 10,000: every cell but
	// cA's has nothing, so 6 × 60 of A and all of B's 56 are below.
	approx(t, "below half at 100 m", n.National.DemandBelowHalf, 6*60+56)

	for _, tc := range []struct {
		name string
		q    AccessQuery
		want error
	}{
		{"unknown supply", AccessQuery{Supply: "nowhere"}, ErrUnknownSupply},
		{"unknown demand", AccessQuery{Supply: matching.DefaultLayer, Demand: "age"}, coverage.ErrUnknownDemand},
		{"bad reach", AccessQuery{Supply: matching.DefaultLayer, Reach: &coverage.Reach{MaxM: -1}}, coverage.ErrBadReach},
		{"bad decay", AccessQuery{Supply: matching.DefaultLayer, Decay: fca.Decay{Kind: "cubic"}}, fca.ErrBadInput},
	} {
		if _, err := Compute(w.E, tc.q); !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		}
	}
}

func approx(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
}

// TestCellPairsBruteForce checks the pair table against a scan of every
// supply point by geo.DistanceM, on random points around cells of the
// real grid (a sample of cells).
func TestCellPairsBruteForce(t *testing.T) {
	e := mtest.Real(t)
	g := e.Grid()
	rng := rand.New(rand.NewPCG(5, 6))
	pts := make([]orb.Point, 600)
	for i := range pts {
		c := g.Centers[rng.IntN(len(g.Centers))]
		pts[i] = orb.Point{c[0] + rng.Float64()*0.6 - 0.3, c[1] + rng.Float64()*0.6 - 0.3}
	}
	const radiusM = 20_000
	tab, err := matching.CellPairs(g, pts, radiusM, 2)
	if err != nil {
		t.Fatal(err)
	}
	start, sup, dist := tab.Columns()
	for k := 0; k < 3000; k++ {
		i := rng.IntN(len(g.Cells))
		var want []int32
		for s, p := range pts {
			if geo.DistanceM(g.Centers[i], p) <= radiusM {
				want = append(want, int32(s))
			}
		}
		got := slices.Clone(sup[start[i]:start[i+1]])
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("cell %d: pairs %v, want %v", i, got, want)
		}
		for j := start[i]; j < start[i+1]; j++ {
			if d := geo.DistanceM(g.Centers[i], pts[sup[j]]); math.Abs(float64(dist[j])-d) > 0.01 {
				t.Fatalf("cell %d, point %d: %v m, want %v", i, sup[j], dist[j], d)
			}
		}
	}
}

// TestRegistryAccessUploaded checks that an uploaded structures dataset is
// a supply through the registry (posts), that the engine alone does not
// know it, and that one post at each France Services site gives the same
// accessibility as the layer.
func TestRegistryAccessUploaded(t *testing.T) {
	w := mtest.NewTiny(t)
	r := registry.New(nil, w.E)
	var ss []people.Structure
	for i, s := range w.E.Layer(matching.DefaultLayer).Sites {
		ss = append(ss, people.Structure{ID: string(rune('a' + i)), Name: s.Name, Point: s.Point, Posts: 1, Departement: s.Departement})
	}
	info, err := r.Datasets().Add(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindStructures, Name: "posts.csv"}, Structures: ss})
	if err != nil {
		t.Fatal(err)
	}
	reach := coverage.ReachKm(5)
	if _, err := Compute(w.E, AccessQuery{Supply: info.ID, Reach: &reach}); !errors.Is(err, ErrUnknownSupply) {
		t.Fatalf("engine with an uploaded id: %v", err)
	}
	if _, err := ComputeWithUploads(r, AccessQuery{Supply: "nope", Reach: &reach}); !errors.Is(err, ErrUnknownSupply) {
		t.Fatalf("registry with an unknown id: %v", err)
	}
	up, err := ComputeWithUploads(r, AccessQuery{Supply: info.ID, Reach: &reach})
	if err != nil {
		t.Fatal(err)
	}
	layer, err := ComputeWithUploads(r, AccessQuery{Supply: matching.DefaultLayer, Reach: &reach})
	if err != nil {
		t.Fatal(err)
	}
	if up.SupplyKind != SupplyPosts || layer.SupplyKind != SupplySites || up.SupplyTotal != layer.SupplyTotal {
		t.Fatalf("uploaded %s %v, layer %s %v", up.SupplyKind, up.SupplyTotal, layer.SupplyKind, layer.SupplyTotal)
	}
	for i := range w.E.Grid().Cells {
		approx(t, "cell", up.CellAccessPer10k(i), layer.CellAccessPer10k(i))
	}
}
