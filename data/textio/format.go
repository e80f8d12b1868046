package textio

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Format is the encoding of a candidate or structure file.
type Format int

// Supported formats.
const (
	FormatUnknown Format = iota
	FormatCSV            // header row, comma or semicolon separated
	FormatJSON           // array of objects
	FormatGeoJSON        // FeatureCollection of Point features
)

// String returns "csv", "json", "geojson" or "unknown".
func (f Format) String() string {
	switch f {
	case FormatCSV:
		return "csv"
	case FormatJSON:
		return "json"
	case FormatGeoJSON:
		return "geojson"
	}
	return "unknown"
}

// ParseFormat reads a format name as String writes it (case-insensitive).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "csv":
		return FormatCSV, nil
	case "json":
		return FormatJSON, nil
	case "geojson":
		return FormatGeoJSON, nil
	}
	return FormatUnknown, fmt.Errorf("unknown format %q (want csv, json or geojson)", s)
}

// ErrUnknownFormat is returned by the loaders for content that is neither
// CSV, JSON nor GeoJSON (an empty body, for instance).
var ErrUnknownFormat = errors.New("unknown format")

// DetectFormat guesses a file's format from its name (a trailing .gz is
// ignored) and, when the extension does not settle it, from the first bytes
// of its content (FormatUnknown for gzip bytes: the loaders detect the
// format again once they are inflated).
func DetectFormat(name string, head []byte) Format {
	name = strings.TrimSuffix(strings.ToLower(name), ".gz")
	switch filepath.Ext(name) {
	case ".csv", ".tsv", ".txt":
		return FormatCSV
	case ".geojson":
		return FormatGeoJSON
	}
	if IsGzip(head) {
		return FormatUnknown // the loaders sniff the content once inflated
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 {
		if filepath.Ext(name) == ".json" {
			return FormatJSON
		}
		return FormatUnknown
	}
	switch trimmed[0] {
	case '[':
		return FormatJSON
	case '{':
		if bytes.Contains(head, []byte(`"FeatureCollection"`)) || bytes.Contains(head, []byte(`"Feature"`)) {
			return FormatGeoJSON
		}
		return FormatJSON
	}
	return FormatCSV
}
