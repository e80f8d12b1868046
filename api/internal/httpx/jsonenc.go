package httpx

import (
	"encoding/json"
	"io"
	"math"
	"strconv"

	ginjson "github.com/gin-gonic/gin/codec/json"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/paulmach/orb/geojson"
)

// Every JSON answer is written with one encoder: encoding/json's rules
// (go-json-experiment's v1 options), except that a Go float is always
// written with a decimal point or an exponent (1.0, not 1). GIS clients
// (GDAL, hence QGIS) type a GeoJSON property from the values they see
// first: a share written 1 for the fully covered communes of the first page
// would make covered_share an integer column and turn 0.99 into 0. Integer
// Go types stay integers, so the JSON type of every value follows its Go
// type. The hand-written GeoJSON of the map layers (featureWriter) uses
// AppendReal too.
//
// init installs the encoder as gin's JSON codec (c.JSON and friends) and
// as orb/geojson's marshaler (Feature.MarshalJSON marshals its properties
// itself): both packages expose these variables for that purpose, and
// setting them once at start-up, before any request, is race-free.
func init() {
	ginjson.API = jsonCodec{}
	geojson.CustomJSONMarshaler = jsonCodec{}
}

// jsonOptions are the options of every answer's encoding.
var jsonOptions = jsonv2.JoinOptions(jsonv1.DefaultOptionsV1(), jsonv2.WithMarshalers(jsonv2.JoinMarshalers(
	jsonv2.MarshalFunc(func(f float64) ([]byte, error) { return AppendReal(nil, f, 64) }),
	jsonv2.MarshalFunc(func(f float32) ([]byte, error) { return AppendReal(nil, float64(f), 32) }),
)))

// MarshalJSON encodes v as every answer is.
func MarshalJSON(v any) ([]byte, error) { return jsonv2.Marshal(v, jsonOptions) }

// AppendReal appends f as encoding/json writes a float (shortest form,
// exponent below 1e-6 and from 1e21), with ".0" added to a whole number so
// that it reads as a real. NaN and infinities are refused, as encoding/json
// does.
func AppendReal(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, &json.UnsupportedValueError{Str: strconv.FormatFloat(f, 'g', -1, bits)}
	}
	start := len(b)
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		if n := len(b); n-start >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
		return b, nil
	}
	for _, c := range b[start:] {
		if c == '.' {
			return b, nil
		}
	}
	return append(b, ".0"...), nil
}

// jsonCodec is gin's codec and orb/geojson's marshaler: MarshalJSON to
// write, encoding/json to read (as gin's default).
type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error) { return MarshalJSON(v) }

func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func (jsonCodec) MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	return jsonv2.Marshal(v, jsonOptions, jsontext.WithIndentPrefix(prefix), jsontext.WithIndent(indent))
}

func (jsonCodec) NewEncoder(w io.Writer) ginjson.Encoder { return &jsonEncoder{w: w, escapeHTML: true} }

func (jsonCodec) NewDecoder(r io.Reader) ginjson.Decoder { return json.NewDecoder(r) }

// jsonEncoder writes values followed by a newline, as json.Encoder.
type jsonEncoder struct {
	w          io.Writer
	escapeHTML bool
}

func (e *jsonEncoder) SetEscapeHTML(on bool) { e.escapeHTML = on }

func (e *jsonEncoder) Encode(v any) error {
	b, err := jsonv2.Marshal(v, jsonOptions, jsontext.EscapeForHTML(e.escapeHTML))
	if err != nil {
		return err
	}
	_, err = e.w.Write(append(b, '\n'))
	return err
}
