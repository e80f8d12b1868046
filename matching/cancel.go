package matching

import (
	"context"

	"github.com/maillage/maillage/matching/internal/stop"
)

// Long analyses take a context.Context and stop when it is done, returning
// its error wrapped (test with errors.Is(err, context.Canceled) or
// context.DeadlineExceeded). Their loops look at the context every
// stop.Every iterations (see package stop for why that is cheap and soon
// enough).
//
// Shared caches an analysis builds on first use (nearest-site distances,
// the coverage index, priority flags) are finished even when the request
// that started them is cancelled: the next requests need them, and a
// half-built cache could not be kept.

// stopped returns the error of a done ctx, wrapped with what was stopped,
// on every stop.Every-th iteration i (and nil on the others).
func stopped(ctx context.Context, i int, what string) error { return stop.At(ctx, i, what) }

// ctxErr returns the error of a done ctx wrapped with what was stopped, or
// nil.
func ctxErr(ctx context.Context, what string) error { return stop.Err(ctx, what) }

// parallelChunksCtx is parallelChunks stopping early when ctx is done: a
// chunk not yet started is skipped. It returns ctxErr(ctx, what).
func parallelChunksCtx(ctx context.Context, what string, workers, n int, fn func(c int)) error {
	parallelChunks(workers, n, func(c int) {
		if ctx.Err() == nil {
			fn(c)
		}
	})
	return ctxErr(ctx, what)
}
