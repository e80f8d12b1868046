// Package api is maillage's HTTP layer: the Server, its configuration, its
// middleware (request ids and logs, recovery, CORS, body and rate limits,
// tokens and scopes, the engine pinned per request), readiness, reloads and
// the OpenAPI document. The routes are served by one package per family
// (api/territory, api/coverage, api/siting, api/process, api/layers,
// api/ogc, api/admin), each a thin Handlers type over httpx.Env that
// parses and validates parameters, calls the analyses and writes JSON,
// GeoJSON, CSV or tiles; none holds analysis logic. Errors are mapped to
// status codes in one table (api/internal/httpx/errors.go) and always have
// the shape {"error": "<machine_code>", "message": "<what to fix>"}.
package api
