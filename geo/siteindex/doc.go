// Package siteindex finds the sites nearest to a point in great-circle
// metres: Index answers k-nearest (Nearest, Nearest1) and radius (Within)
// queries over a fixed set of lon/lat points. It ranks candidates by the
// chord between unit vectors (no trigonometry per comparison), prunes boxes
// with a lower bound of that chord, and starts each search from a coarse
// grid of seeds holding the nearest sites of its cells, so a query touches
// few boxes however sparse the sites are around it.
package siteindex
