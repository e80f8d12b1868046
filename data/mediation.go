package data

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/maillage/maillage/data/textio"

	json "github.com/goccy/go-json"
)

// AllProgrammes is the ProgrammeLayer.Programme that asks LoadMediationPlaces
// for one layer per national program found in the file, named
// "<Name>-<slug of the program>".
const AllProgrammes = "*"

// ProgrammeLayer is one layer to build from a file of the national standard
// for digital-mediation places: the places of Programme (a value of
// dispositif_programmes_nationaux, compared without case nor accents; ""
// takes every place, AllProgrammes one layer per program).
type ProgrammeLayer struct {
	Name      string
	Programme string
}

// mediationRequiredColumns are the required fields of the standard
// (standard-lieux-mediation.md): a CSV file whose header lacks one is
// rejected naming it.
var mediationRequiredColumns = []string{"id", "nom", "pivot", "commune", "code_postal", "adresse", "date_maj"}

// programmeAliases maps spellings found in published files to the
// standard's value: early files (cnfs-permanences-2022.json) say "CNFS" in
// labels_nationaux for "Conseillers numériques".
var programmeAliases = map[string]string{
	"cnfs":                   "Conseillers numériques",
	"conseillers numeriques": "Conseillers numériques",
	"conseiller numerique":   "Conseillers numériques",
}

// mediationPlace is one record of the standard, as read from CSV or JSON.
type mediationPlace struct {
	pos                       int
	id, name, lat, lon, insee string
	address                   string
	itinerance, programmes    string
	err                       string // why the record could not be read, or ""
}

// LoadMediationPlaces reads a file of the national standard for
// digital-mediation places (schéma des lieux de médiation numérique), CSV
// (comma-separated, header row) or JSON (array of objects; the content
// decides), and builds the layers of want from it, in want's order
// (AllProgrammes expanded in name order). Fields read: id, nom, latitude,
// longitude, code_insee, adresse, code_postal, commune, itinerance
// ("Itinérant" → mobile) and dispositif_programmes_nationaux (or
// labels_nationaux in early files; values separated by "|" or ","). A
// place without coordinates is placed at its code_insee commune's
// representative point (counted in LocatedByCommune); one with neither is
// a Reject. Places of other programs are counted in Filtered. A CSV file
// missing a required column of the standard is an error naming it.
func LoadMediationPlaces(path string, t *Territory, want []ProgrammeLayer) ([]*Layer, error) {
	buf, err := textio.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mediation places %s: %w", path, err)
	}
	places, where, err := readMediation(buf)
	if err != nil {
		return nil, fmt.Errorf("mediation places %s: %w", path, err)
	}
	var out []*Layer
	for _, w := range want {
		if w.Programme != AllProgrammes {
			out = append(out, buildMediationLayer(places, t, path, where, w))
			continue
		}
		for _, p := range mediationProgrammes(places) {
			out = append(out, buildMediationLayer(places, t, path, where, ProgrammeLayer{Name: w.Name + "-" + Slug(p), Programme: p}))
		}
	}
	return out, nil
}

// readMediation decodes the records of a standard file, CSV or JSON.
func readMediation(buf []byte) ([]mediationPlace, string, error) {
	head := bytes.TrimLeft(bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(head) > 0 && head[0] == '[' {
		ps, err := readMediationJSON(buf)
		return ps, WhereElement, err
	}
	ps, err := readMediationCSV(buf)
	return ps, WhereLine, err
}

// readMediationJSON decodes a JSON array of places; an element that is not
// an object of scalars is kept with its error, to be rejected.
func readMediationJSON(buf []byte) ([]mediationPlace, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(buf, &elems); err != nil {
		return nil, err
	}
	out := make([]mediationPlace, len(elems))
	for i, raw := range elems {
		out[i].pos = i + 1
		var obj map[string]any
		if err := textio.UnmarshalNumbers(raw, &obj); err != nil {
			out[i].err = "undecodable element: " + err.Error()
			continue
		}
		get := func(k string) string {
			s, _ := textio.ScalarString(obj[k])
			return strings.TrimSpace(s)
		}
		out[i].fill(get)
	}
	return out, nil
}

// readMediationCSV decodes a CSV file of places with its header.
func readMediationCSV(buf []byte) ([]mediationPlace, error) {
	lim := textio.LocalFileLimits().WithDefaults()
	ts, err := textio.Open(bytes.NewReader(buf), lim)
	if err != nil {
		return nil, err
	}
	defer ts.Close()
	r := textio.NewCSVReader(textio.NewCSVGuard(ts, ',', lim))
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	var missing []error
	for _, c := range mediationRequiredColumns {
		if _, ok := col[c]; !ok {
			missing = append(missing, fmt.Errorf("no column %q in the header (required by the standard)", c))
		}
	}
	if err := errors.Join(missing...); err != nil {
		return nil, err
	}
	r.FieldsPerRecord = len(header)
	var out []mediationPlace
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		var perr *csv.ParseError
		if err != nil {
			if !errors.As(err, &perr) {
				return nil, err
			}
			out = append(out, mediationPlace{pos: perr.StartLine, err: csvReason(perr)})
			continue
		}
		line, _ := r.FieldPos(0)
		p := mediationPlace{pos: line}
		p.fill(func(k string) string {
			if i, ok := col[k]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		})
		out = append(out, p)
	}
}

// fill reads the fields of a place through get.
func (p *mediationPlace) fill(get func(string) string) {
	p.id, p.name = get("id"), get("nom")
	p.lat, p.lon, p.insee = get("latitude"), get("longitude"), get("code_insee")
	p.address = joinAddress(get("adresse"), get("code_postal"), get("commune"))
	p.itinerance = get("itinerance")
	if p.programmes = get("dispositif_programmes_nationaux"); p.programmes == "" {
		p.programmes = get("labels_nationaux")
	}
}

// programmes returns the standard names of the programs of p.
func (p *mediationPlace) programmeList() []string {
	var out []string
	for _, v := range strings.FieldsFunc(p.programmes, func(r rune) bool { return r == '|' || r == ',' }) {
		if v = canonicalProgramme(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// canonicalProgramme trims a program name and maps known aliases to the
// standard's spelling.
func canonicalProgramme(v string) string {
	v = strings.TrimSpace(v)
	if a, ok := programmeAliases[foldName(v)]; ok {
		return a
	}
	return v
}

// sameProgramme compares program names without case nor accents, through
// the aliases.
func sameProgramme(a, b string) bool {
	return foldName(canonicalProgramme(a)) == foldName(canonicalProgramme(b))
}

// foldName lowercases s and drops French accents, for comparisons. It maps
// rune by rune (strings.Map returns s itself when nothing changes), where a
// strings.Replacer built per call allocated its tables on every site read.
func foldName(s string) string {
	return strings.Map(foldAccent, strings.ToLower(strings.TrimSpace(s)))
}

// foldAccent maps a lower-case accented French letter to its base letter.
func foldAccent(r rune) rune {
	switch r {
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'à', 'â':
		return 'a'
	case 'î', 'ï':
		return 'i'
	case 'ô':
		return 'o'
	case 'ù', 'û', 'ü':
		return 'u'
	case 'ç':
		return 'c'
	}
	return r
}

// Slug turns a program name into a layer-name suffix: lower case ASCII
// letters and digits separated by single hyphens ("Conseillers
// numériques" → "conseillers-numeriques").
func Slug(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range foldName(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			hyphen = false
		default:
			hyphen = true
		}
	}
	return b.String()
}

// mediationProgrammes lists the programs of places, sorted.
func mediationProgrammes(places []mediationPlace) []string {
	var out []string
	for i := range places {
		for _, p := range places[i].programmeList() {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out
}

// buildMediationLayer builds one layer of places of w.Programme.
func buildMediationLayer(places []mediationPlace, t *Territory, path, where string, w ProgrammeLayer) *Layer {
	b := newLayerBuilder(t, w.Name, path, where)
	for i := range places {
		p := &places[i]
		progs := p.programmeList()
		if w.Programme != "" && !slices.ContainsFunc(progs, func(v string) bool { return sameProgramme(v, w.Programme) }) {
			b.layer.Report.Filtered++
			continue
		}
		b.read()
		if p.err != "" {
			b.reject(p.pos, p.id, p.err)
			continue
		}
		if p.id == "" {
			b.reject(p.pos, "", "missing id")
			continue
		}
		s := Site{ID: p.id, Name: p.name, Kind: mediationKind(progs, w.Programme), Address: p.address,
			Itinerant: strings.Contains(foldName(p.itinerance), "itinerant")}
		lat, why := parseCoord(p.lat, "latitude")
		if why == "" {
			var lon coord
			if lon, why = parseCoord(p.lon, "longitude"); why == "" {
				if !lat.ok && !lon.ok && p.insee != "" {
					b.addAtCommune(p.pos, s, p.insee)
					continue
				}
				b.add(p.pos, s, lat, lon, p.insee)
				continue
			}
		}
		b.reject(p.pos, p.id, why)
	}
	return b.finish("")
}

// mediationKind is the kind of a place: that of the selected program, else
// conseiller numérique place or France Services when it belongs to one (in
// that order, so that the conseillers' places stay of one kind).
func mediationKind(progs []string, selected string) SiteKind {
	if selected != "" {
		progs = []string{canonicalProgramme(selected)}
	}
	for _, want := range []struct {
		prog string
		kind SiteKind
	}{{"Conseillers numériques", KindCNFSPlace}, {"France Services", KindFranceServices}} {
		if slices.ContainsFunc(progs, func(v string) bool { return sameProgramme(v, want.prog) }) {
			return want.kind
		}
	}
	return KindOther
}

// addAtCommune appends a site without coordinates at the representative
// point of its declared commune (current or former code), or rejects it.
func (b *layerBuilder) addAtCommune(pos int, s Site, code string) {
	c, ok := b.t.Commune(code)
	switch {
	case !ok:
		b.reject(pos, s.ID, fmt.Sprintf("no coordinates and unknown code_insee %q", code))
		return
	case !c.HasShape():
		b.reject(pos, s.ID, fmt.Sprintf("no coordinates and commune %s has no boundary to place the place in", c.Code))
		return
	}
	if prev, dup := b.ids[s.ID]; dup {
		b.reject(pos, s.ID, fmt.Sprintf("duplicate id (first at %s %d)", b.where, prev))
		return
	}
	r := &b.layer.Report
	r.LocatedByCommune++
	if c.Code != code {
		r.CodesMapped++
	}
	if s.Itinerant {
		r.Mobile++
	}
	s.Point, s.Commune, s.Departement, s.Layer = c.Rep, c.Code, c.Departement, b.layer.Name
	b.ids[s.ID] = pos
	b.layer.Sites = append(b.layer.Sites, s)
	r.Loaded++
}
