package data_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
)

// TestDecodeDatasetWrittenBeforePeopleMoved reads a dataset stored by the
// code before Candidate and Structure moved from data to data/people: gob
// writes the slices' type names ("[]data.Candidate"), which must not stop
// the state folders and databases written then from being read.
func TestDecodeDatasetWrittenBeforePeopleMoved(t *testing.T) {
	dir := filepath.Join("testdata", "stored")
	meta, err := os.ReadFile(filepath.Join(dir, "before-people.meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := os.ReadFile(filepath.Join(dir, "before-people.rows"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := data.DecodeDataset("ds-before-people", meta, rows)
	if err != nil {
		t.Fatal(err)
	}
	wantC := []people.Candidate{{ID: "c1", Point: orb.Point{5.05, 46.05}, MaxKm: 12.5, Commune: "01001", Departement: "01",
		LocatedBy: people.LocatedByCoordinates, Attrs: map[string]string{"note": "n"}, AvailableFrom: "2027-01-15", Departements: []string{"01", "2A"}}}
	wantS := []people.Structure{{ID: "s1", Name: "Mairie", Type: "commune", Point: orb.Point{5.15, 46.05}, Posts: 2, Commune: "01002",
		Departement: "01", Region: "84", LocatedBy: people.LocatedByCommune, ZRR: "oui", QPV: "non", MissionStart: "2027-03-01", Phase: people.PhasePublic}}
	if !reflect.DeepEqual(d.Candidates, wantC) || !reflect.DeepEqual(d.Structures, wantS) {
		t.Errorf("decoded\n %+v\n %+v\nwant\n %+v\n %+v", d.Candidates, d.Structures, wantC, wantS)
	}
	if d.Meta.ID != "ds-before-people" || d.Meta.Kind != data.KindCandidates || d.Meta.Rows != 1 {
		t.Errorf("meta %+v", d.Meta)
	}
}
