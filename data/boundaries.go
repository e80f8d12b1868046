package data

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/paulmach/orb"
)

// Boundary is one feature of the communes GeoJSON: a 2018 INSEE code, its
// name and its shape (a Polygon feature becomes a one-part MultiPolygon).
type Boundary struct {
	Code  string
	Name  string
	Shape orb.MultiPolygon
	Bound orb.Bound // bounding box of Shape
}

// LoadBoundaries reads a GeoJSON FeatureCollection of commune boundaries
// (gzip or plain) whose features carry the properties `code` and `nom`.
// Errors name the file and the 1-based feature number.
func LoadBoundaries(path string) ([]Boundary, error) {
	buf, err := ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("communes %s: %w", path, err)
	}
	return ParseBoundaries(buf, path)
}

// featureSpan is the byte range of one feature inside the collection.
type featureSpan struct{ start, end int }

// ParseBoundaries parses the FeatureCollection in buf; name is used in
// errors. The collection is split into features in one validating pass,
// then the features are parsed on up to GOMAXPROCS goroutines, each carving
// its rings out of large shared point blocks.
func ParseBoundaries(buf []byte, name string) ([]Boundary, error) {
	spans, err := splitFeatures(buf)
	if err != nil {
		return nil, fmt.Errorf("communes %s: %w", name, err)
	}
	out := make([]Boundary, len(spans))
	workers := min(runtime.GOMAXPROCS(0), 8, max(1, len(spans)/64))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(spans)/workers, (w+1)*len(spans)/workers
		wg.Go(func() {
			var p featureParser
			for i := lo; i < hi; i++ {
				s := scanner{buf: buf[:spans[i].end], pos: spans[i].start}
				b, err := p.feature(&s)
				if s.ws(); err == nil && s.pos != len(s.buf) {
					err = s.syntaxError("unexpected data after the feature")
				}
				if err != nil {
					errs[w] = fmt.Errorf("communes %s: feature %d: %w", name, i+1, err)
					return
				}
				out[i] = b
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// splitFeatures checks the top-level object and returns the span of every
// element of its "features" array. Features are delimited by counting
// brackets (skipFast): their structure is validated when they are parsed.
func splitFeatures(buf []byte) ([]featureSpan, error) {
	s := scanner{buf: buf}
	if err := s.expect('{'); err != nil {
		return nil, err
	}
	var spans []featureSpan
	found := false
	for more := !s.closes('}'); more; {
		k, err := s.key()
		if err != nil {
			return nil, err
		}
		if string(k) != "features" {
			if err := s.skip(); err != nil {
				return nil, fmt.Errorf("member %q: %w", k, err)
			}
		} else {
			found = true
			if spans, err = splitArray(&s, len(buf)/1024); err != nil {
				return nil, err
			}
		}
		if more, err = s.more('}'); err != nil {
			return nil, err
		}
	}
	if s.ws(); s.pos != len(buf) {
		return nil, s.syntaxError("trailing data after the collection")
	}
	if !found {
		return nil, errors.New("no \"features\" member")
	}
	return spans, nil
}

// splitArray consumes the features array and records each element's span.
func splitArray(s *scanner, sizeHint int) ([]featureSpan, error) {
	if err := s.expect('['); err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	spans := make([]featureSpan, 0, sizeHint)
	if s.closes(']') {
		return spans, nil
	}
	for {
		start := s.pos
		if s.ws() != '{' {
			return nil, fmt.Errorf("feature %d: %w", len(spans)+1, s.syntaxError("expected object"))
		}
		if err := s.skipFast(); err != nil {
			return nil, fmt.Errorf("feature %d: %w", len(spans)+1, err)
		}
		spans = append(spans, featureSpan{start, s.pos})
		more, err := s.more(']')
		if err != nil {
			return nil, fmt.Errorf("feature %d: %w", len(spans), err)
		}
		if !more {
			return spans, nil
		}
	}
}

// pointBlock is how many points a featureParser allocates at once.
const pointBlock = 1 << 16

// featureParser parses features, reusing its scratch buffers and carving
// the rings of many features out of one point block.
type featureParser struct {
	pts   []orb.Point // scratch: points of the current feature
	rings []int       // scratch: end index in pts of each ring
	polys []int       // scratch: end index in rings of each polygon
	block []orb.Point // free tail of the current point block
}

// feature parses one Feature object.
func (p *featureParser) feature(s *scanner) (Boundary, error) {
	var b Boundary
	if err := s.expect('{'); err != nil {
		return b, err
	}
	var geomType string
	hasProps, hasGeom := false, false
	for more := !s.closes('}'); more; {
		k, err := s.key()
		if err != nil {
			return b, err
		}
		switch string(k) {
		case "type":
			t, err := s.str()
			if err != nil {
				return b, err
			}
			if t != "Feature" {
				return b, fmt.Errorf("type %q, want Feature", t)
			}
		case "properties":
			hasProps = true
			if err := p.properties(s, &b); err != nil {
				return b, fmt.Errorf("properties: %w", err)
			}
		case "geometry":
			hasGeom = true
			if geomType, err = p.geometry(s); err != nil {
				return b, fmt.Errorf("geometry: %w", err)
			}
		default:
			if err := s.skip(); err != nil {
				return b, err
			}
		}
		if more, err = s.more('}'); err != nil {
			return b, err
		}
	}
	switch {
	case !hasProps || b.Code == "":
		return b, errors.New("no \"code\" property")
	case !hasGeom || geomType == "":
		return b, fmt.Errorf("code %s: no geometry", b.Code)
	}
	b.Shape, b.Bound = p.build()
	return b, nil
}

// properties reads the code and nom properties and skips the others.
func (p *featureParser) properties(s *scanner, b *Boundary) error {
	if s.isNull() {
		return nil
	}
	if err := s.expect('{'); err != nil {
		return err
	}
	for more := !s.closes('}'); more; {
		k, err := s.key()
		if err != nil {
			return err
		}
		switch string(k) {
		case "code":
			if s.ws() != '"' {
				return s.syntaxError("code must be a string")
			}
			if b.Code, err = s.str(); err != nil {
				return err
			}
		case "nom":
			if s.isNull() {
				break
			}
			if b.Name, err = s.str(); err != nil {
				return err
			}
		default:
			if err := s.skip(); err != nil {
				return err
			}
		}
		if more, err = s.more('}'); err != nil {
			return err
		}
	}
	return nil
}

// geometry reads a Polygon or MultiPolygon into the scratch buffers and
// returns its type ("" for a null geometry). The members may come in any
// order; the coordinates' nesting depth is checked against the type.
func (p *featureParser) geometry(s *scanner) (string, error) {
	if s.isNull() {
		return "", nil
	}
	if err := s.expect('{'); err != nil {
		return "", err
	}
	p.pts, p.rings, p.polys = p.pts[:0], p.rings[:0], p.polys[:0]
	var typ string
	depth := 0
	for more := !s.closes('}'); more; {
		k, err := s.key()
		if err != nil {
			return "", err
		}
		switch string(k) {
		case "type":
			if typ, err = s.str(); err != nil {
				return "", err
			}
		case "coordinates":
			if depth, err = p.coordinates(s); err != nil {
				return "", fmt.Errorf("coordinates: %w", err)
			}
		default:
			if err := s.skip(); err != nil {
				return "", err
			}
		}
		if more, err = s.more('}'); err != nil {
			return "", err
		}
	}
	switch {
	case typ != "Polygon" && typ != "MultiPolygon":
		return "", fmt.Errorf("unsupported type %q", typ)
	case depth == 0:
		return "", errors.New("no coordinates")
	case typ == "Polygon" && depth != 3, typ == "MultiPolygon" && depth != 4:
		return "", fmt.Errorf("%s coordinates nested %d deep", typ, depth)
	}
	return typ, nil
}

// coordinates parses a Polygon (depth 3) or MultiPolygon (depth 4)
// coordinate array, found by counting the opening brackets, and returns
// its depth (3 for an empty array, which yields no polygon).
func (p *featureParser) coordinates(s *scanner) (int, error) {
	depth := 0
	for i := s.pos; i < len(s.buf); i++ {
		c := s.buf[i]
		if c == '[' {
			depth++
		} else if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			break
		}
	}
	switch depth {
	case 3:
		return 3, p.polygon(s)
	case 4:
		return 4, p.array(s, p.polygon)
	case 1: // [] or [] inside: an empty geometry
		return 3, s.skip()
	}
	return 0, s.syntaxError("expected Polygon or MultiPolygon coordinates")
}

// array parses a JSON array whose elements are read by elem.
func (p *featureParser) array(s *scanner, elem func(*scanner) error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	for more := !s.closes(']'); more; {
		if err := elem(s); err != nil {
			return err
		}
		var err error
		if more, err = s.more(']'); err != nil {
			return err
		}
	}
	return nil
}

// polygon parses an array of rings.
func (p *featureParser) polygon(s *scanner) error {
	if err := p.array(s, p.ring); err != nil {
		return err
	}
	p.polys = append(p.polys, len(p.rings))
	return nil
}

// ring parses an array of positions.
func (p *featureParser) ring(s *scanner) error {
	if err := p.array(s, p.position); err != nil {
		return err
	}
	p.rings = append(p.rings, len(p.pts))
	return nil
}

// position parses [lon, lat] (an altitude, if any, is ignored).
func (p *featureParser) position(s *scanner) error {
	if err := s.expect('['); err != nil {
		return err
	}
	var pt orb.Point
	for i := 0; ; i++ {
		s.ws()
		v, err := s.number()
		if err != nil {
			return err
		}
		if i < 2 {
			pt[i] = v
		}
		more, err := s.more(']')
		if err != nil {
			return err
		}
		if !more {
			if i < 1 {
				return s.syntaxError("position with fewer than 2 numbers")
			}
			break
		}
	}
	p.pts = append(p.pts, pt)
	return nil
}

// build copies the scratch geometry into the point block and returns it as
// a MultiPolygon whose rings have capped capacity (appending to one never
// overwrites its neighbour), with its bounding box.
func (p *featureParser) build() (orb.MultiPolygon, orb.Bound) {
	n := len(p.pts)
	if n == 0 {
		return nil, orb.Bound{}
	}
	bound := orb.Bound{Min: p.pts[0], Max: p.pts[0]}
	for _, q := range p.pts[1:] {
		bound.Min[0], bound.Min[1] = min(bound.Min[0], q[0]), min(bound.Min[1], q[1])
		bound.Max[0], bound.Max[1] = max(bound.Max[0], q[0]), max(bound.Max[1], q[1])
	}
	if len(p.block) < n {
		p.block = make([]orb.Point, max(pointBlock, n))
	}
	pts := p.block[:n:n]
	p.block = p.block[n:]
	copy(pts, p.pts)
	mp := make(orb.MultiPolygon, len(p.polys))
	rings := make([]orb.Ring, len(p.rings))
	r0, pt0 := 0, 0
	for i, rEnd := range p.polys {
		poly := rings[r0:rEnd:rEnd]
		for j := range poly {
			end := p.rings[r0+j]
			poly[j] = orb.Ring(pts[pt0:end:end])
			pt0 = end
		}
		mp[i] = orb.Polygon(poly)
		r0 = rEnd
	}
	return mp, bound
}
