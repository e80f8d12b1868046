// Package synth generates labelled synthetic candidates and host structures
// over a real territory (drawn by population inside commune shapes), for
// demos, load tests and benchmarks: deterministic for a seed, so a figure
// measured on them can be reproduced.
package synth
