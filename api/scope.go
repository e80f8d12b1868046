package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching"
)

// Scope is what a bearer token may read and write: every row (National) or
// only rows located in some départements. The rules, applied by every route
// of uploaded data:
//
//   - A row's département is where it is: the commune holding its point
//     (or within 1 km of it, off the coast), or its declared commune when it
//     has no coordinates (data.LoadCandidates),
//     never a declared departement column, which is only checked against
//     the location (a contradiction is a 400 naming the line, whatever the
//     token). A scoped token uploads only rows of its départements, and only
//     a national token rows outside every commune (open sea, abroad): their
//     département is the declared one (CheckUpload).
//   - A stored dataset is, to a scoped token, its rows in scope: listings,
//     row counts and pages show only them, and analyses (match,
//     suggestions, proposal evaluation, scenario comparison) use only them.
//     A dataset with no row in scope is answered exactly as an unknown id
//     (404), so that its name, source, date and existence stay hidden.
//   - A match result is shown to a scoped token only when all its rows are
//     in scope: with some it is a 403 that names none, with none a 404.
//   - No answer to a scoped token names a row, id, département or count of
//     rows outside its scope.
//   - Built-in datasets (cnfs-structures-2021, the host structures of 2021)
//     are published open data: every token reads them whole on every route
//     (GET /v1/structures, /v1/datasets and the open /v1/articulation).
//     Like any dataset, they enter the analyses of a scoped token only
//     through their rows in its scope, so that its results (a stored match
//     above all) stay within its scope.
type Scope struct {
	National     bool
	Departements []string // ascending, without duplicates; empty when National
}

// ParseScope reads "national" or "departement:XX[,YY…]" (one-digit codes
// are padded: "1" → "01"; Corsica is 2A/2B, overseas 971…976).
func ParseScope(s string) (Scope, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "national") {
		return Scope{National: true}, nil
	}
	rest, ok := strings.CutPrefix(strings.ToLower(s), "departement:")
	if !ok {
		return Scope{}, fmt.Errorf("scope %q: want national or departement:XX[,YY]", s)
	}
	var deps []string
	for _, p := range strings.Split(rest, ",") {
		d := strings.ToUpper(strings.TrimSpace(p))
		if len(d) == 1 {
			d = "0" + d
		}
		if !validDepCode(d) {
			return Scope{}, fmt.Errorf("scope %q: %q is not a département code", s, p)
		}
		deps = append(deps, d)
	}
	slices.Sort(deps)
	return Scope{Departements: slices.Compact(deps)}, nil
}

// validDepCode accepts 01–95, 2A, 2B and 971–989 (overseas and collectivités).
func validDepCode(d string) bool {
	switch len(d) {
	case 2:
		if d == "2A" || d == "2B" {
			return true
		}
		return d[0] >= '0' && d[0] <= '9' && d[1] >= '0' && d[1] <= '9' && d != "00" && d != "20"
	case 3:
		return d[0] == '9' && d[1] >= '7' && d[1] <= '8' && d[2] >= '0' && d[2] <= '9'
	}
	return false
}

// String writes the scope as ParseScope reads it.
func (s Scope) String() string {
	if s.National {
		return "national"
	}
	return "departement:" + strings.Join(s.Departements, ",")
}

// Allows reports whether a row located in département dep is visible.
// Rows without a département are visible to national scopes only.
// Called on the rows of an upload, dep must be uploadDep's.
func (s Scope) Allows(dep string) bool {
	if s.National {
		return true
	}
	_, found := slices.BinarySearch(s.Departements, dep)
	return found && dep != ""
}

// AllowsAll reports whether every département of deps is visible.
func (s Scope) AllowsAll(deps []string) bool {
	for _, d := range deps {
		if !s.Allows(d) {
			return false
		}
	}
	return true
}

// filterRows keeps the rows whose département is allowed; it returns rows
// itself when all are, and nil for nil (the row slice in use tells a
// dataset's kind).
func filterRows[T any](s Scope, rows []T, dep func(*T) string) []T {
	if s.National || rows == nil {
		return rows
	}
	out := make([]T, 0, len(rows))
	for i := range rows {
		if s.Allows(dep(&rows[i])) {
			out = append(out, rows[i])
		}
	}
	return out
}

// FilterCandidates keeps the candidates located in the scope.
func (s Scope) FilterCandidates(cs []data.Candidate) []data.Candidate {
	return filterRows(s, cs, func(c *data.Candidate) string { return c.Departement })
}

// FilterStructures keeps the structures located in the scope.
func (s Scope) FilterStructures(ss []data.Structure) []data.Structure {
	return filterRows(s, ss, func(x *data.Structure) string { return x.Departement })
}

// FilterSites keeps the sites located in the scope.
func (s Scope) FilterSites(ss []data.Site) []data.Site {
	return filterRows(s, ss, func(x *data.Site) string { return x.Departement })
}

// FilterDataset returns d with only the rows in the scope and its
// description narrowed to them (d itself for a national scope). A stored
// match result is returned unchanged: it is shown whole or not at all
// (Server.seeDataset).
func (s Scope) FilterDataset(d *data.Dataset) *data.Dataset {
	if s.National || d.Meta.Kind == data.KindMatchResult {
		return d
	}
	out := &data.Dataset{Meta: d.Meta,
		Candidates: s.FilterCandidates(d.Candidates),
		Structures: s.FilterStructures(d.Structures),
		Sites:      s.FilterSites(d.Sites)}
	out.Meta.Rows = len(out.Candidates) + len(out.Structures) + len(out.Sites)
	out.Meta.Departements = s.narrow(d.Meta.Departements)
	out.Meta.RowsByDepartement = s.narrowCounts(d.Meta.RowsByDepartement)
	return out
}

// narrow keeps the allowed départements of deps.
func (s Scope) narrow(deps []string) []string {
	out := []string{}
	for _, d := range deps {
		if s.Allows(d) {
			out = append(out, d)
		}
	}
	return out
}

// narrowCounts returns a copy of the row counts of the allowed départements
// (nil for nil).
func (s Scope) narrowCounts(counts map[string]int) map[string]int {
	if counts == nil {
		return nil
	}
	out := make(map[string]int, len(counts))
	for d, n := range counts {
		if s.Allows(d) {
			out[d] = n
		}
	}
	return out
}

// seesAny reports whether some département of deps is visible.
func (s Scope) seesAny(deps []string) bool {
	for _, d := range deps {
		if s.Allows(d) {
			return true
		}
	}
	return false
}

// errPartlyOutside is the 403 for a dataset or match result the token sees
// only part of, when the action needs all of it: it names no row,
// département or count.
func errPartlyOutside(what string) *Error {
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden,
		Message: fmt.Sprintf("this %s has rows outside your token's scope: only a token covering all of them may use it", what)}
}

// seeDataset returns the dataset id, built-in or stored, when the
// request's token may see it, unfiltered (callers narrow it or pass the
// scope on to the analysis). A dataset with no row in scope is the error of
// an unknown id (matching.NotFoundError); a match result not wholly in
// scope is a 403 naming nothing. Built-in datasets are open data: always
// seen.
func (s *Server) seeDataset(c *gin.Context, id string) (*data.Dataset, bool, error) {
	d, builtin, err := s.registry.Dataset(id)
	if err != nil {
		return nil, false, err
	}
	sc := scopeFrom(c)
	switch {
	case sc.National || builtin:
	case !sc.seesAny(d.Meta.Departements):
		return nil, false, matching.NotFoundError(id)
	case d.Meta.Kind == data.KindMatchResult && !sc.AllowsAll(d.Meta.Departements):
		return nil, false, errPartlyOutside("match result")
	}
	return d, builtin, nil
}

// dataset is seeDataset with the rows of a stored dataset narrowed to the
// scope (built-in datasets are whole: open data).
func (s *Server) dataset(c *gin.Context, id string) (*data.Dataset, bool, error) {
	d, builtin, err := s.seeDataset(c, id)
	if err != nil || builtin {
		return d, builtin, err
	}
	return scopeFrom(c).FilterDataset(d), false, nil
}

// listed returns info as the listing shows it to sc, or false when sc sees
// none of it: a stored dataset narrowed to its rows in scope (Rows,
// Departements and RowsByDepartement counting only them), a match result
// only when wholly in scope, a built-in dataset whole.
func (s *Server) listed(sc Scope, info matching.DatasetInfo) (matching.DatasetInfo, bool, error) {
	if sc.National || info.Builtin {
		return info, true, nil
	}
	if info.Kind == data.KindMatchResult {
		return info, sc.seesAny(info.Departements) && sc.AllowsAll(info.Departements), nil
	}
	if !sc.seesAny(info.Departements) {
		return info, false, nil
	}
	counts := info.RowsByDepartement
	if counts == nil {
		// Stored before the counts were kept: count the rows once read.
		d, _, err := s.registry.Dataset(info.ID)
		if err != nil {
			return info, false, err
		}
		info.DatasetMeta = sc.FilterDataset(d).Meta
		return info, true, nil
	}
	info.RowsByDepartement = sc.narrowCounts(counts)
	info.Rows = 0
	for _, n := range info.RowsByDepartement {
		info.Rows += n
	}
	info.Departements = sc.narrow(info.Departements)
	return info, true, nil
}

// maxListedOffenders is how many offending rows a 403 on an upload names.
const maxListedOffenders = 20

// uploadDep is the département an uploaded row is checked by: its own,
// which the loaders take from its location, or "" for a row outside every
// commune (no commune: its département is only declared), which a scoped
// token may not upload.
func uploadDep(commune, dep string) string {
	if commune == "" {
		return ""
	}
	return dep
}

// checkRows returns a 403 naming the rows of the caller's own upload (row
// number, id and département) that lie outside the scope, or nil. It is
// for uploads only: rows of stored datasets are narrowed to the scope,
// never named.
func checkRows[T any](s Scope, what string, rows []T, id func(*T) string, commune, dep func(*T) string) error {
	if s.National {
		return nil
	}
	var named []string
	n := 0
	for i := range rows {
		r := &rows[i]
		if d := uploadDep(commune(r), dep(r)); !s.Allows(d) {
			n++
			if len(named) < maxListedOffenders {
				where := fmt.Sprintf("departement %q", d)
				if d == "" {
					where = "outside every commune: only a national token may upload it"
				}
				named = append(named, fmt.Sprintf("row %d id %q (%s)", i+1, id(r), where))
			}
		}
	}
	if n == 0 {
		return nil
	}
	more := ""
	if n > len(named) {
		more = fmt.Sprintf(" and %d more", n-len(named))
	}
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden,
		Message: fmt.Sprintf("token scope %s does not cover %d %s of your upload: %s%s", s, n, what, strings.Join(named, "; "), more)}
}

// CheckCandidates refuses (403) uploaded candidates located outside the
// scope, naming them.
func (s Scope) CheckCandidates(cs []data.Candidate) error {
	return checkRows(s, "candidates", cs, func(c *data.Candidate) string { return c.ID },
		func(c *data.Candidate) string { return c.Commune }, func(c *data.Candidate) string { return c.Departement })
}

// CheckStructures refuses (403) uploaded structures located outside the
// scope, naming them.
func (s Scope) CheckStructures(ss []data.Structure) error {
	return checkRows(s, "structures", ss, func(x *data.Structure) string { return x.ID },
		func(x *data.Structure) string { return x.Commune }, func(x *data.Structure) string { return x.Departement })
}

// CheckUpload refuses (403) an upload holding rows outside the scope.
func (s Scope) CheckUpload(d *data.Dataset) error {
	if err := s.CheckCandidates(d.Candidates); err != nil {
		return err
	}
	return s.CheckStructures(d.Structures)
}
