// Package matching owns maillage's analyses over the loaded territory:
// coverage and gap zones, candidate↔host-structure assignment, and siting of
// new structures. The Engine value ties the datasets of package data to the
// indexes of package geo and caches per-layer results.
package matching
