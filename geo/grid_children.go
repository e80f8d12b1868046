package geo

import (
	"math"

	h3 "github.com/uber/h3-go/v4"
)

// This file computes the centres and areas of all the res-r descendants of a
// coarse H3 cell without one cgo call per descendant.
//
// H3 places every cell centre on an icosahedron face by a gnomonic projection:
// the centre is the unit vector along F + x·U + y·V, where F is the face
// centre, (x, y) the cell's position in the face's hexagonal lattice and U, V
// two vectors of the tangent plane. The lattice position of a descendant,
// relative to the coarse cell's centre child, is an exact integer function of
// its index digits (H3's _downAp7 / _downAp7r / _neighbor), shared by every
// coarse cell of the same resolution. So once P0, U and V are fitted for one
// coarse cell from three exact centres (h3.CellToLatLng), every other
// descendant centre is P0 + x·U + y·V normalised, and its area follows from
// the gnomonic area element (√3/2)·|U×V| / |P|³ times R². The fit is checked
// against four more exact centres; coarse cells whose descendants may lie on
// more than one face, and pentagon base cells, are not fitted (see
// fitChildFrame).

// h3EarthRadiusKm is the sphere radius H3 uses for areas (EARTH_RADIUS_KM).
const h3EarthRadiusKm = 6371.007180918475

// faceCenter returns the unit vector of icosahedron face f's centre, copied
// from H3's faceCenterPoint table (h3_faceijk.c).
func faceCenter(f int) [3]float64 {
	return [20][3]float64{
		{0.2199307791404606, 0.6583691780274996, 0.7198475378926182},
		{-0.2139234834501421, 0.1478171829550703, 0.9656017935214205},
		{0.1092625278784797, -0.4811951572873210, 0.8697775121287253},
		{0.7428567301586791, -0.3593941678278028, 0.5648005936517033},
		{0.8112534709140969, 0.3448953237639384, 0.4721387736413930},
		{-0.1055498149613921, 0.9794457296411413, 0.1718874610009365},
		{-0.8075407579970092, 0.1533552485898818, 0.5695261994882688},
		{-0.2846148069787907, -0.8644080972654206, 0.4144792552473539},
		{0.7405621473854482, -0.6673299564565524, -0.0789837646326737},
		{0.8512303986474293, 0.4722343788582681, -0.2289137388687808},
		{-0.7405621473854481, 0.6673299564565524, 0.0789837646326737},
		{-0.8512303986474292, -0.4722343788582682, 0.2289137388687808},
		{0.1055498149613919, -0.9794457296411413, -0.1718874610009365},
		{0.8075407579970092, -0.1533552485898819, -0.5695261994882688},
		{0.2846148069787908, 0.8644080972654204, -0.4144792552473539},
		{-0.7428567301586791, 0.3593941678278027, -0.5648005936517033},
		{-0.8112534709140971, -0.3448953237639382, -0.4721387736413930},
		{-0.2199307791404607, -0.6583691780274996, -0.7198475378926182},
		{0.2139234834501420, -0.1478171829550704, -0.9656017935214205},
		{-0.1092625278784796, 0.4811951572873210, -0.8697775121287253},
	}[f]
}

// unitAxial returns H3's UNIT_VECS[d] (direction digit d) in axial
// coordinates (i-k, j-k).
func unitAxial(d int) (a, b int) {
	v := [7][2]int{{0, 0}, {-1, -1}, {0, 1}, {-1, 0}, {1, 0}, {0, -1}, {1, 1}}[d]
	return v[0], v[1]
}

const (
	h3ResShift   = 52
	h3ResMask    = uint64(15) << h3ResShift
	h3DigitBits  = 3
	h3MaxRes     = 15
	fitTolerance = 1e-11 // max distance between fitted and exact unit vectors (≈ 0.06 mm)
)

// childOffset is one res-r descendant of a res-k cell: its index digits and
// its hex lattice position relative to the centre descendant.
type childOffset struct {
	bits uint64  // digits k+1..r, already shifted into place
	x, y float64 // hex2d position in res-r centre spacings
}

// childTable lists the 7^(r-k) descendants of any non-pentagon res-k cell in
// ascending index order.
type childTable struct {
	k, r    int
	clear   uint64 // resolution field and digits k+1..r
	offsets []childOffset
}

// newChildTable builds the descendant table from res k to res r (k < r).
func newChildTable(k, r int) *childTable {
	t := &childTable{k: k, r: r, clear: h3ResMask}
	n := 1
	for lv := k + 1; lv <= r; lv++ {
		n *= 7
		t.clear |= uint64(7) << ((h3MaxRes - lv) * h3DigitBits)
	}
	t.offsets = make([]childOffset, 0, n)
	t.fill(k, 0, 0, 0)
	return t
}

// fill enumerates digits depth-first, lowest digit first, so that offsets
// come out in ascending index order.
func (t *childTable) fill(lv int, bits uint64, a, b int) {
	if lv == t.r {
		x := float64(a) - 0.5*float64(b)
		y := float64(b) * math.Sqrt(3) / 2
		t.offsets = append(t.offsets, childOffset{bits: bits, x: x, y: y})
		return
	}
	next := lv + 1
	var a2, b2 int
	if next%2 == 1 { // class III: _downAp7 (counter-clockwise)
		a2, b2 = 2*a+b, -a+3*b
	} else { // class II: _downAp7r (clockwise)
		a2, b2 = 3*a-b, a+2*b
	}
	for d := range 7 {
		da, db := unitAxial(d)
		t.fill(next, bits|uint64(d)<<((h3MaxRes-next)*h3DigitBits), a2+da, b2+db)
	}
}

// child returns descendant j of the res-k cell parent.
func (t *childTable) child(parent h3.Cell, j int) h3.Cell {
	base := uint64(parent)&^t.clear | uint64(t.r)<<h3ResShift
	return h3.Cell(base | t.offsets[j].bits)
}

// uniformIndex returns the table position of the descendant whose digits
// k+1..r all equal d (d·(7^m−1)/6 with m = r−k).
func (t *childTable) uniformIndex(d int) int {
	return d * (len(t.offsets) - 1) / 6
}

// childFrame is the fitted gnomonic frame of one coarse cell: descendant j has
// centre direction p0 + x·u + y·v.
type childFrame struct {
	p0, u, v [3]float64
	areaK    float64 // R²·(√3/2)·|u×v|: cell area is about areaK / |p|³
	// Second-order area correction (see centre): dot products of the frame
	// and the mean of |x·u + y·v|² over a unit hexagon.
	uu, uv, vv, p0u, p0v, meanD2 float64
}

// hexMoment is the mean of x² (and of y²) over the hexagon of centre
// spacing 1 (circumradius 1/√3): 5/12·(1/3)/2.
const hexMoment = 5.0 / 72

// fitChildFrame fits the frame of the res-k cell parent, or returns false when
// the fast path does not apply: pentagon base cell, descendants possibly on
// more than one icosahedron face, or a fit that misses an exact centre.
func fitChildFrame(t *childTable, parent h3.Cell) (childFrame, bool) {
	var f childFrame
	if parent.Parent(0).IsPentagon() {
		return f, false
	}
	face := -1
	// Descendants stay within the parent's 1-ring (they overflow the parent
	// hexagon by a few percent of its size), so one face for the whole disk
	// means one face for every descendant.
	for _, c := range h3.GridDisk(parent, 1) {
		faces := c.IcosahedronFaces()
		if len(faces) != 1 || (face >= 0 && faces[0] != face) {
			return f, false
		}
		face = faces[0]
	}
	fc := faceCenter(face)
	ia, ib := t.uniformIndex(4), t.uniformIndex(2)
	f.p0 = tangentPoint(fc, t.child(parent, 0))
	pa := tangentPoint(fc, t.child(parent, ia))
	pb := tangentPoint(fc, t.child(parent, ib))
	oa, ob := t.offsets[ia], t.offsets[ib]
	det := oa.x*ob.y - ob.x*oa.y
	for i := range 3 {
		da, db := pa[i]-f.p0[i], pb[i]-f.p0[i]
		f.u[i] = (da*ob.y - db*oa.y) / det
		f.v[i] = (db*oa.x - da*ob.x) / det
	}
	cx := f.u[1]*f.v[2] - f.u[2]*f.v[1]
	cy := f.u[2]*f.v[0] - f.u[0]*f.v[2]
	cz := f.u[0]*f.v[1] - f.u[1]*f.v[0]
	f.areaK = h3EarthRadiusKm * h3EarthRadiusKm * math.Sqrt(3) / 2 * math.Sqrt(cx*cx+cy*cy+cz*cz)
	f.uu, f.uv, f.vv = dot3(f.u, f.u), dot3(f.u, f.v), dot3(f.v, f.v)
	f.p0u, f.p0v = dot3(f.p0, f.u), dot3(f.p0, f.v)
	f.meanD2 = hexMoment * (f.uu + f.vv)
	for _, d := range [...]int{1, 3, 5, 6} {
		j := t.uniformIndex(d)
		got, _ := f.unit(t.offsets[j])
		want := unitVector(h3.CellToLatLng(t.child(parent, j)))
		dx, dy, dz := got[0]-want[0], got[1]-want[1], got[2]-want[2]
		if dx*dx+dy*dy+dz*dz > fitTolerance*fitTolerance {
			return f, false
		}
	}
	return f, true
}

// unit returns the unit centre vector of a descendant and |p|.
func (f *childFrame) unit(o childOffset) ([3]float64, float64) {
	px := f.p0[0] + o.x*f.u[0] + o.y*f.v[0]
	py := f.p0[1] + o.x*f.u[1] + o.y*f.v[1]
	pz := f.p0[2] + o.x*f.u[2] + o.y*f.v[2]
	n := math.Sqrt(px*px + py*py + pz*pz)
	return [3]float64{px / n, py / n, pz / n}, n
}

// centre returns the lon/lat centre (degrees) and area (km²) of a descendant.
//
// The area is the integral over the plane hexagon of the gnomonic area
// element |p+d|⁻³ (d = x·u + y·v spans the hexagon; H3 cells are exactly the
// gnomonic images of those hexagons). Expanding to second order, with
// c = |p|², the hexagon's first moments vanishing and E[x²] = E[y²] =
// hexMoment: mean |p+d|⁻³ ≈ c^-3/2·(1 − 3/2·E|d|²/c + 15/2·E[(p·d)²]/c²).
// The error is fourth order in the cell size: ~1e-8 relative at res 3.
func (f *childFrame) centre(o childOffset) (lon, lat, areaKm2 float64) {
	s, n := f.unit(o)
	lat = math.Atan2(s[2], math.Hypot(s[0], s[1])) * 180 / math.Pi
	lon = math.Atan2(s[1], s[0]) * 180 / math.Pi
	c := n * n
	pu := f.p0u + o.x*f.uu + o.y*f.uv
	pv := f.p0v + o.x*f.uv + o.y*f.vv
	corr := 1 - 1.5*f.meanD2/c + 7.5*hexMoment*(pu*pu+pv*pv)/(c*c)
	return lon, lat, f.areaK / (c * n) * corr
}

func dot3(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// tangentPoint returns the exact centre of c projected on the tangent plane
// of the face centred on fc (the point p with p·fc = 1).
func tangentPoint(fc [3]float64, c h3.Cell) [3]float64 {
	s := unitVector(h3.CellToLatLng(c))
	d := s[0]*fc[0] + s[1]*fc[1] + s[2]*fc[2]
	return [3]float64{s[0] / d, s[1] / d, s[2] / d}
}

// unitVector converts degrees lat/lng to H3's unit vector convention.
func unitVector(ll h3.LatLng) [3]float64 {
	lat, lng := ll.Lat*math.Pi/180, ll.Lng*math.Pi/180
	return [3]float64{math.Cos(lat) * math.Cos(lng), math.Cos(lat) * math.Sin(lng), math.Sin(lat)}
}
