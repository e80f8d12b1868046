package layers

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPacer: a loop of 1 ms units paced at a duty d takes about 1/d of its
// work in wall time; no pace (or duty 1) adds nothing; an ended context
// stops the loop with its error, even in a pause.
func TestPacer(t *testing.T) {
	const units, unit = 40, time.Millisecond
	work := func(p *pacer) (time.Duration, error) {
		t0 := time.Now()
		for range units {
			if err := p.step(); err != nil {
				return time.Since(t0), err
			}
			for s := time.Now(); time.Since(s) < unit; { // busy, as the map work is
			}
		}
		return time.Since(t0), nil
	}
	for _, tc := range []struct {
		name     string
		pace     *Pace
		min, max float64 // wall time over work
	}{
		{"none", nil, 1, 1.5},
		{"duty 1", &Pace{Duty: 1}, 1, 1.5},
		{"duty 0.5", &Pace{Duty: 0.5, Slice: 4 * time.Millisecond}, 1.7, 3},
		{"duty 0.25", &Pace{Duty: 0.25, Slice: 4 * time.Millisecond}, 3.3, 6},
	} {
		d, err := work(newPacer(context.Background(), tc.pace))
		if err != nil {
			t.Fatal(err)
		}
		if r := float64(d) / float64(units*unit); r < tc.min || r > tc.max {
			t.Errorf("%s: wall %v for %v of work (×%.2f), want ×%.1f–%.1f", tc.name, d, units*unit, r, tc.min, tc.max)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	d, err := work(newPacer(ctx, &Pace{Duty: 0.01, Slice: time.Millisecond}))
	if !errors.Is(err, context.DeadlineExceeded) || d > time.Second {
		t.Errorf("ended context: %v after %v, want the deadline's error at once", err, d)
	}
}
