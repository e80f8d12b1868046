package param

import (
	"errors"
	"testing"
)

func TestFloat(t *testing.T) {
	for _, c := range []struct {
		p    Float
		in   string
		want float64
		msg  string
	}{
		{MaxMinutes(), "30", 30, ""},
		{MaxMinutes(), "180", 180, ""},
		{MaxMinutes(), "0", 0, "max_minutes: 0 is out of range (0, 180]"},
		{MaxMinutes(), "-3", 0, "max_minutes: -3 is out of range (0, 180]"},
		{MaxMinutes(), "180.5", 0, "max_minutes: 180.5 is out of range (0, 180]"},
		{MaxKm(), "12,5", 12.5, ""},
		{MaxKm(), "501", 0, "max_km: 501 is out of range (0, 500]"},
		{RedundancyKm(), "0", 0, ""},
		{Lat(), "-90", -90, ""},
		{Lon(), "180.1", 0, "lon: 180.1 is out of range [-180, 180]"},
	} {
		v, err := c.p.Parse(c.in)
		switch {
		case c.msg == "" && (err != nil || v != c.want):
			t.Errorf("%s=%s: %v, %v; want %v", c.p.Name, c.in, v, err, c.want)
		case c.msg != "" && (err == nil || err.Error() != c.msg):
			t.Errorf("%s=%s: error %v, want %q", c.p.Name, c.in, err, c.msg)
		}
	}
	// Syntax errors come from values.ParseDecimal, named by the parameter.
	var pe *Error
	if _, err := MaxKm().Parse("0x1p4"); !errors.As(err, &pe) || pe.Name != "max_km" {
		t.Errorf("hex: %v", err)
	}
}

func TestIntAndChoice(t *testing.T) {
	if _, err := K().Parse("0"); err == nil || err.Error() != "k: 0 is out of range [1, 500]" {
		t.Errorf("k=0: %v", err)
	}
	if v, err := K().Parse("500"); err != nil || v != 500 {
		t.Errorf("k=500: %v, %v", v, err)
	}
	if _, err := K().Parse("2.5"); err == nil || err.Error() != `k: "2.5" is not an integer` {
		t.Errorf("k=2.5: %v", err)
	}
	if err := Format("csv", "json").Check("xml"); err == nil || err.Error() != `format: want one of csv, json, got "xml"` {
		t.Errorf("format: %v", err)
	}
	if Flag("max_minutes") != "max-minutes" {
		t.Error(Flag("max_minutes"))
	}
}
