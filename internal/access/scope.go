package access

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
)

// Scope is what a bearer token may read and write: every row (National) or
// only rows located in some départements. The rules, applied by every route
// of uploaded data:
//
//   - A row's département is where it is: the commune holding its point
//     (or within 1 km of it, off the coast), or its declared commune when it
//     has no coordinates (people.LoadCandidates),
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
func (s Scope) FilterCandidates(cs []people.Candidate) []people.Candidate {
	return filterRows(s, cs, func(c *people.Candidate) string { return c.Departement })
}

// FilterStructures keeps the structures located in the scope.
func (s Scope) FilterStructures(ss []people.Structure) []people.Structure {
	return filterRows(s, ss, func(x *people.Structure) string { return x.Departement })
}

// FilterSites keeps the sites located in the scope.
func (s Scope) FilterSites(ss []data.Site) []data.Site {
	return filterRows(s, ss, func(x *data.Site) string { return x.Departement })
}

// FilterDataset returns d with only the rows in the scope and its
// description narrowed to them (d itself for a national scope). A stored
// match result is returned unchanged: it is shown whole or not at all
// (the API shows it whole or answers 403).
func (s Scope) FilterDataset(d *data.Dataset) *data.Dataset {
	if s.National || d.Meta.Kind == data.KindMatchResult {
		return d
	}
	out := &data.Dataset{Meta: d.Meta,
		Candidates: s.FilterCandidates(d.Candidates),
		Structures: s.FilterStructures(d.Structures),
		Sites:      s.FilterSites(d.Sites)}
	out.Meta.Rows = len(out.Candidates) + len(out.Structures) + len(out.Sites)
	out.Meta.Departements = s.Narrow(d.Meta.Departements)
	out.Meta.RowsByDepartement = s.NarrowCounts(d.Meta.RowsByDepartement)
	return out
}

// Narrow keeps the allowed départements of deps.
func (s Scope) Narrow(deps []string) []string {
	out := []string{}
	for _, d := range deps {
		if s.Allows(d) {
			out = append(out, d)
		}
	}
	return out
}

// NarrowCounts returns a copy of the row counts of the allowed départements
// (nil for nil).
func (s Scope) NarrowCounts(counts map[string]int) map[string]int {
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

// SeesAny reports whether some département of deps is visible.
func (s Scope) SeesAny(deps []string) bool {
	for _, d := range deps {
		if s.Allows(d) {
			return true
		}
	}
	return false
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

// checkRows returns an *OutsideError naming the rows of the caller's own upload (row
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
	return &OutsideError{Message: fmt.Sprintf("token scope %s does not cover %d %s of your upload: %s%s", s, n, what, strings.Join(named, "; "), more)}
}

// CheckCandidates refuses (an *OutsideError) uploaded candidates located
// outside the scope, naming them.
func (s Scope) CheckCandidates(cs []people.Candidate) error {
	return checkRows(s, "candidates", cs, func(c *people.Candidate) string { return c.ID },
		func(c *people.Candidate) string { return c.Commune }, func(c *people.Candidate) string { return c.Departement })
}

// CheckStructures refuses (an *OutsideError) uploaded structures located
// outside the scope, naming them.
func (s Scope) CheckStructures(ss []people.Structure) error {
	return checkRows(s, "structures", ss, func(x *people.Structure) string { return x.ID },
		func(x *people.Structure) string { return x.Commune }, func(x *people.Structure) string { return x.Departement })
}

// CheckUpload refuses (an *OutsideError) an upload holding rows outside
// the scope.
func (s Scope) CheckUpload(d *data.Dataset) error {
	if err := s.CheckCandidates(d.Candidates); err != nil {
		return err
	}
	return s.CheckStructures(d.Structures)
}

// ErrOutsideScope is matched (errors.Is) by the errors of the Check
// methods: rows of the caller's upload lie outside its token's scope (a
// 403 in the API).
var ErrOutsideScope = errors.New("rows outside the token's scope")

// OutsideError names the rows of an upload outside the scope (at most
// maxListedOffenders of them).
type OutsideError struct{ Message string }

func (e *OutsideError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrOutsideScope) hold.
func (e *OutsideError) Is(target error) bool { return target == ErrOutsideScope }
