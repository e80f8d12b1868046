package api

import (
	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/internal/access"
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

// layerLightFeatures is the largest layer page that is not bounded: the
// default page of /v1/layers.
const layerLightFeatures = layerDefaultLimit

// boundLayerPage waits for room to render and send a layer page of n
// features when it is large (more than layerLightFeatures); small pages,
// what maps ask for, pass at once. The caller defers the release.
func (s *Server) boundLayerPage(c *gin.Context, n int) (release func(), err error) {
	if n <= layerLightFeatures {
		return func() {}, nil
	}
	return s.env.Acquire(c.Request.Context(), access.WorkLayer, int64(n))
}
