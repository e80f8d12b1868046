package access

import (
	"reflect"
	"testing"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
)

func TestParseScope(t *testing.T) {
	cases := []struct {
		in, want string
		err      bool
	}{
		{"national", "national", false},
		{"NATIONAL", "national", false},
		{"departement:23", "departement:23", false},
		{"departement:87,23,23", "departement:23,87", false},
		{"departement:1,2a,974", "departement:01,2A,974", false},
		{"departement:", "", true},
		{"departement:20", "", true},
		{"departement:999", "", true},
		{"region:75", "", true},
		{"", "", true},
	}
	for _, tc := range cases {
		sc, err := ParseScope(tc.in)
		if (err != nil) != tc.err || (!tc.err && sc.String() != tc.want) {
			t.Errorf("ParseScope(%q) = %v, %v; want %q (error %v)", tc.in, sc, err, tc.want, tc.err)
		}
	}
	sc, _ := ParseScope("departement:23,87")
	if !sc.Allows("23") || !sc.Allows("87") || sc.Allows("75") || sc.Allows("") || sc.Allows("2") {
		t.Fatal("Allows")
	}
	d := sc.FilterDataset(&data.Dataset{Meta: data.DatasetMeta{Kind: data.KindCandidates, Rows: 5, Departements: []string{"", "23", "75", "87"},
		RowsByDepartement: map[string]int{"": 1, "23": 2, "75": 1, "87": 1}}, Candidates: []people.Candidate{{ID: "a", Departement: "23"}, {ID: "b", Departement: "87"},
		{ID: "c", Departement: "75"}, {ID: "d", Departement: ""}, {ID: "e", Departement: "23"}}})
	if d.Meta.Rows != 3 || len(d.Candidates) != 3 || !reflect.DeepEqual(d.Meta.Departements, []string{"23", "87"}) ||
		!reflect.DeepEqual(d.Meta.RowsByDepartement, map[string]int{"23": 2, "87": 1}) || d.Structures != nil {
		t.Fatalf("FilterDataset: %+v", d)
	}
}
