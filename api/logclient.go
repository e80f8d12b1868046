package api

import (
	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/api/internal/httpx"
)

// logClientGone logs at debug level the requests whose client went away
// before the answer (status 499): not an error of the service.
func (s *Server) logClientGone() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if c.Writer.Status() == httpx.StatusClientClosedRequest {
			s.cfg.Logger.Debug("request cancelled by the client", "method", c.Request.Method, "path", c.Request.URL.Path)
		}
	}
}
