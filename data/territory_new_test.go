package data

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestNewTerritory(t *testing.T) {
	sq := orb.MultiPolygon{{{{1, 46}, {1.1, 46}, {1.1, 46.1}, {1, 46.1}, {1, 46}}}}
	deps := []Departement{{Code: "23", Region: "75"}}
	regs := []Region{{Code: "75"}}
	tests := []struct {
		name     string
		communes []Commune
		epcis    []EPCI
		wantErr  string
	}{
		{"ok", []Commune{{Code: "23002", Departement: "23", Region: "75"}, {Code: "23001", Departement: "23", Region: "75", Shape: sq, Population: 10}},
			[]EPCI{{Code: "E1", Members: []string{"23001"}}}, ""},
		{"twice", []Commune{{Code: "23001", Departement: "23", Region: "75"}, {Code: "23001", Departement: "23", Region: "75"}}, nil, "commune 23001: listed twice"},
		{"unknown département", []Commune{{Code: "19001", Departement: "19", Region: "75"}}, nil, `commune 19001: unknown département "19"`},
		{"unknown région", []Commune{{Code: "23001", Departement: "23", Region: "11"}}, nil, `commune 23001: unknown région "11"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			terr, err := NewTerritory(tc.communes, deps, regs, tc.epcis)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if terr.Communes[0].Code != "23001" {
				t.Fatalf("communes not sorted: %v", terr.Communes)
			}
			c, ok := terr.At(orb.Point{1.05, 46.05})
			if !ok || c.Code != "23001" || c.EPCI != "E1" || c.AreaKm2 < 80 || c.AreaKm2 > 95 || !c.Bound.Contains(c.Rep) {
				t.Fatalf("At: %+v %v", c, ok)
			}
			if id, ok := terr.CommuneID("23002"); !ok || id != 1 {
				t.Fatalf("CommuneID(23002) = %d, %v", id, ok)
			}
			if d, ok := terr.Departement("23"); !ok || d.Region != "75" {
				t.Fatalf("Departement(23) = %v, %v", d, ok)
			}
		})
	}
}
