package textio

import "fmt"

// RowError is one invalid record of a file (a candidate, structure or layer file),
// or the place where reading a file stopped (ReadError).
type RowError struct {
	File   string `json:"file"`
	Where  string `json:"where"`  // "line" (CSV), "element" (JSON) or "feature" (GeoJSON)
	Line   int    `json:"line"`   // CSV: 1-based line, the header being line 1; JSON/GeoJSON: 0-based index in the array
	Column string `json:"column"` // canonical column name (id, lon, lat, commune, max_km, posts…)
	Reason string `json:"reason"`
}

// Error returns "file: line 3: column lat: reason".
func (e RowError) Error() string {
	where := e.Where
	if where == "" {
		where = "line"
	}
	if e.Column == "" {
		return fmt.Sprintf("%s: %s %d: %s", e.File, where, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s %d: column %s: %s", e.File, where, e.Line, e.Column, e.Reason)
}
