package api

import (
	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/api/internal/httpx"
)

// What the external tests of this package reach inside it.

// Router returns the server's gin engine (tests add routes to it).
func (s *Server) Router() *gin.Engine { return s.router }

// Cfg returns the server's configuration, which tests change in place.
func (s *Server) Cfg() *Config { return &s.cfg }

// Env returns what the route families share.
func (s *Server) Env() *httpx.Env { return s.env }

// Request ids, access and the OpenAPI document.
const (
	RequestIDHeader = requestIDHeader
	MaxRequestIDLen = maxRequestIDLen
	BearerScheme    = bearerScheme
)

// Functions and tables the tests check.
var (
	SaneRequestID = saneRequestID
	IsProtected   = isProtected
	GinToOpenAPI  = ginToOpenAPI
	APIOps        = apiOps
	OpenAPIParam  = openAPIParam
)

// Types the tests decode into or list.
type (
	APIOp      = apiOp
	HealthView = healthView
)
