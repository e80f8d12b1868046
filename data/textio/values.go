package textio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
)

// The small helpers every record reader shares (candidates, structures,
// points, sites and the mediation file): the CSV delimiter and reader, and
// JSON values as text.

// SniffDelimiter picks ',', ';' or '\t', whichever is most frequent on the
// first line (',' on ties).
func SniffDelimiter(br *bufio.Reader) rune {
	head, _ := br.Peek(8 << 10)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	best, n := ',', bytes.Count(head, []byte{','})
	for _, d := range []rune{';', '\t'} {
		if c := bytes.Count(head, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

// NewCSVReader returns a csv reader on g's delimiter reading records of
// any length (the callers check it), reusing the record slice.
func NewCSVReader(g *CSVGuard) *csv.Reader {
	cr := csv.NewReader(g)
	cr.Comma = g.Delim()
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return cr
}

// ScalarString renders a decoded JSON value as a string; ok is false for
// objects and arrays (rendered as compact JSON).
func ScalarString(v any) (s string, ok bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	b, _ := json.Marshal(v)
	return string(b), false
}

// UnmarshalNumbers decodes raw into v keeping numbers as json.Number.
func UnmarshalNumbers(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}
