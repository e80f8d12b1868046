package boundaries

import (
	"errors"
	"fmt"
)

// featureSpan is the byte range of one feature inside the collection.
type featureSpan struct{ start, end int }

// States of a splitter.
const (
	splitPrefix    = iota // before the features array (restarted from 0 until complete)
	splitFirst            // just inside the array: a feature or ']'
	splitElement          // after a comma: a feature
	splitSeparator        // after a feature: ',' or ']'
	splitSuffix           // after the array: the rest of the object, once all data is in
	splitDone
)

// splitter finds the features of a GeoJSON FeatureCollection in a buffer
// that may still be growing (a file being inflated). Features are delimited
// by counting brackets outside strings (skipFast); their structure is
// validated when they are parsed. The members around the features array
// are validated here.
type splitter struct {
	state int
	pos   int  // where the current state resumes
	found bool // the features array was opened
	n     int  // features found
}

// advance consumes buf from where the previous call stopped and appends
// the span of every complete feature to spans. When final is false, buf is
// a prefix of the file and advance stops without error where buf ends
// inside a value; when final is true buf is the whole file.
func (sp *splitter) advance(buf []byte, final bool, spans []featureSpan) ([]featureSpan, error) {
	incomplete := func(err error) bool { return !final && errors.Is(err, errEOF) }
	s := scanner{buf: buf, pos: sp.pos}
	for {
		switch sp.state {
		case splitPrefix:
			s.pos = 0
			inArray, err := sp.prefix(&s)
			switch {
			case incomplete(err):
				return spans, nil
			case err != nil:
				return spans, err
			case inArray:
				sp.state = splitFirst
			default:
				sp.state = splitSuffix
			}
		case splitFirst, splitElement:
			start := s.pos
			c := s.ws()
			if c == ']' && sp.state == splitFirst {
				s.pos++
				sp.state = splitSuffix
				continue
			}
			if c != '{' {
				err := s.syntaxError("expected object")
				if incomplete(err) {
					sp.pos = start
					return spans, nil
				}
				return spans, fmt.Errorf("feature %d: %w", sp.n+1, err)
			}
			from := s.pos
			if err := s.skipFast(); err != nil {
				if incomplete(err) {
					sp.pos = start
					return spans, nil
				}
				return spans, fmt.Errorf("feature %d: %w", sp.n+1, err)
			}
			sp.n++
			spans = append(spans, featureSpan{from, s.pos})
			sp.state = splitSeparator
		case splitSeparator:
			start := s.pos
			switch s.ws() {
			case ',':
				s.pos++
				sp.state = splitElement
			case ']':
				s.pos++
				sp.state = splitSuffix
			default:
				err := s.syntaxError("expected ',' or ']'")
				if incomplete(err) {
					sp.pos = start
					return spans, nil
				}
				return spans, fmt.Errorf("feature %d: %w", sp.n, err)
			}
		case splitSuffix:
			if !final {
				sp.pos = s.pos
				return spans, nil
			}
			if err := sp.suffix(&s); err != nil {
				return spans, err
			}
			sp.state = splitDone
		default:
			return spans, nil
		}
	}
}

// prefix reads the object up to the opening of its features array
// (inArray) or to its end.
func (sp *splitter) prefix(s *scanner) (inArray bool, err error) {
	if err := s.expect('{'); err != nil {
		return false, err
	}
	if s.closes('}') {
		return false, nil
	}
	return sp.members(s)
}

// members reads object members up to the features array (inArray) or the
// end of the object.
func (sp *splitter) members(s *scanner) (inArray bool, err error) {
	for {
		k, err := s.key()
		if err != nil {
			return false, err
		}
		if string(k) == "features" {
			if sp.found {
				return false, errors.New(`two "features" members`)
			}
			if err := s.expect('['); err != nil {
				return false, fmt.Errorf("features: %w", err)
			}
			sp.found = true
			return true, nil
		}
		if err := s.skip(); err != nil {
			return false, fmt.Errorf("member %q: %w", k, err)
		}
		more, err := s.more('}')
		if err != nil || !more {
			return false, err
		}
	}
}

// suffix reads what follows the features array (or an object without
// one) to the end of the buffer.
func (sp *splitter) suffix(s *scanner) error {
	if sp.found {
		more, err := s.more('}')
		if err != nil {
			return err
		}
		if more {
			if _, err := sp.members(s); err != nil {
				return err
			}
		}
	}
	if s.ws(); s.pos != len(s.buf) {
		return s.syntaxError("trailing data after the collection")
	}
	if !sp.found {
		return errors.New(`no "features" member`)
	}
	return nil
}
