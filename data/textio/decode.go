package textio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/klauspost/compress/gzip"
)

// Default bounds of DecodeLimits, used when a field is zero.
const (
	DefaultMaxDecodedBytes = 20 << 20 // same as the API's default body limit
	DefaultMaxRows         = 200000
	DefaultMaxColumns      = 1000
	DefaultMaxFieldBytes   = 64 << 10
)

// NoLimit lifts a bound when given as a DecodeLimits field. Only for files
// the operator trusts (LocalFileLimits); never for uploads.
const NoLimit = -1

// DecodeLimits bounds what reading one file may cost, so that a small
// upload cannot make the server inflate gigabytes: every bound is checked
// while reading, before the bytes or rows beyond it are held. A zero field
// takes its Default value; NoLimit lifts it.
type DecodeLimits struct {
	MaxBytes      int64 // decompressed (and pre-conversion) bytes of the file
	MaxRows       int   // records (CSV rows, JSON elements, GeoJSON features)
	MaxColumns    int   // CSV fields per record; JSON members per object, elements per non-row array
	MaxFieldBytes int   // bytes of one CSV field or one JSON string or number
}

// WithDefaults returns l with zero fields set to their defaults and NoLimit
// fields set to the largest value their type holds.
func (l DecodeLimits) WithDefaults() DecodeLimits {
	l.MaxBytes = pick(l.MaxBytes, DefaultMaxDecodedBytes, math.MaxInt64)
	l.MaxRows = pick(l.MaxRows, DefaultMaxRows, math.MaxInt)
	l.MaxColumns = pick(l.MaxColumns, DefaultMaxColumns, math.MaxInt)
	l.MaxFieldBytes = pick(l.MaxFieldBytes, DefaultMaxFieldBytes, math.MaxInt)
	return l
}

func pick[T int | int64](v, def, unlimited T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return unlimited
	}
	return v
}

// LocalFileLimits are the bounds for files the operator gives on the
// command line or ships as built-in data: any size and row count, the
// default column and field bounds (a record is still held whole in memory).
func LocalFileLimits() DecodeLimits {
	return DecodeLimits{MaxBytes: NoLimit, MaxRows: NoLimit}
}

// The errors a *ReadError wraps. The first two are bad files (the API
// answers 400), the others are files over a DecodeLimits bound (413).
var (
	ErrDamagedFile    = errors.New("file is truncated or corrupt")
	ErrEncoding       = errors.New("file is not UTF-8 nor Windows-1252 text")
	ErrTooLarge       = errors.New("file too large once decompressed")
	ErrTooManyRows    = errors.New("too many rows")
	ErrTooManyColumns = errors.New("too many columns")
	ErrFieldTooLong   = errors.New("field too long")
)

// ReadError ends the reading of a file: its stream is truncated or
// corrupt, it is not text, or it goes past a DecodeLimits bound. Unlike
// LoadErrors it is not about the values of some records: nothing after it
// could be read. Err wraps one of the Err* sentinels above and, for a
// damaged stream, the decompressor's error.
type ReadError struct {
	RowError
	Err error
}

// Error returns "file: line 12: reason".
func (e *ReadError) Error() string { return e.RowError.Error() }

// Unwrap returns the sentinel (and cause) for errors.Is.
func (e *ReadError) Unwrap() error { return e.Err }

// Encoding is the character encoding a file was read in.
type Encoding string

// Encodings the loaders read.
const (
	EncodingUTF8        Encoding = "utf-8"
	EncodingWindows1252 Encoding = "windows-1252"
)

// FileInfo is what reading a file learnt besides its records.
type FileInfo struct {
	Format   Format
	Encoding Encoding
	Rows     int      // records read, valid or not
	Notes    []string // things the uploader should know (a conversion done)
}

// StreamError is an error met by a reader below the parsers, placed on the
// line (and column) where the stream was when it happened. The loaders turn
// it into a *ReadError naming the file.
type StreamError struct {
	line   int
	field  int // 1-based CSV field at fault, 0 when none
	reason string
	err    error
}

// Error returns "line N: reason".
func (e *StreamError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.reason) }

// Unwrap returns the Err* sentinel (and decompressor error) at fault.
func (e *StreamError) Unwrap() error { return e.err }

// ReadError turns a StreamError into the *ReadError of file; names are
// the CSV header, to name the field at fault ("#3" beyond it).
func (e *StreamError) ReadError(file string, names []string) *ReadError {
	re := &ReadError{RowError: RowError{File: file, Where: "line", Line: e.line, Reason: e.reason}, Err: e.err}
	switch {
	case e.field > 0 && e.field <= len(names):
		re.Column = names[e.field-1]
	case e.field > 0:
		re.Column = "#" + strconv.Itoa(e.field)
	}
	return re
}

// AsStreamError reports whether err comes from the stream below a parser
// (rather than from the parser's syntax checks).
func AsStreamError(err error) (*StreamError, bool) {
	var se *StreamError
	ok := errors.As(err, &se)
	return se, ok
}

// Stream is a file opened for parsing: inflated when gzip, bounded by
// MaxBytes, checked and converted to UTF-8 text (see textReader).
type Stream struct {
	*bufio.Reader
	text  *textReader
	close func() error
}

// Open prepares r for the parsers: gzip content (sniffed from the magic
// bytes) is inflated, the inflated bytes are counted against lim.MaxBytes
// and turned into UTF-8 text. Its errors, then those of reading the
// stream, are *StreamError.
func Open(r io.Reader, lim DecodeLimits) (*Stream, error) {
	ts := &Stream{close: func() error { return nil }}
	br := bufio.NewReaderSize(r, 64<<10)
	var src io.Reader = br
	magic, _ := br.Peek(2)
	gz := IsGzip(magic)
	if gz {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, corruptError(1, err)
		}
		ts.close = zr.Close
		src = zr
	}
	ts.text = newTextReader(&capReader{r: src, left: lim.MaxBytes, limit: lim.MaxBytes}, gz)
	ts.Reader = bufio.NewReaderSize(ts.text, 64<<10)
	return ts, nil
}

// Close releases the decompressor.
func (ts *Stream) Close() error { return ts.close() }

// Info returns the encoding read and the note telling of a conversion.
func (ts *Stream) Info(format Format, rows int) FileInfo {
	fi := FileInfo{Format: format, Encoding: ts.text.Encoding(), Rows: rows}
	if fi.Encoding == EncodingWindows1252 {
		fi.Notes = append(fi.Notes, "the file is not UTF-8: it was read as Windows-1252 (Latin-1) and converted to UTF-8; check its accented letters, or save it as CSV UTF-8 to avoid the guess")
	}
	return fi
}

// corruptError is the StreamError of a damaged compressed stream.
func corruptError(line int, err error) *StreamError {
	return &StreamError{line: line, reason: fmt.Sprintf("%v (gzip): %v: send the whole file again", ErrDamagedFile, err),
		err: fmt.Errorf("%w: %w", ErrDamagedFile, err)}
}

// capReader reads at most limit bytes from r, then fails with errTooLarge
// if r has more: unlike io.LimitReader it does not pass off a cut file as
// a whole one.
type capReader struct {
	r     io.Reader
	left  int64
	limit int64
}

// errCapped is returned by capReader past its limit; textReader places it.
type errCapped struct{ limit int64 }

func (e errCapped) Error() string {
	return fmt.Sprintf("the file holds more than %s once decompressed, the limit per file: split it into smaller files, or raise the limit (maillage serve --max-body)", bytesText(e.limit))
}
func (e errCapped) Unwrap() error { return ErrTooLarge }

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// Probe for one more byte: only then is the file over the limit.
		var one [1]byte
		for range 100 {
			n, err := c.r.Read(one[:])
			if n > 0 {
				return 0, errCapped{c.limit}
			}
			if err != nil {
				return 0, err
			}
		}
		return 0, io.ErrNoProgress
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// bytesText writes n bytes, with KiB, MiB or GiB for large values:
// "65536 bytes (64 KiB)".
func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%d bytes (%.4g GiB)", n, float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%d bytes (%.4g MiB)", n, float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d bytes (%.4g KiB)", n, float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
