// Package mvt encodes Mapbox Vector Tiles (specification 2.1) straight to
// protobuf, one layer per tile, from geometries already projected to tile
// coordinates and property values without boxing (Value).
package mvt
