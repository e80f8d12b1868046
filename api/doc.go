// Package api is maillage's HTTP layer: a thin gin router over a
// matching.Engine that parses and validates parameters, calls the analyses
// and writes JSON or GeoJSON. It holds no analysis logic. Errors are mapped to
// status codes in one place (errors.go) and always have the shape
// {"error": "<machine_code>", "message": "<what to fix>"}.
package api
