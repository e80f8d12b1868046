// Command mergecommunes writes a copy of a communes GeoJSON (gzip) in which
// commune -b is merged into commune -a: a's feature takes the polygons of
// both, b's feature is dropped, every other feature is copied byte for
// byte. bench/reload-territory.sh reloads it as a real change of the
// boundaries (a merge on 1 January), beside a re-compression of the same
// file.
//
//	go run ./bench/mergecommunes -a 01004 -b 01007 IN.geojson.gz OUT.geojson.gz
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
)

// feature is the part of a feature mergecommunes reads.
type feature struct {
	Type       string          `json:"type"`
	Properties json.RawMessage `json:"properties"`
	Geometry   struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

func main() {
	a := flag.String("a", "01004", "INSEE code of the commune that absorbs")
	b := flag.String("b", "01007", "INSEE code of the commune merged into it")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: mergecommunes [-a CODE] [-b CODE] IN.geojson.gz OUT.geojson.gz")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *a, *b); err != nil {
		fmt.Fprintln(os.Stderr, "mergecommunes:", err)
		os.Exit(1)
	}
}

func run(in, out, a, b string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	ia, ib := -1, -1
	polys := map[int][]json.RawMessage{}
	for i, raw := range fc.Features {
		var ft feature
		if err := json.Unmarshal(raw, &ft); err != nil {
			return fmt.Errorf("%s: feature %d: %w", in, i+1, err)
		}
		var props struct {
			Code string `json:"code"`
		}
		_ = json.Unmarshal(ft.Properties, &props)
		if props.Code != a && props.Code != b {
			continue
		}
		if props.Code == a {
			ia = i
		} else {
			ib = i
		}
		switch ft.Geometry.Type {
		case "Polygon":
			polys[i] = []json.RawMessage{ft.Geometry.Coordinates}
		case "MultiPolygon":
			var ps []json.RawMessage
			if err := json.Unmarshal(ft.Geometry.Coordinates, &ps); err != nil {
				return fmt.Errorf("%s: feature %d: %w", in, i+1, err)
			}
			polys[i] = ps
		default:
			return fmt.Errorf("%s: feature %d: geometry %q", in, i+1, ft.Geometry.Type)
		}
	}
	if ia < 0 || ib < 0 {
		return errors.New("both codes must be features of the file")
	}
	var head feature
	if err := json.Unmarshal(fc.Features[ia], &head); err != nil {
		return err
	}
	merged, err := json.Marshal(map[string]any{
		"type": "Feature", "properties": head.Properties,
		"geometry": map[string]any{"type": "MultiPolygon", "coordinates": append(polys[ia], polys[ib]...)},
	})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(`{"type": "FeatureCollection", "features": [` + "\n")
	first := true
	for i, raw := range fc.Features {
		switch i {
		case ib:
			continue
		case ia:
			raw = merged
		}
		if !first {
			buf.WriteString(",\n")
		}
		first = false
		buf.Write(raw)
	}
	buf.WriteString("\n]}\n")
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(o)
	if _, err := zw.Write(buf.Bytes()); err != nil {
		o.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}
