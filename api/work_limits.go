package api

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

// Machine codes of the work bounds.
const (
	CodeBusy     = "busy"     // 503: no room for the work within the queue timeout
	CodeCanceled = "canceled" // the client went away before the answer was ready
)

// StatusClientClosedRequest is the status logged (and written, for nobody
// to read) when the client cancelled its request: nginx's 499.
const StatusClientClosedRequest = 499

// Weights of the siting analyses beside their candidate sites: the open
// demand of France holds some 750,000 cells (about 60 MB and half a
// second to build), that of a département a few thousand.
const (
	sitingNationalWeight = 20_000
	sitingLocalWeight    = 1_000
)

// layerLightFeatures is the largest layer page that is not bounded: the
// default page of /v1/layers.
const layerLightFeatures = layerDefaultLimit

// acquire waits for weight units of kind (access.WorkBounds.Acquire),
// turning a full bound into a 503 busy with Retry-After.
func (s *Server) acquire(ctx context.Context, kind access.WorkKind, weight int64) (func(), error) {
	release, err := s.work.Acquire(ctx, kind, weight)
	var busy *access.BusyError
	if errors.As(err, &busy) {
		return nil, &Error{Status: http.StatusServiceUnavailable, Code: CodeBusy, RetryAfterS: busy.RetryAfterS, Message: busy.Message}
	}
	return release, err
}

// uploadReleaseKey is the gin context key of the function giving back the
// request's upload units (see boundUpload).
const uploadReleaseKey = "maillage.upload-release"

// boundUpload holds upload units while a request's body is read and parsed.
// The handler gives them back as soon as its rows are parsed (startWork
// does it before queueing for the analysis), and this middleware at the
// latest when the handler returns. Requests without a body pass.
func (s *Server) boundUpload() gin.HandlerFunc {
	return func(c *gin.Context) {
		weight := s.uploadWeight(c)
		if weight == 0 {
			c.Next()
			return
		}
		release, err := s.acquire(c.Request.Context(), access.WorkUpload, weight)
		if err != nil {
			writeError(c, err)
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
func (s *Server) uploadWeight(c *gin.Context) int64 {
	r := c.Request
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return 0
	}
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength < 0 || mediaType(c) == "multipart/form-data" || r.Header.Get("Content-Encoding") != "" {
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

// startWork gives back the request's upload units, if any, then waits for
// weight units of kind for the analysis (see Server.acquire). The
// caller defers the returned release.
func (s *Server) startWork(c *gin.Context, kind access.WorkKind, weight int64) (release func(), err error) {
	if v, ok := c.Get(uploadReleaseKey); ok {
		if done, ok := v.(func()); ok {
			done()
		}
	}
	return s.acquire(c.Request.Context(), kind, weight)
}

// boundLayerPage waits for room to render and send a layer page of n
// features when it is large (more than layerLightFeatures); small pages,
// what maps ask for, pass at once. The caller defers the release.
func (s *Server) boundLayerPage(c *gin.Context, n int) (release func(), err error) {
	if n <= layerLightFeatures {
		return func() {}, nil
	}
	return s.acquire(c.Request.Context(), access.WorkLayer, int64(n))
}

// logClientGone logs at debug level the requests whose client went away
// before the answer (status 499): not an error of the service.
func (s *Server) logClientGone() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if c.Writer.Status() == StatusClientClosedRequest {
			s.cfg.Logger.Debug("request cancelled by the client", "method", c.Request.Method, "path", c.Request.URL.Path)
		}
	}
}
