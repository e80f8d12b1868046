package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/maillage/maillage/data"
)

// Scope is what a bearer token may read and write: every row (National) or
// only rows located in some départements.
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
// itself when all are.
func filterRows[T any](s Scope, rows []T, dep func(*T) string) []T {
	if s.National {
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

// FilterDataset returns d with only the rows in the scope (d itself for a
// national scope) and its description narrowed to them. A stored match
// result (Result) is kept only for a national scope: its handler filters
// the decoded result itself.
func (s Scope) FilterDataset(d *data.Dataset) *data.Dataset {
	if s.National {
		return d
	}
	out := &data.Dataset{Meta: d.Meta,
		Candidates: s.FilterCandidates(d.Candidates),
		Structures: s.FilterStructures(d.Structures),
		Sites:      s.FilterSites(d.Sites)}
	out.Meta.Rows = len(out.Candidates) + len(out.Structures) + len(out.Sites)
	if d.Meta.Kind == data.KindMatchResult {
		out.Meta.Rows = d.Meta.Rows
	}
	out.Meta.Departements = s.narrow(d.Meta.Departements)
	return out
}

// FilterMetas keeps the descriptions of datasets holding at least one row
// in the scope, their département lists narrowed to it. Row counts are the
// whole dataset's: callers that show counts to a scoped token recount from
// FilterDataset.
func (s Scope) FilterMetas(ms []data.DatasetMeta) []data.DatasetMeta {
	if s.National {
		return ms
	}
	out := make([]data.DatasetMeta, 0, len(ms))
	for _, m := range ms {
		if deps := s.narrow(m.Departements); len(deps) > 0 {
			m.Departements = deps
			out = append(out, m)
		}
	}
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

// maxListedOffenders is how many offending rows a 403 names.
const maxListedOffenders = 20

// checkRows returns a 403 naming the rows (id and département) outside the
// scope, or nil.
func checkRows[T any](s Scope, what string, rows []T, id, dep func(*T) string) error {
	if s.National {
		return nil
	}
	var named []string
	n := 0
	for i := range rows {
		r := &rows[i]
		if d := dep(r); !s.Allows(d) {
			n++
			if len(named) < maxListedOffenders {
				named = append(named, fmt.Sprintf("row %d id %q (departement %q)", i+1, id(r), d))
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
		Message: fmt.Sprintf("token scope %s does not cover %d %s: %s%s", s, n, what, strings.Join(named, "; "), more)}
}

// CheckCandidates refuses (403) candidates located outside the scope.
func (s Scope) CheckCandidates(cs []data.Candidate) error {
	return checkRows(s, "candidates", cs, func(c *data.Candidate) string { return c.ID },
		func(c *data.Candidate) string { return c.Departement })
}

// CheckStructures refuses (403) structures located outside the scope.
func (s Scope) CheckStructures(ss []data.Structure) error {
	return checkRows(s, "structures", ss, func(x *data.Structure) string { return x.ID },
		func(x *data.Structure) string { return x.Departement })
}

// CheckSites refuses (403) sites located outside the scope.
func (s Scope) CheckSites(ss []data.Site) error {
	return checkRows(s, "sites", ss, func(x *data.Site) string { return x.ID },
		func(x *data.Site) string { return x.Departement })
}

// CheckUpload refuses (403) a dataset holding rows outside the scope.
func (s Scope) CheckUpload(d *data.Dataset) error {
	if err := s.CheckCandidates(d.Candidates); err != nil {
		return err
	}
	if err := s.CheckStructures(d.Structures); err != nil {
		return err
	}
	return s.CheckSites(d.Sites)
}

// CheckDepartements refuses (403) a request naming départements outside
// the scope (a dataset to delete, an analysis to run).
func (s Scope) CheckDepartements(deps []string) error {
	var out []string
	for _, d := range deps {
		if !s.Allows(d) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden,
		Message: fmt.Sprintf("token scope %s does not cover départements %s", s, strings.Join(out, ","))}
}
