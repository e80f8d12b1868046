package matching

import (
	"maps"
	"slices"
	"time"

	"github.com/maillage/maillage/data/layerconf"
)

// LayerUpload describes a layer uploaded at run time (POST /v1/layers;
// registry.Layers stores them and builds the engines holding them).
type LayerUpload struct {
	Name      string `json:"name"`
	DatasetID string `json:"dataset_id"` // its id in the store
	File      string `json:"file"`       // file name as sent
	Format    string `json:"format"`     // as read (layerconf.Formats)
	Vintage   string `json:"vintage,omitempty"`
	Title     string `json:"title,omitempty"`
	// Programme and Columns are the declaration's program selector (the
	// mediation standard) and column mapping (CSV), when given.
	Programme  string             `json:"programme,omitempty"`
	Columns    *layerconf.Columns `json:"columns,omitempty"`
	Bytes      int                `json:"bytes"`
	SHA256     string             `json:"sha256"`
	UploadedAt time.Time          `json:"uploaded_at"`
}

// Uploaded returns the layer name's upload, and false for a layer of the
// data folder (or no layer).
func (e *Engine) Uploaded(name string) (LayerUpload, bool) {
	u, ok := e.uploaded[name]
	return u, ok
}

// Uploads returns the uploaded layers, by name.
func (e *Engine) Uploads() []LayerUpload {
	out := make([]LayerUpload, 0, len(e.uploaded))
	for _, n := range slices.Sorted(maps.Keys(e.uploaded)) {
		out = append(out, e.uploaded[n])
	}
	return out
}
