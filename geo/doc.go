// Package geo owns maillage's geometry and spatial indexes: great-circle
// distances, the commune index (R-tree over bounding boxes with exact
// point-in-polygon), the site index (k-nearest and radius search in
// great-circle metres) and the H3 grid carrying population per cell.
//
// It depends on no other maillage package: everything here takes and returns
// orb geometries, plain slices and integer ids chosen by the caller.
package geo
