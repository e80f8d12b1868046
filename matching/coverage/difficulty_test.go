package coverage

import (
	"math"
	"testing"
)

func TestCalibrateDifficulty(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name       string
		pops       []int
		index      []float64
		target     float64
		wantFactor float64
		wantErr    bool
	}{
		// Σ pop × index / 10 = 100 × 0.5 + 200 × 0.25 = 100: a = target / 100.
		{"linear", []int{100, 200, 50}, []float64{5, 2.5, nan}, 60, 0.6, false},
		// a = 3 puts the first at min(1, 1.5) = 1: 100 + 200 × 0.75 = 250.
		{"clamped", []int{100, 200}, []float64{5, 2.5}, 250, 3, false},
		{"everyone", []int{100, 200}, []float64{5, 2.5}, 300, 4, false},
		{"beyond everyone", []int{100, 200}, []float64{5, 2.5}, 301, 0, true},
		{"no index", []int{100}, []float64{nan}, 10, 0, true},
		{"zero target", []int{100}, []float64{5}, 0, 0, false},
		{"negative target", []int{100}, []float64{5}, -1, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := calibrateDifficulty(tc.pops, tc.index, tc.target)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if math.Abs(c.Factor-tc.wantFactor) > 1e-9 || math.Abs(c.Total-tc.target) > 1e-6*max(1, tc.target) {
				t.Errorf("factor %v total %v, want %v and %v", c.Factor, c.Total, tc.wantFactor, tc.target)
			}
		})
	}
}

func TestDifficultyShare(t *testing.T) {
	for _, tc := range []struct{ a, x, want float64 }{
		{0.37, 5, 0.185}, {3, 5, 1}, {0.5, 0, 0},
	} {
		if got := difficultyShare(tc.a, tc.x); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("share(%v, %v) = %v, want %v", tc.a, tc.x, got, tc.want)
		}
	}
	if !math.IsNaN(difficultyShare(1, math.NaN())) {
		t.Error("unknown index: want NaN")
	}
}
