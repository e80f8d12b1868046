package boundaries

import (
	"errors"
	"fmt"

	"github.com/maillage/maillage/geo/valid"
	"github.com/paulmach/orb"
)

// pointBlock is how many points a featureParser allocates at once.
const pointBlock = 1 << 16

// featureParser parses features, reusing its scratch buffers and carving
// the rings of many features out of one point block.
type featureParser struct {
	pts   []orb.Point // scratch: points of the current feature
	rings []int       // scratch: end index in pts of each ring
	polys []int       // scratch: end index in rings of each polygon
	block []orb.Point // free tail of the current point block
	valid valid.ShapeValidator
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
	if err := p.valid.Validate(b.Shape); err != nil {
		b.Invalid = err.Error()
	}
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
