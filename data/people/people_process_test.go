package people_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"
)

func TestLoadProcessColumns(t *testing.T) {
	terr := fixtureTerritory(t)
	cands, _, err := people.LoadCandidates(strings.NewReader(
		"id,lon,lat,available_from,departements\n"+
			"c1,5.05,46.05,2027-01-15,\"01;2A\"\n"+
			"c2,5.05,46.05,15/02/2027,\n"+
			"c3,5.05,46.05,,1\n"), "c.csv", textio.FormatCSV, terr, textio.DecodeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	got := [][2]any{}
	for _, c := range cands {
		got = append(got, [2]any{c.AvailableFrom, c.Departements})
	}
	want := [][2]any{{"2027-01-15", []string{"01", "2A"}}, {"2027-02-15", []string(nil)}, {"", []string{"01"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("candidates: got %v, want %v", got, want)
	}

	// JSON gives the wished départements as an array.
	jc, _, err := people.LoadCandidates(strings.NewReader(`[{"id":"j1","lon":5.05,"lat":46.05,"departements":["01",2]}]`), "c.json", textio.FormatJSON, terr, textio.DecodeLimits{})
	if err == nil || !strings.Contains(err.Error(), `unknown département code "2"`) {
		t.Errorf("json with département 2: %v, %v", jc, err)
	}

	ss, _, err := people.LoadStructures(strings.NewReader(
		"id,lon,lat,type,posts,mission_start,phase\n"+
			"s1,5.05,46.05,commune,2,2027-03-01,\n"+
			"s2,5.05,46.05,privee,1,,\n"+
			"s3,5.05,46.05,association,1,,2\n"+
			"s4,5.05,46.05,club,1,,\n"), "s.csv", textio.FormatCSV, terr, textio.DecodeLimits{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		start string
		phase int
	}
	var gotS []row
	for _, s := range ss {
		gotS = append(gotS, row{s.MissionStart, s.Phase})
	}
	wantS := []row{{"2027-03-01", people.PhasePublic}, {"", people.PhasePrivate}, {"", people.PhasePrivate}, {"", people.PhaseUnknown}}
	if !reflect.DeepEqual(gotS, wantS) {
		t.Errorf("structures: got %v, want %v", gotS, wantS)
	}

	// What is written is read back the same.
	var buf bytes.Buffer
	if err := people.WriteStructuresCSV(&buf, ss); err != nil {
		t.Fatal(err)
	}
	back, _, err := people.LoadStructures(&buf, "back.csv", textio.FormatCSV, terr, textio.DecodeLimits{})
	if err != nil || !reflect.DeepEqual(back, ss) {
		t.Errorf("structures round trip: %v\n got %+v\nwant %+v", err, back, ss)
	}
	buf.Reset()
	if err := people.WriteCandidatesCSV(&buf, cands); err != nil {
		t.Fatal(err)
	}
	backC, _, err := people.LoadCandidates(&buf, "back.csv", textio.FormatCSV, terr, textio.DecodeLimits{})
	if err != nil || !reflect.DeepEqual(backC, cands) {
		t.Errorf("candidates round trip: %v\n got %+v\nwant %+v", err, backC, cands)
	}
}

func TestLoadProcessColumnsErrors(t *testing.T) {
	terr := fixtureTerritory(t)
	tests := []struct {
		structures bool
		csv        string
		want       string // textio.RowError.Error() of the only error
	}{
		{false, "id,lon,lat,available_from\nc1,5.05,46.05,2027-13-01\n", `c.csv: line 2: column available_from: available_from "2027-13-01" is not a date (want 2027-01-15 or 15/01/2027)`},
		{false, "id,lon,lat,available_from\nc1,5.05,46.05,01/01/1900\n", `c.csv: line 2: column available_from: available_from "01/01/1900" is out of range (years 2000 to 2100)`},
		{false, "id,lon,lat,departements\nc1,5.05,46.05,\"01;99\"\n", `c.csv: line 2: column departements: unknown département code "99" in the départements wished`},
		{true, "id,lon,lat,mission_start\ns1,5.05,46.05,soon\n", `c.csv: line 2: column mission_start: mission_start "soon" is not a date (want 2027-01-15 or 15/01/2027)`},
		{true, "id,lon,lat,phase\ns1,5.05,46.05,3\n", `c.csv: line 2: column phase: phase "3" is not a phase (want 1 for public bodies and associations, 2 for private actors)`},
	}
	for _, tc := range tests {
		var err error
		if tc.structures {
			_, _, err = people.LoadStructures(strings.NewReader(tc.csv), "c.csv", textio.FormatCSV, terr, textio.DecodeLimits{})
		} else {
			_, _, err = people.LoadCandidates(strings.NewReader(tc.csv), "c.csv", textio.FormatCSV, terr, textio.DecodeLimits{})
		}
		var le *people.LoadErrors
		if !errors.As(err, &le) || len(le.Errors) != 1 {
			t.Errorf("%q: got %v, want one row error", tc.csv, err)
			continue
		}
		if got := le.Errors[0].Error(); got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.csv, got, tc.want)
		}
	}
}

func TestPhaseOfType(t *testing.T) {
	for typ, want := range map[string]int{"commune": 1, "EPCI": 1, "Département": 1, "association": 1, "ESS": 1, "publique": 1,
		"privée": 2, "private": 2, "Entreprise": 2, "": 0, "club": 0} {
		if got := people.PhaseOfType(typ); got != want {
			t.Errorf("PhaseOfType(%q) = %d, want %d", typ, got, want)
		}
	}
}
