package flatbin

import (
	"fmt"
	"unsafe"

	"github.com/paulmach/orb"
)

// PutBounds appends boxes (four float64 each: min lon, min lat, max lon, max lat).
func PutBounds(w *Writer, b []orb.Bound) {
	Put(w, unsafe.Slice((*[4]float64)(unsafe.Pointer(unsafe.SliceData(b))), len(b)))
}

// GetBounds reads boxes written by PutBounds (aliasing the buffer as Get does).
func GetBounds(r *Reader) []orb.Bound {
	raw := Get[[4]float64](r)
	return unsafe.Slice((*orb.Bound)(unsafe.Pointer(unsafe.SliceData(raw))), len(raw))
}

// PutMultiPolygons appends shapes as polygons per shape, rings per polygon,
// points per ring, then every point: four flat arrays whatever the count of
// shapes. A nil or empty shape reads back as nil.
func PutMultiPolygons(w *Writer, shapes []orb.MultiPolygon) {
	polys := make([]uint32, len(shapes))
	var rings, points []uint32
	total := 0
	for i, mp := range shapes {
		polys[i] = uint32(len(mp))
		for _, p := range mp {
			rings = append(rings, uint32(len(p)))
			for _, r := range p {
				points = append(points, uint32(len(r)))
				total += len(r)
			}
		}
	}
	all := make([]orb.Point, 0, total)
	for _, mp := range shapes {
		for _, p := range mp {
			for _, r := range p {
				all = append(all, r...)
			}
		}
	}
	Put(w, polys)
	Put(w, rings)
	Put(w, points)
	Put(w, all)
}

// GetMultiPolygons reads shapes written by PutMultiPolygons. Their points
// alias the buffer (see Get); the rings, polygons and shapes are cut from
// three allocations, each with its capacity set to its length.
func GetMultiPolygons(r *Reader) []orb.MultiPolygon {
	polys, rings, points := Get[uint32](r), Get[uint32](r), Get[uint32](r)
	pts := Get[orb.Point](r)
	if r.Err() != nil {
		return nil
	}
	sum := func(s []uint32) uint64 {
		n := uint64(0)
		for _, v := range s {
			n += uint64(v)
		}
		return n
	}
	if sum(polys) != uint64(len(rings)) || sum(rings) != uint64(len(points)) || sum(points) != uint64(len(pts)) {
		r.Fail(fmt.Errorf("flatbin: shapes of %d polygons, %d rings, %d points do not add up", len(rings), len(points), len(pts)))
		return nil
	}
	ringAll := make([]orb.Ring, len(points))
	off := 0
	for i, n := range points {
		ringAll[i] = pts[off : off+int(n) : off+int(n)]
		off += int(n)
	}
	polyAll := make([]orb.Polygon, len(rings))
	off = 0
	for i, n := range rings {
		polyAll[i] = ringAll[off : off+int(n) : off+int(n)]
		off += int(n)
	}
	out := make([]orb.MultiPolygon, len(polys))
	off = 0
	for i, n := range polys {
		if n > 0 {
			out[i] = polyAll[off : off+int(n) : off+int(n)]
		}
		off += int(n)
	}
	return out
}
