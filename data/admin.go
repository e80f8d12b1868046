package data

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/maillage/maillage/data/textio"

	// goccy/go-json decodes the 12 MB of COG JSON about 3× faster than
	// encoding/json (33 ms against 110 ms here); it is already in the module
	// graph through gin.
	json "github.com/goccy/go-json"
)

// COG entry types of the decoupage-administratif communes file.
const (
	cogCurrent        = "commune-actuelle"
	cogDelegated      = "commune-deleguee"
	cogAssociated     = "commune-associee"
	cogArrondissement = "arrondissement-municipal"
)

// cogCommune is one entry of decoupage-administratif-*-communes.json.
type cogCommune struct {
	Code        string `json:"code"`
	Name        string `json:"nom"`
	Type        string `json:"type"`
	Departement string `json:"departement"`
	Region      string `json:"region"`
	Zone        string `json:"zone"`
	Population  int    `json:"population"`
	ChefLieu    string `json:"chefLieu"` // delegated/associated: the current commune they belong to
	Commune     string `json:"commune"`  // arrondissement-municipal: its commune
	// AnciensCodes (current communes) lists former codes merged into it,
	// including communes absorbed without delegated status.
	AnciensCodes []string `json:"anciensCodes"`
}

// cogEPCI is one entry of decoupage-administratif-*-epci.json.
type cogEPCI struct {
	Code       string `json:"code"`
	Name       string `json:"nom"`
	Type       string `json:"type"`
	Population int    `json:"populationMunicipale"`
	Members    []struct {
		Code string `json:"code"`
	} `json:"membres"`
}

// decodeArray reads the JSON array in path into a slice of T; what names
// the kind of file in errors.
func decodeArray[T any](path, what string) ([]T, error) {
	buf, err := textio.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	var out []T
	if err := json.Unmarshal(buf, &out); err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	// The decoder's strings point into its copy of the whole file: cloned,
	// they no longer keep the file (9 MB for the communes) alive for as
	// long as the territory holds a code or a name.
	cloneStrings(reflect.ValueOf(out))
	return out, nil
}

// cloneStrings replaces every string reachable from v through slices,
// arrays, structs and pointers by a copy of its own.
func cloneStrings(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() && v.Len() > 0 {
			v.SetString(strings.Clone(v.String()))
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return // raw bytes are not strings
		}
		for i := range v.Len() {
			cloneStrings(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			cloneStrings(v.Field(i))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			cloneStrings(v.Elem())
		}
	}
}

// loadCOGCommunes reads the COG communes file and checks that every entry
// has a code and a known type, and that no code is current twice.
func loadCOGCommunes(path string) ([]cogCommune, error) {
	cs, err := decodeArray[cogCommune](path, "cog communes")
	if err != nil {
		return nil, err
	}
	current := make(map[string]bool, len(cs))
	for i, c := range cs {
		var err error
		switch {
		case c.Code == "":
			err = errors.New("no code")
		case c.Type == cogCurrent:
			if current[c.Code] {
				err = fmt.Errorf("code %s: current commune listed twice", c.Code)
			}
			current[c.Code] = true
		case c.Type == cogDelegated || c.Type == cogAssociated:
			if c.ChefLieu == "" {
				err = fmt.Errorf("code %s: %s without chefLieu", c.Code, c.Type)
			}
		case c.Type == cogArrondissement:
			if c.Commune == "" && c.ChefLieu == "" {
				err = fmt.Errorf("code %s: %s without commune", c.Code, c.Type)
			}
		default:
			err = fmt.Errorf("code %s: unknown type %q", c.Code, c.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("cog communes %s: element %d: %w", path, i+1, err)
		}
	}
	return cs, nil
}

// loadDepartements reads the COG départements file, sorted by code.
func loadDepartements(path string) ([]Departement, error) {
	ds, err := decodeArray[struct {
		Code   string `json:"code"`
		Name   string `json:"nom"`
		Region string `json:"region"`
		Zone   string `json:"zone"`
	}](path, "départements")
	if err != nil {
		return nil, err
	}
	out := make([]Departement, len(ds))
	for i, d := range ds {
		if d.Code == "" {
			return nil, fmt.Errorf("départements %s: element %d: no code", path, i+1)
		}
		out[i] = Departement{Code: d.Code, Name: d.Name, Region: d.Region, Zone: d.Zone}
	}
	slices.SortFunc(out, func(a, b Departement) int { return cmp.Compare(a.Code, b.Code) })
	return out, nil
}

// loadRegions reads the COG régions file, sorted by code.
func loadRegions(path string) ([]Region, error) {
	rs, err := decodeArray[struct {
		Code string `json:"code"`
		Name string `json:"nom"`
		Zone string `json:"zone"`
	}](path, "régions")
	if err != nil {
		return nil, err
	}
	out := make([]Region, len(rs))
	for i, r := range rs {
		if r.Code == "" {
			return nil, fmt.Errorf("régions %s: element %d: no code", path, i+1)
		}
		out[i] = Region{Code: r.Code, Name: r.Name, Zone: r.Zone}
	}
	slices.SortFunc(out, func(a, b Region) int { return cmp.Compare(a.Code, b.Code) })
	return out, nil
}

// loadEPCIs reads the COG EPCI file, sorted by code. Member codes are kept
// as written; joinEPCIs maps them to current communes.
func loadEPCIs(path string) ([]EPCI, error) {
	es, err := decodeArray[cogEPCI](path, "epci")
	if err != nil {
		return nil, err
	}
	out := make([]EPCI, len(es))
	for i, e := range es {
		if e.Code == "" {
			return nil, fmt.Errorf("epci %s: element %d: no code", path, i+1)
		}
		members := make([]string, len(e.Members))
		for j, m := range e.Members {
			members[j] = m.Code
		}
		out[i] = EPCI{Code: e.Code, Name: e.Name, Type: e.Type, Population: e.Population, Members: members}
	}
	slices.SortFunc(out, func(a, b EPCI) int { return cmp.Compare(a.Code, b.Code) })
	return out, nil
}

// joinEPCIs sets Commune.EPCI of every member and rewrites each EPCI's
// Members as the current codes of its communes, without repeats (a former
// code listed beside its commune's). A member code that resolves to no
// current commune, or a commune already claimed by another EPCI (the first
// by EPCI code keeps it), is left out of Members and listed in the report
// as "epci:member".
func (t *Territory) joinEPCIs() {
	for i := range t.EPCIs {
		e := &t.EPCIs[i]
		members := e.Members[:0]
		for _, code := range e.Members {
			cur, ok := t.CurrentCode(code)
			if !ok {
				t.Report.EPCIMembersUnmatched = append(t.Report.EPCIMembersUnmatched, e.Code+":"+code)
				continue
			}
			c := &t.Communes[t.byCode[cur]]
			switch c.EPCI {
			case e.Code: // listed twice
			case "":
				c.EPCI = e.Code
				members = append(members, cur)
			default:
				t.Report.EPCIMembersUnmatched = append(t.Report.EPCIMembersUnmatched, e.Code+":"+code+" (already in "+c.EPCI+")")
			}
		}
		e.Members = members
	}
}

// indexAdmin builds the lookup maps of départements, régions and EPCI.
func (t *Territory) indexAdmin() {
	t.depByCode = make(map[string]int, len(t.Departements))
	for i, d := range t.Departements {
		t.depByCode[d.Code] = i
	}
	t.regByCode = make(map[string]int, len(t.Regions))
	for i, r := range t.Regions {
		t.regByCode[r.Code] = i
	}
	t.epciByCode = make(map[string]int, len(t.EPCIs))
	for i, e := range t.EPCIs {
		t.epciByCode[e.Code] = i
	}
}

// Departement returns the département of the given code.
func (t *Territory) Departement(code string) (*Departement, bool) {
	i, ok := t.depByCode[code]
	if !ok {
		return nil, false
	}
	return &t.Departements[i], true
}

// Region returns the région of the given code.
func (t *Territory) Region(code string) (*Region, bool) {
	i, ok := t.regByCode[code]
	if !ok {
		return nil, false
	}
	return &t.Regions[i], true
}

// EPCI returns the EPCI of the given SIREN code.
func (t *Territory) EPCI(code string) (*EPCI, bool) {
	i, ok := t.epciByCode[code]
	if !ok {
		return nil, false
	}
	return &t.EPCIs[i], true
}
