package layers

import (
	"context"
	"time"
)

// Pace is how fast background map work (PrepareMapsPaced, WarmMapPaced)
// may go: it works in slices of Slice and, after each, pauses so that it
// takes about Duty of one core, one goroutine at a time. On two cores the
// light routes then keep a core and a half while the map of a new engine
// is prepared; what is not prepared yet is built on demand by the first
// request that needs it, so nothing is lost but that request's time.
type Pace struct {
	Duty  float64       // share of one core, in (0, 1]; 1 or more: no pause
	Slice time.Duration // work between two pauses (default 5 ms)
}

// ReloadPace is the pace of the map work after a reload: half of one core
// in slices of 5 ms, a pause of 5 ms after each (a light route waits for
// at most one slice for its core).
var ReloadPace = Pace{Duty: 0.5, Slice: 5 * time.Millisecond}

// pacer applies a Pace to a loop of small units of work: call step after
// each unit.
type pacer struct {
	ctx   context.Context
	pace  Pace
	start time.Time // of the slice running
	// worked and paused sum the slices and the pauses asked for (tests).
	worked, paused time.Duration
}

// newPacer returns a pacer of p (nil p: full speed, only ctx checked).
func newPacer(ctx context.Context, p *Pace) *pacer {
	pc := &pacer{ctx: ctx, start: time.Now()}
	if p != nil {
		pc.pace = *p
	}
	if pc.pace.Slice <= 0 {
		pc.pace.Slice = 5 * time.Millisecond
	}
	return pc
}

// step pauses when the slice is worked through, for the time that keeps
// the work at its duty, and returns ctx's error once it has ended. The
// pause counts wall time: on a busy machine the work took longer than its
// CPU, so it pauses longer, which is what a busy machine needs.
func (p *pacer) step() error {
	if err := p.ctx.Err(); err != nil {
		return err
	}
	if p.pace.Duty <= 0 || p.pace.Duty >= 1 {
		return nil
	}
	worked := time.Since(p.start)
	if worked < p.pace.Slice {
		return nil
	}
	rest := time.Duration(float64(worked) * (1 - p.pace.Duty) / p.pace.Duty)
	p.worked += worked
	p.paused += rest
	t := time.NewTimer(rest)
	defer t.Stop()
	select {
	case <-t.C:
	case <-p.ctx.Done():
		return p.ctx.Err()
	}
	p.start = time.Now()
	return nil
}
