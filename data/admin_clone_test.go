package data

import (
	"reflect"
	"testing"
	"unsafe"
)

// TestCloneStrings: every string reachable through slices, structs and
// pointers gets an array of its own (a decoded file's strings otherwise
// keep the whole file alive), with the same text.
func TestCloneStrings(t *testing.T) {
	src := "75056 Paris 13055 Marseille"
	type member struct{ Code string }
	type entry struct {
		Code    string
		Name    *string
		Members []member
		Raw     []byte
	}
	name := src[6:11]
	in := []entry{{Code: src[:5], Name: &name, Members: []member{{src[12:17]}}, Raw: []byte("x")}}
	cloneStrings(reflect.ValueOf(in))
	base := uintptr(unsafe.Pointer(unsafe.StringData(src)))
	for _, tt := range []struct {
		what, got, want string
	}{
		{"field", in[0].Code, "75056"},
		{"through a pointer", *in[0].Name, "Paris"},
		{"in a nested slice", in[0].Members[0].Code, "13055"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.what, tt.got, tt.want)
		}
		if p := uintptr(unsafe.Pointer(unsafe.StringData(tt.got))); p >= base && p < base+uintptr(len(src)) {
			t.Errorf("%s: %q still points into the source", tt.what, tt.got)
		}
	}
}
