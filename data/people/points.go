package people

import (
	"fmt"
	"io"

	"github.com/maillage/maillage/data/textio"
	"github.com/maillage/maillage/data/values"

	"github.com/paulmach/orb"
)

// PointRow is one point of a batch lookup (ReadPoints).
type PointRow struct {
	Point orb.Point
	ID    string // the caller's id, "" when none
	// Pos is where the point was read: the CSV line (1-based, a header
	// being line 1) or the element or feature index (0-based), as RowError.Line.
	Pos int
}

// ReadPoints reads the points of a batch lookup, in order: CSV lon,lat[,id]
// (a header row naming the columns is optional: lon|lng|longitude|x,
// lat|latitude|y, id; without it the columns are lon, lat and an optional
// id), a JSON array of {"lon":…, "lat":…, "id":…} objects, or a GeoJSON
// FeatureCollection of Point features (id from the feature's id or its id
// property). Other columns and keys are ignored. format FormatUnknown is
// detected from the content. Reading is bounded by lim as the uploads of
// LoadCandidates are (gzip inflated, UTF-8 or Windows-1252, a *textio.ReadError
// wrapping textio.ErrTooManyRows and the like past a bound), and a file with any
// invalid point is rejected whole: a *LoadErrors naming the line, element
// or feature of each. Ids are checked by values.CheckID but may repeat.
func ReadPoints(r io.Reader, name string, format textio.Format, lim textio.DecodeLimits) ([]PointRow, textio.FileInfo, error) {
	var out []PointRow
	lc := newLoadContext(name, "line", nil, lim)
	ts, err := textio.Open(r, lc.lim)
	if err != nil {
		lc.halt(err)
		return nil, textio.FileInfo{Format: format}, lc.stop
	}
	defer ts.Close()
	if format == textio.FormatUnknown {
		head, err := ts.Peek(4 << 10)
		if lc.halt(err) {
			return nil, textio.FileInfo{Format: format}, lc.stop
		}
		format = textio.DetectFormat(name, head)
	}
	each := func(rec *rawRecord) {
		if p, ok := lc.point(rec); ok && lc.nErrs == 0 {
			out = append(out, p)
		}
	}
	switch format {
	case textio.FormatCSV:
		readPointsCSV(ts, lc, each)
	case textio.FormatJSON:
		lc.where = "element"
		readJSON(ts.Reader, lc, kindCandidate, each)
	case textio.FormatGeoJSON:
		lc.where = "feature"
		readGeoJSON(ts.Reader, lc, kindCandidate, each)
	default:
		return nil, textio.FileInfo{Format: format}, fmt.Errorf("%s: %w: send CSV lon,lat[,id], a JSON array of {lon, lat, id} or a GeoJSON FeatureCollection of points", name, textio.ErrUnknownFormat)
	}
	if lc.stop == nil {
		if _, err := io.Copy(io.Discard, ts); err != nil { // as loadRecords: the end of the stream, its CRC
			lc.halt(err)
		}
	}
	info := ts.Info(format, lc.rows)
	if lc.stop != nil {
		return nil, info, lc.stop
	}
	if err := lc.err(); err != nil {
		return nil, info, err
	}
	if len(out) == 0 {
		lc.fail(1, "", "no point: send CSV lon,lat[,id], a JSON array of {lon, lat, id} or a GeoJSON FeatureCollection of points")
		return nil, info, lc.err()
	}
	return out, info, nil
}

// readPointsCSV reads CSV points with or without a header row: a first row
// whose first field is not a longitude is a header naming the columns.
func readPointsCSV(ts *textio.Stream, lc *loadContext, fn func(*rawRecord)) {
	g := textio.NewCSVGuard(ts.Reader, textio.SniffDelimiter(ts.Reader), lc.lim)
	cr := textio.NewCSVReader(g)
	roles := []role{roleLon, roleLat, roleID} // without header
	var r rawRecord
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			if lc.haltCSV(err, nil) || g.Err() != nil && lc.haltCSV(g.Err(), nil) {
				return
			}
			lc.add(csvRowError(lc, err, 0))
			return
		}
		line, _ := cr.FieldPos(0)
		if first {
			if _, err := values.ParseLon(rec[0]); err != nil {
				roles = make([]role, len(rec))
				var lon, lat bool
				for i, h := range rec {
					roles[i] = columnRole(kindCandidate, h)
					lon, lat = lon || roles[i] == roleLon, lat || roles[i] == roleLat
				}
				if !lon || !lat {
					lc.fail(line, "lon", "the first row is neither a point (%v) nor a header naming lon and lat columns", err)
					return
				}
				continue
			}
		}
		if lc.countRow(line) {
			return
		}
		r = rawRecord{pos: line}
		for i, v := range rec {
			if i < len(roles) && roles[i] != roleAttr {
				r.set(roles[i], "", v)
			}
		}
		fn(&r)
	}
}

// point validates r as a point of a batch lookup: coordinates required, an
// optional id.
func (lc *loadContext) point(r *rawRecord) (PointRow, bool) {
	n0 := lc.nErrs
	for _, e := range r.errs {
		lc.add(e)
	}
	p := PointRow{ID: r.vals[roleID], Pos: r.pos}
	if p.ID != "" {
		if err := values.CheckID(p.ID); err != nil {
			lc.fail(r.pos, "id", "id %v", err)
		}
	}
	switch {
	case len(r.errs) > 0:
	case r.hasPt:
		p.Point = r.pt
	case r.vals[roleLon] == "" && r.vals[roleLat] == "":
		lc.fail(r.pos, "lon", "no coordinates: want lon and lat (decimal degrees, WGS84)")
	default:
		lon, okLon := lc.coord(r, roleLon, values.ParseLon)
		lat, okLat := lc.coord(r, roleLat, values.ParseLat)
		if okLon && okLat {
			p.Point = orb.Point{lon, lat}
		}
	}
	return p, lc.nErrs == n0
}
