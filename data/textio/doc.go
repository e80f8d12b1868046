// Package textio opens the files maillage reads — candidates, structures,
// sites, layers, the territory's GeoJSON and COG files — as bounded UTF-8
// text: gzip content is inflated whatever the extension (Open, OpenFile,
// ReadFile, Inflate), Windows-1252 spreadsheet exports are converted, and
// every DecodeLimits bound (decompressed bytes, rows, columns, field bytes,
// JSON nesting) is checked while reading, before the bytes beyond it are
// held. Its errors name the file and line (ReadError, RowError); the
// loaders in package data and its sub-packages parse the text it returns.
package textio
