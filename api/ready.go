package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/api/internal/httpx"
)

// Reasons a server is not ready, sent in the /readyz answer.
const (
	ReasonLoading   = "loading the data"
	ReasonReloading = "reloading the data"
)

// CodeNotReady is the machine code of /readyz when the server is not ready
// and of every request a starting server cannot answer yet.
const CodeNotReady = "not_ready"

// readyRetryAfterS is the Retry-After of a not-ready answer: loading takes
// seconds.
const readyRetryAfterS = 5

// Readiness says whether a server is ready to serve and, when not, why.
// /readyz answers it (200 ready, 503 otherwise) so that a load balancer
// sends requests to the replicas that are ready. A reload flips it with
// Set(ReasonReloading) then Set(""). Safe for concurrent use; the zero
// value is ready.
type Readiness struct {
	reason atomic.Pointer[string] // nil or "": ready
}

// NewReadiness returns a Readiness not ready for reason ("" : ready).
func NewReadiness(reason string) *Readiness {
	r := &Readiness{}
	r.Set(reason)
	return r
}

// Set records that the server is not ready for reason, or is ready when
// reason is "".
func (r *Readiness) Set(reason string) { r.reason.Store(&reason) }

// Ready reports whether the server is ready and, when not, why.
func (r *Readiness) Ready() (ready bool, reason string) {
	if p := r.reason.Load(); p != nil && *p != "" {
		return false, *p
	}
	return true, ""
}

// notReady is the 503 of a server that is not ready for reason.
func notReady(reason string) *httpx.Error {
	return &httpx.Error{Status: http.StatusServiceUnavailable, Code: CodeNotReady,
		Message: "not ready: " + reason + "; retry shortly or use another replica", RetryAfterS: readyRetryAfterS}
}

// readyView is the body of /readyz when ready.
type readyView struct {
	Status string `json:"status"`
}

// readyz answers 200 {"status":"ready"} or 503 with the reason.
func (s *Server) readyz(c *gin.Context) error {
	if ok, reason := s.ready.Ready(); !ok {
		return notReady(reason)
	}
	c.JSON(http.StatusOK, readyView{Status: "ready"})
	return nil
}

// Gate is the handler of a server that listens before its data is loaded:
// until Open it answers /healthz 200 (alive), /readyz 503 with the
// readiness reason, /metrics from metrics (when not nil) and everything
// else 503 not_ready with Retry-After; after Open, it hands every request
// to the server's handler. Orchestrators thus see a live process that is
// not ready yet instead of a refused connection.
type Gate struct {
	next    atomic.Pointer[http.Handler]
	ready   *Readiness
	metrics http.Handler
}

// NewGate returns a closed Gate reporting ready's reason and serving
// metrics (nil: /metrics is 503 too).
func NewGate(ready *Readiness, metrics http.Handler) *Gate {
	return &Gate{ready: ready, metrics: metrics}
}

// Open sends every later request to h.
func (g *Gate) Open(h http.Handler) { g.next.Store(&h) }

// ServeHTTP serves r through the opened handler, or as a starting server.
func (g *Gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := g.next.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	switch {
	case r.URL.Path == "/healthz":
		writeJSON(w, http.StatusOK, healthLoading{Status: "loading"})
	case r.URL.Path == "/metrics" && g.metrics != nil:
		g.metrics.ServeHTTP(w, r)
	default:
		_, reason := g.ready.Ready()
		if reason == "" {
			reason = ReasonLoading // opened readiness before Open: still not serving
		}
		e := notReady(reason)
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfterS))
		writeJSON(w, e.Status, e)
	}
}

// healthLoading is the /healthz body while the data loads.
type healthLoading struct {
	Status string `json:"status"`
}

// writeJSON writes v as the JSON answer of status, outside gin.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do
}
