//go:build unix

package territory_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
)

// batchBody is a CSV body of n points: France Services sites moved by up
// to ~5 km, so that nearly all fall in a commune, as addresses would.
func batchBody(s *api.Server, n int) string {
	r := rand.New(rand.NewPCG(100, 17))
	pts := samplePoints(s, 2000)
	var b strings.Builder
	for i := 0; i < n; i++ {
		p := pts[r.IntN(len(pts)/2)]
		fmt.Fprintf(&b, "%.6f,%.6f,c%d\n", p[0]+(r.Float64()-0.5)*0.1, p[1]+(r.Float64()-0.5)*0.07, i)
	}
	return b.String()
}

// discardWriter is a ResponseWriter dropping the body, so that the
// benchmark measures the server, not a growing buffer.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

func benchBatch(b *testing.B, url, accept string, n int) {
	s := apitest.Real(b)
	body := batchBody(s, n)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "text/csv")
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		w := &discardWriter{h: http.Header{}}
		s.Handler().ServeHTTP(w, req)
	}
	// CPU time of the process per request: on a shared machine the wall
	// time also holds the waits for a core.
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// processCPU returns the user and system CPU time of the process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBatchCommunesAt100k is POST /v1/communes/at with 100,000 CSV
// points (3.2 MB), through the whole router, answered as JSON.
func BenchmarkBatchCommunesAt100k(b *testing.B) { benchBatch(b, "/v1/communes/at", "", 100_000) }

// BenchmarkBatchCommunesAt100kCSV answers the same as CSV.
func BenchmarkBatchCommunesAt100kCSV(b *testing.B) {
	benchBatch(b, "/v1/communes/at", "text/csv", 100_000)
}

// BenchmarkBatchSitesNearest10k is POST /v1/sites/nearest (k=5) with
// 10,000 CSV points, answered as JSON.
func BenchmarkBatchSitesNearest10k(b *testing.B) { benchBatch(b, "/v1/sites/nearest", "", 10_000) }
