package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/maillage/maillage/api/internal/httpx"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching"
)

// healthView is the body of /healthz.
type healthView struct {
	Status         string              `json:"status"`
	Communes       int                 `json:"communes"`
	CommunesShaped int                 `json:"communes_with_shape"`
	Sites          map[string]int      `json:"sites"`
	Cells          int                 `json:"cells"`
	Resolution     int                 `json:"h3_resolution"`
	LoadMS         float64             `json:"load_ms"`
	Timings        any                 `json:"timings"`
	Reconciliation data.Reconciliation `json:"reconciliation"`
	// What is in service (api/reloading.go, api/admin/reload.go): the engine's generation (the
	// X-Maillage-Generation header of every answer), when it was built,
	// the data files it was read from (sha256, vintage, load time) and the
	// layers uploaded at run time.
	Generation uint64                 `json:"generation"`
	LoadedAt   time.Time              `json:"loaded_at"`
	Reloading  bool                   `json:"reloading"`
	Files      []matching.FileStatus  `json:"files"`
	Uploads    []matching.LayerUpload `json:"uploaded_layers"`
}

func (s *Server) healthz(c *gin.Context) error {
	e := s.env.EngineOf(c)
	v := healthView{
		Status:         "ok",
		Communes:       len(e.Territory().Communes),
		CommunesShaped: e.Territory().Index.Len(),
		Sites:          map[string]int{},
		Cells:          e.Grid().Len(),
		Resolution:     e.Grid().Resolution,
		LoadMS:         float64(e.LoadTime().Microseconds()) / 1000,
		Timings:        e.Timings(),
		Reconciliation: e.Territory().Report,
		Generation:     httpx.GenerationOf(c),
		LoadedAt:       e.LoadedAt(),
		Reloading:      s.Reloading(),
		Files:          e.Files(),
		Uploads:        e.Uploads(),
	}
	if v.Files == nil {
		v.Files = []matching.FileStatus{} // an engine built in memory
	}
	for name, l := range e.Layers() {
		v.Sites[name] = len(l.Sites)
	}
	c.JSON(http.StatusOK, v)
	return nil
}
