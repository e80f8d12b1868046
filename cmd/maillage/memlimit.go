package main

import (
	"flag"
	"os"
	"runtime/debug"
)

// memoryLimitUsage documents serve's --memory-limit.
const memoryLimitUsage = "soft memory limit in MiB for the Go runtime (default: 1000 at --res 8 and below, 3000 at --res 9, none above): about 2.3 times the live heap with every cache warm, so the heap does not double between collections and a reload, which holds two engines while it builds the new one, does not make the collector run back to back (0 = none; GOMEMLIMIT wins when set)"

// defaultMemoryLimitMiB is the soft memory limit serve sets when
// --memory-limit is not given: the grid, the coverage caches and their
// copies during a reload grow with the number of cells, about seven times
// per H3 resolution step. A res-8 limit under a res-9 engine (live heap
// ≈ 1.2 GB) would keep the collector running without pause; above res 9 the
// machine's memory, not a guess, is the bound.
func defaultMemoryLimitMiB(res int) int64 {
	switch {
	case res <= 8:
		return 1000
	case res == 9:
		return 3000
	default:
		return 0
	}
}

// memoryLimitMiB is the limit serve applies: the flag when it was given,
// else the default for the grid's resolution.
func memoryLimitMiB(fs *flag.FlagSet, flagMiB int64, res int) int64 {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "memory-limit" })
	if given {
		return flagMiB
	}
	return defaultMemoryLimitMiB(res)
}

// gcPercentUsage documents serve's --gc-percent.
const gcPercentUsage = "the collector's target heap growth in percent of the live heap (GOGC); 80 by default: the engine snapshot keeps the territory and grid outside the heap (live heap ~230 MB at res 8), and 80 keeps the resident set under 600 MB for ~1.3 times the collections of Go's 100; unlike a lower --memory-limit it follows the live heap, so a reload holding two engines does not make the collector run back to back (GOGC wins when set)"

// defaultGCPercent is serve's --gc-percent (BENCHMARKS.md, "Memory: the
// collector's target").
const defaultGCPercent = 80

// applyGCPercent sets the collector's target growth unless GOGC is set
// (the runtime read it at start) or percent is not positive (Go's default
// kept).
func applyGCPercent(percent int) {
	if percent <= 0 || os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(percent)
}
