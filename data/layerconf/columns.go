package layerconf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ParseColumns reads a column mapping given as text, as uploads send it
// (the multipart field columns): a JSON object with the keys of
// `[layer.columns]`, e.g. {"id":"identifiant","lat":"lat","lon":"lon"},
// or the same pairs as "id=identifiant,name=nom_site,lat=lat,lon=lon".
// Unknown keys are errors (a misspelt key would else be ignored); lat and
// lon are required, as in a layers file.
func ParseColumns(s string) (*Columns, error) {
	s = strings.TrimSpace(s)
	var c Columns
	if strings.HasPrefix(s, "{") {
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("columns: %w (want a JSON object of %s)", err, columnKeys)
		}
	} else {
		for _, kv := range strings.Split(s, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("columns: %q is not key=column (want %s)", kv, columnKeys)
			}
			f := c.field(strings.TrimSpace(k))
			if f == nil {
				return nil, fmt.Errorf("columns: unknown key %q (want %s)", strings.TrimSpace(k), columnKeys)
			}
			*f = strings.TrimSpace(v)
		}
	}
	if c.Lat == "" || c.Lon == "" {
		return nil, errors.New("columns: lat and lon are required")
	}
	return &c, nil
}

// columnKeys names the keys of a mapping, for messages.
const columnKeys = "id, name, lat, lon, commune, kind, format, address"

// field returns the field of key, nil for an unknown key.
func (c *Columns) field(key string) *string {
	switch key {
	case "id":
		return &c.ID
	case "name":
		return &c.Name
	case "lat":
		return &c.Lat
	case "lon":
		return &c.Lon
	case "commune":
		return &c.Commune
	case "kind":
		return &c.Kind
	case "format":
		return &c.Format
	case "address":
		return &c.Address
	}
	return nil
}
