package topo

import (
	"encoding/binary"
	"math"
	mathbits "math/bits"
	"slices"

	"github.com/paulmach/orb"
)

// A simplification of a shape that a cache keeps beside the shape itself
// (the map's communes at zooms 9 to 12 beside the communes as read) is
// made of the shape's own positions, rounded (Simplifier): each of its
// rings keeps some positions of one ring of the source, in order or
// reversed, rounded to some decimals. Held as one bit a source position, it
// costs an eighth of a byte a position where packed on its own
// (PackedMultiPolygon) it costs 2 to 6 bytes, and decodes from the source
// bit for bit.

// Simplified is a simplification of a source MultiPolygon, held as the
// positions it keeps of the source when it is made of them, else packed on
// its own (PackedMultiPolygon): HoldSimplified chooses, MultiPolygon
// decodes. The zero value is an empty MultiPolygon.
type Simplified []byte

// How a Simplified holds its shape (its first byte).
const (
	heldPacked byte = iota // then a PackedMultiPolygon
	heldSubset             // then the subset form (HoldSimplified)
)

// maxSubsetDecimals bounds the roundings tried for a ring (Simplifier's
// decimals stay within it).
const maxSubsetDecimals = 15

// HoldSimplified returns s held against src, the shape it simplifies. The
// subset form is, after its tag: the number of polygons; per polygon its
// index in src and its number of rings; per ring its index in its source
// polygon, its rounding (decimals + 1, 0 for none), whether it runs
// reversed, then one bit per position of its source ring. s decodes from it
// bit for bit (checked here); a shape that does not (a ring closed on a
// point its source ring does not end with, a position moved otherwise than
// by rounding) is packed on its own.
func HoldSimplified(src, s orb.MultiPolygon) Simplified {
	if len(s) == 0 {
		return nil
	}
	if b, ok := subsetOf(src, s); ok {
		return Simplified(b)
	}
	return Simplified(append([]byte{heldPacked}, PackMultiPolygon(s)...))
}

// subsetOf returns the subset form of s against src, ok false when s is
// not made of src's positions as Simplifier makes them.
func subsetOf(src, s orb.MultiPolygon) ([]byte, bool) {
	buf := binary.AppendUvarint([]byte{heldSubset}, uint64(len(s)))
	var bits []byte
	dec := -1 // the rounding of the last ring, tried first
	pi := 0
	for _, q := range s {
		if len(q) == 0 {
			return nil, false
		}
		// The polygon of src whose exterior q's is: polygons come out in
		// src's order.
		for pi < len(src) && (len(src[pi]) == 0 || !matchRing(src[pi][0], q[0], &dec, &bits)) {
			pi++
		}
		if pi == len(src) {
			return nil, false
		}
		buf = binary.AppendUvarint(buf, uint64(pi))
		buf = binary.AppendUvarint(buf, uint64(len(q)))
		poly := src[pi]
		for k, r := range q {
			ri := 0 // the exterior, matched above (bits and dec are its)
			if k > 0 {
				for ri = 1; ri < len(poly) && !matchRing(poly[ri], r, &dec, &bits); ri++ {
				}
				if ri == len(poly) {
					return nil, false
				}
			}
			buf = binary.AppendUvarint(buf, uint64(ri))
			buf = append(buf, byte(dec+1), bits[0])
			buf = append(buf, bits[1:]...)
		}
		pi++
	}
	// Appending doubled the buffer's capacity: keep its length only.
	return append([]byte(nil), buf...), true
}

// matchRing reports whether r is made of src's positions rounded to some
// decimals, in order or reversed. When it is, *dec is that rounding and
// *bits holds the direction (1 reversed) then one bit per position of src.
// The rounding *dec is tried first, then every other.
func matchRing(src, r orb.Ring, dec *int, bits *[]byte) bool {
	try := func(d int) bool {
		for _, rev := range []bool{false, true} {
			if markRounded(src, r, d, rev, bits) {
				*dec = d
				return true
			}
		}
		return false
	}
	if try(*dec) {
		return true
	}
	for d := -1; d <= maxSubsetDecimals; d++ {
		if d != *dec && try(d) {
			return true
		}
	}
	return false
}

// markRounded sets *bits to the direction byte then the bits of the
// positions of src that, rounded to dec decimals, give r (read backwards
// when rev), and reports whether they all do.
func markRounded(src, r orb.Ring, dec int, rev bool, bits *[]byte) bool {
	b := append((*bits)[:0], 0)
	if rev {
		b[0] = 1
	}
	for range (len(src) + 7) / 8 {
		b = append(b, 0)
	}
	*bits = b
	f := roundFactor(dec)
	k := 0
	for j, p := range src {
		if k == len(r) {
			break
		}
		want := r[k]
		if rev {
			want = r[len(r)-1-k]
		}
		if sameBits(roundPoint(p, f), want) {
			b[1+j/8] |= 1 << uint(j%8)
			k++
		}
	}
	return k == len(r)
}

// roundFactor is 10^dec, 0 for no rounding (dec < 0).
func roundFactor(dec int) float64 {
	if dec < 0 {
		return 0
	}
	return math.Pow(10, float64(dec))
}

// roundPoint rounds p as Simplifier does (f = 10^decimals, 0: as is).
func roundPoint(p orb.Point, f float64) orb.Point {
	if f == 0 {
		return p
	}
	return orb.Point{math.Round(p[0]*f) / f, math.Round(p[1]*f) / f}
}

// MultiPolygon decodes h against src, the shape given to HoldSimplified,
// into a new MultiPolygon (nil when empty).
func (h Simplified) MultiPolygon(src orb.MultiPolygon) orb.MultiPolygon {
	if len(h) == 0 {
		return nil
	}
	if h[0] == heldPacked {
		return PackedMultiPolygon(h[1:]).MultiPolygon()
	}
	buf := []byte(h[1:])
	next := func() int {
		v, w := binary.Uvarint(buf)
		buf = buf[w:]
		return int(v)
	}
	mp := make(orb.MultiPolygon, next())
	for i := range mp {
		poly := src[next()]
		mp[i] = make(orb.Polygon, next())
		for k := range mp[i] {
			sr := poly[next()]
			f, rev := roundFactor(int(buf[0])-1), buf[1] == 1
			bits := buf[2 : 2+(len(sr)+7)/8]
			buf = buf[2+len(bits):]
			n := 0
			for _, b := range bits {
				n += mathbits.OnesCount8(b)
			}
			r := make(orb.Ring, 0, n)
			for j, p := range sr {
				if bits[j/8]&(1<<uint(j%8)) != 0 {
					r = append(r, roundPoint(p, f))
				}
			}
			if rev {
				slices.Reverse(r)
			}
			mp[i][k] = r
		}
	}
	return mp
}
