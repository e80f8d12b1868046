package coverage

import (
	"fmt"
	"math"
)

// TravelModel converts a travel time into the great-circle distance that
// stands for it. Road distance is taken as Detour × the straight-line
// distance, driven at SpeedKmh, so
//
//	straight-line metres = minutes / 60 × SpeedKmh × 1000 / Detour.
//
// With the defaults (60 km/h, detour 1.3) 30 minutes are 23,077 m as the crow
// flies. The model ignores the road network: it is the usual first-order
// stand-in for travel times and understates remoteness in mountains and on
// islands.
type TravelModel struct {
	SpeedKmh float64 `json:"speed_kmh"` // average door-to-door speed, default 60
	Detour   float64 `json:"detour"`    // road distance / straight-line distance, default 1.3
}

// Default travel model and reach.
const (
	DefaultSpeedKmh   = 60.0
	DefaultDetour     = 1.3
	DefaultMaxMinutes = 30.0 // the France Services promise: a site within 30 minutes
)

// DefaultTravelModel returns the documented defaults: 60 km/h, detour 1.3.
func DefaultTravelModel() TravelModel {
	return TravelModel{SpeedKmh: DefaultSpeedKmh, Detour: DefaultDetour}
}

// withDefaults fills the zero fields of m.
func (m TravelModel) withDefaults() TravelModel {
	if m.SpeedKmh == 0 {
		m.SpeedKmh = DefaultSpeedKmh
	}
	if m.Detour == 0 {
		m.Detour = DefaultDetour
	}
	return m
}

// MetresFor returns the straight-line metres reachable in minutes.
func (m TravelModel) MetresFor(minutes float64) float64 {
	m = m.withDefaults()
	return minutes / 60 * m.SpeedKmh * 1000 / m.Detour
}

// Reach is a coverage threshold: a cell is covered when its centre is at most
// MaxM great-circle metres from a service point. MaxMinutes (and Model) record
// the travel time it was derived from; both are zero when the threshold was
// given as a distance.
type Reach struct {
	MaxM       float64      `json:"max_m"`
	MaxMinutes float64      `json:"max_minutes,omitempty"`
	Model      *TravelModel `json:"travel_model,omitempty"`
}

// ReachKm is a threshold of km great-circle kilometres.
func ReachKm(km float64) Reach { return Reach{MaxM: km * 1000} }

// ReachMinutes is a threshold of min minutes of travel under model (zero
// fields of model take the defaults).
func ReachMinutes(min float64, model TravelModel) Reach {
	m := model.withDefaults()
	return Reach{MaxM: m.MetresFor(min), MaxMinutes: min, Model: &m}
}

// DefaultReach is 30 minutes under the default travel model (23,077 m).
func DefaultReach() Reach { return ReachMinutes(DefaultMaxMinutes, TravelModel{}) }

// Validate reports a threshold that is negative, not finite, or derived from
// an unusable travel model.
func (r Reach) Validate() error {
	if math.IsNaN(r.MaxM) || math.IsInf(r.MaxM, 0) || r.MaxM < 0 {
		return fmt.Errorf("%w: max distance %v m", ErrBadReach, r.MaxM)
	}
	if m := r.Model; m != nil && (!(m.SpeedKmh > 0) || !(m.Detour >= 1) || math.IsInf(m.SpeedKmh, 0) || math.IsInf(m.Detour, 0)) {
		return fmt.Errorf("%w: travel model speed %v km/h, detour %v (want speed > 0, detour >= 1)", ErrBadReach, m.SpeedKmh, m.Detour)
	}
	return nil
}

// String describes the threshold, e.g. "30 min (23.1 km)" or "10 km".
func (r Reach) String() string {
	if r.MaxMinutes > 0 {
		return fmt.Sprintf("%g min (%.1f km)", r.MaxMinutes, r.MaxM/1000)
	}
	return fmt.Sprintf("%g km", r.MaxM/1000)
}
