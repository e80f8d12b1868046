package httpx

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/maillage/maillage/data/textio"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/access"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/accessibility"
	"github.com/maillage/maillage/matching/alloc"
	"github.com/maillage/maillage/matching/coverage"
	"github.com/maillage/maillage/matching/fca"
	"github.com/maillage/maillage/matching/pairing"
	"github.com/maillage/maillage/matching/recruit"
	"github.com/maillage/maillage/matching/registry"
	"github.com/maillage/maillage/matching/siting"
)

// Error is an error with an HTTP status and a machine-readable code. Handlers
// return it (or any error) to fail; WriteError maps it to a response.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"error"`
	Message string `json:"message"`
	// RetryAfterS, when positive, is sent as the Retry-After header.
	RetryAfterS int `json:"-"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Machine codes of the errors the API returns.
const (
	CodeBadParameter = "bad_parameter"
	CodeNotFound     = "not_found"
	CodeBadBody      = "bad_body"
	CodeTooLarge     = "body_too_large"
	CodeUnavailable  = "unavailable"
	CodeInternal     = "internal"
)

// Machine codes of an upload over a bound of textio.DecodeLimits other than
// its bytes (CodeTooLarge) and rows (CodeTooManyRows).
const (
	CodeTooManyColumns = "too_many_columns"
	CodeFieldTooLong   = "field_too_long"
)

// BadParam is a 400 naming the parameter and what to fix.
func BadParam(name, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadParameter,
		Message: name + ": " + fmt.Sprintf(format, args...)}
}

// NotFound is a 404.
func NotFound(format string, args ...any) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: fmt.Sprintf(format, args...)}
}

// errorMapping turns an error of the analyses or loaders (matched with
// errors.Is) into an HTTP answer; Param, when set, names the parameter at
// fault in the message.
type errorMapping struct {
	target error
	status int
	code   string
	param  string
}

// errorMappings is the one table from the errors of packages matching and
// data to status codes and machine codes.
func errorMappings() []errorMapping {
	bad, NotFound, body := http.StatusBadRequest, http.StatusNotFound, CodeBadBody
	return []errorMapping{
		{coverage.ErrUnknownLayer, bad, CodeBadParameter, "layers"},
		{coverage.ErrNoSites, bad, CodeBadParameter, "layers"},
		{coverage.ErrBadReach, bad, CodeBadParameter, "max_minutes"},
		{coverage.ErrTooManyCells, bad, CodeBadParameter, "bbox"},
		{coverage.ErrBadRankBy, bad, CodeBadParameter, "rank_by"},
		{accessibility.ErrUnknownSupply, bad, CodeBadParameter, "supply"},
		{coverage.ErrUnknownDemand, bad, CodeBadParameter, "demand"},
		{fca.ErrBadInput, bad, CodeBadParameter, "decay"},
		{accessibility.ErrBadAccessSelect, bad, CodeBadParameter, ""},
		{alloc.ErrInput, bad, CodeBadParameter, ""},
		{alloc.ErrInfeasible, http.StatusUnprocessableEntity, CodeInfeasible, ""},
		{registry.ErrBadSuggestQuery, bad, CodeBadParameter, "candidates"},
		{siting.ErrBadSiting, bad, CodeBadParameter, "query"},
		{coverage.ErrUnknownDepartement, NotFound, CodeNotFound, ""},
		{coverage.ErrUnknownRegion, NotFound, CodeNotFound, ""},
		{data.ErrDatasetNotFound, NotFound, CodeNotFound, ""},
		// Uploads that cannot be read to their end (textio.ReadError): the
		// message names the file and line.
		{textio.ErrDamagedFile, bad, body, ""},
		{textio.ErrEncoding, bad, body, ""},
		{textio.ErrTooLarge, http.StatusRequestEntityTooLarge, CodeTooLarge, ""},
		{textio.ErrTooManyRows, http.StatusRequestEntityTooLarge, CodeTooManyRows, ""},
		{textio.ErrTooManyColumns, http.StatusRequestEntityTooLarge, CodeTooManyColumns, ""},
		{textio.ErrFieldTooLong, http.StatusRequestEntityTooLarge, CodeFieldTooLong, ""},
		{registry.ErrUnknownRow, NotFound, CodeNotFound, ""},
		{registry.ErrBuiltinDataset, http.StatusConflict, CodeConflict, ""},
		// The recruitment process: an illegal move names the pair's
		// current status (recruit.ConflictError).
		{recruit.ErrConflict, http.StatusConflict, CodeConflict, ""},
		{recruit.ErrBadRequest, bad, body, ""},
		// Reloads and layers uploaded at run time (api/reloading.go, api/admin/reload.go): a
		// failed reload says why (files of the operator's data folder,
		// shown to a national token only), the old data staying in service.
		{matching.ErrReloadBusy, http.StatusConflict, CodeReloadRunning, ""},
		{matching.ErrReloadFailed, http.StatusInternalServerError, CodeReloadFailed, ""},
		{registry.ErrShippedLayer, http.StatusConflict, CodeShippedLayer, ""},
		{registry.ErrLayerName, bad, CodeBadParameter, "name"},
		{registry.ErrLayerDeclaration, bad, CodeBadParameter, ""},
		{pairing.ErrAssignTooLarge, http.StatusUnprocessableEntity, CodeMatchTooLarge, ""},
		{siting.ErrNoProposals, bad, body, ""},
		{registry.ErrDatasetKind, bad, body, ""},
		{registry.ErrEmptyDataset, bad, body, ""},
		{registry.ErrBadMatchRequest, bad, body, ""},
		{pairing.ErrBadAssignInput, bad, body, ""},
		{textio.ErrUnknownFormat, bad, body, ""},
		{data.ErrBadLayerFile, bad, body, ""},
		{gzip.ErrHeader, bad, body, ""},
		{gzip.ErrChecksum, bad, body, ""},
		{data.ErrCorrupt, http.StatusInternalServerError, CodeInternal, ""},
		// Rows of the caller's upload outside its token's scope: the
		// message names them (access.Scope.CheckUpload).
		{access.ErrOutsideScope, http.StatusForbidden, CodeForbidden, ""},
		// An analysis stopped because its client went away (nobody reads
		// the answer; logged at debug level), or ran past a deadline.
		{context.Canceled, StatusClientClosedRequest, CodeCanceled, ""},
		{context.DeadlineExceeded, http.StatusServiceUnavailable, CodeBusy, ""},
	}
}

// internalMessage is all a client reads of a server fault (a 5xx of code
// CodeInternal): the error itself, which may name files, is logged
// (api.Server.recovery).
const internalMessage = "internal error"

// AsError returns err as an *Error: itself when it is one, else its
// mapping, else nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	for _, m := range errorMappings() {
		if errors.Is(err, m.target) {
			msg := err.Error()
			if m.code == CodeInternal {
				msg = internalMessage
			} else if m.param != "" {
				msg = m.param + ": " + msg
			}
			return &Error{Status: m.status, Code: m.code, Message: msg}
		}
	}
	return nil
}

// WriteError is the one place where errors become responses.
func WriteError(c *gin.Context, err error) {
	e := AsError(err)
	if e == nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			e = &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
				Message: fmt.Sprintf("request body exceeds %d bytes", mbe.Limit)}
		} else {
			e = InternalError(c, err)
		}
	}
	if e.Code == CodeInternal && e.Message == internalMessage {
		e = InternalError(c, err) // the detail goes to the log, the request id to the client
	}
	if e.RetryAfterS > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfterS))
	}
	c.AbortWithStatusJSON(e.Status, e)
}

// InternalError is the answer to an error no mapping knows: its text may
// name files or internals (open /srv/...: permission denied), so the client
// only gets the request id, and the error goes to the log with that id
// (observe, api/observe.go).
func InternalError(c *gin.Context, err error) *Error {
	_ = c.Error(err)
	return InternalAnswer(c)
}

// InternalAnswer is the 500 a client gets: no detail but the request id.
func InternalAnswer(c *gin.Context) *Error {
	msg := "internal error"
	if id := RequestID(c); id != "" {
		msg += " (request id " + id + ")"
	}
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: msg}
}

// Handle adapts a handler returning an error to gin.
func Handle(h func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			WriteError(c, err)
		}
	}
}

// BadBody is a 400 about the request body.
func BadBody(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadBody, Message: fmt.Sprintf(format, args...)}
}

// requestIDKey is the gin context key holding the request id.
const requestIDKey = "maillage.request_id"

// SetRequestID records the request's id (the observe middleware of
// package api), for the log lines and the 500 answers.
func SetRequestID(c *gin.Context, id string) { c.Set(requestIDKey, id) }

// RequestID returns the id observe gave the request, "" outside it.
func RequestID(c *gin.Context) string {
	return c.GetString(requestIDKey)
}

// Machine codes of the dataset and match errors.
const (
	CodeInvalidRows   = "invalid_rows"
	CodeConflict      = "conflict"
	CodeMatchTooLarge = "match_too_large"
)

// Machine codes of the work bounds.
const (
	CodeBusy     = "busy"     // 503: no room for the work within the queue timeout
	CodeCanceled = "canceled" // the client went away before the answer was ready
)

// StatusClientClosedRequest is the status logged (and written, for nobody
// to read) when the client cancelled its request: nginx's 499.
const StatusClientClosedRequest = 499

// Machine codes of reloads and layer changes.
const (
	CodeReloadRunning = "reload_running"     // 409: another reload or layer change runs
	CodeNoReload      = "reload_unavailable" // 409: a server not started from a data folder
	CodeReloadFailed  = "reload_failed"      // 500: the new data did not load, the old stays in service
	CodeShippedLayer  = "shipped_layer"      // 409: a layer of the data folder cannot be deleted or replaced
)

// CodeInfeasible is the code of an allocation whose floors and caps no
// distribution of the posts meets.
const CodeInfeasible = "infeasible_allocation"
