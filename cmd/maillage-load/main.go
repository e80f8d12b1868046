// Command maillage-load drives a running maillage server over loopback with
// a mixed read workload for a bounded time and reports throughput, latency
// percentiles, error counts and, given the server's pid, its memory.
//
//	maillage serve --addr 127.0.0.1:8080 &
//	go run ./cmd/maillage-load -addr http://127.0.0.1:8080 -duration 30s -concurrency 16 -pid $!
//
// The workload mixes point lookups (/v1/communes/at), nearest sites
// (/v1/sites/nearest), coverage by département
// (/v1/coverage/departements?departement=XX) and vector tiles
// (/tiles/communes/{z}/{x}/{y}.mvt, when the server has them), at points
// jittered around the real sites so that nearly all fall inside a commune.
// Given a token (-token-file), the kind "datasets" reads the uploaded
// datasets and match results through the store (/v1/datasets, pages of
// /v1/datasets/{id}, /v1/match/{id}). -addr may list several replicas
// (comma-separated): the workers are spread over them in turn. It only
// talks to loopback addresses.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "maillage-load:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	base        string
	tokenFile   string
	duration    time.Duration
	concurrency int
	rate        float64 // requests per second in all, 0: as fast as the connections go
	pid         int
	mix         string
	seed        int64
	jsonOut     bool
	maxErrors   int
	slowMS      float64 // answers slower than this are listed a second at a time (0: not)
}

func run(args []string, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("maillage-load", flag.ContinueOnError)
	fs.StringVar(&o.base, "addr", "http://127.0.0.1:8080", "server base URL, or several replicas' URLs comma-separated (loopback only)")
	fs.StringVar(&o.tokenFile, "token-file", "", "file holding a bearer token, for the datasets kind")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long to send requests")
	fs.IntVar(&o.concurrency, "concurrency", 16, "concurrent connections")
	fs.Float64Var(&o.rate, "rate", 0, "requests per second in all, spread over the connections and sent on schedule (latency counted from the scheduled time, so a stall is not hidden); 0 = each connection sends as fast as it is answered")
	fs.IntVar(&o.pid, "pid", 0, "server process id, to sample its resident memory from /proc")
	fs.StringVar(&o.mix, "mix", "communes=35,nearest=30,coverage=15,tiles=20", "workload weights by kind (communes, nearest, coverage, tiles, datasets)")
	fs.Int64Var(&o.seed, "seed", 1, "random seed of the workload")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	fs.IntVar(&o.maxErrors, "max-errors", 0, "exit 1 when more errors than this")
	fs.Float64Var(&o.slowMS, "slow-ms", 0, "print a timeline, a line per second, of the answers slower than this many ms (0: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.duration <= 0 || o.duration > 10*time.Minute || o.concurrency < 1 || o.concurrency > 1024 {
		return errors.New("want 0 < -duration ≤ 10m and 1 ≤ -concurrency ≤ 1024")
	}
	if o.slowMS < 0 {
		return errors.New("want -slow-ms ≥ 0")
	}
	if o.rate < 0 || o.rate > 1e6 {
		return errors.New("want 0 ≤ -rate ≤ 1000000 requests per second")
	}
	var bases []string
	for _, raw := range strings.Split(o.base, ",") {
		b, err := loopbackBase(strings.TrimSpace(raw))
		if err != nil {
			return err
		}
		bases = append(bases, b)
	}
	token, err := readToken(o.tokenFile)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: o.concurrency, MaxIdleConnsPerHost: o.concurrency, IdleConnTimeout: time.Minute,
		DisableCompression: true,
	}}
	weights, err := parseMix(o.mix)
	if err != nil {
		return err
	}
	w, err := buildWorkload(client, bases[0], token, weights, o.seed)
	if err != nil {
		return err
	}
	rep := drive(client, w, bases, o)
	rep.Replicas = len(bases)
	rep.Note = w.note
	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.print(stdout)
	}
	if rep.Errors > o.maxErrors {
		return fmt.Errorf("%d errors (allowed %d)", rep.Errors, o.maxErrors)
	}
	return nil
}

// loopbackBase checks that raw is an http URL on a loopback address.
func loopbackBase(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return "", fmt.Errorf("-addr %q: want http://127.0.0.1:PORT", raw)
	}
	host := u.Hostname()
	ips, err := net.LookupIP(host)
	if err != nil {
		return "", fmt.Errorf("-addr %q: %w", raw, err)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return "", fmt.Errorf("-addr %q: %s is not a loopback address: this tool only loads local servers", raw, ip)
		}
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// drive runs o.concurrency workers for o.duration and gathers their samples.
func drive(client *http.Client, w *workload, bases []string, o options) report {
	ctx, cancel := context.WithTimeout(context.Background(), o.duration)
	defer cancel()
	mem := startMemSampler(o.pid)
	results := make([]workerResult, o.concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = worker(ctx, client, w, bases[i%len(bases)], o.seed+int64(i)*7919, interval(o), slowThreshold(o))
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	rep := summarize(results, w.kinds, elapsed, o.concurrency, mem.stop())
	if o.slowMS > 0 {
		var slow []slowAnswer
		for _, r := range results {
			slow = append(slow, r.slow...)
		}
		rep.SlowMS = o.slowMS
		rep.Slow = slowTimeline(slow)
	}
	return rep
}

// slowThreshold is -slow-ms as a duration (0: slow answers not kept).
func slowThreshold(o options) time.Duration {
	return time.Duration(o.slowMS * float64(time.Millisecond))
}

// interval is the time between two requests of one connection at o.rate
// (0: none).
func interval(o options) time.Duration {
	if o.rate <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) * float64(o.concurrency) / o.rate)
}

// worker sends requests to base until ctx ends, recording each one's
// latency and outcome by kind. With every > 0 it sends one request every
// that long, and a request sent late (the previous one was slow) counts
// its latency from when it should have been sent: an open-loop load, where
// a server stall shows in the latencies instead of slowing the sender.
// Answers slower than slow (> 0) are kept with their sending time.
func worker(ctx context.Context, client *http.Client, w *workload, base string, seed int64, every, slow time.Duration) workerResult {
	r := newWorkerResult(len(w.kinds))
	pick := newPicker(seed)
	buf := make([]byte, 32<<10)
	next := time.Now()
	for ctx.Err() == nil {
		var scheduled time.Time // zero: counted from the send
		if every > 0 {
			if wait := time.Until(next); wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return r
				}
			}
			scheduled, next = next, next.Add(every)
		}
		k := w.pickKind(pick)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+w.urls[k][pick.intn(len(w.urls[k]))], nil)
		if err != nil {
			r.record(k, 0, nil, err)
			continue
		}
		if w.auth[k] {
			req.Header.Set("Authorization", "Bearer "+w.token)
		}
		t0 := scheduled
		if t0.IsZero() {
			t0 = time.Now()
		}
		resp, err := client.Do(req)
		if err == nil {
			for {
				if _, rerr := resp.Body.Read(buf); rerr != nil {
					if rerr != io.EOF {
						err = rerr
					}
					break
				}
			}
			resp.Body.Close()
		}
		d := time.Since(t0)
		if err != nil && ctx.Err() != nil {
			break // cut by the end of the run, not a failure
		}
		r.record(k, d, resp, err)
		if slow > 0 && d > slow && err == nil {
			r.slow = append(r.slow, slowAnswer{at: t0, d: d})
		}
	}
	return r
}
