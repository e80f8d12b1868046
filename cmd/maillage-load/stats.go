package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// workerResult is what one worker measured, by kind index.
type workerResult struct {
	lat      [][]time.Duration // latencies of completed requests
	statuses []map[int]int     // HTTP status counts
	failures []int             // transport errors
	slow     []slowAnswer      // answers slower than -slow-ms
}

func newWorkerResult(kinds int) workerResult {
	r := workerResult{lat: make([][]time.Duration, kinds), statuses: make([]map[int]int, kinds), failures: make([]int, kinds)}
	for i := range r.lat {
		r.lat[i] = make([]time.Duration, 0, 1<<14)
		r.statuses[i] = map[int]int{}
	}
	return r
}

func (r *workerResult) record(k int, d time.Duration, resp *http.Response, err error) {
	if err != nil {
		r.failures[k]++
		return
	}
	r.lat[k] = append(r.lat[k], d)
	r.statuses[k][resp.StatusCode]++
}

// kindReport is the figures of one kind of request (or of all).
type kindReport struct {
	Kind     string         `json:"kind"`
	Requests int            `json:"requests"`
	PerSec   float64        `json:"req_per_s"`
	P50MS    float64        `json:"p50_ms"`
	P90MS    float64        `json:"p90_ms"`
	P99MS    float64        `json:"p99_ms"`
	MaxMS    float64        `json:"max_ms"`
	Statuses map[string]int `json:"statuses"`
	Errors   int            `json:"errors"` // transport errors and unexpected statuses
}

// report is the whole run.
type report struct {
	DurationS   float64      `json:"duration_s"`
	Concurrency int          `json:"concurrency"`
	Total       kindReport   `json:"total"`
	Kinds       []kindReport `json:"kinds"`
	Errors      int          `json:"errors"`
	Memory      *memReport   `json:"memory,omitempty"`
	Note        string       `json:"note,omitempty"`
	Replicas    int          `json:"replicas"` // servers the workers were spread over
	SlowMS      float64      `json:"slow_ms,omitempty"`
	Slow        []slowSecond `json:"slow_timeline,omitempty"` // with -slow-ms
}

// percentile returns the q-quantile (nearest rank) of sorted ds, in ms.
func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i].Microseconds()) / 1000
}

// kindFigures computes the figures of latencies ds (sorted in place).
func kindFigures(name string, ds []time.Duration, statuses map[int]int, failures int, elapsed time.Duration) kindReport {
	slices.Sort(ds)
	k := kindReport{Kind: name, Requests: len(ds) + failures, Statuses: map[string]int{}, Errors: failures}
	k.PerSec = float64(k.Requests) / elapsed.Seconds()
	k.P50MS, k.P90MS, k.P99MS = percentile(ds, 0.50), percentile(ds, 0.90), percentile(ds, 0.99)
	if len(ds) > 0 {
		k.MaxMS = float64(ds[len(ds)-1].Microseconds()) / 1000
	}
	for code, n := range statuses {
		k.Statuses[strconv.Itoa(code)] = n
		if !expectedStatus(name, code) {
			k.Errors += n
		}
	}
	return k
}

// expectedStatus reports whether a status is a correct answer of a kind:
// 200, 204 for an empty tile, and 404 for a point in no commune (at sea: the
// workload jitters points around the sites, some of them on the coast).
func expectedStatus(kind string, code int) bool {
	switch code {
	case http.StatusOK:
		return true
	case http.StatusNoContent:
		return kind == "tiles"
	case http.StatusNotFound:
		return kind == "communes"
	}
	return false
}

// summarize merges the workers' results.
func summarize(results []workerResult, kinds []string, elapsed time.Duration, concurrency int, mem *memReport) report {
	rep := report{DurationS: elapsed.Seconds(), Concurrency: concurrency, Memory: mem}
	nk := len(results[0].lat)
	var all []time.Duration
	allStatus := map[int]int{}
	allFail := 0
	for k := 0; k < nk; k++ {
		var ds []time.Duration
		st := map[int]int{}
		fail := 0
		for _, r := range results {
			ds = append(ds, r.lat[k]...)
			for c, n := range r.statuses[k] {
				st[c] += n
				allStatus[c] += n
			}
			fail += r.failures[k]
		}
		all = append(all, ds...)
		allFail += fail
		rep.Kinds = append(rep.Kinds, kindFigures(kinds[k], ds, st, fail, elapsed))
	}
	rep.Total = kindFigures("all", all, allStatus, allFail, elapsed)
	rep.Total.Errors = 0
	for _, k := range rep.Kinds {
		rep.Total.Errors += k.Errors
	}
	rep.Errors = rep.Total.Errors
	return rep
}

// print writes the report as a table.
func (r report) print(w io.Writer) {
	fmt.Fprintf(w, "%.1f s, %d connections, %d server(s)\n", r.DurationS, r.Concurrency, r.Replicas)
	fmt.Fprintf(w, "%-9s %9s %9s %8s %8s %8s %8s %7s  %s\n", "kind", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "statuses")
	for _, k := range append(r.Kinds, r.Total) {
		codes := make([]string, 0, len(k.Statuses))
		for c, n := range k.Statuses {
			codes = append(codes, fmt.Sprintf("%s:%d", c, n))
		}
		slices.Sort(codes)
		fmt.Fprintf(w, "%-9s %9d %9.0f %8.2f %8.2f %8.2f %8.1f %7d  %s\n", k.Kind, k.Requests, k.PerSec, k.P50MS, k.P90MS, k.P99MS, k.MaxMS, k.Errors, strings.Join(codes, " "))
	}
	if m := r.Memory; m != nil {
		fmt.Fprintf(w, "server RSS MB: start %.1f, min %.1f, max %.1f, end %.1f (%d samples)\n", m.StartMB, m.MinMB, m.MaxMB, m.EndMB, m.Samples)
	}
	if r.Note != "" {
		fmt.Fprintln(w, "note:", r.Note)
	}
	if r.SlowMS > 0 {
		printSlowTimeline(w, r.SlowMS, r.Slow)
	}
}

// memReport is the server's resident memory over the run.
type memReport struct {
	StartMB float64 `json:"start_mb"`
	MinMB   float64 `json:"min_mb"`
	MaxMB   float64 `json:"max_mb"`
	EndMB   float64 `json:"end_mb"`
	Samples int     `json:"samples"`
}

// memSampler reads VmRSS of a process every 500 ms.
type memSampler struct {
	pid  int
	done chan struct{}
	wg   sync.WaitGroup
	rep  memReport
}

func startMemSampler(pid int) *memSampler {
	m := &memSampler{pid: pid, done: make(chan struct{})}
	if pid <= 0 {
		return m
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-m.done:
				m.sample()
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *memSampler) sample() {
	mb, err := rssMB(m.pid)
	if err != nil {
		return
	}
	if m.rep.Samples == 0 {
		m.rep.StartMB, m.rep.MinMB = mb, mb
	}
	m.rep.Samples++
	m.rep.MinMB, m.rep.MaxMB, m.rep.EndMB = min(m.rep.MinMB, mb), max(m.rep.MaxMB, mb), mb
}

// stop ends the sampling and returns the figures (nil without a pid).
func (m *memSampler) stop() *memReport {
	if m.pid <= 0 {
		return nil
	}
	close(m.done)
	m.wg.Wait()
	return &m.rep
}

// rssMB reads VmRSS from /proc/<pid>/status, in MB.
func rssMB(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err != nil {
				return 0, err
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}
