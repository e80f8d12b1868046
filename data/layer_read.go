package data

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/paulmach/orb"
)

// Formats of a sites file given as a layer (ReadLayer). The France
// Services and CNFS formats are those of the shipped files; the generic
// ones are the columns of an uploaded structures file (LoadStructures: id,
// name, lon/lat or an INSEE commune code).
const (
	LayerFormatFranceServices2024 = "france-services-2024" // CSV with the columns of FranceServices2024File
	LayerFormatFranceServices2020 = "france-services-2020" // GeoJSON of FranceServices2020File
	LayerFormatCNFSPermanences    = "cnfs-permanences"     // JSON array of CNFSPermanencesFile
	LayerFormatCSV                = "csv"                  // generic CSV
	LayerFormatGeoJSON            = "geojson"              // generic GeoJSON points
	LayerFormatJSON               = "json"                 // generic JSON array
)

// ErrBadLayerFile is wrapped by the errors of a sites file that ReadLayer
// cannot read at all (not the declared format, a column missing): the
// file is at fault, not the server.
var ErrBadLayerFile = errors.New("unreadable sites file")

// layerFileError is an error of a shipped loader reading an uploaded
// file, its message naming the file instead of the temporary path.
type layerFileError struct {
	msg string
	err error
}

func (e *layerFileError) Error() string   { return e.msg }
func (e *layerFileError) Unwrap() []error { return []error{e.err, ErrBadLayerFile} }

// LayerFormats are the formats ReadLayer reads, for messages.
var LayerFormats = []string{LayerFormatFranceServices2024, LayerFormatFranceServices2020, LayerFormatCNFSPermanences,
	LayerFormatCSV, LayerFormatGeoJSON, LayerFormatJSON}

// ReadLayer reads the sites file body (plain or gzip) named file as the
// layer name, in format (one of LayerFormats; "" sniffs it from the
// content), within lim, and returns the layer and the format read. Unlike
// the shipped files, whose bad records are reported and skipped, a file
// given here with any bad record is rejected whole: the error is a
// *LoadErrors listing them (file, line or feature, reason).
func ReadLayer(name, file string, body []byte, format string, t *Territory, lim DecodeLimits) (*Layer, string, error) {
	if format == "" {
		format = sniffLayerFormat(file, body)
	}
	lim = lim.WithDefaults()
	var l *Layer
	var err error
	switch format {
	case LayerFormatFranceServices2024, LayerFormatFranceServices2020, LayerFormatCNFSPermanences:
		l, err = readShippedFormat(file, body, format, t, lim)
	case LayerFormatCSV, LayerFormatGeoJSON, LayerFormatJSON:
		l, err = readGenericLayer(file, body, format, t, lim)
	default:
		return nil, "", fmt.Errorf("%s: %w %q (want %s)", file, ErrUnknownFormat, format, strings.Join(LayerFormats, ", "))
	}
	if err != nil {
		return nil, format, err
	}
	if lim.MaxRows > 0 && l.Report.Read > lim.MaxRows {
		return nil, format, fmt.Errorf("%s: %d records, at most %d: %w", file, l.Report.Read, lim.MaxRows, ErrTooManyRows)
	}
	if err := rejectsError(file, l.Report.Rejects); err != nil {
		return nil, format, err
	}
	if len(l.Sites) == 0 {
		return nil, format, &LoadErrors{File: file, Errors: []RowError{{File: file, Reason: "no site in the file"}}}
	}
	l.Name, l.Source, l.Report.File = name, file, file
	for i := range l.Sites {
		l.Sites[i].Layer = name
	}
	return l, format, nil
}

// sniffLayerFormat guesses the format of a sites file from its first
// bytes: the shipped formats by their own keys, else the generic one of
// its syntax.
func sniffLayerFormat(file string, body []byte) string {
	head := body[:min(len(body), 64<<10)]
	if isGzip(head) {
		if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
			buf := make([]byte, 64<<10)
			n, _ := io.ReadFull(zr, buf)
			head = buf[:n]
		}
	}
	switch DetectFormat(strings.TrimSuffix(file, ".gz"), head) {
	case FormatGeoJSON:
		if bytes.Contains(head, []byte(`"MATRICULE"`)) && bytes.Contains(head, []byte(`"lib_france_services"`)) {
			return LayerFormatFranceServices2020
		}
		return LayerFormatGeoJSON
	case FormatJSON:
		if bytes.Contains(head, []byte(`"pivot"`)) && bytes.Contains(head, []byte(`"nom"`)) {
			return LayerFormatCNFSPermanences
		}
		return LayerFormatJSON
	}
	first, _, _ := bytes.Cut(head, []byte("\n"))
	for _, col := range []string{"id_fs", "latitude", "longitude"} {
		if !bytes.Contains(first, []byte(col)) {
			return LayerFormatCSV
		}
	}
	return LayerFormatFranceServices2024
}

// readShippedFormat reads body with the loader of a shipped file, which
// reads from a path: body goes through a temporary file, removed after.
// The shipped loaders trust local files (no bound on size or rows), so
// the body is inflated here within lim.MaxBytes: a small gzip cannot
// unfold into gigabytes of rows before the row count refuses it.
func readShippedFormat(file string, body []byte, format string, t *Territory, lim DecodeLimits) (*Layer, error) {
	f, err := os.CreateTemp("", "maillage-layer-*")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	defer os.Remove(f.Name())
	err = writeInflated(f, body, lim.MaxBytes)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var l *Layer
	switch format {
	case LayerFormatFranceServices2024:
		l, err = LoadSitesCSV(f.Name(), FranceServices2024Columns(), t, "")
	case LayerFormatFranceServices2020:
		l, err = LoadFranceServices2020(f.Name(), t)
	default:
		l, err = LoadCNFSPermanences(f.Name(), t)
	}
	if err != nil {
		// The loaders name the temporary path: name the file instead.
		return nil, &layerFileError{msg: strings.ReplaceAll(err.Error(), f.Name(), file), err: err}
	}
	for i := range l.Report.Rejects {
		l.Report.Rejects[i].File = file
	}
	return l, nil
}

// readGenericLayer reads a generic CSV, GeoJSON or JSON sites file with
// the structures loader (columns id, name, lon/lat or commune).
func readGenericLayer(file string, body []byte, format string, t *Territory, lim DecodeLimits) (*Layer, error) {
	f := map[string]Format{LayerFormatCSV: FormatCSV, LayerFormatGeoJSON: FormatGeoJSON, LayerFormatJSON: FormatJSON}[format]
	structs, _, err := LoadStructures(bytes.NewReader(body), file, f, t, lim)
	if err != nil {
		return nil, err
	}
	l := &Layer{Source: file, Report: LoadReport{File: file, Read: len(structs), Loaded: len(structs), Rejects: []Reject{}}}
	pts := make([]orb.Point, len(structs))
	for i := range structs {
		s := &structs[i]
		if s.LocatedBy == "commune" {
			l.Report.LocatedByCommune++
		}
		l.Sites = append(l.Sites, Site{ID: s.ID, Name: s.Name, Kind: KindOther, Commune: s.Commune,
			Departement: s.Departement, Point: s.Point})
		pts[i] = s.Point
	}
	l.Index = siteindex.New(pts)
	return l, nil
}

// rejectsError is the *LoadErrors of a layer's rejected records, nil when
// there are none.
func rejectsError(file string, rejects []Reject) error {
	if len(rejects) == 0 {
		return nil
	}
	le := &LoadErrors{File: file}
	for _, rj := range rejects {
		if len(le.Errors) == MaxRowErrors {
			le.More++
			continue
		}
		reason := rj.Reason
		if rj.ID != "" {
			reason = "id " + rj.ID + ": " + reason
		}
		le.Errors = append(le.Errors, RowError{File: file, Where: rj.Where, Line: rj.Line, Reason: reason})
	}
	return le
}

// writeInflated writes body to w, inflated when gzip, failing past max
// bytes (an error wrapping ErrTooLarge) or on a damaged stream (one
// wrapping ErrDamagedFile).
func writeInflated(w io.Writer, body []byte, max int64) error {
	var src io.Reader = bytes.NewReader(body)
	gz := isGzip(body[:min(len(body), 2)])
	if gz {
		zr, err := gzip.NewReader(src)
		if err != nil {
			return corruptError(1, err)
		}
		defer zr.Close()
		src = zr
	}
	_, err := io.Copy(w, &capReader{r: src, left: max, limit: max})
	var capped errCapped
	if err != nil && gz && !errors.As(err, &capped) {
		return corruptError(1, err)
	}
	return err
}
