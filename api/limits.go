package api

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/internal/access"
)

// DefaultMaxRows is the default cap on the rows of one upload.
const DefaultMaxRows = 200000

// rateLimit answers 429 with Retry-After to a client (by its TCP peer
// address, not X-Forwarded-For, which clients can forge) sending more than
// cfg.RateLimit requests per second beyond a burst of cfg.RateBurst. It
// does nothing when RateLimit is 0.
func (s *Server) rateLimit() gin.HandlerFunc {
	if s.cfg.RateLimit <= 0 {
		return func(c *gin.Context) { c.Next() }
	}
	l := access.NewClientLimiters(s.cfg.RateLimit, s.cfg.RateBurst)
	return func(c *gin.Context) {
		if d := l.Reserve(c.RemoteIP(), time.Now()); d > 0 {
			secs := int(math.Ceil(d.Seconds()))
			c.Header("Retry-After", strconv.Itoa(secs))
			httpx.WriteError(c, &httpx.Error{Status: http.StatusTooManyRequests, Code: httpx.CodeRateLimited,
				Message: fmt.Sprintf("more than %g requests per second from this client: retry in %d s", s.cfg.RateLimit, secs)})
			return
		}
		c.Next()
	}
}
