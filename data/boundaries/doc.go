// Package boundaries reads the communes GeoJSON (the 2018 INSEE boundaries,
// 35,357 features in the real file) into one Boundary per feature. A
// hand-written scanner splits the features while the file inflates and
// parses them in parallel batches, which encoding/json cannot do; data's
// Territory joins the boundaries to the COG communes.
package boundaries
