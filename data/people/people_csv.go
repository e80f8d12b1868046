package people

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/maillage/maillage/data/textio"

	"github.com/paulmach/orb"
)

// readCSV reads a CSV file with a header row (comma, semicolon or tab
// separated, detected on the header line) and calls fn for every record.
// The record passed to fn is reused: fn must copy what it keeps. A record
// with the wrong number of fields is an error of that record; any other
// error ends the reading: the csv reader cannot resynchronise after a
// quoting error, and the stream's errors (a damaged gzip, a bound of
// lc.lim) are final.
func readCSV(br *bufio.Reader, lc *loadContext, kind recordKind, fn func(*rawRecord)) {
	g := textio.NewCSVGuard(br, textio.SniffDelimiter(br), lc.lim)
	cr := textio.NewCSVReader(g)

	header, err := cr.Read()
	if err == io.EOF {
		lc.fail(1, "", "empty file: no header row")
		return
	}
	if err != nil {
		if !lc.halt(err) && (g.Err() == nil || !lc.halt(g.Err())) {
			lc.add(csvRowError(lc, err, 1))
		}
		return
	}
	names := make([]string, len(header))
	roles := make([]role, len(header))
	var first [nRoles]int
	for i, h := range header {
		names[i] = h
		roles[i] = columnRole(kind, h)
		if ro := roles[i]; ro != roleAttr {
			if first[ro] != 0 {
				lc.fail(1, roleNames[ro], "columns %q and %q both mean %s", names[first[ro]-1], h, roleNames[ro])
			}
			first[ro] = i + 1
		}
	}
	if !checkColumns(lc, first[roleID] != 0, first[roleLon] != 0, first[roleLat] != 0, first[roleCommune] != 0) {
		return
	}

	var r rawRecord
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			// A record cut by a stream error may look like a quoting error:
			// the stream's error is the one to report.
			if lc.haltCSV(err, names) || g.Err() != nil && lc.haltCSV(g.Err(), names) {
				return
			}
			// Records of any length are read (the check is below): this is
			// a quoting error, after which the reader cannot resynchronise.
			lc.add(csvRowError(lc, err, 0))
			return
		}
		line, _ := cr.FieldPos(0)
		if lc.countRow(line) {
			return
		}
		if len(rec) != len(names) {
			lc.fail(line, "", "%d fields where the header has %d", len(rec), len(names))
			continue
		}
		r = rawRecord{pos: line}
		for i, v := range rec {
			r.set(roles[i], names[i], v)
		}
		fn(&r)
	}
}

// checkColumns records header errors when the id column or a way to
// locate records is missing; it reports whether the header is usable.
func checkColumns(lc *loadContext, id, lon, lat, commune bool) bool {
	ok := true
	if !id {
		lc.fail(1, "id", "no id column")
		ok = false
	}
	if lon != lat {
		lc.fail(1, "lon", "lon and lat columns must come together")
		ok = false
	}
	if !lon && !lat && !commune {
		lc.fail(1, "", "no lon/lat nor commune column: records cannot be located")
		ok = false
	}
	return ok
}

// csvRowError turns a csv reader error into a RowError.
func csvRowError(lc *loadContext, err error, line int) textio.RowError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return textio.RowError{File: lc.file, Where: lc.where, Line: pe.StartLine, Reason: pe.Err.Error()}
	}
	return textio.RowError{File: lc.file, Where: lc.where, Line: line, Reason: err.Error()}
}

// WriteCandidatesCSV writes candidates as a comma-separated file with a
// header (id, lon, lat, commune, departement, max_km, available_from,
// departements, then every Attrs key
// in sorted order) that LoadCandidates reads back to the same values.
// Candidates located by commune are written without coordinates.
func WriteCandidatesCSV(w io.Writer, cs []Candidate) error {
	keys := attrKeys(len(cs), func(i int) map[string]string { return cs[i].Attrs })
	cw := csv.NewWriter(w)
	row := append([]string{"id", "lon", "lat", "commune", "departement", "max_km", "available_from", "departements"}, keys...)
	if err := cw.Write(row); err != nil {
		return err
	}
	for i := range cs {
		c := &cs[i]
		row = row[:0]
		lon, lat := formatPoint(c.Point, c.LocatedBy)
		row = append(row, c.ID, lon, lat, c.Commune, c.Departement, formatFloat(c.MaxKm), c.AvailableFrom, strings.Join(c.Departements, ";"))
		for _, k := range keys {
			row = append(row, c.Attrs[k])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteStructuresCSV writes structures as a comma-separated file with a
// header (id, name, type, lon, lat, posts, commune, departement, region,
// zrr, qpv, france_services, mission_start, phase, then every Attrs key in
// sorted order) that
// LoadStructures reads back to the same values. Structures located by
// commune are written without coordinates.
func WriteStructuresCSV(w io.Writer, ss []Structure) error {
	keys := attrKeys(len(ss), func(i int) map[string]string { return ss[i].Attrs })
	cw := csv.NewWriter(w)
	row := append([]string{"id", "name", "type", "lon", "lat", "posts", "commune", "departement", "region", "zrr", "qpv", "france_services", "mission_start", "phase"}, keys...)
	if err := cw.Write(row); err != nil {
		return err
	}
	for i := range ss {
		s := &ss[i]
		row = row[:0]
		lon, lat := formatPoint(s.Point, s.LocatedBy)
		row = append(row, s.ID, s.Name, s.Type, lon, lat, strconv.Itoa(s.Posts), s.Commune, s.Departement, s.Region, s.ZRR, s.QPV, s.FranceServices, s.MissionStart, formatPhase(s.Phase))
		for _, k := range keys {
			row = append(row, s.Attrs[k])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// attrKeys returns the sorted union of the Attrs keys of n records.
func attrKeys(n int, attrs func(int) map[string]string) []string {
	set := map[string]bool{}
	for i := 0; i < n; i++ {
		for k := range attrs(i) {
			set[k] = true
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// formatPoint writes coordinates exactly, or nothing for a record located
// by commune (its point is the commune's, recomputed on reading).
func formatPoint(p orb.Point, locatedBy string) (lon, lat string) {
	if locatedBy == LocatedByCommune {
		return "", ""
	}
	return formatFloat(p[0]), formatFloat(p[1])
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
