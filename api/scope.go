package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/matching"
)

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
	case !sc.SeesAny(d.Meta.Departements):
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
func (s *Server) listed(sc access.Scope, info matching.DatasetInfo) (matching.DatasetInfo, bool, error) {
	if sc.National || info.Builtin {
		return info, true, nil
	}
	if info.Kind == data.KindMatchResult {
		return info, sc.SeesAny(info.Departements) && sc.AllowsAll(info.Departements), nil
	}
	if !sc.SeesAny(info.Departements) {
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
	info.RowsByDepartement = sc.NarrowCounts(counts)
	info.Rows = 0
	for _, n := range info.RowsByDepartement {
		info.Rows += n
	}
	info.Departements = sc.Narrow(info.Departements)
	return info, true, nil
}
