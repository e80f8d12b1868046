// Package geo owns maillage's geometry and the H3 grid: great-circle
// distances, the commune index (R-tree over bounding boxes with exact
// point-in-polygon), point-in-shape and area on the sphere, web-mercator
// tile projection, and the H3 grid carrying population per cell, with its
// adjacency, cell areas and outlines. Its sub-packages own one idea each:
// siteindex (k-nearest and radius search of sites), topo (simplification
// that keeps neighbours meeting) and valid (polygon validity and repair).
//
// It is the one package that calls H3 (uber/h3-go): the others name cells
// as Cell and reach them through Grid, Adjacency and the Cell functions.
// It depends on no other maillage package: everything here takes and
// returns orb geometries, plain slices and integer ids chosen by the caller.
package geo
