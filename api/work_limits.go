package api

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	// x/sync/semaphore is the Go team's weighted semaphore: FIFO, with a
	// context to give up waiting, which is what a queue timeout needs.
	"golang.org/x/sync/semaphore"
)

// Machine codes of the work bounds.
const (
	CodeBusy     = "busy"     // 503: no room for the work within the queue timeout
	CodeCanceled = "canceled" // the client went away before the answer was ready
)

// StatusClientClosedRequest is the status logged (and written, for nobody
// to read) when the client cancelled its request: nginx's 499.
const StatusClientClosedRequest = 499

// WorkLimits bounds the expensive work running at once, each kind on its
// own weighted semaphore, so that a burst of one kind neither exhausts
// memory nor queues the others, and light routes (a commune at a point,
// the nearest site, cached tiles, small layer pages) never wait at all.
//
// A request takes a weight that grows with its work and waits at most
// QueueTimeout for room, else it is answered 503 busy with Retry-After.
// A weight above a capacity is lowered to it: that request runs alone.
// Zero fields take the defaults, sized for 2 cores and a 1 GB memory
// limit; a negative capacity lifts that bound.
type WorkLimits struct {
	// UploadBytes bounds the body bytes of uploads being read and parsed at
	// once (datasets, match rows, proposals, candidates, scenario sites). A
	// body weighs its Content-Length, or MaxBodyBytes when it is gzip,
	// multipart or of unknown length (it may inflate up to that). Default
	// 2 × MaxBodyBytes.
	UploadBytes int64
	// MatchEdges bounds the candidate–structure pairs within reach of the
	// matches running at once, each estimated before it runs
	// (matching.EstimateEdges; a pair costs about 36 bytes at the peak).
	// Default 20,000,000.
	MatchEdges int64
	// SitingSites bounds recommendations, proposal evaluations and scenario
	// comparisons running at once: each weighs its candidate sites plus
	// the demand it builds (sitingNationalWeight for a national one,
	// sitingLocalWeight for a département or région). Default 80,000: two
	// national recommendations over the 35,000 communes, or four national
	// evaluations.
	SitingSites int64
	// LayerFeatures bounds the features of the large pages of
	// /v1/layers/{name} and OGC items being rendered and sent at once
	// (pages of up to layerLightFeatures features are not bounded). Default
	// 60,000: one page of every commune of France (55 MB of GeoJSON).
	LayerFeatures int64
	// QueueTimeout is how long a request waits for room before the 503.
	// Default 5 s.
	QueueTimeout time.Duration
}

// Defaults of WorkLimits.
const (
	defaultMatchEdges    = 20_000_000
	defaultSitingSites   = 80_000
	defaultLayerFeatures = 60_000
	defaultQueueTimeout  = 5 * time.Second
)

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

// withDefaults fills the zero fields of w; maxBody is Config.MaxBodyBytes.
func (w WorkLimits) withDefaults(maxBody int64) WorkLimits {
	if w.UploadBytes == 0 {
		w.UploadBytes = 2 * maxBody
	}
	if w.MatchEdges == 0 {
		w.MatchEdges = defaultMatchEdges
	}
	if w.SitingSites == 0 {
		w.SitingSites = defaultSitingSites
	}
	if w.LayerFeatures == 0 {
		w.LayerFeatures = defaultLayerFeatures
	}
	if w.QueueTimeout <= 0 {
		w.QueueTimeout = defaultQueueTimeout
	}
	return w
}

// workKind is a kind of expensive work with a bound of its own.
type workKind int

const (
	workUpload workKind = iota
	workMatch
	workSiting
	workLayer
	workKinds // number of kinds
)

// what names the kind in messages.
func (k workKind) what() string {
	switch k {
	case workUpload:
		return "uploads being parsed"
	case workMatch:
		return "matches"
	case workSiting:
		return "siting analyses"
	default:
		return "large layer pages"
	}
}

// workBounds holds the semaphore of each kind (nil: not bounded).
type workBounds struct {
	sem     [workKinds]*semaphore.Weighted
	size    [workKinds]int64
	timeout time.Duration
}

func newWorkBounds(w WorkLimits) *workBounds {
	b := &workBounds{timeout: w.QueueTimeout}
	for k, n := range [workKinds]int64{w.UploadBytes, w.MatchEdges, w.SitingSites, w.LayerFeatures} {
		if n > 0 {
			b.sem[k], b.size[k] = semaphore.NewWeighted(n), n
		}
	}
	return b
}

// acquire waits, at most the queue timeout and only while ctx lives, for
// weight units of kind. It returns the function giving them back (to call
// once), a 503 busy *Error when the queue timeout passed, or ctx's error
// when the client went away while waiting.
func (b *workBounds) acquire(ctx context.Context, kind workKind, weight int64) (func(), error) {
	sem := b.sem[kind]
	if sem == nil || weight <= 0 {
		return func() {}, nil
	}
	weight = min(weight, b.size[kind])
	wctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	if err := sem.Acquire(wctx, weight); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("waiting for room: %w", ctx.Err())
		}
		secs := max(1, int(math.Ceil(b.timeout.Seconds())))
		return nil, &Error{Status: http.StatusServiceUnavailable, Code: CodeBusy, RetryAfterS: secs,
			Message: fmt.Sprintf("too many %s at once: no room within %v, retry in %d s", kind.what(), b.timeout, secs)}
	}
	return func() { sem.Release(weight) }, nil
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
		release, err := s.work.acquire(c.Request.Context(), workUpload, weight)
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
// weight units of kind for the analysis (see workBounds.acquire). The
// caller defers the returned release.
func (s *Server) startWork(c *gin.Context, kind workKind, weight int64) (release func(), err error) {
	if v, ok := c.Get(uploadReleaseKey); ok {
		if done, ok := v.(func()); ok {
			done()
		}
	}
	return s.work.acquire(c.Request.Context(), kind, weight)
}

// boundLayerPage waits for room to render and send a layer page of n
// features when it is large (more than layerLightFeatures); small pages,
// what maps ask for, pass at once. The caller defers the release.
func (s *Server) boundLayerPage(c *gin.Context, n int) (release func(), err error) {
	if n <= layerLightFeatures {
		return func() {}, nil
	}
	return s.work.acquire(c.Request.Context(), workLayer, int64(n))
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
