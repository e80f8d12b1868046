// Package flatbin writes and reads flat arrays of fixed-size values as raw
// little-endian bytes, each array 8-byte aligned, for files that are read
// back in one go (the engine snapshot, data/snapshot).
//
// A Reader hands out slices that alias its buffer when the buffer is
// aligned (no copy, no per-element decoding: the values are the bytes), so
// the buffer must never be modified once read, and stays alive as long as
// one of its slices does. Reading is bounds-checked: a short or corrupt
// buffer makes the Reader's Err non-nil, never a panic.
//
// Only little-endian hosts are supported (every platform Go's release
// builds target but s390x, ppc64 and a few mips): elsewhere NewWriter and
// NewReader return ErrBigEndian and callers do without the file.
//
// encoding/binary would do the same job element by element (binary.Read
// of a []float64 decodes each value): on the 150 MB of a res-8 engine that
// is a pass over every byte into freshly zeroed memory, where aliasing the
// file's bytes costs nothing.
package flatbin

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// ErrBigEndian is returned on hosts whose byte order is not little-endian.
var ErrBigEndian = errors.New("flatbin: big-endian host, flat files unsupported")

// Fixed are the element types stored raw: no pointers, no padding.
type Fixed interface {
	~int8 | ~uint8 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64 | ~float64 | ~[2]float64 | ~[4]float64
}

// littleEndian reports whether the host stores integers little-endian.
func littleEndian() bool {
	return binary.NativeEndian.Uint16([]byte{1, 0}) == 1
}

// Writer appends arrays to a growing buffer.
type Writer struct {
	buf []byte
}

// NewWriter returns an empty Writer, or ErrBigEndian.
func NewWriter() (*Writer, error) {
	if !littleEndian() {
		return nil, ErrBigEndian
	}
	return &Writer{}, nil
}

// Bytes returns what was written.
func (w *Writer) Bytes() []byte { return w.buf }

// pad aligns the end of the buffer to 8 bytes.
func (w *Writer) pad() {
	for len(w.buf)%8 != 0 {
		w.buf = append(w.buf, 0)
	}
}

// Uint64 appends one value.
func (w *Writer) Uint64(v uint64) {
	w.buf = binary.LittleEndian.AppendUint64(w.buf, v)
}

// Float64 appends one value.
func (w *Writer) Float64(v float64) { w.Uint64(math.Float64bits(v)) }

// Blob appends a byte string with its length, padded to 8 bytes.
func (w *Writer) Blob(b []byte) {
	w.Uint64(uint64(len(b)))
	w.buf = append(w.buf, b...)
	w.pad()
}

// Put appends s with its length, padded to 8 bytes.
func Put[T Fixed](w *Writer, s []T) {
	w.Uint64(uint64(len(s)))
	if len(s) > 0 {
		var zero T
		raw := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
		w.buf = append(w.buf, raw...)
	}
	w.pad()
}

// Strings appends the strings as their end offsets then their bytes, so a
// Reader cuts them from one string without an allocation each.
func (w *Writer) Strings(s []string) {
	ends := make([]uint64, len(s))
	n := 0
	for i, x := range s {
		n += len(x)
		ends[i] = uint64(n)
	}
	Put(w, ends)
	blob := make([]byte, 0, n)
	for _, x := range s {
		blob = append(blob, x...)
	}
	w.Blob(blob)
}

// Reader reads what a Writer wrote, in the same order.
type Reader struct {
	buf []byte
	off int
	err error
}

// NewReader returns a Reader over buf, or ErrBigEndian.
func NewReader(buf []byte) (*Reader, error) {
	if !littleEndian() {
		return nil, ErrBigEndian
	}
	return &Reader{buf: buf}, nil
}

// Err returns the first error met (a short buffer, a count out of range,
// or one set by Fail), nil when every read succeeded.
func (r *Reader) Err() error { return r.err }

// Fail records err (when none is recorded yet): decoders built on the
// Reader report broken invariants through it.
func (r *Reader) Fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// Offset returns the number of bytes read.
func (r *Reader) Offset() int { return r.off }

// take returns the next n bytes and moves past them padded to 8 bytes.
func (r *Reader) take(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.buf)-r.off) {
		r.err = fmt.Errorf("flatbin: %d bytes wanted at offset %d, %d left", n, r.off, len(r.buf)-r.off)
		return nil
	}
	b := r.buf[r.off : r.off+int(n) : r.off+int(n)]
	r.off += int(n)
	if pad := (8 - r.off%8) % 8; pad <= len(r.buf)-r.off {
		r.off += pad
	} else {
		r.off = len(r.buf)
	}
	return b
}

// Uint64 reads one value (0 after an error).
func (r *Reader) Uint64() uint64 {
	b := r.take(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

// Float64 reads one value.
func (r *Reader) Float64() float64 { return math.Float64frombits(r.Uint64()) }

// Int reads one value written by Uint64, failing when it is over max.
func (r *Reader) Int(max int) int {
	v := r.Uint64()
	if v > uint64(max) {
		r.Fail(fmt.Errorf("flatbin: value %d at offset %d, max %d", v, r.off-8, max))
		return 0
	}
	return int(v)
}

// Blob reads a byte string written by Writer.Blob; it aliases the buffer.
func (r *Reader) Blob() []byte {
	n := r.Uint64()
	return r.take(n)
}

// Get reads an array written by Put. The slice aliases the buffer when the
// data is aligned for T, and is a copy otherwise; its capacity is its
// length, so appending to it never writes into the buffer.
func Get[T Fixed](r *Reader) []T {
	n := r.Uint64()
	var zero T
	size := uint64(unsafe.Sizeof(zero))
	if n > uint64(len(r.buf))/size {
		r.Fail(fmt.Errorf("flatbin: %d elements of %d bytes at offset %d, beyond the buffer", n, size, r.off-8))
		return nil
	}
	b := r.take(n * size)
	if r.err != nil || n == 0 {
		return nil
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	if uintptr(p)%unsafe.Alignof(zero) == 0 {
		return unsafe.Slice((*T)(p), n)
	}
	out := make([]T, n)
	copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(out))), len(b)), b)
	return out
}

// Strings reads strings written by Writer.Strings: one allocation for all
// of them, each a substring of it.
func (r *Reader) Strings() []string {
	ends := Get[uint64](r)
	blob := r.Blob()
	if r.err != nil {
		return nil
	}
	all := string(blob)
	out := make([]string, len(ends))
	start := uint64(0)
	for i, e := range ends {
		if e < start || e > uint64(len(all)) {
			r.Fail(fmt.Errorf("flatbin: string %d ends at %d, out of [%d, %d]", i, e, start, len(all)))
			return nil
		}
		out[i] = all[start:e]
		start = e
	}
	return out
}
