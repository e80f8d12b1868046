// Package lookup answers point queries on an engine: the commune holding
// each point and the sites of chosen layers nearest to a point, one point
// or a batch at a time (in parallel, in input order).
package lookup
