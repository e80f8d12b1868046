package data_test

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/synth"
	"github.com/maillage/maillage/geo"
)

func TestSynthesizeFixture(t *testing.T) {
	terr := data.FixtureTerritory(t)
	const nCand, nStruct = 9000, 900
	cs, ss := synth.Synthesize(terr, nCand, nStruct, 42)
	if len(cs) != nCand || len(ss) != nStruct {
		t.Fatalf("got %d candidates, %d structures", len(cs), len(ss))
	}
	perCommune := map[string]int{}
	inDelegated := 0
	for i, c := range cs {
		if want := fmt.Sprintf("synth-c-%06d", i+1); c.ID != want || c.Attrs[synth.SyntheticAttr] != "true" {
			t.Fatalf("candidate %d: id %q attrs %v", i, c.ID, c.Attrs)
		}
		com, ok := terr.Commune(c.Commune)
		if !ok || !geo.MultiPolygonContains(com.Shape, c.Point) {
			t.Fatalf("candidate %s at %v is not inside its commune %s", c.ID, c.Point, c.Commune)
		}
		if c.MaxKm != 30 || c.Departement != com.Departement || c.LocatedBy != people.LocatedByCoordinates {
			t.Fatalf("candidate %+v", c)
		}
		perCommune[c.Commune]++
		if c.Commune == "01002" && c.Point[0] > 5.2 {
			inDelegated++
		}
	}
	// Communes drawn by population (1,000, 3,000, 500; 97501 has no shape),
	// points uniform in the shape: 01099's square is 2/3 of 01002's area.
	for code, pop := range map[string]float64{"01001": 1000, "01002": 3000, "2A004": 500} {
		p := pop / 4500
		mean, sd := p*nCand, math.Sqrt(nCand*p*(1-p))
		if got := float64(perCommune[code]); math.Abs(got-mean) > 4*sd {
			t.Errorf("%s: %v candidates, want %.0f ± %.0f", code, got, mean, 4*sd)
		}
	}
	if perCommune["97501"] != 0 {
		t.Errorf("%d candidates in a commune without shape", perCommune["97501"])
	}
	n := float64(perCommune["01002"])
	if mean, sd := n*2/3, math.Sqrt(n*2/9); math.Abs(float64(inDelegated)-mean) > 4*sd {
		t.Errorf("%d of %v 01002 candidates in the delegated part, want %.0f ± %.0f", inDelegated, n, mean, 4*sd)
	}

	types := map[string]int{}
	for i, s := range ss {
		if want := fmt.Sprintf("synth-s-%06d", i+1); s.ID != want || s.Attrs[synth.SyntheticAttr] != "true" {
			t.Fatalf("structure %d: id %q attrs %v", i, s.ID, s.Attrs)
		}
		com, _ := terr.Commune(s.Commune)
		if s.Point != com.Rep || s.LocatedBy != people.LocatedByCommune || s.Posts < 1 || s.Posts > 3 || s.Region != com.Region {
			t.Fatalf("structure %+v", s)
		}
		if !strings.Contains(s.Name, "synthétique") {
			t.Fatalf("structure %s name %q not labelled synthetic", s.ID, s.Name)
		}
		types[s.Type]++
	}
	for _, typ := range []string{"commune", "epci", "association", "departement", "private"} {
		if types[typ] == 0 {
			t.Errorf("no structure of type %s: %v", typ, types)
		}
	}
}

func TestSynthesizeDeterministic(t *testing.T) {
	terr := data.FixtureTerritory(t)
	c1, s1 := synth.Synthesize(terr, 500, 50, 7)
	c2, s2 := synth.Synthesize(terr, 500, 50, 7)
	if !reflect.DeepEqual(c1, c2) || !reflect.DeepEqual(s1, s2) {
		t.Error("same seed, different output")
	}
	c3, _ := synth.Synthesize(terr, 500, 50, 8)
	if reflect.DeepEqual(c1, c3) {
		t.Error("different seeds, same output")
	}
	if c, s := synth.Synthesize(&data.Territory{}, 10, 10, 1); c != nil || s != nil {
		t.Error("empty territory produced records")
	}
}

// roundTrip writes synthetic records as CSV and reads them back.
func roundTrip(t *testing.T, terr *data.Territory, nCand, nStruct int) {
	t.Helper()
	cs, ss := synth.Synthesize(terr, nCand, nStruct, 3)
	// Mix in a candidate located by commune and extra attributes.
	cs[0].Point, cs[0].LocatedBy = ss[0].Point, people.LocatedByCommune
	cs[0].Commune, cs[0].Departement = ss[0].Commune, ss[0].Departement
	cs[1].Attrs["note"] = "a, \"quoted\"\nvalue"
	ss[1].ZRR, ss[1].QPV, ss[1].FranceServices = "oui", "non", "oui"

	var cb, sb bytes.Buffer
	if err := people.WriteCandidatesCSV(&cb, cs); err != nil {
		t.Fatal(err)
	}
	if err := people.WriteStructuresCSV(&sb, ss); err != nil {
		t.Fatal(err)
	}
	cs2, _, err := people.LoadCandidates(&cb, "synth-candidates.csv", textio.FormatCSV, terr, textio.DecodeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	ss2, _, err := people.LoadStructures(&sb, "synth-structures.csv", textio.FormatCSV, terr, textio.DecodeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cs, cs2) {
		for i := range cs {
			if !reflect.DeepEqual(cs[i], cs2[i]) {
				t.Fatalf("candidate %d:\n wrote %+v\n  read %+v", i, cs[i], cs2[i])
			}
		}
		t.Fatalf("candidates differ: %d written, %d read", len(cs), len(cs2))
	}
	if !reflect.DeepEqual(ss, ss2) {
		for i := range ss {
			if !reflect.DeepEqual(ss[i], ss2[i]) {
				t.Fatalf("structure %d:\n wrote %+v\n  read %+v", i, ss[i], ss2[i])
			}
		}
		t.Fatalf("structures differ: %d written, %d read", len(ss), len(ss2))
	}
}

func TestSynthCSVRoundTripFixture(t *testing.T) { roundTrip(t, data.FixtureTerritory(t), 300, 30) }

func TestSynthCSVRoundTripRealData(t *testing.T) { roundTrip(t, data.PeopleTerritory(t), 5000, 500) }

func BenchmarkSynthesize(b *testing.B) {
	terr := data.PeopleTerritory(b)
	b.ReportAllocs()
	for b.Loop() {
		synth.Synthesize(terr, 50_000, 5_000, 1)
	}
}
