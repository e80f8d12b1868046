package coverage

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/maillage/maillage/api/internal/httpx"
	covm "github.com/maillage/maillage/matching/coverage"
)

// coverageFiguresView is the body of GET /v1/coverage/figures.
type coverageFiguresView struct {
	*covm.Figures
	ComputeMS float64 `json:"compute_ms"`
}

// coverageFigures answers the population figures of the scope, its
// régions and départements at any threshold from the engine's population
// profile by distance (a binary search per area): the map's slider asks it
// at every move, before the full answer with gap zones.
func (s *Handlers) coverageFigures(c *gin.Context) error {
	t0 := time.Now()
	q, err := s.env.CoverageQuery(c)
	if err != nil {
		return err
	}
	f, err := covm.ComputeFigures(s.env.EngineOf(c).Coverage(), q)
	if err != nil {
		return err
	}
	f.Reach = httpx.RoundReach(f.Reach)
	f.Summary = roundFigures(f.Summary)
	for i := range f.Regions {
		f.Regions[i] = roundFigures(f.Regions[i])
	}
	for i := range f.Departements {
		f.Departements[i] = roundFigures(f.Departements[i])
	}
	c.JSON(http.StatusOK, coverageFiguresView{Figures: f,
		ComputeMS: httpx.Round(float64(time.Since(t0).Microseconds())/1000, 3)})
	return nil
}

// roundFigures rounds the figures of an area as roundArea does.
func roundFigures(a covm.AreaFigures) covm.AreaFigures {
	a.CoveredShare, a.MeanDistanceM = roundPtr(a.CoveredShare, 6), roundPtr(a.MeanDistanceM, 1)
	return a
}
