package layerconf

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/textio"

	"github.com/maillage/maillage/data"
)

// LoadedLayer is one layer Load built: its declaration (for a "*"
// program selector, the expanded name and program), the file it read, the
// format it read it with, and the layer.
type LoadedLayer struct {
	Spec   Layer
	Path   string
	Format string
	Layer  *data.Layer
}

// Entry is the load report of one layer: what was declared and what
// reading the file kept and rejected.
type Entry struct {
	Name      string          `json:"name"`
	Path      string          `json:"path"`
	Format    string          `json:"format"`
	Vintage   string          `json:"vintage,omitempty"`
	Programme string          `json:"programme,omitempty"`
	Report    data.LoadReport `json:"report"`
}

// Report lists the load report of every layer, in declaration order.
type Report []Entry

// Load reads every layer of cfg with the reader of its format, locating
// sites in t. A file with any rejected record is rejected whole: the error
// (a *people.LoadErrors per file, joined) lists every rejected record with
// its file and line, feature or element; the Report still says what each
// file held. Nothing is returned but the report when any layer fails.
func Load(cfg Config, t *data.Territory) ([]LoadedLayer, Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	var (
		out  []LoadedLayer
		rep  Report
		errs []error
	)
	// The files are read and their sites located at once, each into its
	// own slot (they only read t), then reported in declaration order: a
	// start reads three files in the time of the largest.
	type loadResult struct {
		ls  []LoadedLayer
		err error
	}
	results := make([]loadResult, len(cfg.Layers))
	var wg sync.WaitGroup
	for i, spec := range cfg.Layers {
		wg.Go(func() {
			ls, err := LoadLayer(spec, cfg.Dir, t)
			results[i] = loadResult{ls, err}
		})
	}
	wg.Wait()
	seen := make(map[string]bool)
	for i, spec := range cfg.Layers {
		ls, err := results[i].ls, results[i].err
		if err != nil {
			errs = append(errs, fmt.Errorf("layer %s: %w", spec.Name, err))
		}
		for _, l := range ls {
			rep = append(rep, Entry{Name: l.Layer.Name, Path: l.Path, Format: l.Format, Vintage: l.Layer.Vintage,
				Programme: l.Spec.Programme, Report: l.Layer.Report})
			if seen[l.Layer.Name] {
				errs = append(errs, fmt.Errorf("layer %s: declared twice (a program selector \"*\" may expand to a declared name)", l.Layer.Name))
			}
			seen[l.Layer.Name] = true
		}
		out = append(out, ls...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, rep, err
	}
	return out, rep, nil
}

// Layers returns the loaded layers by name, as the engine takes them.
func Layers(ls []LoadedLayer) map[string]*data.Layer {
	m := make(map[string]*data.Layer, len(ls))
	for _, l := range ls {
		m[l.Layer.Name] = l.Layer
	}
	return m
}

// LoadLayer reads the file of one declaration (a relative path is resolved
// in dir; a missing plain file is also looked for gzipped, and the other
// way round). It returns one layer, or one per program for a "*" selector.
// Layers with rejected records are returned with the error (a
// *people.LoadErrors), for their reports; callers must not use them.
func LoadLayer(spec Layer, dir string, t *data.Territory) ([]LoadedLayer, error) {
	path, err := ResolvePath(spec, dir)
	if err != nil {
		return nil, err
	}
	return readDeclared(spec, path, filepath.Base(path), t, textio.LocalFileLimits())
}

// ResolvePath returns the file LoadLayer reads for spec: its path, in dir
// when relative, or the gzipped (plain) file of that name when only that
// one exists.
func ResolvePath(spec Layer, dir string) (string, error) {
	path := spec.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	return textio.FindFile(filepath.Dir(path), filepath.Base(path))
}

// readDeclared reads the file at path, known as file (its name in reports
// and errors, and for sniffing), as spec declares it: the format sniffed
// when none is declared, the reader of that format within lim, the layers
// named, titled and dated by spec. Layers files and uploads both come here.
func readDeclared(spec Layer, path, file string, t *data.Territory, lim textio.DecodeLimits) ([]LoadedLayer, error) {
	spec = spec.normalized()
	format := spec.Format
	if format == FormatAuto {
		var err error
		if format, err = sniffFile(path, file); err != nil {
			return nil, err
		}
	}
	layers, err := read(spec, path, file, format, t, lim)
	if err != nil {
		return nil, err
	}
	out := make([]LoadedLayer, len(layers))
	var errs []error
	for i, l := range layers {
		s := spec
		if spec.Programme == data.AllProgrammes {
			s.Name = l.Name
			s.Programme = programmeOf(l.Name, spec.Name)
		}
		l.Name, l.Title, l.Source, l.Report.File = s.Name, spec.Title, file, file
		if spec.Vintage != "" {
			l.Vintage = spec.Vintage
		}
		for j := range l.Sites {
			l.Sites[j].Layer = l.Name
		}
		for j := range l.Report.Rejects {
			l.Report.Rejects[j].File = file
		}
		out[i] = LoadedLayer{Spec: s, Path: path, Format: format, Layer: l}
		if err := rejectsError(l.Report); err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

// programmeOf is the program slug a "*" expansion appended to base.
func programmeOf(name, base string) string { return strings.TrimPrefix(name, base+"-") }

// read dispatches to the reader of format; the generic readers bound the
// file by lim (the others read files already bounded, see ReadUpload).
func read(spec Layer, path, file, format string, t *data.Territory, lim textio.DecodeLimits) ([]*data.Layer, error) {
	one := func(l *data.Layer, err error) ([]*data.Layer, error) {
		if err != nil {
			return nil, err
		}
		return []*data.Layer{l}, nil
	}
	switch format {
	case FormatFranceServices2020:
		return one(data.LoadFranceServices2020(path, t))
	case FormatMediation:
		return data.LoadMediationPlaces(path, t, []data.ProgrammeLayer{{Name: spec.Name, Programme: spec.Programme}})
	case FormatCSV:
		cols, generic, err := csvColumns(spec, path, file)
		if err != nil {
			return nil, err
		}
		if !generic {
			return one(data.LoadSitesCSV(path, cols, t, spec.Name))
		}
		return one(loadGeneric(spec.Name, path, file, textio.FormatCSV, t, lim))
	case FormatGeoJSON:
		return one(loadGeneric(spec.Name, path, file, textio.FormatGeoJSON, t, lim))
	case FormatJSON:
		return one(loadGeneric(spec.Name, path, file, textio.FormatJSON, t, lim))
	}
	return nil, fmt.Errorf("format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// csvColumns picks the columns of a CSV layer: the declared mapping, the
// 2024 France Services columns when the header has them all, else generic
// columns (generic true: read by people.LoadStructures).
func csvColumns(spec Layer, path, file string) (cols data.CSVColumns, generic bool, err error) {
	if spec.Columns != nil {
		return spec.Columns.csv(), false, nil
	}
	header, err := csvHeader(path, file)
	if err != nil {
		return cols, false, err
	}
	fs := data.FranceServices2024Columns()
	for _, c := range []string{fs.ID, fs.Name, fs.Lat, fs.Lon, fs.Commune, fs.Kind, fs.Format, fs.Address} {
		if !slices.Contains(header, c) {
			return cols, true, nil
		}
	}
	return fs, false, nil
}

// csvHeader reads the first record of the CSV file at path (plain or
// gzip), known as file.
func csvHeader(path, file string) ([]string, error) {
	rc, err := textio.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	r := csv.NewReader(bufio.NewReader(rc))
	r.LazyQuotes = true
	h, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", file, err)
	}
	for i := range h {
		h[i] = strings.TrimSpace(strings.TrimPrefix(h[i], "\ufeff"))
	}
	return h, nil
}

// loadGeneric reads the CSV, GeoJSON or JSON file at path, known as file,
// with generic columns (id; lon/longitude and lat/latitude, or an INSEE
// commune column: the site is then at the commune's representative point;
// name|nom) through the structures reader, which bounds it by lim (bytes,
// rows, columns, field length) and rejects the whole file on any bad
// record, and makes a layer of it.
func loadGeneric(name, path, file string, format textio.Format, t *data.Territory, lim textio.DecodeLimits) (*data.Layer, error) {
	rc, err := textio.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	ss, _, err := people.LoadStructures(rc, file, format, t, lim)
	if err != nil {
		return nil, err
	}
	return data.LayerFromStructures(name, file, ss)
}

// rejectsError lists the rejected records of a report as a
// *people.LoadErrors, or returns nil when there are none.
func rejectsError(r data.LoadReport) error {
	if len(r.Rejects) == 0 {
		return nil
	}
	e := &people.LoadErrors{File: r.File}
	for _, rj := range r.Rejects {
		if len(e.Errors) == people.MaxRowErrors {
			e.More++
			continue
		}
		reason := rj.Reason
		if rj.ID != "" {
			reason = fmt.Sprintf("id %s: %s", rj.ID, reason)
		}
		e.Errors = append(e.Errors, textio.RowError{File: rj.File, Where: rj.Where, Line: rj.Line, Reason: reason})
	}
	return e
}

// Sniff guesses the format of the layer file at path (plain or gzip) from
// its name and first bytes (SniffContent).
func Sniff(path string) (string, error) { return sniffFile(path, filepath.Base(path)) }

// sniffFile sniffs the file at path, known as file.
func sniffFile(path, file string) (string, error) {
	rc, err := textio.OpenFile(path)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	head := make([]byte, 8<<10)
	n, err := io.ReadFull(rc, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	return SniffContent(file, head[:n])
}

// SniffContent guesses the format of a layer file from its name and first
// (inflated) bytes: a FeatureCollection is the 2020 France Services
// GeoJSON when its properties are those of that list, else generic
// GeoJSON; a JSON array is the mediation standard when its records carry
// the standard's own fields (pivot, date_maj, dispositif_programmes_nationaux
// or labels_nationaux), else generic JSON; a CSV header with
// dispositif_programmes_nationaux, or pivot and date_maj, is the mediation
// standard; any other text is CSV.
func SniffContent(file string, head []byte) (string, error) {
	has := func(b []byte, keys ...string) bool {
		for _, k := range keys {
			if bytes.Contains(b, []byte(k)) {
				return true
			}
		}
		return false
	}
	switch textio.DetectFormat(file, head) {
	case textio.FormatGeoJSON:
		if has(head, `"lib_france_services"`, `"MATRICULE"`) {
			return FormatFranceServices2020, nil
		}
		return FormatGeoJSON, nil
	case textio.FormatJSON:
		if has(head, `"pivot"`, `"date_maj"`, `"dispositif_programmes_nationaux"`, `"labels_nationaux"`) {
			return FormatMediation, nil
		}
		return FormatJSON, nil
	case textio.FormatCSV:
		first, _, _ := bytes.Cut(head, []byte("\n"))
		if has(first, "dispositif_programmes_nationaux") || has(first, "pivot") && has(first, "date_maj") {
			return FormatMediation, nil
		}
		return FormatCSV, nil
	}
	return "", fmt.Errorf("%s: cannot tell the format: declare it (one of %s)", file, strings.Join(Formats, ", "))
}
