package layers

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPacer: a loop of 1 ms units paced at a duty d pauses after each
// slice for (1-d)/d of the slice's time (counted as asked, so that a busy
// machine does not make the test flaky), and no pace or a duty of 1 never
// pauses; an ended context stops the loop with its error, even in a pause.
func TestPacer(t *testing.T) {
	const units, unit = 30, time.Millisecond
	work := func(p *pacer) error {
		for range units {
			if err := p.step(); err != nil {
				return err
			}
			for s := time.Now(); time.Since(s) < unit; { // busy, as the map work is
			}
		}
		return nil
	}
	for _, tc := range []struct {
		name  string
		pace  *Pace
		ratio float64 // paused / worked; 0: no pause
	}{
		{"none", nil, 0},
		{"duty 1", &Pace{Duty: 1}, 0},
		{"duty 0.5", &Pace{Duty: 0.5, Slice: 4 * time.Millisecond}, 1},
		{"duty 0.25", &Pace{Duty: 0.25, Slice: 4 * time.Millisecond}, 3},
	} {
		p := newPacer(context.Background(), tc.pace)
		if err := work(p); err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.ratio == 0 && p.paused != 0:
			t.Errorf("%s: paused %v", tc.name, p.paused)
		case tc.ratio > 0 && p.worked < 4*time.Millisecond:
			t.Errorf("%s: no pause after %v of work", tc.name, units*unit)
		case tc.ratio > 0:
			if r := float64(p.paused) / float64(p.worked); r < tc.ratio*0.99 || r > tc.ratio*1.01 {
				t.Errorf("%s: paused %v for %v worked (×%.2f), want ×%g", tc.name, p.paused, p.worked, r, tc.ratio)
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	err := work(newPacer(ctx, &Pace{Duty: 0.01, Slice: time.Millisecond}))
	if d := time.Since(t0); !errors.Is(err, context.DeadlineExceeded) || d > time.Second {
		t.Errorf("ended context: %v after %v, want the deadline's error at once", err, d)
	}
}
