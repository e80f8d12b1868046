package people

import (
	"fmt"
	"strings"

	"github.com/maillage/maillage/data/textio"
	"github.com/maillage/maillage/data/values"

	"github.com/paulmach/orb"
)

// DefaultMaxKm is the distance a candidate accepts to travel when the file
// does not say.
const DefaultMaxKm = 30

// How a candidate or structure was located.
const (
	LocatedByCoordinates = "coordinates" // the file gave lon/lat
	LocatedByCommune     = "commune"     // only a commune code: placed at its representative point
)

// Candidate is a person looking for a post (a would-be conseiller numérique),
// located by coordinates or by commune.
type Candidate struct {
	ID          string            `json:"id"`
	Point       orb.Point         `json:"point"` // lon/lat
	MaxKm       float64           `json:"max_km"`
	Commune     string            `json:"commune"`     // current INSEE code; "" when the point is outside every commune
	Departement string            `json:"departement"` // of the commune; the declared one only when Commune is ""
	LocatedBy   string            `json:"located_by"`  // LocatedByCoordinates or LocatedByCommune
	Attrs       map[string]string `json:"attrs,omitempty"`
	// AvailableFrom is the first day the candidate can start (DateLayout),
	// "" when the file does not say: available now.
	AvailableFrom string `json:"available_from,omitempty"`
	// Departements are the départements the candidate wishes to work in,
	// none meaning any within MaxKm.
	Departements []string `json:"departements,omitempty"`
}

// Structure is a host structure offering one or more posts.
type Structure struct {
	ID             string            `json:"id"`
	Name           string            `json:"name"`
	Type           string            `json:"type"` // commune, epci, departement, region, association, private, publique, privée…
	Point          orb.Point         `json:"point"`
	Posts          int               `json:"posts"`
	Commune        string            `json:"commune"`     // as for Candidate
	Departement    string            `json:"departement"` // as for Candidate
	Region         string            `json:"region"`
	LocatedBy      string            `json:"located_by"`
	ZRR            string            `json:"zrr"`             // "oui", "non" or "" (unknown)
	QPV            string            `json:"qpv"`             // "oui", "non" or ""
	FranceServices string            `json:"france_services"` // "oui", "non" or ""
	Attrs          map[string]string `json:"attrs,omitempty"`
	// MissionStart is the day the posts' mission starts (DateLayout), ""
	// when the file does not say: a candidate available later is not
	// proposed for them.
	MissionStart string `json:"mission_start,omitempty"`
	// Phase is the opening phase the structure applies in: PhasePublic,
	// PhasePrivate, or PhaseUnknown when neither the file nor its type
	// says (see PhaseOfType).
	Phase int `json:"phase"`
}

// role is what a column means to the loaders.
type role int

const (
	roleAttr role = iota // unknown: passed through in Attrs
	roleID
	roleLon
	roleLat
	roleCommune
	roleMaxKm
	roleDep
	roleName
	roleType
	rolePosts
	roleRegion
	roleZRR
	roleQPV
	roleFS
	roleAvailable
	roleWished
	roleMissionStart
	rolePhase
	nRoles
)

// roleNames are the canonical column names, used in errors.
var roleNames = [nRoles]string{"", "id", "lon", "lat", "commune", "max_km", "departement", "name", "type", "posts", "region", "zrr", "qpv", "france_services",
	"available_from", "departements", "mission_start", "phase"}

// recordKind says whether a file holds candidates or structures: some
// columns only mean something for one of them.
type recordKind int

const (
	kindCandidate recordKind = iota
	kindStructure
)

// normalizeColumn lowercases a column name, drops accents used in French
// headers and turns spaces and hyphens into underscores.
func normalizeColumn(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(s, "\ufeff"))
	s = strings.ToLower(s)
	r := strings.NewReplacer("é", "e", "è", "e", "ê", "e", " ", "_", "-", "_")
	return r.Replace(s)
}

// columnRole maps a column name to its role for kind.
func columnRole(kind recordKind, name string) role {
	switch normalizeColumn(name) {
	case "id", "identifiant":
		return roleID
	case "lon", "lng", "long", "longitude", "x":
		return roleLon
	case "lat", "latitude", "y":
		return roleLat
	case "commune", "insee_com", "code_commune", "code_insee", "insee", "codgeo":
		return roleCommune
	case "departement", "dep", "code_departement", "insee_dep":
		return roleDep
	}
	if kind == kindCandidate {
		switch normalizeColumn(name) {
		case "max_km", "maxkm", "max_distance_km":
			return roleMaxKm
		case "available_from", "disponible_le", "disponibilite", "date_disponibilite":
			return roleAvailable
		case "departements", "departements_souhaites", "wished_departements":
			return roleWished
		}
		return roleAttr
	}
	switch normalizeColumn(name) {
	case "name", "nom", "raison_sociale":
		return roleName
	case "type":
		return roleType
	case "posts", "postes", "nb_posts", "nb_cnfs":
		return rolePosts
	case "region", "code_region", "insee_reg":
		return roleRegion
	case "zrr":
		return roleZRR
	case "qpv":
		return roleQPV
	case "france_services":
		return roleFS
	case "mission_start", "date_debut_mission", "debut_mission":
		return roleMissionStart
	case "phase":
		return rolePhase
	}
	return roleAttr
}

// rawRecord is one row of any format before validation.
type rawRecord struct {
	pos   int // CSV line (1-based, header = 1) or element/feature index (0-based)
	vals  [nRoles]string
	has   [nRoles]bool
	pt    orb.Point // GeoJSON geometry
	hasPt bool
	attrs map[string]string
	errs  []textio.RowError // errors found while reading (bad geometry, non-scalar value…)
}

// set stores a value under its role, or in attrs.
func (r *rawRecord) set(ro role, key, val string) {
	if ro == roleAttr {
		if val == "" {
			return // empty passthrough values are not kept
		}
		if r.attrs == nil {
			r.attrs = make(map[string]string)
		}
		r.attrs[key] = val
		return
	}
	r.vals[ro] = strings.TrimSpace(val)
	r.has[ro] = true
}

// loadContext carries what validation needs across the records of one file.
type loadContext struct {
	file  string
	where string            // "line", "element" or "feature"
	t     Places            // nil for files of bare points (ReadPoints)
	deps  map[string]string // known département code → its région
	seen  map[string]int    // id → position of its first record
	errs  []textio.RowError
	nErrs int
	lim   textio.DecodeLimits // with defaults
	rows  int                 // records read
	stop  *textio.ReadError   // what ended the reading early, if anything

	// The communes of the record being validated, declared and holding
	// its point: location points at them rather than at copies on the
	// heap, one pair per file.
	declared, holder Place
}

func newLoadContext(file, where string, t Places, lim textio.DecodeLimits) *loadContext {
	deps := map[string]string{}
	if t != nil {
		deps = t.DepartementRegions()
	}
	return &loadContext{file: file, where: where, t: t, deps: deps, seen: make(map[string]int), lim: lim.WithDefaults()}
}

// halt ends the reading when err comes from the stream (a damaged file,
// not text, over a limit) and reports whether it did: such an error is
// not about one record, nothing after it can be read.
func (lc *loadContext) halt(err error) bool {
	return lc.haltCSV(err, nil)
}

// haltCSV is halt naming the CSV field at fault from the header names.
func (lc *loadContext) haltCSV(err error, names []string) bool {
	se, ok := textio.AsStreamError(err)
	if ok && lc.stop == nil {
		lc.stop = se.ReadError(lc.file, names)
	}
	return ok
}

// countRow counts the record at pos and ends the reading when it is one
// more than lim.MaxRows; it reports whether it did.
func (lc *loadContext) countRow(pos int) bool {
	if lc.rows++; lc.rows <= lc.lim.MaxRows {
		return false
	}
	lc.stop = &textio.ReadError{Err: textio.ErrTooManyRows, RowError: textio.RowError{File: lc.file, Where: lc.where, Line: pos,
		Reason: fmt.Sprintf("more than %d rows, the limit per file: split the file into smaller ones, or raise the limit (maillage serve --max-rows)", lc.lim.MaxRows)}}
	return true
}

// fail records an error for the record at pos.
func (lc *loadContext) fail(pos int, col, format string, args ...any) {
	lc.add(textio.RowError{File: lc.file, Where: lc.where, Line: pos, Column: col, Reason: fmt.Sprintf(format, args...)})
}

func (lc *loadContext) add(e textio.RowError) {
	lc.nErrs++
	if len(lc.errs) < MaxRowErrors {
		lc.errs = append(lc.errs, e)
	}
}

// err returns the accumulated errors as *LoadErrors, or nil.
func (lc *loadContext) err() error {
	if lc.nErrs == 0 {
		return nil
	}
	return &LoadErrors{File: lc.file, Errors: lc.errs, More: lc.nErrs - len(lc.errs)}
}

// location is where a record was placed.
type location struct {
	pt        orb.Point
	commune   *Place
	dep       string
	locatedBy string
}

// locate validates the id, coordinates, commune and département of r and
// places it; ok is false when an error was recorded.
func (lc *loadContext) locate(r *rawRecord) (loc location, ok bool) {
	n0 := lc.nErrs
	for _, e := range r.errs {
		lc.add(e)
	}
	if id := r.vals[roleID]; id == "" {
		lc.fail(r.pos, "id", "missing id")
	} else if err := values.CheckID(id); err != nil {
		lc.fail(r.pos, "id", "id %v", err)
	} else if first, dup := lc.seen[id]; dup {
		lc.fail(r.pos, "id", "duplicate id %q (first at %s %d)", id, lc.where, first)
	} else {
		lc.seen[id] = r.pos
	}

	hasPt := r.hasPt
	pt := r.pt
	// Reading errors (bad geometry, non-scalar values) already explain the
	// record: coordinates are not parsed again.
	if len(r.errs) == 0 && !hasPt && (r.vals[roleLon] != "" || r.vals[roleLat] != "") {
		lon, okLon := lc.coord(r, roleLon, values.ParseLon)
		lat, okLat := lc.coord(r, roleLat, values.ParseLat)
		if okLon && okLat {
			pt, hasPt = orb.Point{lon, lat}, true
		}
	}
	if code := r.vals[roleCommune]; code != "" {
		if c, found := lc.commune(code); !found {
			lc.fail(r.pos, "commune", "unknown commune code %q", code)
		} else {
			loc.commune = c
		}
	}
	if dep := r.vals[roleDep]; dep != "" {
		dep = NormalizeDep(dep)
		if _, known := lc.deps[dep]; !known {
			lc.fail(r.pos, "departement", "unknown département code %q", r.vals[roleDep])
		} else {
			loc.dep = dep
		}
	}
	if lc.nErrs > n0 {
		return loc, false
	}
	switch {
	case hasPt:
		loc.pt, loc.locatedBy = pt, LocatedByCoordinates
	case loc.commune != nil:
		if !loc.commune.HasShape {
			lc.fail(r.pos, "commune", "commune %s has no boundary to place the record: give coordinates", loc.commune.Code)
			return loc, false
		}
		loc.pt, loc.locatedBy = loc.commune.Rep, LocatedByCommune
	default:
		lc.fail(r.pos, "lon", "neither coordinates nor commune code")
		return loc, false
	}
	return loc, lc.settleDepartement(r, &loc, hasPt)
}

// settleDepartement sets the département of a placed record from its
// location alone: the commune holding its point (Places.PointPlace: inside,
// snapped to the coast, or the declared commune where geometry cannot
// tell), or its declared commune when it has no coordinates. The declared
// commune and département are only checked against the location: one in
// another département is an error, so that a file cannot put a row in a
// département it is not in (access scopes trust this département). A point
// in no commune (open sea, abroad) keeps its declared département and an
// empty commune: only a national token may upload it (api.Scope). It
// returns false when an error was recorded.
func (lc *loadContext) settleDepartement(r *rawRecord, loc *location, hasPt bool) bool {
	declared := loc.commune
	holder := declared
	if hasPt {
		holder = nil
		if lc.t != nil {
			var in bool
			if lc.holder, in = lc.t.PointPlace(loc.pt, r.vals[roleCommune]); in {
				holder = &lc.holder
			}
		}
	}
	p := loc.pt
	switch {
	case holder == nil && declared != nil:
		lc.fail(r.pos, "lon", "%s, yet commune %s is declared: fix the coordinates or leave them out to place the row at the commune",
			lc.t.OutsideReason(p), declared.Code)
		return false
	case holder == nil && loc.dep == "":
		reason := fmt.Sprintf("point (%g, %g) is outside every commune", p[0], p[1])
		if lc.t != nil {
			reason = lc.t.OutsideReason(p)
		}
		lc.fail(r.pos, "lon", "%s and no département is given", reason)
		return false
	case holder == nil:
		return true // outside every commune: the declared département, for national tokens only
	case declared != nil && declared.Departement != holder.Departement:
		lc.fail(r.pos, "commune", "the point (%g, %g) lies in commune %s (département %s), not in département %s of the declared commune %s",
			p[0], p[1], holder.Code, holder.Departement, declared.Departement, declared.Code)
		return false
	case loc.dep != "" && loc.dep != holder.Departement:
		lc.fail(r.pos, "departement", "the row is located in commune %s, département %s, not in the declared département %s",
			holder.Code, holder.Departement, loc.dep)
		return false
	}
	if declared == nil {
		loc.commune = holder
	}
	loc.dep = holder.Departement
	return true
}

// commune resolves a current or former commune code; the place it
// returns is lc's until the next record.
func (lc *loadContext) commune(code string) (*Place, bool) {
	if lc.t == nil {
		return nil, false
	}
	var ok bool
	lc.declared, ok = lc.t.CommunePlace(code)
	return &lc.declared, ok
}

// coord parses one coordinate column with parse (values.ParseLon or values.ParseLat),
// recording an error when it is missing, not a decimal number or out of
// range.
func (lc *loadContext) coord(r *rawRecord, ro role, parse func(string) (float64, error)) (float64, bool) {
	s := r.vals[ro]
	col := roleNames[ro]
	if s == "" {
		lc.fail(r.pos, col, "missing %s while the other coordinate is given", col)
		return 0, false
	}
	v, err := parse(s)
	if err != nil {
		lc.fail(r.pos, col, "%s %v", col, err)
		return 0, false
	}
	return v, true
}

// NormalizeDep pads one-digit département codes ("1" → "01").
func NormalizeDep(s string) string {
	if len(s) == 1 && s[0] >= '0' && s[0] <= '9' {
		return "0" + s
	}
	return strings.ToUpper(s)
}

// NormalizeFlag maps yes/no spellings to "oui"/"non"; anything else
// (including "non renseigné") becomes "".
func NormalizeFlag(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "oui", "yes", "true", "1", "o", "y":
		return "oui"
	case "non", "no", "false", "0", "n":
		return "non"
	}
	return ""
}

// candidate validates r as a candidate; ok is false when an error was recorded.
func (lc *loadContext) candidate(r *rawRecord) (Candidate, bool) {
	loc, ok := lc.locate(r)
	maxKm := float64(DefaultMaxKm)
	if s := r.vals[roleMaxKm]; s != "" {
		v, err := values.ParseMaxKm(s)
		if err != nil {
			lc.fail(r.pos, "max_km", "max_km %v", err)
			ok = false
		}
		maxKm = v
	}
	c := Candidate{ID: r.vals[roleID], Point: loc.pt, MaxKm: maxKm, Departement: loc.dep, LocatedBy: loc.locatedBy, Attrs: r.attrs}
	if !lc.candidateProcess(r, &c) || !ok {
		return Candidate{}, false
	}
	if loc.commune != nil {
		c.Commune = loc.commune.Code
	}
	return c, true
}

// structure validates r as a structure; ok is false when an error was recorded.
func (lc *loadContext) structure(r *rawRecord) (Structure, bool) {
	loc, ok := lc.locate(r)
	posts := 1
	if s := r.vals[rolePosts]; s != "" {
		v, err := values.ParsePosts(s)
		if err != nil {
			lc.fail(r.pos, "posts", "posts %v", err)
			ok = false
		}
		posts = v
	}
	if err := values.CheckName(r.vals[roleName]); err != nil {
		lc.fail(r.pos, "name", "name %v", err)
		ok = false
	}
	s := Structure{
		ID: r.vals[roleID], Name: r.vals[roleName], Type: r.vals[roleType], Point: loc.pt, Posts: posts,
		Departement: loc.dep, Region: r.vals[roleRegion], LocatedBy: loc.locatedBy,
		ZRR: NormalizeFlag(r.vals[roleZRR]), QPV: NormalizeFlag(r.vals[roleQPV]), FranceServices: NormalizeFlag(r.vals[roleFS]),
		Attrs: r.attrs,
	}
	if !lc.structureProcess(r, &s) || !ok {
		return Structure{}, false
	}
	if loc.commune != nil {
		s.Commune = loc.commune.Code
		if s.Region == "" {
			s.Region = loc.commune.Region
		}
	}
	if s.Region == "" {
		s.Region = lc.deps[loc.dep]
	}
	return s, true
}
