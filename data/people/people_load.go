package people

import (
	"fmt"
	"io"

	"github.com/maillage/maillage/data/textio"
)

// LoadCandidates reads and validates a candidate file. name is used in
// errors (and to detect the format when format is FormatUnknown); t
// resolves commune codes and locates points; lim bounds the reading (zero
// fields take their defaults). The file may be gzip, UTF-8 (with or
// without BOM) or Windows-1252 (converted, which info.Notes tells). A
// file with any invalid record is rejected whole: the error is a
// *LoadErrors listing them. A file that cannot be read to its end
// (truncated or corrupt, not text, over a bound of lim) is rejected with a
// *textio.ReadError naming the line, as soon as it is met.
//
// Columns (case-insensitive, French accents ignored): id; lon|lng|longitude
// and lat|latitude; commune|insee_com|code_commune; max_km (default 30, in
// (0, 500]); departement. Other columns go to Attrs. A record needs
// coordinates or a commune code (then it is placed at the commune's
// representative point, LocatedBy "commune"). Commune is the declared one
// when given, else the commune holding the point. Departement always comes
// from the location (see loadContext.settleDepartement): a declared commune
// or département in another département than the point's is an error; a
// point outside every commune (farther than data.SnapMaxM) is accepted with an
// empty Commune when a valid département is given. Values are checked by
// values.ParseLon, values.ParseLat, values.ParseMaxKm and values.CheckID.
func LoadCandidates(r io.Reader, name string, format textio.Format, t Places, lim textio.DecodeLimits) ([]Candidate, textio.FileInfo, error) {
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
// LoadCandidates, with the columns name|nom|raison_sociale (values.CheckName),
// type, posts|nb_cnfs (values.ParsePosts, default 1), region, zrr, qpv and
// france_services (oui/non) besides the location columns. Region is taken
// from the commune, else from the département, when absent.
func LoadStructures(r io.Reader, name string, format textio.Format, t Places, lim textio.DecodeLimits) ([]Structure, textio.FileInfo, error) {
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
// *textio.ReadError ending the reading wins over the records' errors.
func loadRecords(r io.Reader, name string, format textio.Format, t Places, kind recordKind, lim textio.DecodeLimits, fn func(*loadContext, *rawRecord)) (textio.FileInfo, error) {
	lc := newLoadContext(name, "line", t, lim)
	ts, err := textio.Open(r, lc.lim)
	if err != nil {
		lc.halt(err)
		return textio.FileInfo{Format: format}, lc.stop
	}
	defer ts.Close()
	if format == textio.FormatUnknown {
		head, err := ts.Peek(4 << 10)
		if lc.halt(err) {
			return textio.FileInfo{Format: format}, lc.stop // the start of the file is unreadable
		}
		format = textio.DetectFormat(name, head)
	}
	each := func(rec *rawRecord) { fn(lc, rec) }
	switch format {
	case textio.FormatCSV:
		readCSV(ts.Reader, lc, kind, each)
	case textio.FormatJSON:
		lc.where = "element"
		readJSON(ts.Reader, lc, kind, each)
	case textio.FormatGeoJSON:
		lc.where = "feature"
		readGeoJSON(ts.Reader, lc, kind, each)
	default:
		return textio.FileInfo{Format: format}, fmt.Errorf("%s: %w", name, textio.ErrUnknownFormat)
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
	info := ts.Info(format, lc.rows)
	if lc.stop != nil {
		return info, lc.stop
	}
	return info, lc.err()
}
