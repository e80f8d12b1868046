package httpx

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/matching/registry"
)

// ErrPartlyOutside is the 403 for a dataset or match result the token sees
// only part of, when the action needs all of it: it names no row,
// département or count.
func ErrPartlyOutside(what string) *Error {
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden,
		Message: fmt.Sprintf("this %s has rows outside your token's scope: only a token covering all of them may use it", what)}
}

// SeeDataset returns the dataset id, built-in or stored, when the
// request's token may see it, unfiltered (callers narrow it or pass the
// scope on to the analysis). A dataset with no row in scope is the error of
// an unknown id (registry.NotFoundError); a match result not wholly in
// scope is a 403 naming nothing. Built-in datasets are open data: always
// seen.
func (s *Env) SeeDataset(c *gin.Context, id string) (*data.Dataset, bool, error) {
	d, builtin, err := s.Registry.Datasets().Get(id)
	if err != nil {
		return nil, false, err
	}
	sc := ScopeFrom(c)
	switch {
	case sc.National || builtin:
	case !sc.SeesAny(d.Meta.Departements):
		return nil, false, registry.NotFoundError(id)
	case d.Meta.Kind == data.KindMatchResult && !sc.AllowsAll(d.Meta.Departements):
		return nil, false, ErrPartlyOutside("match result")
	}
	return d, builtin, nil
}

// Dataset is seeDataset with the rows of a stored dataset narrowed to the
// scope (built-in datasets are whole: open data).
func (s *Env) Dataset(c *gin.Context, id string) (*data.Dataset, bool, error) {
	d, builtin, err := s.SeeDataset(c, id)
	if err != nil || builtin {
		return d, builtin, err
	}
	return ScopeFrom(c).FilterDataset(d), false, nil
}

// Listed returns info as the listing shows it to sc, or false when sc sees
// none of it: a stored dataset narrowed to its rows in scope (Rows,
// Departements and RowsByDepartement counting only them), a match result
// only when wholly in scope, a built-in dataset whole.
func (s *Env) Listed(sc access.Scope, info registry.DatasetInfo) (registry.DatasetInfo, bool, error) {
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
		d, _, err := s.Registry.Datasets().Get(info.ID)
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

// RequireNational answers 403 unless the request's token is national.
func RequireNational(c *gin.Context, what string) error {
	if !ScopeFrom(c).National {
		return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: what + " needs a national token"}
	}
	return nil
}

// Machine codes of access errors.
const (
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
)

// scopeKey is the gin context key holding the request's Scope.
const scopeKey = "maillage.scope"

// tokenNameKey is the gin context key holding the name of the request's
// token: who changed a recruitment.
const tokenNameKey = "maillage.token_name"

// Unauthorized is a 401.
func Unauthorized(msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: msg}
}

// SetScope records the scope and the name of the request's token (the
// access middleware of package api).
func SetScope(c *gin.Context, sc access.Scope, tokenName string) {
	c.Set(scopeKey, sc)
	c.Set(tokenNameKey, tokenName)
}

// ScopeFrom returns the scope of the request's token. On a route the
// access middleware did not protect it is the empty scope, which allows no
// row: handlers of protected data must be registered under a protected
// root.
func ScopeFrom(c *gin.Context) access.Scope {
	if v, ok := c.Get(scopeKey); ok {
		if sc, ok := v.(access.Scope); ok {
			return sc
		}
	}
	return access.Scope{}
}

// TokenName returns the name of the request's token ("" on an open route).
func TokenName(c *gin.Context) string { return c.GetString(tokenNameKey) }
