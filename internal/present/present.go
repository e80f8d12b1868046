// Package present lays out analysis results for people and spreadsheets:
// one column list per result type, used for CSV, aligned text tables and
// GeoJSON properties, so that the CLI and the HTTP API write the same
// columns with the same figures.
package present

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Column is one column of a Table: a snake_case name carrying its unit
// (distance_m, covered_share) and how to read it from a row.
type Column[T any] struct {
	name  string
	value func(*T) any // string, int, float64, bool, []string or nil (no value)
	json  func(*T) any // the GeoJSON property when it is richer than the cell; nil: value
}

// Name is the column's header.
func (c Column[T]) Name() string { return c.name }

// Str is a text column.
func Str[T any](name string, get func(*T) string) Column[T] {
	return Column[T]{name: name, value: func(v *T) any { return get(v) }}
}

// Int is an integer column (counts of people, cells, posts).
func Int[T any](name string, get func(*T) int) Column[T] {
	return Column[T]{name: name, value: func(v *T) any { return get(v) }}
}

// Float is a measurement or ratio column, rounded to digits decimals; it
// is always written with a decimal point ("0.0", "12.0") so that a reader
// typing columns from their first rows never takes it for an integer.
func Float[T any](name string, digits int, get func(*T) float64) Column[T] {
	return Column[T]{name: name, value: func(v *T) any { return Round(get(v), digits) }}
}

// OptFloat is a Float column that may have no value (ok false): an empty
// CSV cell and a JSON null.
func OptFloat[T any](name string, digits int, get func(*T) (float64, bool)) Column[T] {
	return Column[T]{name: name, value: func(v *T) any {
		if f, ok := get(v); ok {
			return Round(f, digits)
		}
		return nil
	}}
}

// PtrFloat is a Float column read through a pointer: nil is no value (an
// empty CSV cell and a JSON null), never 0.
func PtrFloat[T any](name string, digits int, get func(*T) *float64) Column[T] {
	return OptFloat(name, digits, func(v *T) (float64, bool) {
		if p := get(v); p != nil {
			return *p, true
		}
		return 0, false
	})
}

// Bool is a true/false column.
func Bool[T any](name string, get func(*T) bool) Column[T] {
	return Column[T]{name: name, value: func(v *T) any { return get(v) }}
}

// List is a column of codes, written space-separated in CSV and tables
// and as an array in GeoJSON.
func List[T any](name string, get func(*T) []string) Column[T] {
	return Column[T]{name: name, value: func(v *T) any { return get(v) }}
}

// Nested is a List column whose GeoJSON property is the structured value
// (e.g. the communes gaining, with their names) rather than the codes.
func Nested[T any](name string, get func(*T) []string, property func(*T) any) Column[T] {
	return Column[T]{name: name, value: func(v *T) any { return get(v) }, json: property}
}

// Table is the column list of one result type.
type Table[T any] struct {
	cols []Column[T]
}

// NewTable makes a table of the given columns, in order.
func NewTable[T any](cols ...Column[T]) Table[T] { return Table[T]{cols: cols} }

// Header returns the column names.
func (t Table[T]) Header() []string {
	h := make([]string, len(t.cols))
	for i, c := range t.cols {
		h[i] = c.name
	}
	return h
}

// Row formats the cells of one item.
func (t Table[T]) Row(v *T) []string {
	r := make([]string, len(t.cols))
	for i, c := range t.cols {
		r[i] = Cell(c.value(v))
	}
	return r
}

// Properties returns the item's columns as GeoJSON properties (numbers as
// numbers, lists as arrays, missing values as null).
func (t Table[T]) Properties(v *T) map[string]any {
	p := make(map[string]any, len(t.cols))
	for _, c := range t.cols {
		if c.json != nil {
			p[c.name] = c.json(v)
		} else {
			p[c.name] = c.value(v)
		}
	}
	return p
}

// WriteCSV writes the header and one row per item as RFC 4180 CSV.
func (t Table[T]) WriteCSV(w io.Writer, items []T) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Header()); err != nil {
		return err
	}
	for i := range items {
		if err := cw.Write(t.Row(&items[i])); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteText writes the items as an aligned text table of the named
// columns (all of them when names is empty); an unknown name is an error,
// so that a table cannot silently lose a column.
func (t Table[T]) WriteText(w io.Writer, items []T, names ...string) error {
	idx := make([]int, 0, len(t.cols))
	if len(names) == 0 {
		for i := range t.cols {
			idx = append(idx, i)
		}
	}
	for _, n := range names {
		i := t.index(n)
		if i < 0 {
			return fmt.Errorf("present: no column %q (have %s)", n, strings.Join(t.Header(), ", "))
		}
		idx = append(idx, i)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	line := make([]string, len(idx))
	for k, i := range idx {
		line[k] = t.cols[i].name
	}
	fmt.Fprintln(tw, strings.Join(line, "\t")+"\t")
	for r := range items {
		for k, i := range idx {
			line[k] = Cell(t.cols[i].value(&items[r]))
		}
		fmt.Fprintln(tw, strings.Join(line, "\t")+"\t")
	}
	return tw.Flush()
}

func (t Table[T]) index(name string) int {
	for i, c := range t.cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

// Cell formats one value as CSV and text tables show it.
func Cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return FormatFloat(x)
	case []string:
		return strings.Join(x, " ")
	default:
		return fmt.Sprint(x)
	}
}

// FormatFloat writes v in the shortest decimal form that reads back to v,
// with a decimal point even when v is whole.
func FormatFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if math.IsInf(v, 0) || math.IsNaN(v) || strings.Contains(s, ".") {
		return s
	}
	return s + ".0"
}

// Round rounds v to digits decimals (half away from zero).
func Round(v float64, digits int) float64 {
	f := math.Pow(10, float64(digits))
	return math.Round(v*f) / f
}
