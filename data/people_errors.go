package data

import (
	"fmt"
	"strings"
)

// MaxRowErrors is how many row errors a LoadErrors lists; further ones are
// only counted.
const MaxRowErrors = 100

// RowError is one invalid record of a candidate or structure file.
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

// LoadErrors rejects a whole file: it lists its first MaxRowErrors invalid
// records and counts the others in More. Nothing of the file is loaded.
type LoadErrors struct {
	File   string     `json:"file"`
	Errors []RowError `json:"errors"`
	More   int        `json:"more"` // errors beyond those listed
}

// Count returns the total number of errors, listed or not.
func (e *LoadErrors) Count() int { return len(e.Errors) + e.More }

// Error lists every recorded error, one per line.
func (e *LoadErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: file rejected, %d invalid record(s):", e.File, e.Count())
	for _, re := range e.Errors {
		b.WriteString("\n  ")
		b.WriteString(re.Error())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  … and %d more", e.More)
	}
	return b.String()
}
