package coverage

import (
	"errors"
	"math"
	"testing"
)

func TestReach(t *testing.T) {
	tests := []struct {
		name    string
		r       Reach
		wantM   float64
		wantMin float64
		wantErr error
	}{
		{"default is 30 minutes at 60 km/h, detour 1.3", DefaultReach(), 30.0 / 60 * 60 * 1000 / 1.3, 30, nil},
		{"km", ReachKm(12.5), 12500, 0, nil},
		{"zero km", ReachKm(0), 0, 0, nil},
		{"minutes with a model", ReachMinutes(20, TravelModel{SpeedKmh: 45, Detour: 1.5}), 20.0 / 60 * 45 * 1000 / 1.5, 20, nil},
		{"zero model fields take defaults", ReachMinutes(60, TravelModel{SpeedKmh: 80}), 80000 / 1.3, 60, nil},
		{"negative km", ReachKm(-1), -1000, 0, ErrBadReach},
		{"infinite km", ReachKm(math.Inf(1)), math.Inf(1), 0, ErrBadReach},
		{"detour below 1", ReachMinutes(30, TravelModel{Detour: 0.5}), 60000, 30, ErrBadReach},
		{"negative speed", ReachMinutes(30, TravelModel{SpeedKmh: -5}), -5000 / 1.3 / 2, 30, ErrBadReach},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if math.Abs(tc.r.MaxM-tc.wantM) > 1e-6 && !(math.IsInf(tc.wantM, 1) && math.IsInf(tc.r.MaxM, 1)) {
				t.Errorf("MaxM %v, want %v", tc.r.MaxM, tc.wantM)
			}
			if tc.r.MaxMinutes != tc.wantMin {
				t.Errorf("MaxMinutes %v, want %v", tc.r.MaxMinutes, tc.wantMin)
			}
			if err := tc.r.Validate(); !errors.Is(err, tc.wantErr) {
				t.Errorf("Validate() = %v, want %v", err, tc.wantErr)
			}
		})
	}
	if got := DefaultReach().MaxM; math.Abs(got-23076.923) > 0.001 {
		t.Errorf("30 minutes = %.3f m, want 23,076.923 m", got)
	}
	if s := DefaultReach().String(); s != "30 min (23.1 km)" {
		t.Errorf("String() = %q", s)
	}
}
