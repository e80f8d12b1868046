package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/api/admin"
	"github.com/maillage/maillage/api/coverage"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/api/layers"
	"github.com/maillage/maillage/api/ogc"
	"github.com/maillage/maillage/api/process"
	"github.com/maillage/maillage/api/siting"
	"github.com/maillage/maillage/api/territory"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/internal/metrics"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/registry"
)

// Config is the whole configuration of the HTTP layer, in one struct.
type Config struct {
	Addr            string        // listen address, default ":8080"
	MaxBodyBytes    int64         // request body limit, default 20 MB
	ReadTimeout     time.Duration // default 30 s
	WriteTimeout    time.Duration // default 60 s
	ShutdownTimeout time.Duration // default 10 s
	Logger          *slog.Logger  // nil: discard
	// Reading uploads (textio.DecodeLimits, api/process/datasets.go): the inflated
	// size is bounded by MaxBodyBytes, the rows by MaxRows, and a record
	// by MaxColumns and MaxFieldBytes (0: textio.DefaultMaxColumns and
	// textio.DefaultMaxFieldBytes); 413 beyond.
	MaxColumns    int
	MaxFieldBytes int
	// NoAccessLog turns off the access log line (Info level) written for
	// every request (api/observe.go); internal errors are logged anyway.
	NoAccessLog bool

	// Access (api/auth.go): bearer tokens for the endpoints of personal and
	// uploaded data. With Tokens nil those endpoints answer 401, unless
	// InsecureOpen opens them to everyone with a national scope.
	Tokens       *access.TokenSet
	InsecureOpen bool
	// Limits (api/limits.go).
	MaxRows   int     // rows per upload, default DefaultMaxRows (413 beyond)
	RateLimit float64 // requests per second per client address; 0: no limit
	RateBurst int     // requests a client may send at once; default ceil(RateLimit)
	// Work bounds the expensive work running at once, per kind (uploads,
	// matches, siting analyses, large layer pages), with a queue timeout
	// (api/internal/httpx/work.go): beyond it, 503 busy with Retry-After.
	Work access.WorkLimits

	// Map layers, OGC API and tiles (api/layers, api/hygiene.go).
	// DataDir is the data folder, read for the département and région
	// boundaries ("": those two layers answer 503). PublicURL is the
	// scheme://host[/prefix] clients reach the service at, for absolute links
	// ("": from each request's Host and X-Forwarded-* headers). CORSOrigins
	// are the browser origins allowed to read answers: nil means any ("*"),
	// an empty non-nil list sends no CORS headers. CacheMaxAge is the
	// Cache-Control max-age of layer and tile answers (default 5 minutes).
	DataDir     string
	PublicURL   string
	CORSOrigins []string
	CacheMaxAge time.Duration

	// Operations (api/metrics.go, api/ready.go, api/pprof.go). Metrics is
	// the server's Prometheus registry and collectors (nil: New makes
	// one); the caller keeps it to time its store (Metrics.Store) and
	// record the engine load. Readiness is what /readyz answers (nil:
	// always ready); a reload flips it. Pprof serves /debug/pprof to
	// national tokens.
	Metrics   *metrics.Metrics
	Readiness *Readiness
	Pprof     bool

	// Hot reload (api/reloading.go, api/admin/reload.go). Loader builds the engine of the data
	// folder and layers configuration again, for POST /v1/admin/reload and
	// Server.Reload (nil: reloads answer why they cannot run). OnReload,
	// when set, is called after each reload that put a new engine in
	// service (serve warms the new maps from it). OnReloadStart, when set,
	// is called as each reload begins (serve stops warming the tiles of the
	// engine about to be replaced, which would take the reload's cores).
	Loader        matching.Loader
	OnReload      func(matching.ReloadReport)
	OnReloadStart func()
}

// withDefaults fills the zero fields of c.
func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = ":8080"
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 20 << 20
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = 30 * time.Second
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 60 * time.Second
	}
	if c.MaxRows == 0 {
		c.MaxRows = DefaultMaxRows
	}
	c.Work = c.Work.WithDefaults(c.MaxBodyBytes)
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.CORSOrigins == nil {
		c.CORSOrigins = []string{"*"}
	}
	if c.CacheMaxAge == 0 {
		c.CacheMaxAge = defaultCacheMaxAge
	}
	if c.Readiness == nil {
		c.Readiness = &Readiness{}
	}
	return c
}

// Server serves the registry's engine in service and its datasets over
// HTTP. Each request reads the engine once (pinEngine, api/reloading.go) and
// answers from it throughout, so that a reload swapping the engine never
// mixes two states in one answer.
type Server struct {
	registry    *registry.Registry // the engine in service, uploaded datasets and stored match results
	cfg         Config
	env         *httpx.Env // what the route families share (api/internal/httpx)
	router      *gin.Engine
	maps        *layers.Handlers   // map layers and tiles of the engines in service (api/layers)
	work        *access.WorkBounds // bounds on expensive work (api/internal/httpx/work.go)
	http        http.Handler       // router behind gzip (api/hygiene.go)
	metrics     *metrics.Metrics   // Prometheus registry of this server (api/metrics.go)
	ready       *Readiness         // what /readyz answers (api/ready.go)
	reloading   atomic.Int32       // reloads running (Server.Reloading, api/reloading.go)
	readyMu     sync.Mutex         // guards readyBefore (Server.setReloading)
	readyBefore string             // the readiness reason before the reloads running
}

// New builds the router over reg and the engine it resolves datasets
// against (reg may be nil for routes needing neither, as in tests).
func New(reg *registry.Registry, cfg Config) *Server {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{registry: reg, cfg: cfg.withDefaults()}
	s.ready, s.metrics = s.cfg.Readiness, s.cfg.Metrics
	if s.metrics == nil {
		s.metrics = metrics.New()
	}
	s.work = access.NewWorkBounds(s.cfg.Work)
	s.env = &httpx.Env{Registry: reg, Logger: s.cfg.Logger, Work: s.work,
		MaxBodyBytes: s.cfg.MaxBodyBytes, MaxRows: s.cfg.MaxRows, MaxColumns: s.cfg.MaxColumns,
		MaxFieldBytes: s.cfg.MaxFieldBytes, PublicURL: s.cfg.PublicURL, CacheMaxAge: s.cfg.CacheMaxAge}
	s.maps = layers.New(s.env, s.cfg.DataDir)
	r := gin.New()
	r.Use(s.observe(), s.recovery(), s.logClientGone(), s.cors(), s.limitBody(), s.rateLimit(), s.access(), s.pinEngine())
	r.NoRoute(func(c *gin.Context) {
		httpx.WriteError(c, httpx.NotFound("no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	r.GET("/healthz", httpx.Handle(s.healthz))
	r.GET("/readyz", httpx.Handle(s.readyz)) // 503 while loading or reloading (api/ready.go)
	s.metricsRoutes(r)                       // GET /metrics (api/metrics.go)
	s.pprofRoutes(r)                         // /debug/pprof with --pprof (api/pprof.go)
	v1 := r.Group("/v1")
	territory.New(s.env).Routes(v1)                    // communes, sites, batch lookups (api/territory)
	coverage.New(s.env).Routes(v1)                     // coverage, network, access, layer comparison (api/coverage)
	process.New(s.env).Routes(v1)                      // datasets, matches, recruitments (api/process)
	siting.New(s.env).Routes(v1)                       // proposals, recommendations, scenarios, allocations (api/siting)
	admin.New(s.env, s.Reload, s.canReload).Routes(v1) // GET /v1/backup, POST /v1/admin/reload, POST and DELETE /v1/layers (api/admin)
	s.webRoutes(r)                                     // the built-in map at / (api/web.go)
	s.maps.Routes(&r.RouterGroup)                      // /v1/layers and /tiles (api/layers)
	ogc.New(s.env, s.maps).Routes(&r.RouterGroup)      // /ogc (api/ogc)
	r.GET("/openapi.json", httpx.Handle(s.openAPI))
	s.router = r
	s.http = compress(r)
	s.registerCacheGauges(s.metrics)
	return s
}

// Handler returns the http.Handler serving the API.
func (s *Server) Handler() http.Handler { return s.http }

// HTTPServer returns an http.Server for the configured address and timeouts.
func (s *Server) HTTPServer() *http.Server { return s.cfg.HTTPServer(s.http) }

// Registry returns the registry the server serves: the engine in service,
// the uploaded datasets and the stored match results.
func (s *Server) Registry() *registry.Registry { return s.registry }

// Maps returns the handlers of the map layers and tiles (their state per
// engine, for warming and tests).
func (s *Server) Maps() *layers.Handlers { return s.maps }

// Metrics returns the server's metrics.
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// Readiness returns what the server's /readyz answers.
func (s *Server) Readiness() *Readiness { return s.ready }

// HTTPServer returns an http.Server serving h at c's address with c's
// timeouts: a server can listen (behind a Gate) before New.
func (c Config) HTTPServer(h http.Handler) *http.Server {
	c = c.withDefaults()
	return &http.Server{
		Addr:              c.Addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       c.ReadTimeout,
		WriteTimeout:      c.WriteTimeout,
	}
}

// recovery turns a panic into a logged 500 with the JSON error shape; the
// log line (with the stack) and the answer carry the request id.
func (s *Server) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				s.cfg.Logger.Error("panic in handler", "request_id", httpx.RequestID(c), "path", c.Request.URL.Path,
					"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				httpx.WriteError(c, httpx.InternalAnswer(c))
			}
		}()
		c.Next()
	}
}

// limitBody caps request bodies at cfg.MaxBodyBytes (413 beyond).
func (s *Server) limitBody() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
		}
		c.Next()
	}
}

// PrepareMaps computes ahead of the first request what the map layers of
// the engine in service need (layers.Handlers.PrepareMaps).
func (s *Server) PrepareMaps() error { return s.maps.PrepareMaps() }

// WarmMap renders the built-in map's tiles down to maxZoom into the tile
// cache (layers.Handlers.WarmMap).
func (s *Server) WarmMap(ctx context.Context, maxZoom int) (layers.WarmStats, error) {
	return s.maps.WarmMap(ctx, maxZoom)
}

// PrepareMapsPaced is PrepareMaps at pace, until ctx ends
// (layers.Handlers.PrepareMapsPaced).
func (s *Server) PrepareMapsPaced(ctx context.Context, pace *layers.Pace) error {
	return s.maps.PrepareMapsPaced(ctx, pace)
}

// WarmMapPaced is WarmMap at pace, one tile at a time
// (layers.Handlers.WarmMapPaced).
func (s *Server) WarmMapPaced(ctx context.Context, maxZoom int, pace *layers.Pace) (layers.WarmStats, error) {
	return s.maps.WarmMapPaced(ctx, maxZoom, pace)
}

// DropPreviousMaps forgets the map state of the engine a reload replaced
// (layers.Handlers.DropPrevious), so that the old engine can be freed.
func (s *Server) DropPreviousMaps() { s.maps.DropPrevious() }

// ReloadPace is the pace of the map work after a reload (layers.ReloadPace).
var ReloadPace = layers.ReloadPace

// MapWarmZoom is the deepest zoom WarmMap renders for maillage serve
// (layers.MapWarmZoom).
const MapWarmZoom = layers.MapWarmZoom
