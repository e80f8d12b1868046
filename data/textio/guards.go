package textio

import (
	"fmt"
	"io"
)

// The guards sit between a file's text and encoding/csv or encoding/json,
// which hold a whole record (or JSON value) in memory before returning it:
// they follow the syntax just enough to stop a record with too many
// columns or too long a field before it is held, in time proportional to
// the bytes up to the fault. Their errors are *StreamError on the line of
// the fault; the parser returns them as they are.

// CSVGuard bounds the fields per record and the bytes per field of CSV.
// A quote toggles the quoted state (an escaped "" toggles twice), and
// outside quotes the delimiter ends a field and a newline a record; in
// malformed quoting the guard may count wrong, but encoding/csv then
// refuses the record anyway.
type CSVGuard struct {
	r        io.Reader
	delim    byte
	maxCols  int
	maxField int

	line   int // 1-based line of the next byte
	quoted bool
	col    int // 0-based field of the current record
	size   int // bytes of the current field
	err    error
}

// NewCSVGuard returns a CSVGuard reading CSV with delimiter delim from r,
// bounded by lim's MaxColumns and MaxFieldBytes (lim with defaults set).
func NewCSVGuard(r io.Reader, delim rune, lim DecodeLimits) *CSVGuard {
	return &CSVGuard{r: r, delim: byte(delim), maxCols: lim.MaxColumns, maxField: lim.MaxFieldBytes, line: 1}
}

// Err returns the error that stopped the guard, nil while it reads: the
// error to report when encoding/csv fails on the record it cut.
func (g *CSVGuard) Err() error { return g.err }

// Delim returns the CSV delimiter the guard counts fields with.
func (g *CSVGuard) Delim() rune { return rune(g.delim) }

// Read passes the bytes of the underlying reader through, failing with a
// *StreamError at the first byte past a bound.
func (g *CSVGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i, c := range p[:n] {
		switch {
		case c == '"':
			g.quoted = !g.quoted
		case c == '\n':
			g.line++
			if !g.quoted {
				g.col, g.size = 0, 0
				continue
			}
		case c == g.delim && !g.quoted:
			g.col++
			g.size = 0
			if g.col >= g.maxCols {
				g.err = &StreamError{line: g.line, err: ErrTooManyColumns,
					reason: fmt.Sprintf("more than %d columns, the limit per file: remove the columns not needed, or raise the limit (maillage serve --max-columns)", g.maxCols)}
				return i, g.err
			}
			continue
		}
		if g.size++; g.size > g.maxField {
			g.err = &StreamError{line: g.line, field: g.col + 1, err: ErrFieldTooLong,
				reason: fmt.Sprintf("field %d is longer than %s, the limit per field: shorten it, or raise the limit (maillage serve --max-field-bytes)", g.col+1, bytesText(int64(g.maxField)))}
			return i, g.err
		}
	}
	if err != nil && err != io.EOF {
		g.err = err
	}
	return n, err
}

// maxJSONDepth bounds the nesting of a JSON upload; a Point feature needs 4.
const maxJSONDepth = 32

// JSONGuard bounds a JSON text: bytes per string or other scalar, members
// per object, elements per array (except the array of rows, rowsDepth
// deep: 1 for a JSON array, 2 for a FeatureCollection's features, which
// the loaders count) and nesting depth.
type JSONGuard struct {
	r         io.Reader
	maxCols   int
	maxField  int
	rowsDepth int

	line    int
	str     bool // inside a string
	escaped bool // after a backslash in a string
	size    int  // bytes of the current string or scalar
	blank   int  // blank bytes in a row outside strings
	stack   []jsonLevel
	err     error
}

// jsonLevel is an open object or array and its members so far.
type jsonLevel struct {
	object bool
	items  int
}

// NewJSONGuard returns a JSONGuard reading r, bounded by lim (with
// defaults set); the elements of arrays at depth rowsDepth are rows,
// counted by the loaders rather than against MaxColumns.
func NewJSONGuard(r io.Reader, lim DecodeLimits, rowsDepth int) *JSONGuard {
	return &JSONGuard{r: r, maxCols: lim.MaxColumns, maxField: lim.MaxFieldBytes, rowsDepth: rowsDepth, line: 1}
}

// Read passes the bytes of the underlying reader through, failing with a
// *StreamError at the first byte past a bound.
func (g *JSONGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i, c := range p[:n] {
		if g.err = g.step(c); g.err != nil {
			return i, g.err
		}
	}
	if err != nil && err != io.EOF {
		g.err = err
	}
	return n, err
}

// step follows one byte.
func (g *JSONGuard) step(c byte) error {
	if c == '\n' {
		g.line++
	}
	if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
		g.blank = 0
	}
	if g.str {
		switch {
		case g.escaped:
			g.escaped = false
		case c == '\\':
			g.escaped = true
		case c == '"':
			g.str = false
			g.size = 0
			return nil
		}
		return g.grow()
	}
	switch c {
	case '"':
		g.str, g.size = true, 0
		return g.item()
	case '{', '[':
		if err := g.item(); err != nil {
			return err
		}
		if len(g.stack) == maxJSONDepth {
			// Rows are flat: only a damaged or hostile file nests this deep.
			return &StreamError{line: g.line, err: ErrDamagedFile, reason: fmt.Sprintf("JSON nested deeper than %d levels: rows are flat objects", maxJSONDepth)}
		}
		g.stack = append(g.stack, jsonLevel{object: c == '{'})
	case '}', ']':
		if len(g.stack) > 0 {
			g.stack = g.stack[:len(g.stack)-1]
		}
	case ' ', '\t', '\r', '\n':
		// encoding/json's Decoder rescans a run of blanks from its start
		// at each read: quadratic, 10 s for 20 MB of spaces.
		if g.blank++; g.blank > g.maxField {
			return &StreamError{line: g.line, err: ErrFieldTooLong,
				reason: fmt.Sprintf("more than %s of blanks in a row, the limit per field: remove them", bytesText(int64(g.maxField)))}
		}
		g.size = 0
		return nil
	case ',', ':':
	default:
		if g.size == 0 {
			if err := g.item(); err != nil {
				return err
			}
		}
		return g.grow()
	}
	g.size = 0
	return nil
}

// item counts a value starting in the innermost container (object members
// are counted by their keys, values after ':' are not items).
func (g *JSONGuard) item() error {
	if len(g.stack) == 0 {
		return nil
	}
	top := &g.stack[len(g.stack)-1]
	if top.object && top.items > 0 && top.items%2 == 1 {
		top.items++ // the value of a member: counted with its key
		return nil
	}
	top.items++
	if !top.object && len(g.stack) == g.rowsDepth {
		return nil
	}
	n := top.items
	what := "elements in an array"
	if top.object {
		n, what = (n+1)/2, "members in an object"
	}
	if n > g.maxCols {
		return &StreamError{line: g.line, err: ErrTooManyColumns,
			reason: fmt.Sprintf("more than %d %s, the limit on columns: remove what is not needed, or raise the limit (maillage serve --max-columns)", g.maxCols, what)}
	}
	return nil
}

// grow counts one byte of a string or scalar.
func (g *JSONGuard) grow() error {
	if g.size++; g.size > g.maxField {
		return &StreamError{line: g.line, err: ErrFieldTooLong,
			reason: fmt.Sprintf("a JSON value is longer than %s, the limit per field: shorten it, or raise the limit (maillage serve --max-field-bytes)", bytesText(int64(g.maxField)))}
	}
	return nil
}
