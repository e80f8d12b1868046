package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Error is an error with an HTTP status and a machine-readable code. Handlers
// return it (or any error) to fail; writeError maps it to a response.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"error"`
	Message string `json:"message"`
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

// badParam is a 400 naming the parameter and what to fix.
func badParam(name, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadParameter,
		Message: name + ": " + fmt.Sprintf(format, args...)}
}

// notFound is a 404.
func notFound(format string, args ...any) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: fmt.Sprintf(format, args...)}
}

// writeError is the one place where errors become responses.
func writeError(c *gin.Context, err error) {
	var e *Error
	if !errors.As(err, &e) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			e = &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
				Message: fmt.Sprintf("request body exceeds %d bytes", mbe.Limit)}
		} else {
			e = &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: err.Error()}
		}
	}
	c.AbortWithStatusJSON(e.Status, e)
}

// handle adapts a handler returning an error to gin.
func handle(h func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			writeError(c, err)
		}
	}
}
