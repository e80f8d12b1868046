package process_test

import (
	"bytes"
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/process"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/synth"
	"github.com/maillage/maillage/matching"
)

// BenchmarkMatchEndpoint posts a 50,000 synthetic candidates × 5,000
// synthetic structures (≈10,000 posts) match through the HTTP handler, by
// dataset ids and as a multipart CSV upload; 10,000 of the candidates ×
// the same structures (posts ≈ candidates); and 50,000 candidates × the
// built-in structures.
func BenchmarkMatchEndpoint(b *testing.B) {
	s := apitest.NewMatchServers(b).Open
	e := s.Registry().Engine()
	cands, structs := synth.Synthesize(e.Territory(), 50000, 5000, 1)
	var cb, sb bytes.Buffer
	if err := people.WriteCandidatesCSV(&cb, cands); err != nil {
		b.Fatal(err)
	}
	if err := people.WriteStructuresCSV(&sb, structs); err != nil {
		b.Fatal(err)
	}
	ci := apitest.Upload(b, s, "candidates", "text/csv", cb.String())
	si := apitest.Upload(b, s, "structures", "text/csv", sb.String())
	defer apitest.Send(b, s, "DELETE", "/v1/datasets/"+ci.ID, "", "", nil)
	defer apitest.Send(b, s, "DELETE", "/v1/datasets/"+si.ID, "", "", nil)

	run := func(b *testing.B, ct string, body func() *bytes.Buffer) {
		b.ReportAllocs()
		var v process.MatchView
		var cpu time.Duration
		for b.Loop() {
			c0 := processCPU(b)
			rec := apitest.Send(b, s, "POST", "/v1/match", ct, "", body())
			cpu += processCPU(b) - c0
			b.StopTimer()
			apitest.Decode(b, rec, http.StatusCreated, &v)
			apitest.Send(b, s, "DELETE", "/v1/datasets/"+v.ID, "", "", nil)
			b.StartTimer()
		}
		// CPU time of the process (all goroutines) per request, which a
		// machine shared with other work inflates less than wall time.
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		b.ReportMetric(float64(v.Summary.PostsFilled), "posts")
		b.ReportMetric(v.Summary.TotalDistanceM/1000, "total-km")
		if v.Comparison != nil {
			b.ReportMetric(float64(v.Comparison.ExtraPostsFilled), "extra-posts")
			b.ReportMetric(v.Comparison.DistanceSavedM/1000, "saved-km")
			b.ReportMetric(v.Comparison.MeanDistanceSavedM, "mean-saved-m")
		}
	}
	jsonBody := func(c, st, alg string) func() *bytes.Buffer {
		return func() *bytes.Buffer {
			return bytes.NewBufferString(fmt.Sprintf(`{"candidates":%q,"structures":%q,"algorithm":%q}`, c, st, alg))
		}
	}
	for _, alg := range []string{"optimal", "greedy", "both"} {
		b.Run("datasets/"+alg, func(b *testing.B) { run(b, "application/json", jsonBody(ci.ID, si.ID, alg)) })
	}
	ct, mp := apitest.MultipartBody(b, map[string][2]string{"candidates": {"c.csv", cb.String()}, "structures": {"s.csv", sb.String()}},
		map[string]string{"algorithm": "optimal"})
	b.Run("multipart-csv/optimal", func(b *testing.B) {
		run(b, ct, func() *bytes.Buffer { return bytes.NewBuffer(mp.Bytes()) })
	})
	// Posts ≈ candidates: where optimal and greedy differ.
	var tb bytes.Buffer
	if err := people.WriteCandidatesCSV(&tb, cands[:10000]); err != nil {
		b.Fatal(err)
	}
	ti := apitest.Upload(b, s, "candidates", "text/csv", tb.String())
	defer apitest.Send(b, s, "DELETE", "/v1/datasets/"+ti.ID, "", "", nil)
	b.Run("tight-10k/both", func(b *testing.B) { run(b, "application/json", jsonBody(ti.ID, si.ID, "both")) })
	b.Run("builtin/both", func(b *testing.B) {
		run(b, "application/json", jsonBody(ci.ID, matching.BuiltinStructuresDataset, "both"))
	})
}

// processCPU is the user and system CPU time of the process so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
