package textio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	// x/text's charmap holds the Windows-1252 table; French spreadsheets
	// export CSV in it ("Gu\xe9ret").
	"golang.org/x/text/encoding/charmap"
)

// saveAsUTF8 ends every encoding error: what the uploader should do.
const saveAsUTF8 = "save the file as CSV UTF-8 (in Excel: Save as → CSV UTF-8) and send it again"

// textReader turns the bytes of a file into UTF-8 text, or fails on the
// line where they stop being text. The encoding is decided at the first
// byte that is not ASCII (ASCII reads the same either way): UTF-8 when the
// bytes from there on are valid UTF-8, else Windows-1252 (a superset of
// Latin-1's printable characters) when they are, converted; a later byte
// that does not fit the decision is an error naming its line. A UTF-8 BOM
// is dropped; UTF-16, ZIP (an .xlsx workbook) and NUL bytes are refused.
// Errors of the reader below (a damaged gzip, MaxBytes) are placed on the
// line where they happened. Every error is a *StreamError.
type textReader struct {
	src    io.Reader
	gzip   bool     // src is inflated gzip: its errors are damage
	enc    Encoding // "" while only ASCII was seen
	line   int      // 1-based line of the next raw byte
	start  bool     // nothing read yet (BOM and magic checks)
	raw    []byte   // read buffer
	pend   []byte   // last bytes of the previous read: a UTF-8 sequence cut by the read
	out    []byte   // text not yet returned
	outPos int
	err    error // sticky, returned once out is drained
}

// textChunk is how many raw bytes a read takes; also the window the
// encoding is decided on.
const textChunk = 32 << 10

func newTextReader(src io.Reader, gzip bool) *textReader {
	return &textReader{src: src, gzip: gzip, line: 1, start: true, raw: make([]byte, textChunk)}
}

// Encoding returns the encoding decided so far (UTF-8 for ASCII text).
func (t *textReader) Encoding() Encoding {
	if t.enc == "" {
		return EncodingUTF8
	}
	return t.enc
}

func (t *textReader) Read(p []byte) (int, error) {
	for t.outPos == len(t.out) {
		if t.err != nil {
			return 0, t.err
		}
		t.fill()
	}
	n := copy(p, t.out[t.outPos:])
	t.outPos += n
	return n, nil
}

// fill reads one chunk from src and converts it into out; it sets err at
// the end of the file, on a read error or on a byte that is not text.
func (t *textReader) fill() {
	t.out, t.outPos = t.out[:0], 0
	k := copy(t.raw, t.pend)
	t.pend = t.pend[:0]
	n, err := io.ReadAtLeast(t.src, t.raw[k:], 1)
	b := t.raw[:k+n]
	atEOF := err == io.EOF
	if t.start {
		if len(b) < 4 && err == nil {
			t.pend = append(t.pend, b...) // too short to check the start yet
			return
		}
		t.start = false
		if b = t.checkStart(b); t.err != nil {
			return
		}
	}
	if !atEOF {
		b = t.holdCut(b)
	}
	t.convert(b)
	switch {
	case t.err != nil:
	case atEOF:
		t.err = io.EOF
	case err != nil:
		t.err = t.place(err)
	}
}

// place turns an error of src into a StreamError on the current line.
func (t *textReader) place(err error) error {
	if se, ok := AsStreamError(err); ok {
		return se
	}
	var capped errCapped
	if errors.As(err, &capped) {
		return &StreamError{line: t.line, reason: capped.Error(), err: capped}
	}
	if t.gzip {
		return corruptError(t.line, err)
	}
	return &StreamError{line: t.line, reason: "reading the file: " + err.Error(), err: err}
}

// checkStart refuses byte-order marks and magic numbers of files that are
// not text and drops a UTF-8 BOM.
func (t *textReader) checkStart(b []byte) []byte {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		t.enc = EncodingUTF8
		return b[3:]
	case bytes.HasPrefix(b, []byte("\xff\xfe")), bytes.HasPrefix(b, []byte("\xfe\xff")):
		t.fail("the file is UTF-16 text, which is not read: " + saveAsUTF8)
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		t.fail("the file is a ZIP archive (an .xlsx or .ods workbook?), not text: export the sheet as CSV UTF-8 and send that")
	}
	return b
}

// holdCut keeps in pend a UTF-8 sequence cut by the end of b, to be read
// whole with the next chunk; it returns the rest of b.
func (t *textReader) holdCut(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if b[i] < utf8.RuneSelf {
			return b
		}
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				t.pend = append(t.pend, b[i:]...)
				return b[:i]
			}
			return b
		}
	}
	return b
}

// convert checks b and appends its text to out, up to the first byte that
// is not text, where it sets err.
func (t *textReader) convert(b []byte) {
	nul := bytes.IndexByte(b, 0)
	if nul >= 0 {
		b = b[:nul]
	}
	if t.enc == "" {
		i := indexNonASCII(b)
		t.appendRaw(b[:i])
		if b = b[i:]; len(b) > 0 {
			if t.enc = decideEncoding(b); t.enc == "" {
				bad := indexUndefined1252(b)
				t.line += bytes.Count(b[:bad], []byte{'\n'})
				t.fail(fmt.Sprintf("byte 0x%02x: the file is neither UTF-8 nor Windows-1252 text: %s", b[bad], saveAsUTF8))
				return
			}
		}
	}
	switch t.enc {
	case EncodingUTF8:
		if i := indexInvalidUTF8(b); i >= 0 {
			t.appendRaw(b[:i])
			t.fail(fmt.Sprintf("byte 0x%02x is not UTF-8 while the file was read as UTF-8 up to there: it mixes encodings; %s", b[i], saveAsUTF8))
			return
		}
		t.appendRaw(b)
	case EncodingWindows1252:
		if i := t.append1252(b); i >= 0 {
			t.fail(fmt.Sprintf("byte 0x%02x is neither UTF-8 nor Windows-1252 text: %s", b[i], saveAsUTF8))
			return
		}
	}
	if nul >= 0 {
		t.fail("a NUL byte: the file is binary, or UTF-16 without a byte-order mark, not text: " + saveAsUTF8)
	}
}

// appendRaw appends text that needs no conversion, counting its lines.
func (t *textReader) appendRaw(b []byte) {
	t.out = append(t.out, b...)
	t.line += bytes.Count(b, []byte{'\n'})
}

// append1252 converts Windows-1252 text to UTF-8 into out, counting its
// lines, up to the first undefined byte, whose index it returns (-1 when
// none).
func (t *textReader) append1252(b []byte) int {
	for i, c := range b {
		switch {
		case c == '\n':
			t.line++
			t.out = append(t.out, c)
		case c < utf8.RuneSelf:
			t.out = append(t.out, c)
		case undefined1252(c):
			return i
		default:
			t.out = utf8.AppendRune(t.out, charmap.Windows1252.DecodeByte(c))
		}
	}
	return -1
}

// fail sets an encoding error on the current line.
func (t *textReader) fail(reason string) {
	t.err = &StreamError{line: t.line, reason: reason, err: ErrEncoding}
}

// decideEncoding picks the encoding of a window starting at the first
// non-ASCII byte of the file: UTF-8 when valid, else Windows-1252 when no
// byte is undefined there, else "".
func decideEncoding(b []byte) Encoding {
	switch {
	case indexInvalidUTF8(b) < 0:
		return EncodingUTF8
	case indexUndefined1252(b) == len(b):
		return EncodingWindows1252
	}
	return ""
}

// indexNonASCII returns the index of the first byte ≥ 0x80, or len(b).
func indexNonASCII(b []byte) int {
	for i, c := range b {
		if c >= utf8.RuneSelf {
			return i
		}
	}
	return len(b)
}

// indexUndefined1252 returns the index of the first byte Windows-1252
// leaves undefined, or len(b).
func indexUndefined1252(b []byte) int {
	for i, c := range b {
		if undefined1252(c) {
			return i
		}
	}
	return len(b)
}

// indexInvalidUTF8 returns the index of the first byte of b that does not
// start a valid UTF-8 sequence, or -1 (a sequence cut by the end of b is
// invalid: callers hold such sequences back until the end of the file).
func indexInvalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// undefined1252 reports the five bytes Windows-1252 leaves undefined.
func undefined1252(c byte) bool {
	return c == 0x81 || c == 0x8d || c == 0x8f || c == 0x90 || c == 0x9d
}
