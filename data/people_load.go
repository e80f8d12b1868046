package data

import (
	"bytes"
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
	if isGzip(head) {
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

// LoadCandidates reads and validates a candidate file. name is used in
// errors (and to detect the format when format is FormatUnknown); t
// resolves commune codes and locates points; lim bounds the reading (zero
// fields take their defaults). The file may be gzip, UTF-8 (with or
// without BOM) or Windows-1252 (converted, which info.Notes tells). A
// file with any invalid record is rejected whole: the error is a
// *LoadErrors listing them. A file that cannot be read to its end
// (truncated or corrupt, not text, over a bound of lim) is rejected with a
// *ReadError naming the line, as soon as it is met.
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
// empty Commune when a valid département is given. Values are checked by
// ParseLon, ParseLat, ParseMaxKm and CheckID.
func LoadCandidates(r io.Reader, name string, format Format, t *Territory, lim DecodeLimits) ([]Candidate, FileInfo, error) {
	var out []Candidate
	info, err := loadRecords(r, name, format, t, kindCandidate, lim, func(lc *loadContext, rec *rawRecord) {
		if c, ok := lc.candidate(rec); ok && lc.nErrs == 0 {
			out = append(out, c)
		}
	})
	if err != nil {
		return nil, info, err
	}
	return out, info, nil
}

// LoadStructures reads and validates a host-structure file like
// LoadCandidates, with the columns name|nom|raison_sociale (CheckName),
// type, posts|nb_cnfs (ParsePosts, default 1), region, zrr, qpv and
// france_services (oui/non) besides the location columns. Region is taken
// from the commune, else from the département, when absent.
func LoadStructures(r io.Reader, name string, format Format, t *Territory, lim DecodeLimits) ([]Structure, FileInfo, error) {
	var out []Structure
	info, err := loadRecords(r, name, format, t, kindStructure, lim, func(lc *loadContext, rec *rawRecord) {
		if s, ok := lc.structure(rec); ok && lc.nErrs == 0 {
			out = append(out, s)
		}
	})
	if err != nil {
		return nil, info, err
	}
	return out, info, nil
}

// loadRecords reads r in its format and calls fn for each raw record. A
// *ReadError ending the reading wins over the records' errors.
func loadRecords(r io.Reader, name string, format Format, t *Territory, kind recordKind, lim DecodeLimits, fn func(*loadContext, *rawRecord)) (FileInfo, error) {
	lc := newLoadContext(name, "line", t, lim)
	ts, err := openText(r, lc.lim)
	if err != nil {
		lc.halt(err)
		return FileInfo{Format: format}, lc.stop
	}
	defer ts.Close()
	if format == FormatUnknown {
		head, err := ts.Peek(4 << 10)
		if lc.halt(err) {
			return FileInfo{Format: format}, lc.stop // the start of the file is unreadable
		}
		format = DetectFormat(name, head)
	}
	each := func(rec *rawRecord) { fn(lc, rec) }
	switch format {
	case FormatCSV:
		readCSV(ts.Reader, lc, kind, each)
	case FormatJSON:
		lc.where = "element"
		readJSON(ts.Reader, lc, kind, each)
	case FormatGeoJSON:
		lc.where = "feature"
		readGeoJSON(ts.Reader, lc, kind, each)
	default:
		return FileInfo{Format: format}, fmt.Errorf("%s: %w", name, ErrUnknownFormat)
	}
	if lc.stop == nil {
		// Read what the parser left: a JSON file's end after its closing
		// bracket, where gzip checks the file's CRC, or the rest of a file
		// the parser stopped early on (a bad header, a quoting error), as
		// a damaged stream is the news then rather than the rows it
		// garbled. Bounded by lim.MaxBytes.
		if _, err := io.Copy(io.Discard, ts); err != nil {
			lc.halt(err)
		}
	}
	info := ts.info(format, lc.rows)
	if lc.stop != nil {
		return info, lc.stop
	}
	return info, lc.err()
}
