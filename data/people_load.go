package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
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
// of its content.
func DetectFormat(name string, head []byte) Format {
	name = strings.TrimSuffix(strings.ToLower(name), ".gz")
	switch filepath.Ext(name) {
	case ".csv", ".tsv", ".txt":
		return FormatCSV
	case ".geojson":
		return FormatGeoJSON
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

// LoadCandidates reads and validates a candidate file. name is used in
// errors (and to detect the format when format is FormatUnknown); t
// resolves commune codes and locates points. A file with any invalid record
// is rejected whole: the error is a *LoadErrors listing them.
//
// Columns (case-insensitive, French accents ignored): id; lon|lng|longitude
// and lat|latitude; commune|insee_com|code_commune; max_km (default 30, in
// (0, 500]); departement. Other columns go to Attrs. A record needs
// coordinates or a commune code (then it is placed at the commune's
// representative point, LocatedBy "commune"). Commune is the declared one
// when given, else the commune holding the point. Departement always comes
// from the location (see loadContext.settleDepartement): a declared commune
// or département in another département than the point's is an error; a
// point outside every commune (farther than SnapMaxM) is accepted with an
// empty Commune when a valid département is given.
func LoadCandidates(r io.Reader, name string, format Format, t *Territory) ([]Candidate, error) {
	var out []Candidate
	err := loadRecords(r, name, format, t, kindCandidate, func(lc *loadContext, rec *rawRecord) {
		if c, ok := lc.candidate(rec); ok && lc.nErrs == 0 {
			out = append(out, c)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LoadStructures reads and validates a host-structure file like
// LoadCandidates, with the columns name|nom|raison_sociale, type,
// posts|nb_cnfs (an integer ≥ 1, default 1), region, zrr, qpv and
// france_services (oui/non) besides the location columns. Region is taken
// from the commune, else from the département, when absent.
func LoadStructures(r io.Reader, name string, format Format, t *Territory) ([]Structure, error) {
	var out []Structure
	err := loadRecords(r, name, format, t, kindStructure, func(lc *loadContext, rec *rawRecord) {
		if s, ok := lc.structure(rec); ok && lc.nErrs == 0 {
			out = append(out, s)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// loadRecords reads r in its format and calls fn for each raw record.
func loadRecords(r io.Reader, name string, format Format, t *Territory, kind recordKind, fn func(*loadContext, *rawRecord)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defer zr.Close()
		src = bufio.NewReaderSize(zr, 64<<10)
	}
	if format == FormatUnknown {
		head, _ := src.(*bufio.Reader).Peek(4 << 10)
		format = DetectFormat(name, head)
	}
	lc := newLoadContext(name, "line", t)
	each := func(rec *rawRecord) { fn(lc, rec) }
	switch format {
	case FormatCSV:
		readCSV(src, lc, kind, each)
	case FormatJSON:
		lc.where = "element"
		readJSON(src, lc, kind, each)
	case FormatGeoJSON:
		lc.where = "feature"
		readGeoJSON(src, lc, kind, each)
	default:
		return fmt.Errorf("%s: %w", name, ErrUnknownFormat)
	}
	return lc.err()
}
