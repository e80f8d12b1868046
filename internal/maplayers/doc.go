// Package maplayers holds the map layers the service publishes as GeoJSON,
// OGC API Features and vector tiles: a layer's description and properties
// (Layer, PropSpec), its features behind the Source interface (an
// in-memory FeatureTable with an R-tree, or a source of the API's own),
// the Registry of layers by name, the selection and paging of features
// (Select, Page), and the simplified geometries per zoom (ZoomCache).
package maplayers
