// Package httpx is what the route families of package api share: the
// error shape and the one table mapping errors to status codes
// (errors.go), query parameters, JSON and GeoJSON encoding, cached
// answers, uploads, token scopes and work bounds, and the Env every
// family's handlers receive.
package httpx

import (
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/registry"
)

// Env is what a route family's handlers need of the server: the engine of
// the request, the bounds on uploads and work, where answers are cached and
// linked, and the logger. The server builds one and shares it; its fields
// do not change once requests are served.
type Env struct {
	// Registry holds the engine in service, the uploaded datasets and the
	// stored match results (nil in tests of routes that need none).
	Registry *registry.Registry
	Logger   *slog.Logger
	// Work bounds the expensive work running at once (work.go).
	Work *access.WorkBounds
	// Bounds on one upload (DecodeLimits, CheckRowCount).
	MaxBodyBytes  int64
	MaxRows       int
	MaxColumns    int
	MaxFieldBytes int
	// PublicURL is the scheme://host[/prefix] of absolute links ("": from
	// each request, BaseURL); CacheMaxAge the max-age of layer and tile
	// answers (CacheControl).
	PublicURL   string
	CacheMaxAge time.Duration
}

// Gin context keys of the request's engine and its generation.
const (
	engineKey     = "maillage.engine"
	generationKey = "maillage.generation"
)

// GenerationHeader is sent with every answer: the generation of the engine
// it was computed from (registry.Registry.Current), which changes at each
// reload and layer upload or deletion.
const GenerationHeader = "X-Maillage-Generation"

// SetEngine pins e, of generation gen, as the request's engine: handlers
// read it with EngineOf, so that a reload swapping the engine meanwhile
// never mixes two states in one answer.
func SetEngine(c *gin.Context, e *matching.Engine, gen uint64) {
	c.Set(engineKey, e)
	c.Set(generationKey, gen)
}

// EngineOf returns the request's engine (SetEngine), else the one in
// service.
func (s *Env) EngineOf(c *gin.Context) *matching.Engine {
	if v, ok := c.Get(engineKey); ok {
		return v.(*matching.Engine)
	}
	if s.Registry == nil {
		return nil
	}
	return s.Registry.Engine()
}

// GenerationOf returns the generation of the request's engine.
func GenerationOf(c *gin.Context) uint64 {
	gen, _ := c.Value(generationKey).(uint64)
	return gen
}
