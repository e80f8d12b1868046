package api

import (
	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/internal/web"
)

// webRoutes registers the built-in map (internal/web) at / and its files
// under /static/.
func (s *Server) webRoutes(r gin.IRouter) {
	page, err := web.NewPage()
	if err != nil {
		// The files are embedded at build time: failing here is a build defect.
		s.cfg.Logger.Error("built-in map unavailable", "err", err)
		return
	}
	serve := func(c *gin.Context) {
		a, ok := page.Lookup(c.Request.URL.Path)
		if !ok {
			httpx.WriteError(c, httpx.NotFound("no file %s", c.Request.URL.Path))
			return
		}
		a.ServeHTTP(c.Writer, c.Request)
	}
	r.GET("/", serve)
	r.HEAD("/", serve)
	r.GET("/static/*file", serve)
	r.HEAD("/static/*file", serve)
}
