package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// readJSON reads a JSON array of objects and calls fn for every element.
// Element positions are 0-based indexes in the array.
func readJSON(rd io.Reader, lc *loadContext, kind recordKind, fn func(*rawRecord)) {
	dec := json.NewDecoder(rd)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		lc.fail(0, "", "not a JSON array: %v", err)
		return
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		lc.fail(0, "", "not a JSON array: starts with %v", tok)
		return
	}
	roles := map[string]role{}
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			lc.fail(i, "", "invalid JSON: %v", err)
			return
		}
		var obj map[string]any
		if err := unmarshalNumbers(raw, &obj); err != nil || obj == nil {
			lc.fail(i, "", "element is not an object")
			continue
		}
		r := rawRecord{pos: i}
		setProperties(&r, lc, kind, roles, obj)
		fn(&r)
	}
}

// readGeoJSON reads a FeatureCollection of Point features and calls fn for
// every feature. A feature without geometry is located by its properties
// (commune code or lon/lat). Positions are 0-based feature indexes.
func readGeoJSON(rd io.Reader, lc *loadContext, kind recordKind, fn func(*rawRecord)) {
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.NewDecoder(rd).Decode(&fc); err != nil {
		lc.fail(0, "", "not a GeoJSON FeatureCollection: %v", err)
		return
	}
	if fc.Type != "FeatureCollection" {
		lc.fail(0, "", "GeoJSON type %q, want FeatureCollection", fc.Type)
		return
	}
	roles := map[string]role{}
	for i, raw := range fc.Features {
		var f struct {
			Type     string `json:"type"`
			ID       any    `json:"id"`
			Geometry *struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		}
		if err := unmarshalNumbers(raw, &f); err != nil {
			lc.fail(i, "", "invalid feature: %v", err)
			continue
		}
		r := rawRecord{pos: i}
		if f.Type != "Feature" {
			r.errs = append(r.errs, RowError{File: lc.file, Where: lc.where, Line: i, Column: "type", Reason: fmt.Sprintf("type %q, want Feature", f.Type)})
		}
		setProperties(&r, lc, kind, roles, f.Properties)
		if !r.has[roleID] && f.ID != nil {
			if s, ok := scalarString(f.ID); ok {
				r.set(roleID, "id", s)
			}
		}
		if g := f.Geometry; g != nil {
			if g.Type != "Point" {
				r.errs = append(r.errs, RowError{File: lc.file, Where: lc.where, Line: i, Column: "geometry", Reason: fmt.Sprintf("geometry %q, want Point", g.Type)})
			} else if p, reason := pointFromJSON(g.Coordinates); reason != "" {
				r.errs = append(r.errs, RowError{File: lc.file, Where: lc.where, Line: i, Column: "geometry", Reason: reason})
			} else {
				r.pt, r.hasPt = p, true
			}
		}
		fn(&r)
	}
}

// pointFromJSON parses Point coordinates; reason says what is wrong.
func pointFromJSON(raw json.RawMessage) (orb.Point, string) {
	var c []float64
	if err := json.Unmarshal(raw, &c); err != nil || len(c) < 2 {
		return orb.Point{}, fmt.Sprintf("coordinates %s are not [lon, lat]", truncate(string(raw), 60))
	}
	if c[0] < -180 || c[0] > 180 || c[1] < -90 || c[1] > 90 {
		return orb.Point{}, fmt.Sprintf("coordinates [%g, %g] out of range", c[0], c[1])
	}
	return orb.Point{c[0], c[1]}, ""
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
		s, scalar := scalarString(v)
		if !scalar && ro != roleAttr {
			r.errs = append(r.errs, RowError{File: lc.file, Where: lc.where, Line: r.pos, Column: roleNames[ro], Reason: fmt.Sprintf("%s is %s, want a string or number", k, truncate(s, 40))})
			continue
		}
		if ro != roleAttr && r.has[ro] {
			r.errs = append(r.errs, RowError{File: lc.file, Where: lc.where, Line: r.pos, Column: roleNames[ro], Reason: fmt.Sprintf("two keys mean %s", roleNames[ro])})
			continue
		}
		r.set(ro, k, s)
	}
}

// scalarString renders a decoded JSON value as a string; ok is false for
// objects and arrays (rendered as compact JSON).
func scalarString(v any) (s string, ok bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	b, _ := json.Marshal(v)
	return string(b), false
}

// unmarshalNumbers decodes raw into v keeping numbers as json.Number.
func unmarshalNumbers(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.TrimSpace(s[:n]) + "…"
}
