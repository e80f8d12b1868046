package popgrid

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/maillage/maillage/data/textio"

	"github.com/paulmach/orb"
	"github.com/wroge/wgs84"

	"github.com/maillage/maillage/geo"
)

// ErrGrid is wrapped by every error of Load, with the file and line at
// fault.
var ErrGrid = errors.New("population grid")

// Report says what Load read.
type Report struct {
	Path       string  `json:"path"`
	Format     string  `json:"format"`      // "insee-carroyees" or "points"
	CellSizeM  int     `json:"cell_size_m"` // 200 or 1000 for INSEE squares, 0 for points
	Points     int     `json:"points"`      // rows kept
	Population float64 `json:"population"`  // sum of their weights
}

// idcarPattern reads an INSEE square identifier: CRS, square size and the
// northing and easting of its south-west corner, e.g.
// CRS3035RES200mN2029800E4252400.
var idcarPattern = regexp.MustCompile(`^CRS(\d+)RES(\d+)mN(\d+)E(\d+)$`)

// laeaToLonLat converts EPSG:3035 (ETRS89 Lambert azimuthal equal-area,
// the CRS of INSEE's metropolitan squares) to WGS84 lon/lat, through
// wroge/wgs84 (pure Go, no PROJ install; ETRS89 and WGS84 agree within a
// metre, far below a 200 m square).
var laeaToLonLat = wgs84.ETRS89LambertAzimuthalEqualArea().To(wgs84.LonLat())

// Load reads a population grid as weighted points for
// geo.BuildGridWeighted. Two CSV layouts are recognised from the header
// (comma or semicolon separated, case-insensitive names, gzip allowed):
//
//   - INSEE données carroyées (Filosofi): an idcar_200m or idcar_1km column
//     (CRS3035RES200mN…E…) and an ind column (inhabitants); each square
//     becomes its centre. Only EPSG:3035 squares (metropolitan France) are
//     read: the overseas files use other CRS and are refused by line.
//   - any points: lon (or longitude, x), lat (or latitude, y) in WGS84 and
//     a weight column (weight, ind, population).
//
// A row with a missing or invalid value is an error naming the file and
// line, never skipped.
func Load(path string) ([]geo.PopulationPoint, Report, error) {
	rep := Report{Path: path}
	f, err := textio.OpenFile(path)
	if err != nil {
		return nil, rep, fmt.Errorf("%w: %v", ErrGrid, err)
	}
	defer f.Close()
	fail := func(line int, format string, args ...any) error {
		return fmt.Errorf("%w: %s line %d: %s", ErrGrid, path, line, fmt.Sprintf(format, args...))
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, rep, fmt.Errorf("%w: %s: %v", ErrGrid, path, err)
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	first, _, _ := strings.Cut(text, "\n")
	r := csv.NewReader(strings.NewReader(text))
	if strings.Count(first, ";") > strings.Count(first, ",") {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, rep, fail(1, "no header: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	find := func(names ...string) int {
		for _, n := range names {
			if i, ok := col[n]; ok {
				return i
			}
		}
		return -1
	}
	iID, iInd := find("idcar_200m", "idcar_1km"), find("ind")
	iLon, iLat, iW := find("lon", "longitude", "x"), find("lat", "latitude", "y"), find("weight", "ind", "population")
	switch {
	case iID >= 0 && iInd >= 0:
		rep.Format = "insee-carroyees"
	case iLon >= 0 && iLat >= 0 && iW >= 0:
		rep.Format = "points"
	default:
		return nil, rep, fail(1, "header %q: want idcar_200m or idcar_1km and ind (INSEE données carroyées), or lon, lat and weight", strings.Join(header, ","))
	}
	var pts []geo.PopulationPoint
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, rep, fail(line, "%v", err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		get := func(i int) (string, error) {
			if i >= len(rec) {
				return "", fail(line, "%d fields, column %q missing", len(rec), header[i])
			}
			return strings.TrimSpace(rec[i]), nil
		}
		num := func(i int) (float64, error) {
			s, err := get(i)
			if err != nil {
				return 0, err
			}
			v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fail(line, "%s %q is not a number", header[i], s)
			}
			return v, nil
		}
		var p geo.PopulationPoint
		if rep.Format == "insee-carroyees" {
			id, err := get(iID)
			if err != nil {
				return nil, rep, err
			}
			pt, size, err := squareCentre(id)
			if err != nil {
				return nil, rep, fail(line, "%s %q: %v", header[iID], id, err)
			}
			if rep.CellSizeM == 0 {
				rep.CellSizeM = size
			}
			p.Point = pt
			if p.Weight, err = num(iInd); err != nil {
				return nil, rep, err
			}
		} else {
			lon, err := num(iLon)
			if err != nil {
				return nil, rep, err
			}
			lat, err := num(iLat)
			if err != nil {
				return nil, rep, err
			}
			if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
				return nil, rep, fail(line, "point (%v, %v) is not lon/lat in degrees", lon, lat)
			}
			p.Point = orb.Point{lon, lat}
			if p.Weight, err = num(iW); err != nil {
				return nil, rep, err
			}
		}
		if p.Weight < 0 {
			return nil, rep, fail(line, "negative weight %v", p.Weight)
		}
		pts = append(pts, p)
		rep.Population += p.Weight
	}
	if len(pts) == 0 {
		return nil, rep, fmt.Errorf("%w: %s: no row", ErrGrid, path)
	}
	rep.Points = len(pts)
	return pts, rep, nil
}

// squareCentre returns the lon/lat centre and the size of an INSEE square
// from its identifier.
func squareCentre(id string) (orb.Point, int, error) {
	m := idcarPattern.FindStringSubmatch(id)
	if m == nil {
		return orb.Point{}, 0, errors.New("not an INSEE square identifier (CRS3035RES200mN…E…)")
	}
	if m[1] != "3035" {
		return orb.Point{}, 0, fmt.Errorf("CRS EPSG:%s not supported (only EPSG:3035, the metropolitan squares)", m[1])
	}
	size, _ := strconv.Atoi(m[2])
	north, _ := strconv.ParseFloat(m[3], 64)
	east, _ := strconv.ParseFloat(m[4], 64)
	if size <= 0 {
		return orb.Point{}, 0, fmt.Errorf("square size %d m", size)
	}
	half := float64(size) / 2
	lon, lat, _ := laeaToLonLat(east+half, north+half, 0)
	if math.IsNaN(lon) || math.IsNaN(lat) {
		return orb.Point{}, 0, errors.New("outside the projection")
	}
	return orb.Point{lon, lat}, size, nil
}
