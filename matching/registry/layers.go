package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/data/textio"
	"github.com/maillage/maillage/matching"
)

// Errors of the layers uploaded at run time.
var (
	// ErrShippedLayer is returned when deleting or replacing a layer of
	// the data folder or configuration.
	ErrShippedLayer = errors.New("shipped layer")
	// ErrLayerName is returned for a layer name unfit for URLs or taken
	// by a map layer.
	ErrLayerName = errors.New("invalid layer name")
	// ErrLayerDeclaration is returned for an upload's declaration that
	// cannot be read (see layerconf.Layer.Validate), and for the program
	// selector "*" (see Layers.Read).
	ErrLayerDeclaration = errors.New("invalid layer declaration")
)

// reservedLayerNames are the map layers that are not service layers
// (api/layers/layers_sources.go): a service layer cannot take their names.
var reservedLayerNames = []string{"communes", "departements", "regions", "sites", "gaps", "cells", "compare"}

// layerDatasetPrefix starts the store id of an uploaded layer, followed by
// its name: one stored dataset per layer name.
const layerDatasetPrefix = "layer-"

// declarationNote starts the note of a stored layer that holds its
// declaration as JSON (layerconf.Layer without the path), so that the
// layer reads again after a restart exactly as it was uploaded.
const declarationNote = "declaration "

// Layers are the service layers uploaded at run time to a Registry: each
// is stored as a dataset of the store (its file as sent) and served in the
// engines the Registry puts in service. Get them with Registry.Layers.
type Layers struct {
	reg *Registry
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

// Read reads body, a sites file sent at run time, as the layer spec
// declares (spec.Path is the file name as sent; see layerconf.ReadUpload:
// the same formats, sniffer and readers as a layers file) over the
// territory in service, without storing it. A file with any bad record
// gives a *people.LoadErrors listing them. The program selector "*" is
// refused: an upload is one layer, stored, replaced and deleted under its
// one name, where "*" would make several out of one file that
// DELETE /v1/layers/{name} could only remove one by one or all at once
// behind the caller's back; upload the file once per program instead.
func (ls *Layers) Read(spec layerconf.Layer, body []byte, lim textio.DecodeLimits) (*data.Layer, matching.LayerUpload, error) {
	if err := checkLayerName(spec.Name); err != nil {
		return nil, matching.LayerUpload{}, err
	}
	if spec.Programme == data.AllProgrammes {
		return nil, matching.LayerUpload{}, fmt.Errorf(`%w: programme "*" makes one layer per program, which a layers file can declare but an upload cannot: upload the file once per program (programme=Aidants Connect, name=%s-aidants-connect, …)`,
			ErrLayerDeclaration, spec.Name)
	}
	if err := spec.Validate(); err != nil {
		return nil, matching.LayerUpload{}, fmt.Errorf("%w: %w", ErrLayerDeclaration, err)
	}
	read, err := layerconf.ReadUpload(spec, body, ls.reg.Engine().Territory(), lim)
	if err != nil {
		return nil, matching.LayerUpload{}, err
	}
	return read[0].Layer, uploadOf(spec, read[0].Format, body), nil
}

// uploadOf describes the upload of body declared by spec, read in format.
func uploadOf(spec layerconf.Layer, format string, body []byte) matching.LayerUpload {
	sum := sha256.Sum256(body)
	return matching.LayerUpload{Name: spec.Name, DatasetID: layerDatasetPrefix + spec.Name, File: spec.Path, Format: format,
		Vintage: spec.Vintage, Title: spec.Title, Programme: spec.Programme, Columns: spec.Columns,
		Bytes: len(body), SHA256: hex.EncodeToString(sum[:])}
}

// declaration is the layers-file entry of an upload, as read.
func declaration(up matching.LayerUpload) layerconf.Layer {
	return layerconf.Layer{Name: up.Name, Path: up.File, Format: up.Format, Vintage: up.Vintage, Title: up.Title,
		Programme: up.Programme, Columns: up.Columns}
}

// Add stores the file body of the layer l read by Read (a layer
// of that name uploaded before is replaced) and puts in service an engine
// with it, returning its generation. A layer of the data folder cannot be
// replaced (ErrShippedLayer); a reload or layer change running gives
// matching.ErrReloadBusy.
func (ls *Layers) Add(l *data.Layer, up matching.LayerUpload, body []byte) (uint64, error) {
	r := ls.reg
	if !r.change.TryLock() {
		return 0, matching.ErrReloadBusy
	}
	defer r.change.Unlock()
	e := r.Engine()
	if _, uploaded := e.Uploaded(up.Name); e.Layer(up.Name) != nil && !uploaded {
		return 0, fmt.Errorf("layer %q: %w of the data folder: upload it under another name", up.Name, ErrShippedLayer)
	}
	if l.Index == nil || l.Name != up.Name {
		return 0, fmt.Errorf("layer %q: not read by Layers.Read", up.Name)
	}
	up.UploadedAt = time.Now().UTC()
	decl, err := json.Marshal(declaration(up))
	if err != nil {
		return 0, fmt.Errorf("layer %q: %w", up.Name, err)
	}
	d := &data.Dataset{Meta: data.DatasetMeta{ID: up.DatasetID, Kind: data.KindLayer, Name: up.Name, Rows: len(l.Sites),
		CreatedAt: up.UploadedAt, Source: up.File,
		Notes: []string{"format " + up.Format, "vintage " + up.Vintage, declarationNote + string(decl)}}, File: body}
	d.Meta.Departements, d.Meta.RowsByDepartement = departementsOf(len(l.Sites), func(i int) string { return l.Sites[i].Departement })
	if err := r.store.Put(d); err != nil {
		return 0, fmt.Errorf("layer %q: %w", up.Name, err)
	}
	return r.SetEngine(e.WithLayers(map[string]*data.Layer{up.Name: l}, map[string]matching.LayerUpload{up.Name: up})), nil
}

// Delete removes the uploaded layer name from the store and from
// service, returning the new generation. A layer of the data folder gives
// ErrShippedLayer, an unknown one an error wrapping
// data.ErrDatasetNotFound.
func (ls *Layers) Delete(name string) (uint64, error) {
	r := ls.reg
	if !r.change.TryLock() {
		return 0, matching.ErrReloadBusy
	}
	defer r.change.Unlock()
	e := r.Engine()
	_, uploaded := e.Uploaded(name)
	if e.Layer(name) != nil && !uploaded {
		return 0, fmt.Errorf("layer %q: %w of the data folder: it cannot be deleted (remove it from the data folder or configuration, then reload)", name, ErrShippedLayer)
	}
	if err := r.store.Delete(layerDatasetPrefix + name); err != nil {
		return 0, fmt.Errorf("layer %q: %w", name, err)
	}
	return r.SetEngine(e.WithLayers(nil, nil, name)), nil
}

// Restore puts in service the engine in service plus the layers
// uploaded before (as at start-up, after a restart), and returns the
// uploaded layers that could not be read over its territory, with why:
// they stay stored, and load again once the data allows.
func (ls *Layers) Restore() ([]string, error) {
	r := ls.reg
	r.change.Lock()
	defer r.change.Unlock()
	e, skipped, err := ls.withUploaded(r.Engine())
	if err != nil {
		return nil, err
	}
	if len(e.Uploads()) > 0 {
		r.SetEngine(e)
	}
	return skipped, nil
}

// withUploaded returns base with the layers stored by Add read
// again over its territory (a name now taken by a layer of the data
// folder is skipped), and the layers skipped with why.
func (ls *Layers) withUploaded(base *matching.Engine) (*matching.Engine, []string, error) {
	store := ls.reg.store
	metas, err := store.List()
	if err != nil {
		return nil, nil, fmt.Errorf("uploaded layers: %w", err)
	}
	add, ups := map[string]*data.Layer{}, map[string]matching.LayerUpload{}
	var skipped []string
	for _, m := range metas {
		if m.Kind != data.KindLayer {
			continue
		}
		if base.Layer(m.Name) != nil {
			skipped = append(skipped, fmt.Sprintf("%s: the data folder has a layer of that name", m.Name))
			continue
		}
		d, err := store.Get(m.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("uploaded layer %s: %w", m.Name, err)
		}
		spec, err := storedDeclaration(m)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", m.Name, err))
			continue
		}
		read, err := layerconf.ReadUpload(spec, d.File, base.Territory(), textio.LocalFileLimits())
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", m.Name, err))
			continue
		}
		add[m.Name] = read[0].Layer
		up := uploadOf(spec, read[0].Format, d.File)
		up.DatasetID, up.UploadedAt = m.ID, m.CreatedAt
		ups[m.Name] = up
	}
	if len(add) == 0 {
		return base, skipped, nil
	}
	return base.WithLayers(add, ups), skipped, nil
}

// storedDeclaration returns the declaration a layer was stored with (its
// format as read, so that it is not sniffed again); a layer stored before
// declarations were kept has its format and vintage notes only.
func storedDeclaration(m data.DatasetMeta) (layerconf.Layer, error) {
	spec := layerconf.Layer{Name: m.Name, Path: m.Source, Format: note(m.Notes, "format "), Vintage: note(m.Notes, "vintage ")}
	if decl := note(m.Notes, declarationNote); decl != "" {
		if err := json.Unmarshal([]byte(decl), &spec); err != nil {
			return spec, fmt.Errorf("stored declaration: %w", err)
		}
		spec.Name, spec.Path = m.Name, m.Source
	}
	return spec, nil
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
