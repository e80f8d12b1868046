package matching

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/maillage/maillage/data"
)

// Errors of the layers uploaded at run time.
var (
	// ErrShippedLayer is returned when deleting or replacing a layer of
	// the data folder or configuration.
	ErrShippedLayer = errors.New("shipped layer")
	// ErrLayerName is returned for a layer name unfit for URLs or taken
	// by a map layer.
	ErrLayerName = errors.New("invalid layer name")
)

// reservedLayerNames are the map layers that are not service layers
// (api/layers/layers_sources.go): a service layer cannot take their names.
var reservedLayerNames = []string{"communes", "departements", "regions", "sites", "gaps", "cells", "compare"}

// layerDatasetPrefix starts the store id of an uploaded layer, followed by
// its name: one stored dataset per layer name.
const layerDatasetPrefix = "layer-"

// LayerUpload describes a layer uploaded at run time (POST /v1/layers).
type LayerUpload struct {
	Name       string    `json:"name"`
	DatasetID  string    `json:"dataset_id"` // its id in the store
	File       string    `json:"file"`       // file name as sent
	Format     string    `json:"format"`     // as read (data.LayerFormats)
	Vintage    string    `json:"vintage,omitempty"`
	Bytes      int       `json:"bytes"`
	SHA256     string    `json:"sha256"`
	UploadedAt time.Time `json:"uploaded_at"`
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

// checkLayerName says why name cannot name an uploaded layer, or nil.
func checkLayerName(name string) error {
	ok := name != "" && len(name) <= 64
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			ok = false
		}
	}
	if !ok {
		return fmt.Errorf("%w %q: 1 to 64 characters among a-z, 0-9, - and _", ErrLayerName, name)
	}
	if slices.Contains(reservedLayerNames, name) {
		return fmt.Errorf("%w %q: taken by a map layer (%s)", ErrLayerName, name, strings.Join(reservedLayerNames, ", "))
	}
	return nil
}

// ReadLayer reads a sites file as the layer name over the territory in
// service, without storing it (see data.ReadLayer; a file with any bad
// record gives a *data.LoadErrors listing them).
func (r *Registry) ReadLayer(name, file string, body []byte, format string, lim data.DecodeLimits) (*data.Layer, LayerUpload, error) {
	if err := checkLayerName(name); err != nil {
		return nil, LayerUpload{}, err
	}
	l, format, err := data.ReadLayer(name, file, body, format, r.Engine().territory, lim)
	if err != nil {
		return nil, LayerUpload{}, err
	}
	sum := sha256.Sum256(body)
	return l, LayerUpload{Name: name, DatasetID: layerDatasetPrefix + name, File: file, Format: format,
		Bytes: len(body), SHA256: hex.EncodeToString(sum[:])}, nil
}

// AddLayer stores the file body of the layer l read by ReadLayer (a layer
// of that name uploaded before is replaced) and puts in service an engine
// with it, returning its generation. A layer of the data folder cannot be
// replaced (ErrShippedLayer); a reload or layer change running gives
// ErrReloadBusy.
func (r *Registry) AddLayer(l *data.Layer, up LayerUpload, body []byte) (uint64, error) {
	if !r.change.TryLock() {
		return 0, ErrReloadBusy
	}
	defer r.change.Unlock()
	e := r.Engine()
	if _, uploaded := e.uploaded[up.Name]; e.layers[up.Name] != nil && !uploaded {
		return 0, fmt.Errorf("layer %q: %w of the data folder: upload it under another name", up.Name, ErrShippedLayer)
	}
	if l.Index == nil || l.Name != up.Name {
		return 0, fmt.Errorf("layer %q: not read by ReadLayer", up.Name)
	}
	up.UploadedAt, up.Vintage = time.Now().UTC(), l.Vintage
	d := &data.Dataset{Meta: data.DatasetMeta{ID: up.DatasetID, Kind: data.KindLayer, Name: up.Name, Rows: len(l.Sites),
		CreatedAt: up.UploadedAt, Source: up.File, Notes: []string{"format " + up.Format, "vintage " + up.Vintage}}, File: body}
	d.Meta.Departements, d.Meta.RowsByDepartement = departementsOf(len(l.Sites), func(i int) string { return l.Sites[i].Departement })
	if err := r.store.Put(d); err != nil {
		return 0, fmt.Errorf("layer %q: %w", up.Name, err)
	}
	return r.SetEngine(e.withLayers(map[string]*data.Layer{up.Name: l}, map[string]LayerUpload{up.Name: up})), nil
}

// DeleteLayer removes the uploaded layer name from the store and from
// service, returning the new generation. A layer of the data folder gives
// ErrShippedLayer, an unknown one an error wrapping
// data.ErrDatasetNotFound.
func (r *Registry) DeleteLayer(name string) (uint64, error) {
	if !r.change.TryLock() {
		return 0, ErrReloadBusy
	}
	defer r.change.Unlock()
	e := r.Engine()
	_, uploaded := e.uploaded[name]
	if e.layers[name] != nil && !uploaded {
		return 0, fmt.Errorf("layer %q: %w of the data folder: it cannot be deleted (remove it from the data folder or configuration, then reload)", name, ErrShippedLayer)
	}
	if err := r.store.Delete(layerDatasetPrefix + name); err != nil {
		return 0, fmt.Errorf("layer %q: %w", name, err)
	}
	return r.SetEngine(e.withLayers(nil, nil, name)), nil
}

// RestoreLayers puts in service the engine in service plus the layers
// uploaded before (as at start-up, after a restart), and returns the
// uploaded layers that could not be read over its territory, with why:
// they stay stored, and load again once the data allows.
func (r *Registry) RestoreLayers() ([]string, error) {
	r.change.Lock()
	defer r.change.Unlock()
	e, skipped, err := r.withUploadedLayers(r.Engine())
	if err != nil {
		return nil, err
	}
	if len(e.uploaded) > 0 {
		r.SetEngine(e)
	}
	return skipped, nil
}

// withUploadedLayers returns base with the layers stored by AddLayer read
// again over its territory (a name now taken by a layer of the data
// folder is skipped), and the layers skipped with why.
func (r *Registry) withUploadedLayers(base *Engine) (*Engine, []string, error) {
	metas, err := r.store.List()
	if err != nil {
		return nil, nil, fmt.Errorf("uploaded layers: %w", err)
	}
	add, ups := map[string]*data.Layer{}, map[string]LayerUpload{}
	var skipped []string
	for _, m := range metas {
		if m.Kind != data.KindLayer {
			continue
		}
		if base.layers[m.Name] != nil {
			skipped = append(skipped, fmt.Sprintf("%s: the data folder has a layer of that name", m.Name))
			continue
		}
		d, err := r.store.Get(m.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("uploaded layer %s: %w", m.Name, err)
		}
		l, format, err := data.ReadLayer(m.Name, m.Source, d.File, note(m.Notes, "format "), base.territory, data.LocalFileLimits())
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", m.Name, err))
			continue
		}
		l.Vintage = note(m.Notes, "vintage ")
		sum := sha256.Sum256(d.File)
		add[m.Name] = l
		ups[m.Name] = LayerUpload{Name: m.Name, DatasetID: m.ID, File: m.Source, Format: format, Vintage: l.Vintage,
			Bytes: len(d.File), SHA256: hex.EncodeToString(sum[:]), UploadedAt: m.CreatedAt}
	}
	if len(add) == 0 {
		return base, skipped, nil
	}
	return base.withLayers(add, ups), skipped, nil
}

// note returns the rest of the first of notes starting with prefix, or "".
func note(notes []string, prefix string) string {
	for _, n := range notes {
		if v, ok := strings.CutPrefix(n, prefix); ok {
			return v
		}
	}
	return ""
}
