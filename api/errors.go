package api

import "github.com/maillage/maillage/api/internal/httpx"

// Error is an error with an HTTP status and a machine-readable code; the
// one table mapping errors to status codes is api/internal/httpx/errors.go,
// shared by the route families.
type Error = httpx.Error

// Machine codes of the errors the API returns (httpx.Error.Code).
const (
	CodeBadParameter   = httpx.CodeBadParameter
	CodeNotFound       = httpx.CodeNotFound
	CodeBadBody        = httpx.CodeBadBody
	CodeTooLarge       = httpx.CodeTooLarge
	CodeUnavailable    = httpx.CodeUnavailable
	CodeInternal       = httpx.CodeInternal
	CodeTooManyColumns = httpx.CodeTooManyColumns
	CodeFieldTooLong   = httpx.CodeFieldTooLong
	CodeInvalidRows    = httpx.CodeInvalidRows
	CodeConflict       = httpx.CodeConflict
	CodeMatchTooLarge  = httpx.CodeMatchTooLarge
	CodeBusy           = httpx.CodeBusy
	CodeCanceled       = httpx.CodeCanceled
	CodeReloadRunning  = httpx.CodeReloadRunning
	CodeNoReload       = httpx.CodeNoReload
	CodeReloadFailed   = httpx.CodeReloadFailed
	CodeShippedLayer   = httpx.CodeShippedLayer
	CodeInfeasible     = httpx.CodeInfeasible
	CodeUnauthorized   = httpx.CodeUnauthorized
	CodeForbidden      = httpx.CodeForbidden
	CodeTooManyRows    = httpx.CodeTooManyRows
	CodeRateLimited    = httpx.CodeRateLimited
)

// StatusClientClosedRequest is the status logged (and written, for nobody
// to read) when the client cancelled its request: nginx's 499.
const StatusClientClosedRequest = httpx.StatusClientClosedRequest
