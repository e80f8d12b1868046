package httpx

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/internal/access"
)

// Weights of the siting analyses beside their candidate sites: the open
// demand of France holds some 750,000 cells (about 60 MB and half a
// second to build), that of a département a few thousand.
const (
	SitingNationalWeight = 20_000
	SitingLocalWeight    = 1_000
)

// Acquire waits for weight units of kind (access.WorkBounds.Acquire),
// turning a full bound into a 503 busy with Retry-After.
func (s *Env) Acquire(ctx context.Context, kind access.WorkKind, weight int64) (func(), error) {
	release, err := s.Work.Acquire(ctx, kind, weight)
	var busy *access.BusyError
	if errors.As(err, &busy) {
		return nil, &Error{Status: http.StatusServiceUnavailable, Code: CodeBusy, RetryAfterS: busy.RetryAfterS, Message: busy.Message}
	}
	return release, err
}

// uploadReleaseKey is the gin context key of the function giving back the
// request's upload units (see boundUpload).
const uploadReleaseKey = "maillage.upload-release"

// BoundUpload holds upload units while a request's body is read and parsed.
// The handler gives them back as soon as its rows are parsed (startWork
// does it before queueing for the analysis), and this middleware at the
// latest when the handler returns. Requests without a body pass.
func (s *Env) BoundUpload() gin.HandlerFunc {
	return func(c *gin.Context) {
		weight := s.uploadWeight(c)
		if weight == 0 {
			c.Next()
			return
		}
		release, err := s.Acquire(c.Request.Context(), access.WorkUpload, weight)
		if err != nil {
			WriteError(c, err)
			return
		}
		var once sync.Once
		done := func() { once.Do(release) }
		c.Set(uploadReleaseKey, done)
		defer done()
		c.Next()
	}
}

// uploadWeight is the weight of a request's body: its length, or the body
// limit when it is gzip (sniffed, as the loaders do), multipart (its files
// may be) or of unknown length, since such a body may inflate up to the
// limit. 0 means no body.
func (s *Env) uploadWeight(c *gin.Context) int64 {
	r := c.Request
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return 0
	}
	limit := s.MaxBodyBytes
	if r.ContentLength < 0 || MediaType(c) == "multipart/form-data" || r.Header.Get("Content-Encoding") != "" {
		return limit
	}
	br := bufio.NewReaderSize(r.Body, 16)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		r.Body = peekedBody{br, r.Body}
		return limit
	}
	r.Body = peekedBody{br, r.Body}
	return min(r.ContentLength, limit)
}

// peekedBody is a request body read through the buffer that sniffed it.
type peekedBody struct {
	io.Reader
	io.Closer
}

// StartWork gives back the request's upload units, if any, then waits for
// weight units of kind for the analysis (see Env.Acquire). The
// caller defers the returned release.
func (s *Env) StartWork(c *gin.Context, kind access.WorkKind, weight int64) (release func(), err error) {
	ReleaseUpload(c)
	return s.Acquire(c.Request.Context(), kind, weight)
}

// ReleaseUpload gives back the request's upload units (BoundUpload), if
// any, once its body is read.
func ReleaseUpload(c *gin.Context) {
	if v, ok := c.Get(uploadReleaseKey); ok {
		if done, ok := v.(func()); ok {
			done()
		}
	}
}
