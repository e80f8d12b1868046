package api

import (
	"net/http"
	"net/http/pprof"

	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/api/internal/httpx"
)

// pprofPrefix is where the profiles are served when Config.Pprof is on.
const pprofPrefix = "/debug/pprof"

// pprofProfiles are the runtime profiles served by name under pprofPrefix
// (runtime/pprof's predefined profiles).
var pprofProfiles = []string{"allocs", "block", "goroutine", "heap", "mutex", "threadcreate"}

// pprofRoutes registers net/http/pprof's handlers under /debug/pprof when
// Config.Pprof is on (off: those paths are 404 like any unknown path).
// They need a national token (isProtected sends them through access): a
// CPU profile costs the server CPU and a goroutine dump shows request
// internals.
func (s *Server) pprofRoutes(r *gin.Engine) {
	if !s.cfg.Pprof {
		return
	}
	g := r.Group(pprofPrefix, nationalOnly)
	g.GET("/", gin.WrapF(pprof.Index))
	g.GET("/cmdline", gin.WrapF(pprof.Cmdline))
	g.GET("/profile", gin.WrapF(pprof.Profile))
	g.GET("/symbol", gin.WrapF(pprof.Symbol))
	g.POST("/symbol", gin.WrapF(pprof.Symbol))
	g.GET("/trace", gin.WrapF(pprof.Trace))
	for _, name := range pprofProfiles {
		g.GET("/"+name, gin.WrapH(pprof.Handler(name)))
	}
}

// nationalOnly answers 403 to a token without national scope (access has
// already answered 401 to a request without a valid token).
func nationalOnly(c *gin.Context) {
	if !httpx.ScopeFrom(c).National {
		httpx.WriteError(c, &httpx.Error{Status: http.StatusForbidden, Code: httpx.CodeForbidden, Message: "profiles need a national token"})
		return
	}
	c.Next()
}
