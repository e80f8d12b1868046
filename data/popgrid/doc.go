// Package popgrid reads population grids, which spread a commune's
// inhabitants over the H3 cells where they live rather than over its
// surface: INSEE's données carroyées (200 m or 1 km squares in EPSG:3035,
// converted to WGS84) or weighted lon/lat points, as geo.PopulationPoint
// for geo.BuildGridWeighted. Every error names the file and line at fault.
package popgrid
