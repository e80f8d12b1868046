package par

import (
	"sync/atomic"
	"testing"
)

func TestChunks(t *testing.T) {
	for _, tc := range []struct{ workers, n int }{{0, 0}, {0, 5}, {1, 7}, {2, 0}, {3, 100}, {8, 3}} {
		counts := make([]atomic.Int32, tc.n)
		Chunks(tc.workers, tc.n, func(c int) { counts[c].Add(1) })
		for c := range counts {
			if got := counts[c].Load(); got != 1 {
				t.Fatalf("workers %d n %d: chunk %d called %d times", tc.workers, tc.n, c, got)
			}
		}
	}
}
