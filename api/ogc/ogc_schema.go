package ogc

import (
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/internal/maplayers"

	"strings"

	"github.com/gin-gonic/gin"
)

// The schemas of the OGC collections, all built from a layer's Props (the
// same list the items are written from):
//
//   - /collections/{id}/schema: OGC API – Features Part 5 (Schemas), JSON
//     Schema 2020-12 of a feature's properties, flattened, with the id and
//     the primary geometry marked by "x-ogc-role" and the column order by
//     "x-ogc-propertySeq" (what QGIS reads);
//   - /collections/{id}/queryables: Part 3 queryables, the properties that
//     can be given as query parameters of the items (departement=) plus the
//     geometry (bbox=);
//   - /collections/{id}/feature-schema: the same properties as a JSON
//     Schema of a GeoJSON Feature, linked as "describedby": GDAL's OAPIF
//     driver reads that form and types its fields from it instead of from
//     the first values.
//
// A property may be null (unknown figure, missing boundary): the schemas
// give its non-null type, the single "type" string clients read.

// Media type (SchemaType) and link relations of the schemas.
const (
	SchemaType     = "application/schema+json"
	jsonSchema2020 = "https://json-schema.org/draft/2020-12/schema"
	relSchema      = "http://www.opengis.net/def/rel/ogc/1.0/schema"
	relQueryables  = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
)

// queryableProps are the properties the items endpoint filters on as
// query parameters: departement=CODE keeps the features whose departement
// property is CODE (communes, service points).
var queryableProps = []string{"departement"}

// schemaDoc is a JSON Schema object written with its properties in order
// (json objects from Go maps would come out sorted by name).
type schemaDoc struct {
	head  []schemaMember // members before "properties"
	props []schemaMember
	tail  []schemaMember // members after "properties"
}

// schemaMember is one member of a JSON object.
type schemaMember struct {
	Name  string
	Value any
}

// MarshalJSON writes the object, members in order.
func (d schemaDoc) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	var err error
	if b, err = appendMembers(b, d.head); err != nil {
		return nil, err
	}
	if len(d.head) > 0 {
		b = append(b, ',')
	}
	b = append(b, `"properties":{`...)
	if b, err = appendMembers(b, d.props); err != nil {
		return nil, err
	}
	b = append(b, '}')
	if len(d.tail) > 0 {
		b = append(b, ',')
		if b, err = appendMembers(b, d.tail); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendMembers(b []byte, ms []schemaMember) ([]byte, error) {
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		v, err := httpx.MarshalJSON(m.Value)
		if err != nil {
			return nil, err
		}
		b = append(httpx.AppendString(b, m.Name), ':')
		b = append(b, v...)
	}
	return b, nil
}

// propSchema is the JSON Schema of one property.
func propSchema(p maplayers.PropSpec) map[string]any {
	s := map[string]any{"title": p.Name, "description": p.Description, "type": p.Type}
	if p.Type == "array" {
		s["items"] = map[string]any{"type": "string"}
	}
	return s
}

// geometryFormat is the Part 5 format of a layer's geometry.
func geometryFormat(l *maplayers.Layer) string {
	if l.GeometryType == maplayers.GeomPoint {
		return "geometry-point"
	}
	return "geometry-multipolygon"
}

// geometrySchema is the primary geometry of a layer's features.
func geometrySchema(l *maplayers.Layer) map[string]any {
	return map[string]any{"title": "geometry", "x-ogc-role": "primary-geometry", "format": geometryFormat(l),
		"description": l.GeometryType + " in CRS84 (longitude, latitude), at most 6 decimals; null when the feature has none"}
}

// schemaHead are the leading members of a schema document at url.
func schemaHead(url, title, description string) []schemaMember {
	return []schemaMember{{"$schema", jsonSchema2020}, {"$id", url}, {"title", title},
		{"description", description}, {"type", "object"}}
}

// featureSchemaPart5 is the Part 5 schema of l's features.
func featureSchemaPart5(l *maplayers.Layer, url string) schemaDoc {
	// The id role marks the property equal to the GeoJSON id member; the
	// "sites" layer has none (its ids are layer:id).
	d := schemaDoc{head: schemaHead(url, l.Title, l.Description)}
	for i, p := range l.Props {
		s := propSchema(p)
		s["x-ogc-propertySeq"] = i + 1
		if p.Name == l.IDProp {
			s["x-ogc-role"] = "id"
		}
		d.props = append(d.props, schemaMember{p.Name, s})
	}
	d.props = append(d.props, schemaMember{"geometry", geometrySchema(l)})
	return d
}

// queryablesSchema is the Part 3 queryables of l.
func queryablesSchema(l *maplayers.Layer, url string) schemaDoc {
	d := schemaDoc{head: schemaHead(url, l.Title+": queryables",
		"Properties usable as query parameters of the items (property=value), and the geometry (bbox=)."),
		tail: []schemaMember{{"additionalProperties", false}}}
	for _, name := range queryableProps {
		if k := l.PropIndex(name); k >= 0 {
			s := propSchema(l.Props[k])
			s["description"] = l.Props[k].Description + "; filter with " + name + "=CODE"
			d.props = append(d.props, schemaMember{name, s})
		}
	}
	d.props = append(d.props, schemaMember{"geometry", geometrySchema(l)})
	return d
}

// geoJSONFeatureSchema is the JSON Schema of one GeoJSON Feature of l, as
// GDAL reads it (the fields are the members of "properties").
func geoJSONFeatureSchema(l *maplayers.Layer, url string) schemaDoc {
	props := schemaDoc{head: []schemaMember{{"type", "object"}}}
	for _, p := range l.Props {
		props.props = append(props.props, schemaMember{p.Name, propSchema(p)})
	}
	return schemaDoc{head: schemaHead(url, l.Title+": GeoJSON feature", l.Description),
		props: []schemaMember{
			{"type", map[string]any{"type": "string", "enum": []string{"Feature"}}},
			{"id", map[string]any{"type": "string"}},
			{"geometry", map[string]any{"type": "object", "description": geometrySchema(l)["description"]}},
			{"properties", props},
		},
		tail: []schemaMember{{"required", []string{"type", "geometry", "properties"}}}}
}

// schemaMediaType is application/schema+json, or application/json for a
// client asking for JSON but not for JSON Schema (GDAL fetches the
// queryables with Accept: application/geo+json, application/json, and
// refuses another media type).
func schemaMediaType(c *gin.Context) string {
	accept := c.GetHeader("Accept")
	if strings.Contains(accept, httpx.JSONType) && !strings.Contains(accept, SchemaType) {
		return httpx.JSONType
	}
	return SchemaType
}

// ogcSchema serves GET /ogc/collections/{id}/schema, /queryables and
// /feature-schema through build.
func (s *Handlers) ogcSchema(build func(l *maplayers.Layer, url string) schemaDoc) func(c *gin.Context) error {
	return func(c *gin.Context) error {
		if err := ogcFormat(c, nil); err != nil {
			return err
		}
		l, err := s.maps.StateOf(c).Layer(c.Param("id"))
		if err != nil {
			return err
		}
		body, err := httpx.MarshalJSON(build(l, s.env.BaseURL(c)+c.Request.URL.Path))
		if err != nil {
			return err
		}
		s.env.WriteCached(c, schemaMediaType(c), body)
		return nil
	}
}

// schemaLinks are the links of a collection to its schemas.
func schemaLinks(base string) []httpx.Link {
	return []httpx.Link{
		{Href: base + "/schema", Rel: relSchema, Type: SchemaType, Title: "schema of the features (OGC API - Features Part 5)"},
		{Href: base + "/feature-schema", Rel: "describedby", Type: SchemaType, Title: "JSON Schema of a GeoJSON feature"},
		{Href: base + "/queryables", Rel: relQueryables, Type: SchemaType, Title: "queryables"},
		// GDAL's OAPIF driver looks for the queryables under this short rel.
		{Href: base + "/queryables", Rel: "queryables", Type: SchemaType, Title: "queryables"},
	}
}
