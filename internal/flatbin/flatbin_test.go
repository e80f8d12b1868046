package flatbin

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/paulmach/orb"
)

// written returns the bytes of a Writer holding one of each kind of array.
func written(t *testing.T) []byte {
	t.Helper()
	w, err := NewWriter()
	if err != nil {
		t.Skip(err)
	}
	w.Uint64(7)
	Put(w, []int32{1, -2, 3})
	Put(w, []float64{0.5, -1e300})
	Put(w, []uint8{1, 0, 1, 1, 0})
	Put(w, []orb.Point{{1, 2}, {3, 4}})
	PutBounds(w, []orb.Bound{{Min: orb.Point{0, 1}, Max: orb.Point{2, 3}}})
	w.Strings([]string{"", "23001", "Saint-Étienne", ""})
	PutMultiPolygons(w, []orb.MultiPolygon{nil, {{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{0.2, 0.2}, {0.3, 0.2}, {0.3, 0.3}}}, {{{5, 5}, {6, 5}, {6, 6}}}}})
	Put(w, []int64{})
	return w.Bytes()
}

// read reads back what written wrote and checks it.
func read(t *testing.T, buf []byte) {
	t.Helper()
	r, err := NewReader(buf)
	if err != nil {
		t.Fatal(err)
	}
	if v := r.Uint64(); v != 7 {
		t.Errorf("uint64 %d", v)
	}
	for _, c := range []struct{ got, want any }{
		{Get[int32](r), []int32{1, -2, 3}},
		{Get[float64](r), []float64{0.5, -1e300}},
		{Get[uint8](r), []uint8{1, 0, 1, 1, 0}},
		{Get[orb.Point](r), []orb.Point{{1, 2}, {3, 4}}},
		{GetBounds(r), []orb.Bound{{Min: orb.Point{0, 1}, Max: orb.Point{2, 3}}}},
		{r.Strings(), []string{"", "23001", "Saint-Étienne", ""}},
		{GetMultiPolygons(r), []orb.MultiPolygon{nil, {{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{0.2, 0.2}, {0.3, 0.2}, {0.3, 0.3}}}, {{{5, 5}, {6, 5}, {6, 6}}}}}},
		{Get[int64](r), []int64(nil)},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("read %v, want %v", c.got, c.want)
		}
	}
	if r.Err() != nil || r.Offset() != len(buf) {
		t.Errorf("err %v, offset %d of %d", r.Err(), r.Offset(), len(buf))
	}
}

// TestRoundTrip reads back every kind of array, from an aligned buffer
// (aliased) and from a misaligned one (copied).
func TestRoundTrip(t *testing.T) {
	buf := written(t)
	read(t, buf)
	mis := make([]byte, len(buf)+1)[1:]
	copy(mis, buf)
	if uintptr(unsafe.Pointer(&mis[0]))%8 == 0 {
		t.Fatal("buffer not misaligned")
	}
	read(t, mis)
}

// TestAliases checks that an aligned read does not copy (the point of the
// package) and that appending to a slice read never writes into the buffer.
func TestAliases(t *testing.T) {
	w, _ := NewWriter()
	Put(w, []float64{1, 2})
	Put(w, []float64{3})
	buf := w.Bytes()
	r, _ := NewReader(buf)
	a := Get[float64](r)
	if unsafe.Pointer(&a[0]) != unsafe.Pointer(&buf[8]) {
		t.Error("aligned read copied")
	}
	_ = append(a, 99)
	if b := Get[float64](r); b[0] != 3 {
		t.Errorf("append wrote into the buffer: %v", b)
	}
}

// TestShortBuffer reads every truncation of a buffer: each fails through
// Err, with no panic.
func TestShortBuffer(t *testing.T) {
	buf := written(t)
	for n := 0; n < len(buf); n++ {
		r, _ := NewReader(buf[:n])
		r.Uint64()
		Get[int32](r)
		Get[float64](r)
		Get[uint8](r)
		Get[orb.Point](r)
		GetBounds(r)
		r.Strings()
		GetMultiPolygons(r)
		Get[int64](r)
		if r.Err() == nil {
			t.Fatalf("%d bytes of %d read without error", n, len(buf))
		}
	}
}

// TestHugeCount reads a count beyond the buffer: an error, not an
// allocation of that size.
func TestHugeCount(t *testing.T) {
	w, _ := NewWriter()
	w.Uint64(1 << 60)
	r, _ := NewReader(w.Bytes())
	if s := Get[float64](r); s != nil || r.Err() == nil {
		t.Errorf("read %d values, err %v", len(s), r.Err())
	}
}
