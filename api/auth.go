package api

import (
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/internal/access"

	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

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
// token's scope for the handlers (httpx.ScopeFrom). With no tokens configured,
// protected routes answer 401, unless Config.InsecureOpen lets everyone in
// with a national scope. Tokens are never logged.
func (s *Server) access() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !isProtected(c.FullPath()) && !isProtectedWrite(c.Request.Method, c.FullPath()) {
			c.Next()
			return
		}
		if s.cfg.InsecureOpen {
			httpx.SetScope(c, access.Scope{National: true}, "insecure-open")
			c.Next()
			return
		}
		c.Header("WWW-Authenticate", `Bearer realm="maillage"`)
		if s.cfg.Tokens == nil {
			httpx.WriteError(c, httpx.Unauthorized("this endpoint needs a bearer token and the server has no tokens file (start it with --tokens FILE)"))
			return
		}
		secret, ok := access.Bearer(c.GetHeader("Authorization"))
		if !ok {
			httpx.WriteError(c, httpx.Unauthorized("send Authorization: Bearer <token>"))
			return
		}
		t, ok := s.cfg.Tokens.Lookup(secret)
		if !ok {
			httpx.WriteError(c, httpx.Unauthorized("unknown token"))
			return
		}
		httpx.SetScope(c, t.Scope, t.Name)
		c.Next()
	}
}
