package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress draws a bar on stderr for work made of known steps, once the work
// has lasted more than a moment (so quick commands print nothing).
type progress struct {
	w       io.Writer
	steps   []string
	delay   time.Duration
	start   time.Time
	mu      sync.Mutex
	current int
	label   string
	frac    float64 // progress within the current step, 0–1
	drawn   bool
	done    chan struct{}
	stopped chan struct{}
}

// newProgress starts a progress bar over the named steps.
func newProgress(w io.Writer, steps ...string) *progress {
	p := &progress{w: w, steps: steps, delay: 300 * time.Millisecond, start: time.Now(),
		current: -1, done: make(chan struct{}), stopped: make(chan struct{})}
	if isTerminal(w) {
		go p.loop()
	} else {
		close(p.stopped) // no terminal: no bar, no carriage returns in logs
	}
	return p
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Step marks the beginning of the named step (unknown names are appended).
func (p *progress) Step(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := indexOf(p.steps, name)
	if i < 0 {
		p.steps = append(p.steps, name)
		i = len(p.steps) - 1
	}
	p.current, p.label, p.frac = i, name, 0
}

// Fraction sets the progress within the current step.
func (p *progress) Fraction(done, total int) {
	if total <= 0 {
		return
	}
	p.mu.Lock()
	p.frac = float64(done) / float64(total)
	p.mu.Unlock()
}

// Stop erases nothing: it completes the bar (when drawn) with the elapsed time.
func (p *progress) Stop() {
	close(p.done)
	<-p.stopped
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintf(p.w, "\r%s done in %.1fs\n", bar(1, 30), time.Since(p.start).Seconds())
	}
}

func (p *progress) loop() {
	defer close(p.stopped)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
			if time.Since(p.start) < p.delay {
				continue
			}
			p.mu.Lock()
			n := len(p.steps)
			f := 0.0
			if n > 0 && p.current >= 0 {
				f = (float64(p.current) + p.frac) / float64(n)
			}
			fmt.Fprintf(p.w, "\r%s %-24s %5.1fs", bar(f, 30), p.label, time.Since(p.start).Seconds())
			p.drawn = true
			p.mu.Unlock()
		}
	}
}

// bar renders a fraction 0–1 as a bar of the given width.
func bar(f float64, width int) string {
	f = min(max(f, 0), 1)
	full := int(f * float64(width))
	return "[" + strings.Repeat("=", full) + strings.Repeat(" ", width-full) + "]"
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
