// Package stop holds the cancellation checks of the long analyses of
// matching and its solver packages.
//
// Their loops look at the context every Every iterations: ctx.Err() is an
// atomic load, so the cost is a counter test per iteration, and at the few
// microseconds an iteration of the slowest loops takes (a gain evaluation,
// a shortest-path search) a cancelled analysis stops within a few
// milliseconds. The error of a done context is returned wrapped with what
// was stopped; test it with errors.Is(err, context.Canceled) or
// context.DeadlineExceeded.
package stop

import (
	"context"
	"fmt"
)

// Every is the number of iterations between two looks at the context; a
// power of two, so that the test is a mask.
const Every = 1024

// At returns the error of a done ctx, wrapped with what was stopped, on
// every Every-th iteration i (and nil on the others).
func At(ctx context.Context, i int, what string) error {
	if i&(Every-1) != 0 {
		return nil
	}
	return Err(ctx, what)
}

// Err returns the error of a done ctx wrapped with what was stopped, or
// nil.
func Err(ctx context.Context, what string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s stopped: %w", what, err)
	}
	return nil
}
