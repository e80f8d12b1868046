package layers

import (
	"errors"
	"fmt"
	"slices"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/maplayers"
	"github.com/maillage/maillage/internal/mvt"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/accessibility"
	"github.com/maillage/maillage/matching/coverage"
)

// communeTopology returns the communes' shared topology (built on first
// use of a level).
func (m *State) communeTopology() *communeTopology {
	tm := m.terr
	tm.topoOnce.Do(func() {
		t := tm.t
		tm.topo = &communeTopology{
			shapes: func() []orb.MultiPolygon {
				shapes := make([]orb.MultiPolygon, len(t.Communes))
				for i := range t.Communes {
					shapes[i] = t.Communes[i].Shape
				}
				return shapes
			},
			log: func(msg string, args ...any) { m.log.Info(msg, args...) },
		}
	})
	return tm.topo
}

// errNoDataDir is returned by the boundary layers of a server started
// without api.Config.DataDir.
var errNoDataDir = &httpx.Error{Status: 503, Code: httpx.CodeUnavailable,
	Message: "département and région boundaries need the data folder (Config.DataDir / --data)"}

// mapCoverage returns the national coverage of the default layer at the
// default reach, with its gap zones but without its communes: the map
// keeps of each commune only what the communes layer shows
// (mapCommunes), a quarter of a CommuneCoverage.
func (m *State) mapCoverage() (*coverage.Coverage, error) {
	m.covOnce.Do(func() {
		cv, err := coverage.Compute(m.e.Coverage(), coverage.Query{})
		if err != nil {
			m.covErr = err
			return
		}
		m.communeFigs = newCommuneFigures(len(m.e.Territory().Communes), cv.Communes)
		lite := *cv
		lite.Communes = nil
		m.cov = &lite
	})
	return m.cov, m.covErr
}

// mapCommunes returns the figures of each commune (by id) in the map's
// national coverage.
func (m *State) mapCommunes() ([]communeFigures, error) {
	_, err := m.mapCoverage()
	return m.communeFigs, err
}

// mapAccess returns the 2SFCA accessibility of the communes layer: the
// built-in structures' posts against the people in difficulty at the
// default reach; nil (the layer's access figures null) when it cannot be
// computed, e.g. an engine without the built-in structures.
// It keeps of the answer the two figures the layer shows of each commune
// (the whole answer also held each cell's accessibility and every area's
// figures: 12 MB).
func (m *State) mapAccess() []communeAccess {
	m.accOnce.Do(func() {
		a, err := accessibility.Compute(m.e, accessibility.AccessQuery{})
		if err != nil {
			m.log.Warn("map layers: no accessibility on the communes layer", "error", err)
			return
		}
		m.acc = make([]communeAccess, len(a.Communes))
		for i := range a.Communes {
			c := &a.Communes[i]
			m.acc[i] = communeAccess{located: c.Population != 0, per10k: c.AccessPer10k, ratio: c.RatioToReference}
		}
	})
	return m.acc
}

// adminShapes returns the département and région boundaries.
func (m *State) adminShapes() (data.AdminShapes, error) {
	tm := m.terr
	tm.shapesOnce.Do(func() {
		if m.dataDir == "" {
			tm.shapesErr = errNoDataDir
			return
		}
		tm.shapes, tm.shapesErr = data.LoadAdminShapes(m.dataDir)
	})
	return tm.shapes, tm.shapesErr
}

// Layers returns the layer registry, holding on first use the built-in
// layers: communes, départements, régions, every service layer (all of them
// as "sites", and each under its own name), gap zones and grid cells.
func (m *State) Layers() *maplayers.Registry {
	m.layersOnce.Do(func() {
		m.layers = maplayers.NewRegistry()
		if err := m.registerMapLayers(m.layers); err != nil {
			m.log.Error("map layers", "error", err)
		}
	})
	return m.layers
}

// registerMapLayers adds the built-in layers to reg.
func (m *State) registerMapLayers(reg *maplayers.Registry) error {
	layers := []*maplayers.Layer{m.communesLayer(), m.adminLayer(true), m.adminLayer(false), m.sitesLayer("")}
	for _, name := range m.e.LayerNames() {
		layers = append(layers, m.sitesLayer(name))
	}
	layers = append(layers, m.gapsLayer(), m.cellsLayer())
	var errs []error
	for _, l := range layers {
		errs = append(errs, reg.Add(l))
	}
	return errors.Join(errs...)
}

// coverageNote says which coverage the layers' figures are.
var coverageNote = fmt.Sprintf("coverage of the %s layer within %.0f minutes (%.0f km/h, detour %.1f)",
	matching.DefaultLayer, coverage.DefaultMaxMinutes, coverage.DefaultSpeedKmh, coverage.DefaultDetour)

// accessNote says which accessibility the communes layer carries.
var accessNote = fmt.Sprintf("posts of the %s host structures within %.0f minutes per 10,000 people in difficulty (2SFCA, GET /v1/access)",
	matching.BuiltinStructuresDataset, coverage.DefaultMaxMinutes)

// areaProps are the coverage properties of communes, départements and
// régions, after their own leading properties.
var areaProps = []maplayers.PropSpec{
	{Name: "population", Type: "integer", Description: "municipal population"},
	{Name: "covered_population", Type: "integer", Description: "inhabitants within reach"},
	{Name: "uncovered_population", Type: "integer", Description: "located inhabitants out of reach"},
	{Name: "covered_share", Type: "number", Description: "covered / located population, 0-1"},
	{Name: "mean_distance_m", Type: "number", Description: "population-weighted straight-line distance to the nearest site, metres"},
	{Name: "mean_minutes", Type: "number", Description: "mean_distance_m as minutes of travel under the default travel model"},
	{Name: "minutes_class", Type: "string", Description: "mean_minutes class for colouring: 0-10, 10-20, 20-30, 30-45, 45+"},
	{Name: "no_data_reason", Type: "string", Description: "why the coverage figures are null (no_boundary: no inhabitant could be placed); absent when they are set"},
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
var metresPerMinute = coverage.DefaultTravelModel().MetresFor(1)

// areaValues appends the areaProps values of a figure set; located says
// whether any inhabitant could be placed (else the coverage figures are
// null).
func areaValues(dst []mvt.Value, pop, covered, uncovered int, share, meanM *float64, reason string) []mvt.Value {
	dst = append(dst, mvt.Int(pop))
	if share == nil || meanM == nil {
		if reason == "" {
			reason = coverage.NoDataNoBoundary
		}
		return append(dst, mvt.Value{}, mvt.Value{}, mvt.Value{}, mvt.Value{}, mvt.Value{}, mvt.Value{}, mvt.Str(reason))
	}
	mins := *meanM / metresPerMinute
	return append(dst, mvt.Int(covered), mvt.Int(uncovered), mvt.Num(httpx.Round(*share, 4)), mvt.Num(httpx.Round(*meanM, 0)),
		mvt.Num(httpx.Round(mins, 1)), mvt.Str(minutesClass(mins)), mvt.Value{})
}

// communesLayer is every current commune with its 2018 boundary (null
// geometry for the ~100 without one) and its coverage figures.
func (m *State) communesLayer() *maplayers.Layer {
	props := append([]maplayers.PropSpec{
		{Name: "code", Type: "string", Description: "INSEE code"},
		{Name: "nom", Type: "string", Description: "name"},
		{Name: "departement", Type: "string", Description: "département code"},
		{Name: "region", Type: "string", Description: "région code"},
	}, areaProps...)
	props = append(props,
		maplayers.PropSpec{Name: "nearest_site_id", Type: "string", Description: "site nearest to the main town"},
		maplayers.PropSpec{Name: "nearest_distance_m", Type: "number", Description: "distance from the main town to that site, metres"},
		maplayers.PropSpec{Name: "area_km2", Type: "number", Description: "area of the boundary, km²"},
		maplayers.PropSpec{Name: "access_per_10k", Type: "number", Description: accessNote},
		maplayers.PropSpec{Name: "access_ratio", Type: "number", Description: "access_per_10k over the national ratio (1: the national level), 2 decimals, for colouring"})
	l := &maplayers.Layer{Name: "communes", Title: "Communes",
		Description: "Current communes (INSEE COG) with their 2018 IGN boundary, population and " + coverageNote + ".",
		Kind:        maplayers.KindBoundaries, GeometryType: maplayers.GeomPolygon, Source: data.CommunesFile, Props: props, IDProp: "code"}
	ct := m.communeTopology()
	l = maplayers.StaticLayer(l, func() (maplayers.Source, error) {
		figs, err := m.mapCommunes()
		if err != nil {
			return nil, err
		}
		return &communesSource{t: m.e.Territory(), figs: figs, acc: m.mapAccess()}, nil
	})
	coalesced := &coalescedCommunes{ct: ct, log: ct.log, class: func() ([]int32, error) {
		src, err := l.Open(maplayers.Filter{})
		if err != nil {
			return nil, err
		}
		return communeClasses(l, src, "minutes_class"), nil
	}}
	l.TileCoalesce = coalesced.atZoom
	l.Cache.Topo = func(z, i int) (orb.MultiPolygon, bool) {
		if lv := ct.level(z); lv != nil {
			if mp := lv.Shape(i); mp != nil {
				return mp, true
			}
		}
		// Smaller than the tolerance (its neighbours close over it): it
		// keeps a minimal outline of its own, so that it can be found.
		return nil, false
	}
	return l
}

// communesSource serves Territory.Communes, indexed by commune id, through
// the territory's own R-tree.
type communesSource struct {
	t    *data.Territory
	figs []communeFigures // by commune id
	acc  []communeAccess  // by commune id; nil: no access figures
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
	switch f := &c.figs[i]; {
	case !f.inCoverage:
		dst = areaValues(dst, com.Population, 0, 0, nil, nil, "")
		dst = append(dst, mvt.Value{}, mvt.Value{}, mvt.Num(httpx.Round(com.AreaKm2, 3)))
	case !f.located:
		dst = f.areaValues(dst)
		dst = append(dst, mvt.Value{}, mvt.Value{}, mvt.Num(httpx.Round(com.AreaKm2, 3)))
	default:
		dst = f.areaValues(dst)
		dst = append(dst, mvt.OptStr(f.nearestID), mvt.Num(httpx.Round(f.nearestM, 0)), mvt.Num(httpx.Round(com.AreaKm2, 3)))
	}
	if i >= len(c.acc) || !c.acc[i].located {
		return append(dst, mvt.Value{}, mvt.Value{})
	}
	a := &c.acc[i]
	return append(dst, mvt.Num(httpx.Round(a.per10k, 3)), mvt.Num(httpx.Round(a.ratio, 2)))
}

func (c *communesSource) Search(b orb.Bound, fn func(i int) bool) { c.t.Index.Search(b, fn) }
func (c *communesSource) InDepartement(code string) []int         { return c.t.CommunesIn(code) }

// adminLayer is the départements (deps true) or régions with their IGN
// 2018 boundaries and coverage figures.
func (m *State) adminLayer(deps bool) *maplayers.Layer {
	lead := []maplayers.PropSpec{{Name: "code", Type: "string", Description: "INSEE code"}, {Name: "nom", Type: "string", Description: "name"}}
	l := &maplayers.Layer{Name: "regions", Title: "Régions", Kind: maplayers.KindBoundaries, GeometryType: maplayers.GeomPolygon,
		Source: data.RegionsFile, IDProp: "code", Description: "Régions with their IGN 2018 boundary and the " + coverageNote + "."}
	if deps {
		lead = append(lead, maplayers.PropSpec{Name: "region", Type: "string", Description: "région code"})
		l.Name, l.Title, l.Source = "departements", "Départements", data.DepartementsFile
		l.Description = "Départements with their IGN 2018 boundary and the " + coverageNote + "."
	}
	l.Props = append(append(lead, areaProps...), maplayers.PropSpec{Name: "communes", Type: "integer", Description: "number of communes"})
	l = maplayers.StaticLayer(l, func() (maplayers.Source, error) {
		shapes, err := m.adminShapes()
		if err != nil {
			return nil, err
		}
		cv, err := m.mapCoverage()
		if err != nil {
			return nil, err
		}
		t := m.e.Territory()
		bounds, figures := shapes.Regions, cv.Regions
		if deps {
			bounds, figures = shapes.Departements, cv.Departements
		}
		byCode := make(map[string]*coverage.AreaCoverage, len(figures))
		for i := range figures {
			byCode[figures[i].Code] = &figures[i]
		}
		tab := maplayers.NewFeatureTable(len(bounds))
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
				vals = areaValues(vals, a.Population, a.CoveredPopulation, a.UncoveredPopulation, a.CoveredShare, a.MeanDistanceM, a.NoDataReason)
				vals = append(vals, mvt.Int(a.Communes))
			} else {
				vals = areaValues(vals, 0, 0, 0, nil, nil, "")
				vals = append(vals, mvt.Value{})
			}
			tab.Add(b.Code, b.Shape, members, vals)
		}
		return tab, nil
	})
	// At low zoom the outlines are the communes' simplified borders.
	outlines := &groupLevels{ct: m.communeTopology(), groupOf: func() ([]int, int) {
		shapes, err := m.adminShapes()
		if err != nil {
			return nil, 0
		}
		bounds := shapes.Regions
		if deps {
			bounds = shapes.Departements
		}
		index := make(map[string]int, len(bounds))
		for k, b := range bounds {
			index[b.Code] = k
		}
		communes := m.e.Territory().Communes
		groupOf := make([]int, len(communes))
		for i := range communes {
			code := communes[i].Region
			if deps {
				code = communes[i].Departement
			}
			if k, ok := index[code]; ok {
				groupOf[i] = k
			} else {
				groupOf[i] = -1
			}
		}
		return groupOf, len(bounds)
	}}
	// ok false: no commune of it has a shape, it keeps its own boundary.
	l.Cache.Topo = outlines.outline
	return l
}

// siteProps are the properties of service points.
var siteProps = []maplayers.PropSpec{
	{Name: "id", Type: "string", Description: "identifier in its layer's file"},
	{Name: "name", Type: "string", Description: "name"},
	{Name: "layer", Type: "string", Description: "service layer"},
	{Name: "kind", Type: "string", Description: "france_services, antenne, cnfs_permanence, structure or other"},
	{Name: "itinerant", Type: "boolean", Description: "mobile site (bus, itinérance): the point is its base"},
	{Name: "format", Type: "string", Description: "format declared by the file"},
	{Name: "address", Type: "string", Description: "postal address"},
	{Name: "commune", Type: "string", Description: "INSEE code of the commune holding the point"},
	{Name: "departement", Type: "string", Description: "département code"},
}

// sitesLayer is one service layer under its own name, or every service
// layer as "sites" (name ""), whose feature ids are then "layer:id".
func (m *State) sitesLayer(name string) *maplayers.Layer {
	names := []string{name}
	l := &maplayers.Layer{Name: name, Kind: maplayers.KindService}
	if name == "" {
		names = m.e.LayerNames()
		l.Name, l.Title = "sites", "Service points"
		l.Description = "Every loaded service layer's points; feature ids are layer:id."
	} else {
		src := m.e.Layer(name)
		l.Title = "Service points: " + name
		if src.Title != "" {
			l.Title = src.Title // declared in the layers file or --layer
		}
		l.Description = fmt.Sprintf("Service layer %s (vintage %s).", name, src.Vintage)
		l.Vintage, l.Source, l.Report = src.Vintage, src.Report.File, &src.Report
	}
	var features []maplayers.PointFeature
	var sites []*data.Site // of each feature: its values are made on each read (siteValues)
	for _, n := range names {
		layer := m.e.Layer(n)
		for i := range layer.Sites {
			site := &layer.Sites[i]
			id := site.ID
			if name == "" {
				id = site.Layer + ":" + site.ID
			}
			features = append(features, maplayers.PointFeature{ID: id, Point: site.Point, Departement: site.Departement})
			sites = append(sites, site)
		}
	}
	features, sites = slices.Clip(features), slices.Clip(sites)
	p := maplayers.NewPointLayerOf(l.Name, l.Title, l.Description, l.Kind, siteProps, features,
		func(i int, dst []mvt.Value) []mvt.Value { return siteValues(sites[i], dst) })
	p.Vintage, p.Source, p.Report = l.Vintage, l.Source, l.Report
	if name != "" {
		p.IDProp = "id" // the "sites" layer's ids are layer:id
	}
	return p
}

// gapsLayer is the gap zones of the national coverage: connected areas
// out of reach, as outlines of their H3 cells.
func (m *State) gapsLayer() *maplayers.Layer {
	l := &maplayers.Layer{Name: "gaps", Title: "Gap zones", Kind: maplayers.KindAnalysis, GeometryType: maplayers.GeomPolygon,
		Source: "coverage", IDProp: "id",
		Description: "Populated connected areas out of reach (H3 cells farther than the reach from every site): " + coverageNote + ".",
		Props: []maplayers.PropSpec{
			{Name: "id", Type: "string", Description: "gap-<smallest H3 cell>, stable across thresholds"},
			{Name: "rank", Type: "integer", Description: "1 for the most populated zone"},
			{Name: "population", Type: "integer", Description: "inhabitants in the zone"},
			{Name: "area_km2", Type: "number", Description: "area, km²"},
			{Name: "cells", Type: "integer", Description: "H3 cells"},
			{Name: "max_distance_m", Type: "number", Description: "farthest cell centre from a site, metres"},
			{Name: "mean_distance_m", Type: "number", Description: "population-weighted distance to the nearest site, metres"},
			{Name: "communes", Type: "integer", Description: "communes with a cell in the zone"},
			{Name: "departements", Type: "array", Description: "départements touched"},
		}}
	return maplayers.StaticLayer(l, func() (maplayers.Source, error) {
		cv, err := m.mapCoverage()
		if err != nil {
			return nil, err
		}
		tab := maplayers.NewFeatureTable(len(cv.Gaps))
		for i, z := range cv.Gaps {
			tab.Add(z.ID, cv.GapOutline(i), z.DepartementsTouched, []mvt.Value{mvt.Str(z.ID), mvt.Int(z.Rank),
				mvt.Int(z.Population), mvt.Num(httpx.Round(z.AreaKm2, 3)), mvt.Int(z.Cells), mvt.Num(httpx.Round(z.MaxDistanceM, 0)),
				mvt.Num(httpx.Round(z.MeanDistanceM, 0)), mvt.Int(len(z.CommunesTouched)), mvt.List(z.DepartementsTouched)})
		}
		return tab, nil
	})
}
