// Package geo owns maillage's geometry and spatial indexes: great-circle
// distances, the commune index (R-tree over bounding boxes with exact
// point-in-polygon), the site index (k-nearest and radius search in
// great-circle metres) and the H3 grid carrying population per cell, with
// its adjacency, cell areas and outlines.
//
// It is the one package that calls H3 (uber/h3-go): the others name cells
// as Cell and reach them through Grid, Adjacency and the Cell functions.
// It depends on no other maillage package: everything here takes and
// returns orb geometries, plain slices and integer ids chosen by the caller.
package geo
