package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// rowsOf turns a slice of structs into a header and rows, one column per
// exported scalar field with a JSON name (slices are joined with spaces), so
// that CSV and table output carry the same names as the JSON.
func rowsOf(items any) (header []string, rows [][]string) {
	v := reflect.ValueOf(items)
	if v.Kind() != reflect.Slice {
		return nil, nil
	}
	et := v.Type().Elem()
	type col struct {
		name  string
		index int
	}
	var cols []col
	for i := 0; i < et.NumField(); i++ {
		f := et.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Struct, reflect.Map, reflect.Pointer, reflect.Interface:
			continue
		case reflect.Slice:
			if f.Type.Elem().Kind() == reflect.Struct {
				continue
			}
		}
		cols = append(cols, col{name, i})
		header = append(header, name)
	}
	for r := 0; r < v.Len(); r++ {
		row := make([]string, len(cols))
		for j, c := range cols {
			row[j] = cell(v.Index(r).Field(c.index))
		}
		rows = append(rows, row)
	}
	return header, rows
}

// cell formats one field value.
func cell(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	case reflect.Slice, reflect.Array:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = cell(v.Index(i))
		}
		return strings.Join(parts, " ")
	default:
		return fmt.Sprint(v.Interface())
	}
}

// writeCSV writes items as CSV.
func writeCSV(w io.Writer, items any) error {
	header, rows := rowsOf(items)
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// writeTable writes items as an aligned text table with the given columns.
func writeTable(w io.Writer, items any, columns ...string) error {
	header, rows := rowsOf(items)
	idx := make([]int, 0, len(columns))
	for _, c := range columns {
		if i := indexOf(header, c); i >= 0 {
			idx = append(idx, i)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	pick := func(row []string) string {
		out := make([]string, len(idx))
		for k, i := range idx {
			out[k] = row[i]
		}
		return strings.Join(out, "\t") + "\t"
	}
	fmt.Fprintln(tw, pick(header))
	for _, r := range rows {
		fmt.Fprintln(tw, pick(r))
	}
	return tw.Flush()
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// pointsGeoJSON makes a FeatureCollection of point features, one per item
// (its JSON fields as properties), with summary's fields as foreign members
// less the member named list (the items themselves).
func pointsGeoJSON[T any](items []T, at func(T) (id string, p orb.Point), summary any, list string) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for _, it := range items {
		id, p := at(it)
		f := geojson.NewFeature(p)
		f.ID = id
		f.Properties = propertiesOf(it)
		fc.Append(f)
	}
	fc.ExtraMembers = propertiesOf(summary)
	delete(fc.ExtraMembers, list)
	return fc
}
