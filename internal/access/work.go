package access

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	// x/sync/semaphore is the Go team's weighted semaphore: FIFO, with a
	// context to give up waiting, which is what a queue timeout needs.
	"golang.org/x/sync/semaphore"
)

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
	// (pairing.EstimateEdges; a pair costs about 36 bytes at the peak).
	// Default 20,000,000.
	MatchEdges int64
	// SitingSites bounds recommendations, proposal evaluations and scenario
	// comparisons running at once: each weighs its candidate sites plus
	// the demand it builds (the API weighs a national one more than a
	// département or région). Default 80,000: two
	// national recommendations over the 35,000 communes, or four national
	// evaluations.
	SitingSites int64
	// LayerFeatures bounds the features of the large pages of
	// /v1/layers/{name} and OGC items being rendered and sent at once
	// (the API does not bound its small pages). Default
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

// WithDefaults fills the zero fields of w; maxBody is the request body
// limit.
func (w WorkLimits) WithDefaults(maxBody int64) WorkLimits {
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

// WorkKind is a kind of expensive work with a bound of its own.
type WorkKind int

// Kinds of work.
const (
	WorkUpload WorkKind = iota // request bodies being read and parsed
	WorkMatch                  // matches
	WorkSiting                 // recommendations, evaluations, scenario comparisons
	WorkLayer                  // large layer pages
	workKinds                  // number of kinds
)

// what names the kind in messages.
func (k WorkKind) what() string {
	switch k {
	case WorkUpload:
		return "uploads being parsed"
	case WorkMatch:
		return "matches"
	case WorkSiting:
		return "siting analyses"
	default:
		return "large layer pages"
	}
}

// WorkBounds holds the semaphore of each kind (nil: not bounded).
type WorkBounds struct {
	sem     [workKinds]*semaphore.Weighted
	size    [workKinds]int64
	timeout time.Duration
}

// NewWorkBounds makes the semaphores of w (defaults already filled).
func NewWorkBounds(w WorkLimits) *WorkBounds {
	b := &WorkBounds{timeout: w.QueueTimeout}
	for k, n := range [workKinds]int64{w.UploadBytes, w.MatchEdges, w.SitingSites, w.LayerFeatures} {
		if n > 0 {
			b.sem[k], b.size[k] = semaphore.NewWeighted(n), n
		}
	}
	return b
}

// Acquire waits, at most the queue timeout and only while ctx lives, for
// weight units of kind. It returns the function giving them back (to call
// once), a *BusyError when the queue timeout passed, or ctx's error when
// the client went away while waiting.
func (b *WorkBounds) Acquire(ctx context.Context, kind WorkKind, weight int64) (func(), error) {
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
		return nil, &BusyError{RetryAfterS: secs,
			Message: fmt.Sprintf("too many %s at once: no room within %v, retry in %d s", kind.what(), b.timeout, secs)}
	}
	return func() { sem.Release(weight) }, nil
}

// ErrBusy is matched (errors.Is) by a *BusyError.
var ErrBusy = errors.New("no room for the work within the queue timeout")

// BusyError says that a kind of work had no room within the queue timeout
// and when to retry (a 503 with Retry-After in the API).
type BusyError struct {
	Message     string
	RetryAfterS int
}

func (e *BusyError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrBusy) hold.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }
