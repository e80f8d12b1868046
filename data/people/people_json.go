package people

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/maillage/maillage/data/textio"
	"github.com/maillage/maillage/data/values"

	"github.com/paulmach/orb"
)

// readJSON reads a JSON array of objects and calls fn for every element.
// Element positions are 0-based indexes in the array.
func readJSON(rd io.Reader, lc *loadContext, kind recordKind, fn func(*rawRecord)) {
	dec := json.NewDecoder(textio.NewJSONGuard(rd, lc.lim, 1))
	dec.UseNumber()
	if !expectDelim(dec, lc, '[', "not a JSON array") {
		return
	}
	roles := map[string]role{}
	for i := 0; dec.More(); i++ {
		if lc.countRow(i) {
			return
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if !lc.halt(err) {
				lc.fail(i, "", "invalid JSON: %v", err)
			}
			return
		}
		var obj map[string]any
		if err := textio.UnmarshalNumbers(raw, &obj); err != nil || obj == nil {
			lc.fail(i, "", "element is not an object")
			continue
		}
		r := rawRecord{pos: i}
		setProperties(&r, lc, kind, roles, obj)
		fn(&r)
	}
	closeDelim(dec, lc, lc.rows)
}

// expectDelim reads the opening delimiter d, recording an error (what: …)
// when the file does not start with it.
func expectDelim(dec *json.Decoder, lc *loadContext, d json.Delim, what string) bool {
	tok, err := dec.Token()
	if err != nil {
		if !lc.halt(err) {
			lc.fail(0, "", "%s: %v", what, err)
		}
		return false
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		lc.fail(0, "", "%s: starts with %v", what, tok)
		return false
	}
	return true
}

// closeDelim reads the closing delimiter of the array or object whose
// members were read by dec.More: More answers false on an error too, so a
// file cut short is only told apart here.
func closeDelim(dec *json.Decoder, lc *loadContext, pos int) {
	if _, err := dec.Token(); err != nil && !lc.halt(err) {
		lc.fail(pos, "", "invalid JSON: %v", err)
	}
}

// readGeoJSON reads a FeatureCollection of Point features and calls fn for
// every feature, as they come (the collection is never held whole). A
// feature without geometry is located by its properties (commune code or
// lon/lat). Positions are 0-based feature indexes.
func readGeoJSON(rd io.Reader, lc *loadContext, kind recordKind, fn func(*rawRecord)) {
	const what = "not a GeoJSON FeatureCollection"
	dec := json.NewDecoder(textio.NewJSONGuard(rd, lc.lim, 2))
	dec.UseNumber()
	if !expectDelim(dec, lc, '{', what) {
		return
	}
	roles := map[string]role{}
	typ, i := "", 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			if !lc.halt(err) {
				lc.fail(i, "", "%s: %v", what, err)
			}
			return
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				if !lc.halt(err) {
					lc.fail(0, "", "%s: type: %v", what, err)
				}
				return
			}
			if typ != "FeatureCollection" {
				lc.fail(0, "", "GeoJSON type %q, want FeatureCollection", typ)
				return
			}
		case "features":
			if !readFeatures(dec, lc, kind, roles, &i, fn) {
				return
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				if !lc.halt(err) {
					lc.fail(i, "", "%s: %v", what, err)
				}
				return
			}
		}
	}
	closeDelim(dec, lc, i)
	if typ != "FeatureCollection" && lc.stop == nil {
		lc.fail(0, "", "GeoJSON type %q, want FeatureCollection", typ)
	}
}

// readFeatures reads the features array, numbering features from *i on;
// it reports whether reading may go on.
func readFeatures(dec *json.Decoder, lc *loadContext, kind recordKind, roles map[string]role, i *int, fn func(*rawRecord)) bool {
	tok, err := dec.Token()
	if err != nil {
		if !lc.halt(err) {
			lc.fail(*i, "", "features: %v", err)
		}
		return false
	}
	if tok == nil {
		return true // "features": null, an empty collection
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		lc.fail(*i, "", "features is %v, want an array", tok)
		return false
	}
	for ; dec.More(); *i++ {
		if lc.countRow(*i) {
			return false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if !lc.halt(err) {
				lc.fail(*i, "", "invalid feature: %v", err)
			}
			return false
		}
		readFeature(lc, kind, roles, *i, raw, fn)
	}
	n := lc.nErrs
	closeDelim(dec, lc, *i)
	return lc.stop == nil && lc.nErrs == n
}

// readFeature validates one feature's shape and passes its record to fn.
func readFeature(lc *loadContext, kind recordKind, roles map[string]role, i int, raw json.RawMessage, fn func(*rawRecord)) {
	var f struct {
		Type     string `json:"type"`
		ID       any    `json:"id"`
		Geometry *struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	if err := textio.UnmarshalNumbers(raw, &f); err != nil {
		lc.fail(i, "", "invalid feature: %v", err)
		return
	}
	r := rawRecord{pos: i}
	if f.Type != "Feature" {
		r.errs = append(r.errs, textio.RowError{File: lc.file, Where: lc.where, Line: i, Column: "type", Reason: fmt.Sprintf("type %q, want Feature", f.Type)})
	}
	setProperties(&r, lc, kind, roles, f.Properties)
	if !r.has[roleID] && f.ID != nil {
		if s, ok := textio.ScalarString(f.ID); ok {
			r.set(roleID, "id", s)
		}
	}
	if g := f.Geometry; g != nil {
		if g.Type != "Point" {
			r.errs = append(r.errs, textio.RowError{File: lc.file, Where: lc.where, Line: i, Column: "geometry", Reason: fmt.Sprintf("geometry %q, want Point", g.Type)})
		} else if p, reason := pointFromJSON(g.Coordinates); reason != "" {
			r.errs = append(r.errs, textio.RowError{File: lc.file, Where: lc.where, Line: i, Column: "geometry", Reason: reason})
		} else {
			r.pt, r.hasPt = p, true
		}
	}
	fn(&r)
}

// pointFromJSON parses Point coordinates; reason says what is wrong.
func pointFromJSON(raw json.RawMessage) (orb.Point, string) {
	var c []json.Number
	if err := json.Unmarshal(raw, &c); err != nil || len(c) < 2 {
		return orb.Point{}, fmt.Sprintf("coordinates %s are not [lon, lat]", values.Truncate(string(raw), 60))
	}
	lon, err := values.ParseLon(c[0].String())
	if err != nil {
		return orb.Point{}, "longitude " + err.Error()
	}
	lat, err := values.ParseLat(c[1].String())
	if err != nil {
		return orb.Point{}, "latitude " + err.Error()
	}
	return orb.Point{lon, lat}, ""
}

// setProperties stores the members of one JSON object in r; roles caches
// the role of each key seen in the file.
func setProperties(r *rawRecord, lc *loadContext, kind recordKind, roles map[string]role, obj map[string]any) {
	for k, v := range obj {
		ro, ok := roles[k]
		if !ok {
			ro = columnRole(kind, k)
			roles[k] = ro
		}
		s, scalar := textio.ScalarString(v)
		if list, ok := v.([]any); ok && ro == roleWished {
			s, scalar = joinScalars(list)
		}
		if !scalar && ro != roleAttr {
			r.errs = append(r.errs, textio.RowError{File: lc.file, Where: lc.where, Line: r.pos, Column: roleNames[ro], Reason: fmt.Sprintf("%s is %s, want a string or number", k, values.Truncate(s, 40))})
			continue
		}
		if ro != roleAttr && r.has[ro] {
			r.errs = append(r.errs, textio.RowError{File: lc.file, Where: lc.where, Line: r.pos, Column: roleNames[ro], Reason: fmt.Sprintf("two keys mean %s", roleNames[ro])})
			continue
		}
		r.set(ro, k, s)
	}
}

// joinScalars joins a JSON array of strings or numbers with ";" (the
// départements a candidate wishes); ok is false when an item is not a
// scalar.
func joinScalars(list []any) (string, bool) {
	parts := make([]string, len(list))
	for i, v := range list {
		s, ok := textio.ScalarString(v)
		if !ok {
			b, _ := json.Marshal(list)
			return string(b), false
		}
		parts[i] = s
	}
	return strings.Join(parts, ";"), true
}
