// Package param is the one table of the parameters the CLI and the HTTP
// API share: their names, ranges and error messages, so that a value the
// API refuses with a 400 is refused by the CLI (exit 2) with the same
// message. The API names a parameter in snake_case (max_minutes), the CLI
// flag is the same name with dashes (--max-minutes).
package param

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/maillage/maillage/data/values"
)

// Error is a refused parameter value.
type Error struct {
	Name   string // API name, e.g. max_minutes
	Reason string // what is wrong, e.g. `0 is out of range (0, 180]`
}

// Error is "name: reason", the message of the API's 400 answer.
func (e *Error) Error() string { return e.Name + ": " + e.Reason }

// Flag is the CLI flag of an API parameter name.
func Flag(name string) string { return strings.ReplaceAll(name, "_", "-") }

// Float is a decimal parameter within [Min, Max], or (Min, Max] when
// MinOpen is set.
type Float struct {
	Name     string
	Min, Max float64
	MinOpen  bool
}

// Parse reads s with values.ParseDecimal (no hex, Inf or NaN) and checks it.
func (p Float) Parse(s string) (float64, error) {
	v, err := values.ParseDecimal(s)
	if err != nil {
		return 0, &Error{p.Name, err.Error()}
	}
	return v, p.Check(v)
}

// Check refuses a value out of range.
func (p Float) Check(v float64) error {
	if v > p.Max || v < p.Min || (p.MinOpen && v == p.Min) || v != v {
		open := "["
		if p.MinOpen {
			open = "("
		}
		return &Error{p.Name, fmt.Sprintf("%v is out of range %s%v, %v]", v, open, p.Min, p.Max)}
	}
	return nil
}

// Int is an integer parameter within [Min, Max].
type Int struct {
	Name     string
	Min, Max int
}

// Parse reads a decimal integer and checks it.
func (p Int) Parse(s string) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, &Error{p.Name, fmt.Sprintf("%q is not an integer", s)}
	}
	return v, p.Check(v)
}

// Check refuses a value out of range.
func (p Int) Check(v int) error {
	if v < p.Min || v > p.Max {
		return &Error{p.Name, fmt.Sprintf("%d is out of range [%d, %d]", v, p.Min, p.Max)}
	}
	return nil
}

// Choice is a parameter taking one of a few words.
type Choice struct {
	Name    string
	Allowed []string
}

// Check refuses a word outside Allowed.
func (p Choice) Check(v string) error {
	for _, a := range p.Allowed {
		if v == a {
			return nil
		}
	}
	return &Error{p.Name, fmt.Sprintf("want one of %s, got %q", strings.Join(p.Allowed, ", "), v)}
}

// Format is the format= parameter (--format) among allowed.
func Format(allowed ...string) Choice { return Choice{"format", allowed} }

// The shared parameters. Each is a function so that the table holds no
// package-level mutable state.

// MaxMinutes is the reach in minutes of travel: up to 3 hours.
func MaxMinutes() Float { return Float{Name: "max_minutes", Min: 0, Max: 180, MinOpen: true} }

// MaxKm is the reach in straight-line kilometres.
func MaxKm() Float { return Float{Name: "max_km", Min: 0, Max: 500, MinOpen: true} }

// SpeedKmh is the travel speed converting minutes to distance.
func SpeedKmh() Float { return Float{Name: "speed_kmh", Min: 1, Max: 300} }

// Detour is the ratio of road to straight-line distance.
func Detour() Float { return Float{Name: "detour", Min: 1, Max: 5} }

// RedundancyKm is the distance under which a proposal duplicates an
// existing France Services (0: never).
func RedundancyKm() Float { return Float{Name: "redundancy_km", Min: 0, Max: 1000} }

// MaxRecommendK caps the sites one recommendation picks: each pick scans
// every candidate, so the cap bounds the work of one request.
const MaxRecommendK = 500

// K is the number of sites a recommendation picks.
func K() Int { return Int{Name: "k", Min: 1, Max: MaxRecommendK} }

// NearestK is k, the number of nearest sites of a point (GET and POST
// /v1/sites/nearest, maillage locate --nearest).
func NearestK() Int { return Int{Name: "k", Min: 1, Max: 100} }

// DefaultNearestK is the default of NearestK.
const DefaultNearestK = 5

// Limit is the page size of a list answer, up to max.
func Limit(max int) Int { return Int{Name: "limit", Min: 1, Max: max} }

// Offset is the start of a page.
func Offset() Int { return Int{Name: "offset", Min: 0, Max: 1 << 30} }

// Lon and Lat are WGS84 decimal degrees.
func Lon() Float { return Float{Name: "lon", Min: -180, Max: 180} }

// Lat is a WGS84 latitude in decimal degrees.
func Lat() Float { return Float{Name: "lat", Min: -90, Max: 90} }

// MaxAllocationPosts caps the posts one allocation places: each post is a
// step of the greedy, so the cap bounds the work of one request (the
// programme's target is 4,000 posts in all).
const MaxAllocationPosts = 20000

// Posts is the number of new posts an allocation places.
func Posts() Int { return Int{Name: "posts", Min: 1, Max: MaxAllocationPosts} }

// DepartementPosts is a floor or cap of posts for one département (name
// "floors" or "caps").
func DepartementPosts(name string) Int { return Int{Name: name, Min: 0, Max: MaxAllocationPosts} }

// Objective is what an allocation optimises: the people in difficulty
// served at the reference ratio (coverage) or the largest shortfall of a
// département (equity).
func Objective() Choice { return Choice{"objective", []string{"coverage", "equity"}} }

// Hosts are the kinds of candidate host points of an allocation.
func Hosts() Choice {
	return Choice{"hosts", []string{"structures", "france-services", "communes", "uploaded"}}
}

// MaxAllocationCandidates caps the candidate points given with an
// allocation (each lists the grid cells within its reach).
const MaxAllocationCandidates = 10000

// ParseDepartementPosts reads "code=n,code=n" (the CLI's --floors and
// --caps) with the bounds of DepartementPosts(name).
func ParseDepartementPosts(name, s string) (map[string]int, error) {
	out := map[string]int{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	p := DepartementPosts(name)
	for _, part := range strings.Split(s, ",") {
		code, n, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || code == "" {
			return nil, &Error{name, fmt.Sprintf("%q is not code=posts", part)}
		}
		v, err := p.Parse(n)
		if err != nil {
			return nil, &Error{name, code + ": " + strings.TrimPrefix(err.Error(), name+": ")}
		}
		if _, dup := out[code]; dup {
			return nil, &Error{name, fmt.Sprintf("département %s given twice", code)}
		}
		out[code] = v
	}
	return out, nil
}

// CheckAllocation checks the parameters of an allocation (POST
// /v1/allocations, maillage allocate): posts, objective ("" for the
// default), hosts, and the floors and caps by département code.
func CheckAllocation(posts int, objective string, hosts []string, floors, caps map[string]int) error {
	if err := Posts().Check(posts); err != nil {
		return err
	}
	if objective != "" {
		if err := Objective().Check(objective); err != nil {
			return err
		}
	}
	for _, h := range hosts {
		if err := Hosts().Check(h); err != nil {
			return err
		}
	}
	for _, b := range []struct {
		name string
		m    map[string]int
	}{{"floors", floors}, {"caps", caps}} {
		for _, code := range slices.Sorted(maps.Keys(b.m)) {
			if err := DepartementPosts(b.name).Check(b.m[code]); err != nil {
				return &Error{b.name, code + ": " + strings.TrimPrefix(err.Error(), b.name+": ")}
			}
		}
	}
	return nil
}
