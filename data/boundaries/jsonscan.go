package boundaries

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unsafe"
)

// scanner is a minimal forward-only JSON reader over an in-memory buffer,
// used where encoding/json is too slow: splitting the 46 MB communes
// FeatureCollection into features and parsing their coordinate arrays
// without reflection or intermediate allocations. It validates what it
// reads; anything it does not understand is an error carrying the byte
// offset.
type scanner struct {
	buf []byte
	pos int
}

// errEOF is returned when the input ends inside a value.
var errEOF = errors.New("unexpected end of JSON input")

// syntaxError describes malformed input at the scanner's position.
func (s *scanner) syntaxError(what string) error {
	if s.pos >= len(s.buf) {
		return fmt.Errorf("offset %d: %s: %w", s.pos, what, errEOF)
	}
	return fmt.Errorf("offset %d: %s, found %q", s.pos, what, s.buf[s.pos])
}

// ws skips white space and returns the next byte (0 at the end).
func (s *scanner) ws() byte {
	for s.pos < len(s.buf) {
		switch c := s.buf[s.pos]; c {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return c
		}
	}
	return 0
}

// expect consumes byte c after optional white space.
func (s *scanner) expect(c byte) error {
	if s.ws() != c {
		return s.syntaxError(fmt.Sprintf("expected %q", c))
	}
	s.pos++
	return nil
}

// closes consumes c when it comes next (after white space): an empty
// object or array.
func (s *scanner) closes(c byte) bool {
	if s.ws() == c {
		s.pos++
		return true
	}
	return false
}

// more consumes the separator after an element of an object or array
// closed by end: it reports whether another element follows.
func (s *scanner) more(end byte) (bool, error) {
	switch s.ws() {
	case ',':
		s.pos++
		return true, nil
	case end:
		s.pos++
		return false, nil
	}
	return false, s.syntaxError(fmt.Sprintf("expected ',' or %q", end))
}

// rawString consumes a string and returns its raw content (escapes left as
// they are) and whether it holds any escape.
func (s *scanner) rawString() (raw []byte, escaped bool, err error) {
	if s.ws() != '"' {
		return nil, false, s.syntaxError("expected string")
	}
	s.pos++
	start := s.pos
	for s.pos < len(s.buf) {
		switch c := s.buf[s.pos]; {
		case c == '"':
			raw = s.buf[start:s.pos]
			s.pos++
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			s.pos += 2
		case c < 0x20:
			return nil, false, s.syntaxError("control character in string")
		default:
			s.pos++
		}
	}
	s.pos = len(s.buf)
	return nil, false, s.syntaxError("unterminated string")
}

// str consumes a string and returns it unescaped.
func (s *scanner) str() (string, error) {
	start := s.pos
	raw, escaped, err := s.rawString()
	if err != nil || !escaped {
		return string(raw), err
	}
	var out string
	quoted := s.buf[start:s.pos]
	if i := indexNonSpace(quoted); i > 0 {
		quoted = quoted[i:]
	}
	if err := json.Unmarshal(quoted, &out); err != nil {
		return "", fmt.Errorf("offset %d: %w", start, err)
	}
	return out, nil
}

// indexNonSpace returns the index of the first byte of b that is not JSON
// white space.
func indexNonSpace(b []byte) int {
	for i, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return i
		}
	}
	return len(b)
}

// key consumes an object key and its colon and returns the raw key.
func (s *scanner) key() ([]byte, error) {
	k, _, err := s.rawString()
	if err != nil {
		return nil, err
	}
	return k, s.expect(':')
}

// skip consumes any JSON value, checking that brackets balance, strings
// terminate and literals are well formed.
func (s *scanner) skip() error {
	switch c := s.ws(); c {
	case '"':
		_, _, err := s.rawString()
		return err
	case '{', '[':
		return s.skipComposite()
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	case 0:
		return s.syntaxError("expected value")
	default:
		_, err := s.number()
		return err
	}
}

// skipComposite consumes an object or array, validating its structure
// (keys are strings followed by colons, elements separated by commas).
func (s *scanner) skipComposite() error {
	open := s.buf[s.pos]
	s.pos++
	end := byte(']')
	if open == '{' {
		end = '}'
	}
	if s.closes(end) {
		return nil
	}
	for {
		if open == '{' {
			if _, err := s.key(); err != nil {
				return err
			}
		}
		if err := s.skip(); err != nil {
			return err
		}
		more, err := s.more(end)
		if err != nil || !more {
			return err
		}
	}
}

// skipFast consumes the object or array starting at the current position
// by counting brackets outside strings, without validating anything else:
// a quick way to find where a value ends when a validating parser reads it
// afterwards.
func (s *scanner) skipFast() error {
	b := s.buf
	depth := 0
	for i := s.pos; i < len(b); i++ {
		switch b[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.pos = i + 1
				return nil
			}
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		}
	}
	s.pos = len(b)
	return s.syntaxError("unterminated object or array")
}

// literal consumes the literal word w.
func (s *scanner) literal(w string) error {
	rest := s.buf[s.pos:]
	if len(rest) < len(w) && string(rest) == w[:len(rest)] {
		s.pos = len(s.buf)
		return s.syntaxError("truncated literal")
	}
	if len(rest) < len(w) || string(rest[:len(w)]) != w {
		return s.syntaxError("invalid literal")
	}
	s.pos += len(w)
	return nil
}

// isNull consumes a null literal when one comes next.
func (s *scanner) isNull() bool {
	if s.ws() == 'n' && s.literal("null") == nil {
		return true
	}
	return false
}

// number consumes a JSON number and returns its value. Numbers of at most
// 15 significant digits with a small exponent (all coordinates of the
// boundaries file) take Clinger's exact fast path: an integer mantissa
// multiplied or divided by an exact power of ten is correctly rounded.
// Anything else goes through strconv.ParseFloat.
func (s *scanner) number() (float64, error) {
	b, start := s.buf, s.pos
	i := start
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	var mant uint64
	digits, exp := 0, 0
	intStart := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		if digits < 19 {
			mant = mant*10 + uint64(b[i]-'0')
			if mant != 0 {
				digits++
			}
		} else {
			exp++
		}
		i++
	}
	if i == intStart || (b[intStart] == '0' && i-intStart > 1) {
		s.pos = intStart
		return 0, s.syntaxError("invalid number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		fracStart := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if digits < 19 {
				mant = mant*10 + uint64(b[i]-'0')
				if mant != 0 {
					digits++
				}
				exp--
			}
			i++
		}
		if i == fracStart {
			s.pos = i
			return 0, s.syntaxError("invalid number")
		}
	}
	slow := false
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		expStart := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == expStart {
			s.pos = i
			return 0, s.syntaxError("invalid number")
		}
		slow = true
	}
	s.pos = i
	if !slow && digits <= 15 && exp >= -22 && exp <= 22 {
		f := float64(mant)
		if exp < 0 {
			f /= math.Pow10(-exp)
		} else if exp > 0 {
			f *= math.Pow10(exp)
		}
		if neg {
			f = -f
		}
		return f, nil
	}
	text := b[start:i]
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(text), len(text)), 64)
	if err != nil {
		return 0, fmt.Errorf("offset %d: %w", start, err)
	}
	return f, nil
}
