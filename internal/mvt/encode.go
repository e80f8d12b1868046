package mvt

import (
	"encoding/binary"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// Layer encodes one layer of a Mapbox Vector Tile (specification 2.1)
// straight to protobuf. orb/encoding/mvt's Marshal, which takes
// geojson.Features, spends 80 % of a zoom-5 tile of France's 20,000
// communes hashing interface values and sorting property maps; here keys
// are the layer's properties in order and values are deduplicated by a
// typed key. Tests decode every tile with orb's mvt.Unmarshal.
type Layer struct {
	name     string
	keys     []string
	extent   uint32
	strIDs   map[string]uint32 // value index of each string
	numIDs   map[float64]uint32
	boolIDs  [2]uint32 // value index + 1 of false and true, 0 when unused
	nValues  uint32
	values   []byte // encoded Layer.values fields
	features []byte // encoded Layer.features fields
	count    int
	feat     []byte   // scratch: one feature
	tags     []uint32 // scratch
	geom     []uint32 // scratch
}

// Protobuf wire types and MVT field numbers.
const (
	wireVarint = 0
	wire64     = 1
	wireBytes  = 2

	tileLayers     = 3
	layerName      = 1
	layerFeatures  = 2
	layerKeys      = 3
	layerValues    = 4
	layerExtent    = 5
	layerVersion   = 15
	featureID      = 1
	featureTags    = 2
	featureType    = 3
	featureGeom    = 4
	valueString    = 1
	valueDouble    = 3
	valueUint      = 5
	valueSint      = 6
	valueBool      = 7
	geomPointType  = 1
	geomPolyType   = 3
	cmdMoveTo      = 1
	cmdLineTo      = 2
	cmdClosePath   = 7
	mvtSpecVersion = 2
)

// NewLayer starts a layer sized for about n features: keys are the
// property names, extent the tile's size in its own units (4096 usually).
func NewLayer(name string, keys []string, extent uint32, n int) *Layer {
	return &Layer{name: name, keys: keys, extent: extent,
		strIDs: make(map[string]uint32, n*2), numIDs: make(map[float64]uint32, n*len(keys)/2),
		values: make([]byte, 0, n*len(keys)*4), features: make([]byte, 0, n*64)}
}

// Add encodes one feature: g is an orb.Point or orb.MultiPolygon in tile
// coordinates (integers, rings closed and oriented), vals its properties
// in the order of keys (nulls left out, lists joined by commas).
func (l *Layer) Add(id uint64, g orb.Geometry, vals []Value) {
	var typ uint64
	l.geom = l.geom[:0]
	switch g := g.(type) {
	case orb.Point:
		typ = geomPointType
		x, y := int32(g[0]), int32(g[1])
		l.geom = append(l.geom, command(cmdMoveTo, 1), zigzag(x), zigzag(y))
	case orb.MultiPolygon:
		typ = geomPolyType
		var cx, cy int32
		for _, p := range g {
			for _, r := range p {
				n := len(r) - 1 // the closing point is implied by ClosePath
				x, y := int32(r[0][0]), int32(r[0][1])
				l.geom = append(l.geom, command(cmdMoveTo, 1), zigzag(x-cx), zigzag(y-cy), command(cmdLineTo, n-1))
				cx, cy = x, y
				for _, q := range r[1:n] {
					x, y = int32(q[0]), int32(q[1])
					l.geom = append(l.geom, zigzag(x-cx), zigzag(y-cy))
					cx, cy = x, y
				}
				l.geom = append(l.geom, command(cmdClosePath, 1))
			}
		}
	default:
		return // other geometries are not drawn on this service's maps
	}
	l.tags = l.tags[:0]
	for k, v := range vals {
		if v.Kind == Null {
			continue
		}
		l.tags = append(l.tags, uint32(k), l.valueID(v))
	}
	f := l.feat[:0]
	f = appendVarintField(f, featureID, id)
	f = appendPacked(f, featureTags, l.tags)
	f = appendVarintField(f, featureType, typ)
	f = appendPacked(f, featureGeom, l.geom)
	l.feat = f
	l.features = appendBytesField(l.features, layerFeatures, f)
	l.count++
}

// valueID returns the index of v in the layer's values, adding it.
func (l *Layer) valueID(v Value) uint32 {
	switch v.Kind {
	case String, Strings:
		str := v.S
		if v.Kind == Strings {
			str = strings.Join(v.List, ",")
		}
		if id, ok := l.strIDs[str]; ok {
			return id
		}
		l.strIDs[str] = l.nValues
		l.values = appendKey(l.values, layerValues, wireBytes)
		l.values = binary.AppendUvarint(l.values, uint64(1+uvarintLen(uint64(len(str)))+len(str)))
		l.values = appendKey(l.values, valueString, wireBytes)
		l.values = binary.AppendUvarint(l.values, uint64(len(str)))
		l.values = append(l.values, str...)
	case Bool:
		b := int(v.F)
		if id := l.boolIDs[b]; id > 0 {
			return id - 1
		}
		l.boolIDs[b] = l.nValues + 1
		l.values = append(l.values, layerValues<<3|wireBytes, 2, valueBool<<3|wireVarint, byte(b))
	case Number:
		f := v.F
		if id, ok := l.numIDs[f]; ok {
			return id
		}
		l.numIDs[f] = l.nValues
		var m [16]byte
		var n []byte
		switch {
		case f == math.Trunc(f) && f >= 0 && f < 1<<53:
			n = appendVarintField(m[:0], valueUint, uint64(f))
		case f == math.Trunc(f) && f < 0 && f > -(1<<53):
			n = appendVarintField(m[:0], valueSint, zigzag64(int64(f)))
		default:
			n = appendKey(m[:0], valueDouble, wire64)
			n = binary.LittleEndian.AppendUint64(n, math.Float64bits(f))
		}
		l.values = appendBytesField(l.values, layerValues, n)
	default:
		return 0 // nulls are never tagged
	}
	l.nValues++
	return l.nValues - 1
}

// Tile returns the whole tile holding this one layer, nil when it has no
// feature.
func (l *Layer) Tile() []byte {
	if l.count == 0 {
		return nil
	}
	body := make([]byte, 0, len(l.features)+len(l.values)+64)
	body = appendVarintField(body, layerVersion, mvtSpecVersion)
	body = appendBytesField(body, layerName, []byte(l.name))
	body = append(body, l.features...)
	for _, k := range l.keys {
		body = appendBytesField(body, layerKeys, []byte(k))
	}
	body = append(body, l.values...)
	body = appendVarintField(body, layerExtent, uint64(l.extent))
	return appendBytesField(make([]byte, 0, len(body)+8), tileLayers, body)
}

// command is an MVT command integer.
func command(id, count int) uint32 { return uint32(id&7) | uint32(count)<<3 }

func zigzag(v int32) uint32   { return uint32((v << 1) ^ (v >> 31)) }
func zigzag64(v int64) uint64 { return uint64((v << 1) ^ (v >> 63)) }

func appendKey(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field<<3|wire))
}

func appendVarintField(b []byte, field int, v uint64) []byte {
	return binary.AppendUvarint(appendKey(b, field, wireVarint), v)
}

func appendBytesField(b []byte, field int, v []byte) []byte {
	b = binary.AppendUvarint(appendKey(b, field, wireBytes), uint64(len(v)))
	return append(b, v...)
}

// appendPacked appends a packed repeated uint32 field (nothing when
// empty).
func appendPacked(b []byte, field int, vs []uint32) []byte {
	if len(vs) == 0 {
		return b
	}
	n := 0
	for _, v := range vs {
		n += uvarintLen(uint64(v))
	}
	b = binary.AppendUvarint(appendKey(b, field, wireBytes), uint64(n))
	for _, v := range vs {
		b = binary.AppendUvarint(b, uint64(v))
	}
	return b
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}
