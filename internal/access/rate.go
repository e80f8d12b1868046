package access

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	// x/time/rate is the Go team's token bucket: one small, well-kept
	// limiter per client instead of a hand-written one.
	"golang.org/x/time/rate"
)

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

// ClientLimiters holds one token bucket per client address, forgetting
// clients idle for longer than a full bucket takes to refill.
type ClientLimiters struct {
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

// NewClientLimiters makes the buckets of perSecond requests per second
// beyond a burst (0: ceil(perSecond), at least 1).
func NewClientLimiters(perSecond float64, burst int) *ClientLimiters {
	if burst <= 0 {
		burst = max(1, int(math.Ceil(perSecond)))
	}
	idle := time.Duration(float64(burst)/perSecond*float64(time.Second)) + time.Minute
	return &ClientLimiters{limit: rate.Limit(perSecond), burst: burst, idle: idle, clients: map[string]*clientBucket{}}
}

// Reserve takes one token for client, returning how long it must wait
// (0 when the request may go now; nothing is taken then).
func (l *ClientLimiters) Reserve(client string, now time.Time) time.Duration {
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
func (l *ClientLimiters) sweep(now time.Time) {
	for k, b := range l.clients {
		if now.Sub(b.seen) > l.idle {
			delete(l.clients, k)
		}
	}
	l.lastSweep = now
}
