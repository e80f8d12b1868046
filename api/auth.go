package api

import (
	"github.com/maillage/maillage/internal/access"

	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

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

// isProtected reports whether a matched route pattern (gin's FullPath,
// e.g. "/v1/datasets/:id") needs a token: the routes under /v1/datasets,
// /v1/match, /v1/candidates, /v1/structures, /v1/proposals, /v1/scenarios,
// /v1/recruitments and /v1/backup read or write personal or uploaded data. Every other route
// (communes, sites, coverage, layers, tiles, OGC, recommendations,
// healthz, readyz, metrics, openapi) is open. The profiles under
// /debug/pprof (Config.Pprof) are protected too. Unmatched requests ("")
// are not protected: they end in 404.
func isProtected(route string) bool {
	if strings.HasPrefix(route, pprofPrefix+"/") {
		return true
	}
	rest, ok := strings.CutPrefix(route, "/v1/")
	if !ok {
		return false
	}
	root, _, _ := strings.Cut(rest, "/")
	switch root {
	case "datasets", "match", "candidates", "structures", "proposals", "scenarios", "backup", "recruitments", "admin":
		return true
	}
	return false
}

// isProtectedWrite reports whether a request changes what an open route
// serves: uploading or deleting a layer (POST /v1/layers, DELETE
// /v1/layers/{name}) needs a token as the protected routes do.
func isProtectedWrite(method, route string) bool {
	return method != http.MethodGet && method != http.MethodHead && (route == "/v1/layers" || route == "/v1/layers/:name")
}

// access enforces bearer tokens on protected routes and records the
// token's scope for the handlers (scopeFrom). With no tokens configured,
// protected routes answer 401, unless Config.InsecureOpen lets everyone in
// with a national scope. Tokens are never logged.
func (s *Server) access() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !isProtected(c.FullPath()) && !isProtectedWrite(c.Request.Method, c.FullPath()) {
			c.Next()
			return
		}
		if s.cfg.InsecureOpen {
			c.Set(scopeKey, access.Scope{National: true})
			c.Set(tokenNameKey, "insecure-open")
			c.Next()
			return
		}
		c.Header("WWW-Authenticate", `Bearer realm="maillage"`)
		if s.cfg.Tokens == nil {
			writeError(c, unauthorized("this endpoint needs a bearer token and the server has no tokens file (start it with --tokens FILE)"))
			return
		}
		secret, ok := access.Bearer(c.GetHeader("Authorization"))
		if !ok {
			writeError(c, unauthorized("send Authorization: Bearer <token>"))
			return
		}
		t, ok := s.cfg.Tokens.Lookup(secret)
		if !ok {
			writeError(c, unauthorized("unknown token"))
			return
		}
		c.Set(scopeKey, t.Scope)
		c.Set(tokenNameKey, t.Name)
		c.Next()
	}
}

// unauthorized is a 401.
func unauthorized(msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: msg}
}

// scopeFrom returns the scope of the request's token. On a route the
// access middleware did not protect it is the empty scope, which allows no
// row: handlers of protected data must be registered under a protected
// root.
func scopeFrom(c *gin.Context) access.Scope {
	if v, ok := c.Get(scopeKey); ok {
		if sc, ok := v.(access.Scope); ok {
			return sc
		}
	}
	return access.Scope{}
}

// tokenName returns the name of the request's token ("" on an open route).
func tokenName(c *gin.Context) string { return c.GetString(tokenNameKey) }
