// Package indicators reads the per-commune indicators the analyses weigh
// communes by: the digital fragility index and the ZRR (rural
// revitalisation zone) classes. Rows keyed by former communes or
// arrondissements are joined to the current commune of a data.Territory
// through the COG (data.LoadCOGParts) and combined, weighted by area or
// population.
package indicators
