package main

import (
	"flag"
	"io"
	"testing"
)

// TestDecimalFlag: flag.Float64Var took --max-km 0x1p4 and NaN (issue 13,
// finding 8); the CLI reads numbers as the API and the loaders do.
func TestDecimalFlag(t *testing.T) {
	tests := []struct {
		arg  string
		want float64
		ok   bool
	}{{"12.5", 12.5, true}, {"12,5", 12.5, true}, {"0x1p4", 0, false}, {"NaN", 0, false}, {"Inf", 0, false}, {"1e400", 0, false}}
	for _, tc := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var v float64
		decimalVar(fs, &v, "max-km", 30, "")
		err := fs.Parse([]string{"--max-km", tc.arg})
		if (err == nil) != tc.ok || tc.ok && v != tc.want {
			t.Errorf("--max-km %s: %v, %v; want %v, ok %v", tc.arg, v, err, tc.want, tc.ok)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var v float64
	decimalVar(fs, &v, "max-km", 30, "")
	if err := fs.Parse(nil); err != nil || v != 30 || fs.Lookup("max-km").DefValue != "30" {
		t.Errorf("default: %v, %v, %q", v, err, fs.Lookup("max-km").DefValue)
	}
}
