package process

import (
	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb/geojson"

	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/matching/recruit"
)

// recruitStructures is GET /v1/recruitments/structures?structures=|match=&departement=:
// the structures of a dataset as GeoJSON points with the prefect's opinion
// and their posts filled, for the map's recruitment panel. Scoped as the
// dashboard: a département outside the token's scope is a 403, the
// structures of other départements are left out.
func (s *recruitments) recruitStructures(c *gin.Context) error {
	p, err := s.st.process()
	if err != nil {
		return err
	}
	structs, dep, visible, err := s.recruitScope(c)
	if err != nil {
		return err
	}
	if id := c.Query("match"); id != "" {
		if err := s.seeSome(c, id); err != nil {
			return err
		}
		res, err := s.env.Registry.Matches().Result(id)
		if err != nil {
			return err
		}
		if res.StructuresDataset == "" {
			return httpx.BadParam("match", "match %s ran on inline rows: give structures (a dataset id)", id)
		}
		structs = res.StructuresDataset
	}
	if structs == "" {
		return httpx.BadParam("structures", "required: the structures dataset id, or match")
	}
	rows, err := p.Structures(structs, dep, visible)
	if err != nil {
		return err
	}
	fc := httpx.GeoCollection[recruit.StructureState]{Type: "FeatureCollection", Features: make([]*httpx.GeoFeature[recruit.StructureState], 0, len(rows)),
		ExtraMembers: geojson.Properties{"structures": structs, "total": len(rows)}}
	for _, r := range rows {
		fc.Features = append(fc.Features, &httpx.GeoFeature[recruit.StructureState]{ID: r.ID, Type: "Feature", Geometry: r.Point, Properties: r})
	}
	httpx.WriteGeoJSON(c, fc)
	return nil
}
