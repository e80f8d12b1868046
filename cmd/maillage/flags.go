package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"strconv"

	"github.com/maillage/maillage/internal/param"
	"github.com/maillage/maillage/matching/coverage"
)

// floatParam is a decimal flag read and checked by its entry of the shared
// parameter table (internal/param), as the API reads the same parameter:
// flag.Float64Var would take 0x1p4, Inf and NaN, and any range.
type floatParam struct {
	p    *float64
	spec param.Float
}

func (d floatParam) String() string {
	if d.p == nil {
		return "0"
	}
	return strconv.FormatFloat(*d.p, 'g', -1, 64)
}

func (d floatParam) Set(s string) error {
	v, err := d.spec.Parse(s)
	if err != nil {
		return err
	}
	*d.p = v
	return nil
}

// floatVar defines the flag of a shared decimal parameter (its API name
// with dashes) with a default value; value 0 with a range excluding 0
// means "not given".
func floatVar(fs *flag.FlagSet, p *float64, spec param.Float, value float64, usage string) {
	*p = value
	fs.Var(floatParam{p, spec}, param.Flag(spec.Name), usage)
}

// intParam is an integer flag checked by its entry of the shared table.
type intParam struct {
	p    *int
	spec param.Int
}

func (d intParam) String() string {
	if d.p == nil {
		return "0"
	}
	return strconv.Itoa(*d.p)
}

func (d intParam) Set(s string) error {
	v, err := d.spec.Parse(s)
	if err != nil {
		return err
	}
	*d.p = v
	return nil
}

// intVar defines the flag of a shared integer parameter with a default.
func intVar(fs *flag.FlagSet, p *int, spec param.Int, value int, usage string) {
	*p = value
	fs.Var(intParam{p, spec}, param.Flag(spec.Name), usage)
}

// usageError is a refused command line: the process exits 2, as the flag
// package's own errors do, rather than 1 (a failure while running).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef makes a usageError.
func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// asUsage marks err as a command-line error; -h (flag.ErrHelp) stays as is.
func asUsage(err error) error {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{err}
}

// parseFlags parses args, marking a refused flag as a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error { return asUsage(fs.Parse(args)) }

// checkAddr refuses a listen address that net.Listen would refuse for its
// form (host:port, port 0–65535 or a service name), so that serve fails
// before loading the data.
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--addr %q: want host:port or :port (%v)", addr, err)
	}
	if n, err := strconv.Atoi(port); err == nil {
		if n < 0 || n > 65535 {
			return usagef("--addr %q: port %d is out of range [0, 65535]", addr, n)
		}
		return nil
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return usagef("--addr %q: unknown port %q", addr, port)
	}
	return nil
}

// decimalVar defines a decimal flag with no range of its own (the
// subcommand checks it), read as the API reads numbers.
func decimalVar(fs *flag.FlagSet, p *float64, name string, value float64, usage string) {
	*p = value
	fs.Var(floatParam{p, param.Float{Name: name, Min: -math.MaxFloat64, Max: math.MaxFloat64}}, name, usage)
}

// reachFlags are --max-minutes and --max-km, checked by the shared table.
type reachFlags struct {
	maxMinutes, maxKm float64
}

// register adds the reach flags to fs.
func (f *reachFlags) register(fs *flag.FlagSet) {
	floatVar(fs, &f.maxMinutes, param.MaxMinutes(), 0, "reach in minutes, (0, 180] (default 30; converted at 60 km/h with a 1.3 detour factor)")
	floatVar(fs, &f.maxKm, param.MaxKm(), 0, "reach in straight-line km, (0, 500] (instead of --max-minutes)")
}

// reach returns the threshold the flags give (the default when neither is).
func (f *reachFlags) reach() (coverage.Reach, error) {
	if f.maxKm > 0 && f.maxMinutes > 0 {
		return coverage.Reach{}, usagef("give --max-minutes or --max-km, not both")
	}
	r := coverage.DefaultReach()
	switch {
	case f.maxKm > 0:
		r = coverage.ReachKm(f.maxKm)
	case f.maxMinutes > 0:
		r = coverage.ReachMinutes(f.maxMinutes, coverage.DefaultTravelModel())
	}
	return r, r.Validate()
}
