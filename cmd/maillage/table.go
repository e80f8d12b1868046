package main

import (
	"encoding/json"
	"io"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/internal/present"
)

// rows pairs result items with their presentation table, so that a
// subcommand can pick the items by flag and write them in any format.
type rows interface {
	writeCSV(w io.Writer) error
	writeText(w io.Writer, columns ...string) error
	value() any // the items themselves, for JSON
}

type tableRows[T any] struct {
	t     present.Table[T]
	items []T
}

// rowsOf pairs items with t.
func rowsOf[T any](t present.Table[T], items []T) rows { return tableRows[T]{t, items} }

func (r tableRows[T]) writeCSV(w io.Writer) error { return r.t.WriteCSV(w, r.items) }

func (r tableRows[T]) writeText(w io.Writer, columns ...string) error {
	return r.t.WriteText(w, r.items, columns...)
}

func (r tableRows[T]) value() any { return r.items }

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// pointsGeoJSON makes a FeatureCollection of point features, one per item
// (its table's columns as properties), with summary's fields as foreign
// members less the member named list (the items themselves).
func pointsGeoJSON[T any](t present.Table[T], items []T, at func(*T) (id string, p orb.Point), summary any, list string) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for i := range items {
		id, p := at(&items[i])
		f := geojson.NewFeature(p)
		f.ID = id
		f.Properties = t.Properties(&items[i])
		fc.Append(f)
	}
	fc.ExtraMembers = propertiesOf(summary)
	delete(fc.ExtraMembers, list)
	return fc
}

// propertiesOf turns a summary struct into GeoJSON foreign members through
// its JSON tags.
func propertiesOf(v any) geojson.Properties {
	b, err := json.Marshal(v)
	p := geojson.Properties{}
	if err == nil {
		_ = json.Unmarshal(b, &p)
	}
	return p
}
