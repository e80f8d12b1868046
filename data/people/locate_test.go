package people_test

import (
	"strings"
	"testing"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"
)

// TestUploadDepartementFromLocation checks that the département of an
// uploaded row comes from where it is, never from what the file declares:
// access scopes trust it (a token for 2A must not place a row of 01 in 2A
// by writing "2A" in a column).
func TestUploadDepartementFromLocation(t *testing.T) {
	terr := fixtureTerritory(t)
	tests := []struct {
		name, csv string
		commune   string // want, when the row loads
		dep       string
		errCol    string // want, when it does not
		errHas    string
	}{
		{"point alone", "p,5.05,46.05,,", "01001", "01", "", ""},
		{"point, declared département agrees", "p,5.05,46.05,,01", "01001", "01", "", ""},
		{"point in 01, declared 2A", "p,5.05,46.05,,2A", "", "", "departement", "département 01, not in the declared département 2A"},
		{"point in 01, declared commune of 2A", "p,5.05,46.05,2A004,", "", "", "commune", "not in département 2A of the declared commune 2A004"},
		{"point in 01, declared commune of 2A and département 2A", "p,5.05,46.05,2A004,2A", "", "", "commune", "lies in commune 01001 (département 01)"},
		{"commune of 01, declared 2A, no point", "p,,,01001,2A", "", "", "departement", "not in the declared département 2A"},
		{"commune alone", "p,,,01001,", "01001", "01", "", ""},
		{"declared commune of the same département wins", "p,5.15,46.05,01001,", "01001", "01", "", ""},
		{"coastal point snapped", "p,4.996,46.05,,", "01001", "01", "", ""},
		{"coastal point snapped, declared 2A", "p,4.996,46.05,,2A", "", "", "departement", "declared département 2A"},
		{"open sea with a département", "p,3,45,,2A", "", "2A", "", ""},
		{"open sea without a département", "p,3,45,,", "", "", "lon", "outside every commune boundary"},
		{"open sea with a declared commune", "p,3,45,01001,", "", "", "lon", "yet commune 01001 is declared"},
		{"swapped coordinates", "p,46.05,5.05,01001,", "", "", "lon", "look swapped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			csv := "id,lon,lat,commune,departement\n" + tc.csv + "\n"
			cs, _, err := people.LoadCandidates(strings.NewReader(csv), "up.csv", textio.FormatCSV, terr, textio.DecodeLimits{})
			ss, _, serr := people.LoadStructures(strings.NewReader(csv), "up.csv", textio.FormatCSV, terr, textio.DecodeLimits{})
			if tc.errCol == "" {
				if err != nil || serr != nil {
					t.Fatalf("candidates: %v; structures: %v", err, serr)
				}
				if cs[0].Commune != tc.commune || cs[0].Departement != tc.dep || ss[0].Commune != tc.commune || ss[0].Departement != tc.dep {
					t.Fatalf("candidate %s/%s, structure %s/%s, want commune %q département %q",
						cs[0].Commune, cs[0].Departement, ss[0].Commune, ss[0].Departement, tc.commune, tc.dep)
				}
				return
			}
			for _, e := range []error{err, serr} {
				le, ok := e.(*people.LoadErrors)
				if !ok || len(le.Errors) != 1 {
					t.Fatalf("got %v, want one row error", e)
				}
				re := le.Errors[0]
				if re.Line != 2 || re.Column != tc.errCol || !strings.Contains(re.Reason, tc.errHas) {
					t.Fatalf("got %+v, want line 2, column %s, reason with %q", re, tc.errCol, tc.errHas)
				}
			}
		})
	}
}
