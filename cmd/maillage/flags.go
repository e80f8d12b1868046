package main

import (
	"flag"
	"strconv"

	"github.com/maillage/maillage/data"
)

// decimalValue is a float64 flag read by data.ParseDecimal, as the API
// reads its parameters and the loaders their columns: flag.Float64Var
// would take 0x1p4, Inf and NaN.
type decimalValue struct{ p *float64 }

func (d decimalValue) String() string {
	if d.p == nil {
		return "0"
	}
	return strconv.FormatFloat(*d.p, 'g', -1, 64)
}

func (d decimalValue) Set(s string) error {
	v, err := data.ParseDecimal(s)
	if err != nil {
		return err
	}
	*d.p = v
	return nil
}

// decimalVar defines a decimal float64 flag with a default value.
func decimalVar(fs *flag.FlagSet, p *float64, name string, value float64, usage string) {
	*p = value
	fs.Var(decimalValue{p}, name, usage)
}
