package api

import (
	"errors"
	"fmt"
	"sync"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/mvt"
	"github.com/maillage/maillage/matching"
)

// mapState is what the map layers share: the registry, the national
// coverage at the default reach and the administrative boundaries, both
// computed on first use.
type mapState struct {
	layersOnce sync.Once
	layers     *layerRegistry

	covOnce sync.Once
	cov     *matching.Coverage
	covErr  error

	shapesOnce sync.Once
	shapes     data.AdminShapes
	shapesErr  error

	tiles tileCache
}

// errNoDataDir is returned by the boundary layers of a server started
// without Config.DataDir.
var errNoDataDir = &Error{Status: 503, Code: CodeUnavailable,
	Message: "département and région boundaries need the data folder (Config.DataDir / --data)"}

// coverage returns the national coverage of the default layer at the
// default reach, with its gap zones.
func (s *Server) mapCoverage() (*matching.Coverage, error) {
	m := s.maps
	m.covOnce.Do(func() { m.cov, m.covErr = s.engine.Coverage(matching.CoverageQuery{}) })
	return m.cov, m.covErr
}

// adminShapes returns the département and région boundaries.
func (s *Server) adminShapes() (data.AdminShapes, error) {
	m := s.maps
	m.shapesOnce.Do(func() {
		if s.cfg.DataDir == "" {
			m.shapesErr = errNoDataDir
			return
		}
		m.shapes, m.shapesErr = data.LoadAdminShapes(s.cfg.DataDir)
	})
	return m.shapes, m.shapesErr
}

// mapLayers returns the layer registry, holding on first use the built-in
// layers: communes, départements, régions, every service layer (all of them
// as "sites", and each under its own name), gap zones and grid cells.
func (s *Server) mapLayers() *layerRegistry {
	m := s.maps
	m.layersOnce.Do(func() {
		m.layers = newLayerRegistry()
		if err := s.registerMapLayers(m.layers); err != nil {
			s.cfg.Logger.Error("map layers", "error", err)
		}
	})
	return m.layers
}

// registerMapLayers adds the built-in layers to reg.
func (s *Server) registerMapLayers(reg *layerRegistry) error {
	layers := []*mapLayer{s.communesLayer(), s.adminLayer(true), s.adminLayer(false), s.sitesLayer("")}
	for _, name := range s.engine.LayerNames() {
		layers = append(layers, s.sitesLayer(name))
	}
	layers = append(layers, s.gapsLayer(), s.cellsLayer())
	var errs []error
	for _, l := range layers {
		errs = append(errs, reg.add(l))
	}
	return errors.Join(errs...)
}

// coverageNote says which coverage the layers' figures are.
var coverageNote = fmt.Sprintf("coverage of the %s layer within %.0f minutes (%.0f km/h, detour %.1f)",
	matching.DefaultLayer, matching.DefaultMaxMinutes, matching.DefaultSpeedKmh, matching.DefaultDetour)

// areaProps are the coverage properties of communes, départements and
// régions, after their own leading properties.
var areaProps = []propSpec{
	{"population", "integer", "municipal population"},
	{"covered_population", "integer", "inhabitants within reach"},
	{"uncovered_population", "integer", "located inhabitants out of reach"},
	{"covered_share", "number", "covered / located population, 0-1"},
	{"mean_distance_m", "number", "population-weighted straight-line distance to the nearest site, metres"},
	{"mean_minutes", "number", "mean_distance_m as minutes of travel under the default travel model"},
	{"minutes_class", "string", "mean_minutes class for colouring: 0-10, 10-20, 20-30, 30-45, 45+"},
}

// minutesClass buckets a travel time.
func minutesClass(m float64) string {
	switch {
	case m < 10:
		return "0-10"
	case m < 20:
		return "10-20"
	case m < 30:
		return "20-30"
	case m < 45:
		return "30-45"
	}
	return "45+"
}

// metresPerMinute converts distances to minutes under the default model.
var metresPerMinute = matching.DefaultTravelModel().MetresFor(1)

// areaValues appends the areaProps values of a figure set; located says
// whether any inhabitant could be placed (else the coverage figures are
// null).
func areaValues(dst []mvt.Value, pop, covered, uncovered int, share, meanM float64, located bool) []mvt.Value {
	dst = append(dst, mvt.Int(pop))
	if !located {
		return append(dst, mvt.Value{}, mvt.Value{}, mvt.Value{}, mvt.Value{}, mvt.Value{}, mvt.Value{})
	}
	mins := meanM / metresPerMinute
	return append(dst, mvt.Int(covered), mvt.Int(uncovered), mvt.Num(round(share, 4)), mvt.Num(round(meanM, 0)),
		mvt.Num(round(mins, 1)), mvt.Str(minutesClass(mins)))
}

// communesLayer is every current commune with its 2018 boundary (null
// geometry for the ~100 without one) and its coverage figures.
func (s *Server) communesLayer() *mapLayer {
	props := append([]propSpec{
		{"code", "string", "INSEE code"},
		{"nom", "string", "name"},
		{"departement", "string", "département code"},
		{"region", "string", "région code"},
	}, areaProps...)
	props = append(props,
		propSpec{"nearest_site_id", "string", "site nearest to the main town"},
		propSpec{"nearest_distance_m", "number", "distance from the main town to that site, metres"},
		propSpec{"area_km2", "number", "area of the boundary, km²"})
	l := &mapLayer{Name: "communes", Title: "Communes",
		Description: "Current communes (INSEE COG) with their 2018 IGN boundary, population and " + coverageNote + ".",
		Kind:        kindBoundaries, GeometryType: geomPolygon, Source: data.CommunesFile, Props: props, IDProp: "code"}
	return staticLayer(l, func() (source, error) {
		cv, err := s.mapCoverage()
		if err != nil {
			return nil, err
		}
		t := s.engine.Territory()
		src := &communesSource{t: t, cv: cv, cov: make([]int32, len(t.Communes))}
		for i := range src.cov {
			src.cov[i] = -1
		}
		for k := range cv.Communes {
			src.cov[cv.Communes[k].ID()] = int32(k)
		}
		return src, nil
	})
}

// communesSource serves Territory.Communes, indexed by commune id, through
// the territory's own R-tree.
type communesSource struct {
	t   *data.Territory
	cv  *matching.Coverage
	cov []int32 // commune id → index in cv.Communes, -1 when absent
}

func (c *communesSource) Len() int        { return len(c.t.Communes) }
func (c *communesSource) ID(i int) string { return c.t.Communes[i].Code }

func (c *communesSource) Lookup(id string) (int, bool) {
	i, ok := c.t.CommuneID(id)
	if !ok || c.t.Communes[i].Code != id {
		return 0, false
	}
	return i, true
}

func (c *communesSource) Bound(i int) (orb.Bound, bool) {
	com := &c.t.Communes[i]
	return com.Bound, com.HasShape()
}

func (c *communesSource) Geometry(i int) orb.Geometry {
	if com := &c.t.Communes[i]; com.HasShape() {
		return com.Shape
	}
	return nil
}

func (c *communesSource) Props(i int, dst []mvt.Value) []mvt.Value {
	com := &c.t.Communes[i]
	dst = append(dst, mvt.Str(com.Code), mvt.Str(com.Name), mvt.Str(com.Departement), mvt.Str(com.Region))
	k := c.cov[i]
	if k < 0 {
		dst = areaValues(dst, com.Population, 0, 0, 0, 0, false)
		return append(dst, mvt.Value{}, mvt.Value{}, mvt.Num(round(com.AreaKm2, 3)))
	}
	m := &c.cv.Communes[k]
	dst = areaValues(dst, m.Population, m.CoveredPopulation, m.UncoveredPopulation, m.CoveredShare, m.MeanDistanceM, m.Located)
	if !m.Located {
		return append(dst, mvt.Value{}, mvt.Value{}, mvt.Num(round(com.AreaKm2, 3)))
	}
	return append(dst, mvt.OptStr(m.NearestSiteID), mvt.Num(round(m.NearestDistanceM, 0)), mvt.Num(round(com.AreaKm2, 3)))
}

func (c *communesSource) Search(b orb.Bound, fn func(i int) bool) { c.t.Index.Search(b, fn) }
func (c *communesSource) InDepartement(code string) []int         { return c.t.CommunesIn(code) }

// adminLayer is the départements (deps true) or régions with their IGN
// 2018 boundaries and coverage figures.
func (s *Server) adminLayer(deps bool) *mapLayer {
	lead := []propSpec{{"code", "string", "INSEE code"}, {"nom", "string", "name"}}
	l := &mapLayer{Name: "regions", Title: "Régions", Kind: kindBoundaries, GeometryType: geomPolygon,
		Source: data.RegionsFile, IDProp: "code", Description: "Régions with their IGN 2018 boundary and the " + coverageNote + "."}
	if deps {
		lead = append(lead, propSpec{"region", "string", "région code"})
		l.Name, l.Title, l.Source = "departements", "Départements", data.DepartementsFile
		l.Description = "Départements with their IGN 2018 boundary and the " + coverageNote + "."
	}
	l.Props = append(append(lead, areaProps...), propSpec{"communes", "integer", "number of communes"})
	return staticLayer(l, func() (source, error) {
		shapes, err := s.adminShapes()
		if err != nil {
			return nil, err
		}
		cv, err := s.mapCoverage()
		if err != nil {
			return nil, err
		}
		t := s.engine.Territory()
		bounds, figures := shapes.Regions, cv.Regions
		if deps {
			bounds, figures = shapes.Departements, cv.Departements
		}
		byCode := make(map[string]*matching.AreaCoverage, len(figures))
		for i := range figures {
			byCode[figures[i].Code] = &figures[i]
		}
		tab := newFeatureTable(len(bounds))
		for _, b := range bounds {
			name, region, members := b.Name, "", []string{b.Code}
			if deps {
				if d, ok := t.Departement(b.Code); ok {
					name, region = d.Name, d.Region
				}
			} else {
				if r, ok := t.Region(b.Code); ok {
					name = r.Name
				}
				members = members[:0]
				for _, d := range t.Departements {
					if d.Region == b.Code {
						members = append(members, d.Code)
					}
				}
			}
			vals := []mvt.Value{mvt.Str(b.Code), mvt.Str(name)}
			if deps {
				vals = append(vals, mvt.OptStr(region))
			}
			if a := byCode[b.Code]; a != nil {
				located := a.Population > a.PopulationUnlocated
				vals = areaValues(vals, a.Population, a.CoveredPopulation, a.UncoveredPopulation, a.CoveredShare, a.MeanDistanceM, located)
				vals = append(vals, mvt.Int(a.Communes))
			} else {
				vals = areaValues(vals, 0, 0, 0, 0, 0, false)
				vals = append(vals, mvt.Value{})
			}
			tab.add(b.Code, b.Shape, members, vals)
		}
		return tab, nil
	})
}

// siteProps are the properties of service points.
var siteProps = []propSpec{
	{"id", "string", "identifier in its layer's file"},
	{"name", "string", "name"},
	{"layer", "string", "service layer"},
	{"kind", "string", "france_services, antenne, cnfs_permanence, structure or other"},
	{"itinerant", "boolean", "mobile site (bus, itinérance): the point is its base"},
	{"format", "string", "format declared by the file"},
	{"address", "string", "postal address"},
	{"commune", "string", "INSEE code of the commune holding the point"},
	{"departement", "string", "département code"},
}

// sitesLayer is one service layer under its own name, or every service
// layer as "sites" (name ""), whose feature ids are then "layer:id".
func (s *Server) sitesLayer(name string) *mapLayer {
	names := []string{name}
	l := &mapLayer{Name: name, Kind: kindService}
	if name == "" {
		names = s.engine.LayerNames()
		l.Name, l.Title = "sites", "Service points"
		l.Description = "Every loaded service layer's points; feature ids are layer:id."
	} else {
		src := s.engine.Layer(name)
		l.Title = "Service points: " + name
		l.Description = fmt.Sprintf("Service layer %s (vintage %s).", name, src.Vintage)
		l.Vintage, l.Source, l.Report = src.Vintage, src.Report.File, &src.Report
	}
	var features []pointFeature
	for _, n := range names {
		layer := s.engine.Layer(n)
		for i := range layer.Sites {
			site := &layer.Sites[i]
			id := site.ID
			if name == "" {
				id = site.Layer + ":" + site.ID
			}
			features = append(features, pointFeature{ID: id, Point: site.Point, Departement: site.Departement,
				Props: []mvt.Value{mvt.Str(site.ID), mvt.Str(site.Name), mvt.Str(site.Layer), mvt.Str(string(site.Kind)),
					mvt.Boolean(site.Itinerant), mvt.OptStr(site.Format), mvt.OptStr(site.Address), mvt.OptStr(site.Commune), mvt.OptStr(site.Departement)}})
		}
	}
	p := newPointLayer(l.Name, l.Title, l.Description, l.Kind, siteProps, features)
	p.Vintage, p.Source, p.Report = l.Vintage, l.Source, l.Report
	if name != "" {
		p.IDProp = "id" // the "sites" layer's ids are layer:id
	}
	return p
}

// gapsLayer is the gap zones of the national coverage: connected areas
// out of reach, as outlines of their H3 cells.
func (s *Server) gapsLayer() *mapLayer {
	l := &mapLayer{Name: "gaps", Title: "Gap zones", Kind: kindAnalysis, GeometryType: geomPolygon,
		Source: "coverage", IDProp: "id",
		Description: "Populated connected areas out of reach (H3 cells farther than the reach from every site): " + coverageNote + ".",
		Props: []propSpec{
			{"id", "string", "gap-<smallest H3 cell>, stable across thresholds"},
			{"rank", "integer", "1 for the most populated zone"},
			{"population", "integer", "inhabitants in the zone"},
			{"area_km2", "number", "area, km²"},
			{"cells", "integer", "H3 cells"},
			{"max_distance_m", "number", "farthest cell centre from a site, metres"},
			{"mean_distance_m", "number", "population-weighted distance to the nearest site, metres"},
			{"communes", "integer", "communes with a cell in the zone"},
			{"departements", "array", "départements touched"},
		}}
	return staticLayer(l, func() (source, error) {
		cv, err := s.mapCoverage()
		if err != nil {
			return nil, err
		}
		tab := newFeatureTable(len(cv.Gaps))
		for i, z := range cv.Gaps {
			tab.add(z.ID, cv.GapOutline(i), z.DepartementsTouched, []mvt.Value{mvt.Str(z.ID), mvt.Int(z.Rank),
				mvt.Int(z.Population), mvt.Num(round(z.AreaKm2, 3)), mvt.Int(z.Cells), mvt.Num(round(z.MaxDistanceM, 0)),
				mvt.Num(round(z.MeanDistanceM, 0)), mvt.Int(len(z.CommunesTouched)), mvt.List(z.DepartementsTouched)})
		}
		return tab, nil
	})
}
