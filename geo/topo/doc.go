// Package topo simplifies polygonal shapes for drawing at a zoom level while
// keeping them valid: Simplifier thins one shape at a time, Topology cuts a
// set of neighbouring shapes (the communes) into shared arcs so both sides of
// a border are simplified alike and neighbours still meet exactly, and
// TopoLevel.Coalesce merges shapes too small to see into their neighbours.
// Simplified shapes can be kept compact as PackedMultiPolygon. Validity
// checks come from geo/valid; everything takes and returns orb geometries.
package topo
