package mvt

import "math"

// Kind is the JSON type of a property value.
type Kind uint8

// Kinds of property values.
const (
	Null    Kind = iota // no value: MVT leaves the key out, GeoJSON writes null
	String              // a string
	Number              // a float64 (IsInt marks integers)
	Bool                // F is 1 for true, 0 for false
	Strings             // a list of strings: MVT joins it with commas
)

// Value is one property value of a feature, without boxing: a map layer
// holds tens of thousands of features, and an interface value per property
// cost most of a zoom-5 tile's time. Numbers are float64; IsInt marks the
// integers (counts, populations), which GeoJSON writes without a decimal
// point, where every other number gets one (1.0) so that clients type the
// property as real. The zero Value is null.
type Value struct {
	Kind  Kind
	IsInt bool
	S     string   // String
	F     float64  // Number, Bool
	List  []string // Strings
}

// Str is a string value.
func Str(s string) Value { return Value{Kind: String, S: s} }

// OptStr is a string value, or null when s is empty.
func OptStr(s string) Value {
	if s == "" {
		return Value{}
	}
	return Str(s)
}

// Num is a number value; NaN and infinities, which neither JSON nor the
// clients' styles can use, are null.
func Num(f float64) Value {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Value{}
	}
	return Value{Kind: Number, F: f}
}

// Int is an integer value.
func Int(n int) Value { return Value{Kind: Number, IsInt: true, F: float64(n)} }

// Boolean is a boolean value.
func Boolean(b bool) Value {
	v := Value{Kind: Bool}
	if b {
		v.F = 1
	}
	return v
}

// List is a list of strings.
func List(l []string) Value { return Value{Kind: Strings, List: l} }
