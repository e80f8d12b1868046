package data

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/maillage/maillage/data/textio"
	"github.com/maillage/maillage/data/values"

	json "github.com/goccy/go-json"
	"github.com/maillage/maillage/geo/siteindex"
	"github.com/paulmach/orb"
)

// SnapMaxM is how far (in metres) a site outside every commune boundary may
// be from the nearest commune to be placed in it: coastal sites geocoded on
// a quay or a beach fall a little outside the simplified 2018 boundaries.
const SnapMaxM = 1000.0

// Where values of Reject: what Reject.Line counts.
const (
	WhereLine    = "line"    // 1-based line of a text file (CSV)
	WhereFeature = "feature" // 1-based feature of a GeoJSON collection
	WhereElement = "element" // 1-based element of a JSON array
)

// layerBuilder accumulates the sites of one file, locating each one in its
// commune and accounting for every record in the layer's report.
type layerBuilder struct {
	t     *Territory
	layer *Layer
	where string
	ids   map[string]int // site id → record position, to reject duplicates
}

// newLayerBuilder starts layer name from the file at path; where says what
// record positions count (WhereLine, WhereFeature or WhereElement).
func newLayerBuilder(t *Territory, name, path, where string) *layerBuilder {
	file := filepath.Base(path)
	return &layerBuilder{
		t:     t,
		layer: &Layer{Name: name, Source: file, Report: LoadReport{File: file, Rejects: []Reject{}}},
		where: where,
		ids:   make(map[string]int),
	}
}

// read counts one record read from the file.
func (b *layerBuilder) read() { b.layer.Report.Read++ }

// reject records that the record at pos (with id, possibly empty) was not
// loaded, and why.
func (b *layerBuilder) reject(pos int, id, reason string) {
	b.layer.Report.Rejects = append(b.layer.Report.Rejects, Reject{
		File: b.layer.Report.File, Line: pos, Where: b.where, ID: id, Reason: reason,
	})
}

// coord is a coordinate as read: present or not, and its value.
type coord struct {
	v  float64
	ok bool
}

// parseCoord reads a decimal-degree coordinate from text; a non-empty
// reason says why it is unusable (empty text is a missing coordinate).
func parseCoord(text, name string) (coord, string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return coord{}, ""
	}
	v, err := values.ParseDecimal(text)
	if err != nil {
		return coord{}, fmt.Sprintf("non-numeric %s %q", name, text)
	}
	return coord{v, true}, ""
}

// add checks the coordinates of s, locates it and appends it to the layer,
// or rejects it. declared is the commune code the record gives ("" when
// none); s.Kind, names and flags are already set.
func (b *layerBuilder) add(pos int, s Site, lat, lon coord, declared string) {
	r := &b.layer.Report
	if prev, dup := b.ids[s.ID]; dup && s.ID != "" {
		b.reject(pos, s.ID, fmt.Sprintf("duplicate id (first at %s %d)", b.where, prev))
		return
	}
	if reason := coordProblem(lat, lon); reason != "" {
		b.reject(pos, s.ID, reason)
		return
	}
	p := orb.Point{lon.v, lat.v}
	c, how := b.t.place(p, declared)
	switch how {
	case locOutside:
		b.reject(pos, s.ID, b.t.OutsideReason(p))
		return
	case locSnapped:
		r.Snapped++
	case locDeclared:
		r.DeclaredCommuneUsed++
	}
	if declared != "" {
		cur, known := b.t.CurrentCode(declared)
		switch {
		case !known:
			r.DeclaredUnknown++
		case cur != declared:
			r.CodesMapped++
		}
		if known && cur != c.Code {
			r.CommuneMismatch++
		}
	}
	if s.Itinerant {
		r.Mobile++
	}
	s.Point, s.Commune, s.Departement, s.Layer = p, c.Code, c.Departement, b.layer.Name
	if s.ID != "" {
		b.ids[s.ID] = pos
	}
	b.layer.Sites = append(b.layer.Sites, s)
	r.Loaded++
}

// coordProblem says why a latitude/longitude pair is unusable, or "".
func coordProblem(lat, lon coord) string {
	switch {
	case !lat.ok && !lon.ok:
		return "missing coordinates"
	case !lat.ok:
		return "missing latitude"
	case !lon.ok:
		return "missing longitude"
	case lat.v == 0 && lon.v == 0:
		return "coordinates 0,0"
	case lat.v < -90 || lat.v > 90:
		return fmt.Sprintf("latitude %g out of range", lat.v)
	case lon.v < -180 || lon.v > 180:
		return fmt.Sprintf("longitude %g out of range", lon.v)
	}
	return ""
}

// finish builds the site index and returns the layer.
func (b *layerBuilder) finish(vintage string) *Layer {
	l := b.layer
	l.Vintage = vintage
	pts := make([]orb.Point, len(l.Sites))
	for i := range l.Sites {
		pts[i] = l.Sites[i].Point
	}
	l.Index = siteindex.New(pts)
	return l
}

// fs2020Feature is one feature of the 2020 France Services GeoJSON.
type fs2020Feature struct {
	Properties struct {
		ID         json.RawMessage `json:"MATRICULE"` // a number in the file; a string is accepted
		Name       string          `json:"lib_france_services"`
		Commune    string          `json:"insee_com"`
		Itinerance string          `json:"ITINERANCE"`
		Format     string          `json:"FORMAT_FS"`
		Address    string          `json:"ADRESSE"`
		PostCode   string          `json:"code_postal"`
		Town       string          `json:"lib_com"`
	} `json:"properties"`
	Geometry *struct {
		Type        string    `json:"type"`
		Coordinates []float64 `json:"coordinates"`
	} `json:"geometry"`
}

// LoadFranceServices2020 loads the 2020 France Services GeoJSON (Points;
// properties MATRICULE, lib_france_services, insee_com, ITINERANCE "Oui"
// for mobile sites, FORMAT_FS "Antenne" for antennas, ADRESSE). Its legacy
// `crs` member must name WGS84 longitude/latitude (CRS84 or EPSG:4326).
// A feature that cannot be decoded is rejected with its number; a file that
// is not a FeatureCollection is an error.
func LoadFranceServices2020(path string, t *Territory) (*Layer, error) {
	buf, err := textio.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("france services %s: %w", path, err)
	}
	var fc struct {
		Type string `json:"type"`
		CRS  *struct {
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"crs"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(buf, &fc); err != nil {
		return nil, fmt.Errorf("france services %s: %w", path, err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("france services %s: type %q, want FeatureCollection", path, fc.Type)
	}
	if fc.CRS != nil && !isWGS84(fc.CRS.Properties.Name) {
		return nil, fmt.Errorf("france services %s: unsupported crs %q", path, fc.CRS.Properties.Name)
	}
	b := newLayerBuilder(t, LayerFranceServices2020, path, WhereFeature)
	for i, raw := range fc.Features {
		pos := i + 1
		b.read()
		var f fs2020Feature
		if err := json.Unmarshal(raw, &f); err != nil {
			b.reject(pos, "", "undecodable feature: "+err.Error())
			continue
		}
		p := f.Properties
		id := jsonID(p.ID)
		if f.Geometry == nil || f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) < 2 {
			b.reject(pos, id, "no Point geometry")
			continue
		}
		kind := KindFranceServices
		if strings.EqualFold(strings.TrimSpace(p.Format), "Antenne") {
			kind = KindAntenne
		}
		s := Site{
			ID: id, Name: strings.TrimSpace(p.Name), Kind: kind, Format: strings.TrimSpace(p.Format),
			Itinerant: strings.EqualFold(strings.TrimSpace(p.Itinerance), "Oui"),
			Address:   joinAddress(p.Address, p.PostCode, p.Town),
		}
		lon, lat := f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
		b.add(pos, s, coord{lat, true}, coord{lon, true}, strings.TrimSpace(p.Commune))
	}
	return b.finish(Vintage2020), nil
}

// isWGS84 reports whether a GeoJSON crs name is WGS84 longitude/latitude.
func isWGS84(name string) bool {
	switch strings.ToUpper(name) {
	case "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:OGC::CRS84", "EPSG:4326", "URN:OGC:DEF:CRS:EPSG::4326":
		return true
	}
	return false
}

// jsonID renders a JSON id (number or string) as text.
func jsonID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// joinAddress joins the non-empty parts of an address with spaces.
func joinAddress(parts ...string) string {
	var nonEmpty []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return strings.Join(nonEmpty, " ")
}
