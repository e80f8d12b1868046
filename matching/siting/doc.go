// Package siting answers where new service points should go and what a
// change of the network does, over an engine's coverage: recommendations
// of k sites (lazy greedy on the maximal covering model of package
// matching/mclp), evaluation of proposed sites, scenarios of added sites,
// the comparison of two networks (CompareCoverage) and the articulation of
// another network with the France Services one (Articulate). Each reads
// the engine's caches and never changes them; the long ones take a
// context.Context and stop when it is done.
package siting
