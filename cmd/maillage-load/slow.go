package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// slowAnswer is one answer slower than -slow-ms: when it was sent (its
// scheduled time under -rate) and how long it took.
type slowAnswer struct {
	at time.Time
	d  time.Duration
}

// slowSecond is one second of the slow-answer timeline: the answers sent
// in that second (wall clock, UTC, so that the line sorts beside a server
// log's) that took longer than the threshold.
type slowSecond struct {
	Second time.Time `json:"second"`
	Count  int       `json:"count"`
	MaxMS  float64   `json:"max_ms"`
}

// slowTimeline groups slow answers by the second they were sent in,
// oldest first.
func slowTimeline(slow []slowAnswer) []slowSecond {
	var out []slowSecond
	byStart := slices.Clone(slow)
	slices.SortFunc(byStart, func(a, b slowAnswer) int { return a.at.Compare(b.at) })
	for _, s := range byStart {
		sec := s.at.UTC().Truncate(time.Second)
		ms := float64(s.d.Microseconds()) / 1000
		if n := len(out); n > 0 && out[n-1].Second.Equal(sec) {
			out[n-1].Count++
			out[n-1].MaxMS = max(out[n-1].MaxMS, ms)
			continue
		}
		out = append(out, slowSecond{Second: sec, Count: 1, MaxMS: ms})
	}
	return out
}

// printSlowTimeline writes the timeline a line a second, each starting
// with the RFC 3339 time (milliseconds, as slog writes it) so that `sort`
// merges it with a server log's time= lines.
func printSlowTimeline(w io.Writer, thresholdMS float64, tl []slowSecond) {
	fmt.Fprintf(w, "slow answers (> %g ms) by the second they were sent: %d seconds\n", thresholdMS, len(tl))
	for _, s := range tl {
		fmt.Fprintf(w, "%s slow: %d answers, max %.1f ms\n", s.Second.Format("2006-01-02T15:04:05.000Z07:00"), s.Count, s.MaxMS)
	}
}
