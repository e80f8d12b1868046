// Package par runs the element-wise parallel loops of matching and its
// solver packages.
package par

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/maillage/maillage/matching/internal/stop"
)

// Chunks calls fn(c) for every c in [0, n) on up to workers goroutines,
// handing chunks out through an atomic counter; with one worker (or none)
// it runs them in order on the calling goroutine.
func Chunks(workers, n int, fn func(c int)) {
	workers = min(workers, n)
	if workers <= 1 {
		for c := range n {
			fn(c)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1) - 1)
				if c >= n {
					return
				}
				fn(c)
			}
		}()
	}
	wg.Wait()
}

// ChunksCtx is Chunks stopping early when ctx is done: a chunk not yet
// started is skipped. It returns stop.Err(ctx, what).
func ChunksCtx(ctx context.Context, what string, workers, n int, fn func(c int)) error {
	Chunks(workers, n, func(c int) {
		if ctx.Err() == nil {
			fn(c)
		}
	})
	return stop.Err(ctx, what)
}
