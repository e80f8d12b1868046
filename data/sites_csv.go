package data

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/maillage/maillage/data/textio"
)

// CSVColumns names the columns of a sites CSV file. Lat and Lon are
// required; an empty name means the file has no such column. Every column
// named must be in the header.
type CSVColumns struct {
	ID      string // site identifier
	Name    string // site name
	Lat     string // latitude, decimal degrees
	Lon     string // longitude, decimal degrees
	Commune string // declared INSEE code of the site's commune
	Kind    string // "Principal" → france_services, "Antenne" → antenne
	Format  string // "Bus_équivalent", "Itinérante" (any "bus…"/"itin…") → itinerant
	Address string // street address
}

// FranceServices2024Columns returns the columns of the 2024 France
// Services list (FranceServices2024File).
func FranceServices2024Columns() CSVColumns {
	return CSVColumns{
		ID: "id_fs", Name: "lib_fs", Lat: "latitude", Lon: "longitude",
		Commune: "insee_com", Kind: "type_fs", Format: "format_fs", Address: "adresse",
	}
}

// LoadSitesCSV loads a quoted UTF-8 sites file separated by commas,
// semicolons or tabs (the most frequent on the header line) into a
// layer named layerName, reading the columns cols names. Records are
// numbered by the line they start on (quoted fields may span lines). A
// record with the wrong number of fields, unusable coordinates or outside
// every commune is rejected with its line; a missing header column is an
// error naming the file and the column.
func LoadSitesCSV(path string, cols CSVColumns, t *Territory, layerName string) (*Layer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sites %s: %w", path, err)
	}
	defer f.Close()
	// The file is the operator's: bounded like a local file, checked like
	// an upload (a damaged gzip or a stray encoding ends the reading with
	// its line).
	lim := textio.LocalFileLimits().WithDefaults()
	ts, err := textio.Open(f, lim)
	if err != nil {
		return nil, fmt.Errorf("sites %s: %w", path, err)
	}
	defer ts.Close()
	r := textio.NewCSVReader(textio.NewCSVGuard(ts.Reader, textio.SniffDelimiter(ts.Reader), lim))
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("sites %s: header: %w", path, err)
	}
	idx, err := cols.indexes(header)
	if err != nil {
		return nil, fmt.Errorf("sites %s: %w", path, err)
	}
	r.FieldsPerRecord = len(header)
	b := newLayerBuilder(t, layerName, path, WhereLine)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var perr *csv.ParseError
		if err != nil {
			if !errors.As(err, &perr) {
				return nil, fmt.Errorf("sites %s: %w", path, err)
			}
			b.read()
			id := ""
			if idx.id >= 0 && idx.id < len(rec) {
				id = strings.TrimSpace(rec[idx.id])
			}
			b.reject(perr.StartLine, id, csvReason(perr))
			continue
		}
		b.read()
		line, _ := r.FieldPos(0)
		b.addCSV(line, rec, idx)
	}
	return b.finish(""), nil
}

// csvReason words a CSV parse error for a reject.
func csvReason(err *csv.ParseError) string {
	if errors.Is(err.Err, csv.ErrFieldCount) {
		return "wrong number of fields"
	}
	return err.Err.Error()
}

// csvIndexes are the column positions of CSVColumns; -1 when not used.
type csvIndexes struct {
	id, name, lat, lon, commune, kind, format, address int
}

// indexes finds every named column in header.
func (c CSVColumns) indexes(header []string) (csvIndexes, error) {
	pos := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := pos[h]; !dup {
			pos[h] = i
		}
	}
	if c.Lat == "" || c.Lon == "" {
		return csvIndexes{}, errors.New("latitude and longitude columns must be configured")
	}
	var errs []error
	find := func(name string) int {
		if name == "" {
			return -1
		}
		i, ok := pos[name]
		if !ok {
			errs = append(errs, fmt.Errorf("no column %q in the header", name))
			return -1
		}
		return i
	}
	idx := csvIndexes{
		id: find(c.ID), name: find(c.Name), lat: find(c.Lat), lon: find(c.Lon),
		commune: find(c.Commune), kind: find(c.Kind), format: find(c.Format), address: find(c.Address),
	}
	return idx, errors.Join(errs...)
}

// addCSV turns one CSV record into a site.
func (b *layerBuilder) addCSV(line int, rec []string, idx csvIndexes) {
	field := func(i int) string {
		if i < 0 {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	id := field(idx.id)
	lat, why := parseCoord(field(idx.lat), "latitude")
	if why != "" {
		b.reject(line, id, why)
		return
	}
	lon, why := parseCoord(field(idx.lon), "longitude")
	if why != "" {
		b.reject(line, id, why)
		return
	}
	format := field(idx.format)
	s := Site{
		ID: id, Name: field(idx.name), Kind: siteKind(idx.kind >= 0, field(idx.kind)), Format: format,
		Itinerant: isItinerant(format), Address: field(idx.address),
	}
	b.add(line, s, lat, lon, field(idx.commune))
}

// siteKind maps the France Services type column: "Antenne" is an antenna,
// "Principal" (or no value) a France Services site, anything else other.
// A file without that column (hasColumn false: a generic list of places)
// says nothing of its sites' kind, so they are other, not France Services.
func siteKind(hasColumn bool, v string) SiteKind {
	if !hasColumn {
		return KindOther
	}
	switch strings.ToLower(v) {
	case "", "principal":
		return KindFranceServices
	case "antenne":
		return KindAntenne
	}
	return KindOther
}

// isItinerant reports whether a France Services format is a mobile one
// ("Bus_équivalent", "Itinérante").
func isItinerant(format string) bool {
	f := strings.ToLower(format)
	return strings.HasPrefix(f, "bus") || strings.HasPrefix(f, "itin")
}
