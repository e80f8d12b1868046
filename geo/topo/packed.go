package topo

import (
	"encoding/binary"
	"math"
	mathbits "math/bits"

	"github.com/paulmach/orb"
)

// Geometry caches (simplified communes per zoom, the simplified arcs of a
// topology) hold millions of positions that a request reads rarely: held
// as orb values they cost 16 bytes a position plus a slice header per ring.
// The packed forms below keep each line as zigzag varint deltas of its
// coordinates counted in units of packUnitDeg (1e-7°, about 1 cm), 2 to 6
// bytes a position, and decode them to exactly the float64 values packed:
// a line whose coordinates do not all come back bit for bit (not on the
// grid, or not decodable by either expression) is kept as raw float64s.

// packUnitDeg is the grid of packed coordinates, in degrees: SnapDeg, so
// that topology arcs (snapped to it) and coordinates rounded to at most 7
// decimals pack.
const packUnitDeg = SnapDeg

// How a packed line decodes its integer coordinates k.
const (
	packDivide   byte = iota // float64(k) / 1e7: coordinates rounded to ≤ 7 decimals
	packMultiply             // float64(k) * SnapDeg: coordinates snapped by snap
	packRaw                  // 16 bytes a position, float64 bits
)

// decodeCoord returns the coordinate of integer k in mode.
func decodeCoord(k int64, mode byte) float64 {
	if mode == packDivide {
		return float64(k) / 1e7
	}
	return float64(k) * packUnitDeg
}

// packMode returns the first mode decoding every coordinate of pts back
// bit for bit, packRaw when none does.
func packMode(pts []orb.Point) byte {
	for _, mode := range []byte{packDivide, packMultiply} {
		ok := true
		for _, p := range pts {
			for _, v := range p {
				k := math.Round(v / packUnitDeg)
				if math.Abs(k) > 1<<52 || decodeCoord(int64(k), mode) != v {
					ok = false
					break
				}
			}
			if !ok {
				break
			}
		}
		if ok {
			return mode
		}
	}
	return packRaw
}

// appendPackedLine appends pts to buf: its length, its mode, then its
// positions.
func appendPackedLine(buf []byte, pts []orb.Point) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(pts)))
	mode := packMode(pts)
	buf = append(buf, mode)
	if mode == packRaw {
		for _, p := range pts {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(p[0]))
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(p[1]))
		}
		return buf
	}
	var px, py int64
	for _, p := range pts {
		x, y := int64(math.Round(p[0]/packUnitDeg)), int64(math.Round(p[1]/packUnitDeg))
		buf = binary.AppendVarint(buf, x-px)
		buf = binary.AppendVarint(buf, y-py)
		px, py = x, y
	}
	return buf
}

// readPackedLine appends the positions of the line at the start of buf to
// dst and returns them with the rest of buf. buf must come from
// appendPackedLine.
func readPackedLine(dst []orb.Point, buf []byte) ([]orb.Point, []byte) {
	n, w := binary.Uvarint(buf)
	mode := buf[w]
	buf = buf[w+1:]
	if mode == packRaw {
		for range n {
			x := math.Float64frombits(binary.LittleEndian.Uint64(buf))
			y := math.Float64frombits(binary.LittleEndian.Uint64(buf[8:]))
			dst = append(dst, orb.Point{x, y})
			buf = buf[16:]
		}
		return dst, buf
	}
	var x, y int64
	for range n {
		dx, w := binary.Varint(buf)
		buf = buf[w:]
		dy, w := binary.Varint(buf)
		buf = buf[w:]
		x, y = x+dx, y+dy
		dst = append(dst, orb.Point{decodeCoord(x, mode), decodeCoord(y, mode)})
	}
	return dst, buf
}

// packedLen returns the number of positions of the line at the start of
// buf.
func packedLen(buf []byte) int {
	n, _ := binary.Uvarint(buf)
	return int(n)
}

// PackedMultiPolygon is a MultiPolygon held packed (see packUnitDeg): its
// number of positions, of polygons, of rings per polygon, then the rings. A
// cache of many shapes costs a quarter to a third of their orb form. The
// zero value is an empty MultiPolygon.
type PackedMultiPolygon []byte

// PackMultiPolygon packs mp; MultiPolygon gives it back bit for bit.
func PackMultiPolygon(mp orb.MultiPolygon) PackedMultiPolygon {
	if len(mp) == 0 {
		return nil
	}
	total := 0
	for _, poly := range mp {
		for _, r := range poly {
			total += len(r)
		}
	}
	buf := binary.AppendUvarint(nil, uint64(total))
	buf = binary.AppendUvarint(buf, uint64(len(mp)))
	for _, poly := range mp {
		buf = binary.AppendUvarint(buf, uint64(len(poly)))
	}
	for _, poly := range mp {
		for _, r := range poly {
			buf = appendPackedLine(buf, r)
		}
	}
	// append grew buf by doubling: keep only its length.
	return PackedMultiPolygon(append([]byte(nil), buf...))
}

// MultiPolygon decodes p into a new MultiPolygon (nil when empty), its
// rings sharing one array of positions.
func (p PackedMultiPolygon) MultiPolygon() orb.MultiPolygon {
	if len(p) == 0 {
		return nil
	}
	buf := []byte(p)
	total, w := binary.Uvarint(buf)
	buf = buf[w:]
	np, w := binary.Uvarint(buf)
	buf = buf[w:]
	mp := make(orb.MultiPolygon, np)
	for i := range mp {
		nr, w := binary.Uvarint(buf)
		buf = buf[w:]
		mp[i] = make(orb.Polygon, nr)
	}
	pts := make([]orb.Point, 0, total)
	for _, poly := range mp {
		for k := range poly {
			start := len(pts)
			pts, buf = readPackedLine(pts, buf)
			poly[k] = orb.Ring(pts[start:len(pts):len(pts)])
		}
	}
	return mp
}

// packedLines holds many lines packed in one buffer, each read on its own.
type packedLines struct {
	buf []byte
	off []uint32 // line i is buf[off[i]:]
}

// packLines packs lines.
func packLines(lines []orb.LineString) packedLines {
	var p packedLines
	p.off = make([]uint32, len(lines))
	for i, l := range lines {
		p.off[i] = uint32(len(p.buf))
		p.buf = appendPackedLine(p.buf, l)
	}
	p.buf = append([]byte(nil), p.buf...)
	return p
}

// line appends line i's positions to dst.
func (p *packedLines) line(dst []orb.Point, i int) []orb.Point {
	dst, _ = readPackedLine(dst, p.buf[p.off[i]:])
	return dst
}

// lineLen returns the number of positions of line i.
func (p *packedLines) lineLen(i int) int { return packedLen(p.buf[p.off[i]:]) }

// Subsets of lines, one bit a position: a simplification of a line that
// keeps some of its positions (Douglas-Peucker) is held as the bits of the
// positions it keeps, and decoded from the line itself.

// markSubsequence sets, from bit off of bits, the bit of each position of
// line kept by sub, and reports whether sub is a subsequence of line (its
// positions equal bit for bit, in order). Matching each position of sub to
// the first equal one left finds a match whenever there is one, and any
// match gives sub back.
func markSubsequence(bits []uint64, off int, line, sub []orb.Point) bool {
	k := 0
	for j, p := range line {
		if k < len(sub) && sameBits(sub[k], p) {
			bits[(off+j)>>6] |= 1 << uint((off+j)&63)
			k++
		}
	}
	return k == len(sub)
}

// sameBits reports whether a and b are the same float64 values bit for bit
// (0 and -0 differ).
func sameBits(a, b orb.Point) bool {
	return math.Float64bits(a[0]) == math.Float64bits(b[0]) && math.Float64bits(a[1]) == math.Float64bits(b[1])
}

// keepMarked keeps, in place, the positions of pts whose bit (from bit off
// of bits) is set.
func keepMarked(pts []orb.Point, bits []uint64, off int) []orb.Point {
	n := 0
	for j, p := range pts {
		if bits[(off+j)>>6]&(1<<uint((off+j)&63)) != 0 {
			pts[n] = p
			n++
		}
	}
	return pts[:n]
}

// countMarked returns the number of bits set in [lo, hi).
func countMarked(bits []uint64, lo, hi int) int {
	n := 0
	for lo < hi && lo&63 != 0 {
		n += int(bits[lo>>6] >> uint(lo&63) & 1)
		lo++
	}
	for ; lo+64 <= hi; lo += 64 {
		n += mathbits.OnesCount64(bits[lo>>6])
	}
	for ; lo < hi; lo++ {
		n += int(bits[lo>>6] >> uint(lo&63) & 1)
	}
	return n
}
