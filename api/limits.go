package api

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	// x/time/rate is the Go team's token bucket: one small, well-kept
	// limiter per client instead of a hand-written one.
	"golang.org/x/time/rate"
)

// Machine codes of the limit errors.
const (
	CodeTooManyRows = "too_many_rows"
	CodeRateLimited = "rate_limited"
)

// DefaultMaxRows is the default cap on the rows of one upload.
const DefaultMaxRows = 200000

// checkRowCount refuses (413) an upload of more than cfg.MaxRows rows.
// Upload handlers call it once the rows are parsed; the body size limit
// already bounds the memory parsing takes.
func (s *Server) checkRowCount(what string, n int) error {
	if n > s.cfg.MaxRows {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooManyRows,
			Message: fmt.Sprintf("%d %s exceed the limit of %d rows per upload", n, what, s.cfg.MaxRows)}
	}
	return nil
}

// ParseRate reads a request rate: "50/s", "3000/m", "100000/h" or a bare
// number of requests per second. "" and "0" mean no limit.
func ParseRate(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	num, unit, hasUnit := strings.Cut(s, "/")
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Errorf("rate %q: want N/s, N/m or N/h with N ≥ 0", s)
	}
	if hasUnit {
		switch strings.TrimSpace(unit) {
		case "s":
		case "m":
			v /= 60
		case "h":
			v /= 3600
		default:
			return 0, fmt.Errorf("rate %q: unit must be s, m or h", s)
		}
	}
	return v, nil
}

// clientLimiters holds one token bucket per client address, forgetting
// clients idle for longer than a full bucket takes to refill.
type clientLimiters struct {
	limit rate.Limit
	burst int
	idle  time.Duration

	mu        sync.Mutex
	clients   map[string]*clientBucket
	lastSweep time.Time
}

type clientBucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxTrackedClients bounds the limiter table: beyond it, idle entries are
// swept at once.
const maxTrackedClients = 100000

func newClientLimiters(perSecond float64, burst int) *clientLimiters {
	if burst <= 0 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	idle := time.Duration(float64(burst)/perSecond*float64(time.Second)) + time.Minute
	return &clientLimiters{limit: rate.Limit(perSecond), burst: burst, idle: idle, clients: map[string]*clientBucket{}}
}

// reserve takes one token for client, returning how long it must wait
// (0 when the request may go now; nothing is taken then).
func (l *clientLimiters) reserve(client string, now time.Time) time.Duration {
	l.mu.Lock()
	b, ok := l.clients[client]
	if !ok {
		b = &clientBucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.clients[client] = b
	}
	b.seen = now
	if now.Sub(l.lastSweep) > l.idle || len(l.clients) > maxTrackedClients {
		l.sweep(now)
	}
	l.mu.Unlock()
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return time.Hour
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// sweep forgets idle clients; l.mu is held.
func (l *clientLimiters) sweep(now time.Time) {
	for k, b := range l.clients {
		if now.Sub(b.seen) > l.idle {
			delete(l.clients, k)
		}
	}
	l.lastSweep = now
}

// rateLimit answers 429 with Retry-After to a client (by its TCP peer
// address, not X-Forwarded-For, which clients can forge) sending more than
// cfg.RateLimit requests per second beyond a burst of cfg.RateBurst. It
// does nothing when RateLimit is 0.
func (s *Server) rateLimit() gin.HandlerFunc {
	if s.cfg.RateLimit <= 0 {
		return func(c *gin.Context) { c.Next() }
	}
	l := newClientLimiters(s.cfg.RateLimit, s.cfg.RateBurst)
	return func(c *gin.Context) {
		if d := l.reserve(c.RemoteIP(), time.Now()); d > 0 {
			secs := int(math.Ceil(d.Seconds()))
			c.Header("Retry-After", strconv.Itoa(secs))
			writeError(c, &Error{Status: http.StatusTooManyRequests, Code: CodeRateLimited,
				Message: fmt.Sprintf("more than %g requests per second from this client: retry in %d s", s.cfg.RateLimit, secs)})
			return
		}
		c.Next()
	}
}
