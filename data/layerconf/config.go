// Package layerconf declares the service layers the engine loads: a layers
// file (TOML or YAML), repeatable --layer flags, or the shipped files of
// the data folder (Default); Load reads each declared file with the reader
// of its format (package data).
package layerconf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/pelletier/go-toml/v2"

	"github.com/maillage/maillage/data"
)

// Formats a layer may declare. FormatAuto ("" in a declaration) sniffs the
// file (Sniff).
const (
	FormatAuto               = ""
	FormatCSV                = "csv"                  // sites CSV: the 2024 France Services columns, a Columns mapping, or generic columns
	FormatGeoJSON            = "geojson"              // FeatureCollection of Point features with generic properties
	FormatFranceServices2020 = "france-services-2020" // the 2020 France Services GeoJSON
	FormatMediation          = "mediation-standard"   // the national standard for digital-mediation places, CSV or JSON
	FormatJSON               = "json"                 // JSON array of objects with generic fields (id, name, lon/lat or commune)
)

// Formats lists the declarable formats, for errors and documentation.
var Formats = []string{FormatCSV, FormatGeoJSON, FormatJSON, FormatFranceServices2020, FormatMediation}

// legacyFormats are the format names uploads took before they were
// declarations (stored uploads carry them): france-services-2024 is the
// CSV format with the 2024 list's columns required, cnfs-permanences the
// mediation standard.
var legacyFormats = map[string]string{"france-services-2024": FormatCSV, "cnfs-permanences": FormatMediation}

// normalized returns l with a legacy format name replaced by its
// declaration (legacyFormats).
func (l Layer) normalized() Layer {
	f, ok := legacyFormats[l.Format]
	if !ok {
		return l
	}
	if l.Format == "france-services-2024" && l.Columns == nil {
		l.Columns = ptr(columnsOf(data.FranceServices2024Columns()))
	}
	l.Format = f
	return l
}

// Columns maps the fields the engine needs to the source columns of a CSV
// file (`[layer.columns]`); an empty value means the file has no such
// column. Lat and Lon are required when Columns is given.
type Columns struct {
	ID      string `toml:"id" yaml:"id" json:"id,omitempty"`
	Name    string `toml:"name" yaml:"name" json:"name,omitempty"`
	Lat     string `toml:"lat" yaml:"lat" json:"lat,omitempty"`
	Lon     string `toml:"lon" yaml:"lon" json:"lon,omitempty"`
	Commune string `toml:"commune" yaml:"commune" json:"commune,omitempty"`
	Kind    string `toml:"kind" yaml:"kind" json:"kind,omitempty"`       // "Principal"/"Antenne", as the 2024 type_fs
	Format  string `toml:"format" yaml:"format" json:"format,omitempty"` // "Bus…"/"Itin…" mark mobile sites, as the 2024 format_fs
	Address string `toml:"address" yaml:"address" json:"address,omitempty"`
}

// csv converts the mapping to the CSV reader's columns.
func (c Columns) csv() data.CSVColumns {
	return data.CSVColumns{ID: c.ID, Name: c.Name, Lat: c.Lat, Lon: c.Lon, Commune: c.Commune,
		Kind: c.Kind, Format: c.Format, Address: c.Address}
}

// Layer declares one service layer (`[[layer]]`).
type Layer struct {
	Name    string `toml:"name" yaml:"name" json:"name"`
	Path    string `toml:"path" yaml:"path" json:"path"`                    // relative to Config.Dir unless absolute
	Format  string `toml:"format" yaml:"format" json:"format,omitempty"`    // one of Formats; "" sniffs
	Vintage string `toml:"vintage" yaml:"vintage" json:"vintage,omitempty"` // e.g. "2025-09"
	Title   string `toml:"title" yaml:"title" json:"title,omitempty"`       // human name
	// Programme selects the places of one national program
	// (dispositif_programmes_nationaux) of a mediation-standard file; "*"
	// makes one layer per program, named "<name>-<program slug>".
	Programme string   `toml:"programme" yaml:"programme" json:"programme,omitempty"`
	Columns   *Columns `toml:"columns" yaml:"columns" json:"columns,omitempty"`
}

// Config is the list of declared layers. Dir is the folder relative paths
// are resolved in: the layers file's folder, the data folder for Default,
// "" (the working directory) for flags.
type Config struct {
	Layers []Layer `toml:"layer" yaml:"layer" json:"layers"`
	Dir    string  `toml:"-" yaml:"-" json:"-"`
}

// layerName is what a layer name may be: it appears in URLs and query
// lists (comma-separated), so no commas, slashes nor spaces.
var layerName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// Default declares the shipped layers of the data folder dataDir, the
// configuration when no layer is declared: france-services (the 2024 CSV),
// france-services-2020 (the 2020 GeoJSON) and cnfs-permanences (the 2022
// conseillers numériques places, an instance of the mediation standard).
func Default(dataDir string) Config {
	return Config{Dir: dataDir, Layers: []Layer{
		{Name: data.LayerFranceServices, Path: data.FranceServices2024File, Format: FormatCSV, Vintage: data.Vintage2024,
			Title: "France Services", Columns: ptr(columnsOf(data.FranceServices2024Columns()))},
		{Name: data.LayerFranceServices2020, Path: data.FranceServices2020File, Format: FormatFranceServices2020, Vintage: data.Vintage2020,
			Title: "France Services"},
		{Name: data.LayerCNFSPermanences, Path: data.CNFSPermanencesFile, Format: FormatMediation, Vintage: data.VintageCNFS2022,
			Title: "Lieux des conseillers numériques"},
	}}
}

func ptr[T any](v T) *T { return &v }

// columnsOf is the mapping of the CSV reader's columns.
func columnsOf(c data.CSVColumns) Columns {
	return Columns{ID: c.ID, Name: c.Name, Lat: c.Lat, Lon: c.Lon, Commune: c.Commune, Kind: c.Kind, Format: c.Format, Address: c.Address}
}

// Parse reads a layers file: TOML, or YAML when its name ends in .yaml or
// .yml. Unknown keys are errors (a misspelt key would else be ignored);
// relative paths are resolved in the file's folder. The result is
// validated (Validate).
func Parse(path string) (Config, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("layers file: %w", err)
	}
	var cfg Config
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		err = yaml.UnmarshalWithOptions(buf, &cfg, yaml.Strict())
	default:
		dec := toml.NewDecoder(bytes.NewReader(buf))
		dec.DisallowUnknownFields()
		err = dec.Decode(&cfg)
		var sm *toml.StrictMissingError
		if errors.As(err, &sm) {
			err = errors.New(sm.String())
		}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			err = fmt.Errorf("line %d, column %d: %s", row, col, de.Error())
		}
	}
	if err != nil {
		return Config{}, fmt.Errorf("layers file %s: %w", path, err)
	}
	cfg.Dir = filepath.Dir(path)
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("layers file %s: %w", path, err)
	}
	return cfg, nil
}

// ParseFlag reads one --layer value: "name=PATH" followed by optional
// ",key=value" pairs among format, vintage, title and programme, e.g.
// "fs-2025=liste-fs-20250901.csv,format=csv,vintage=2025-09". Columns
// cannot be mapped on the command line: use a layers file.
func ParseFlag(s string) (Layer, error) {
	parts := strings.Split(s, ",")
	name, path, ok := strings.Cut(parts[0], "=")
	if !ok {
		return Layer{}, fmt.Errorf("--layer %q: want name=PATH[,format=...,vintage=...,title=...,programme=...]", s)
	}
	l := Layer{Name: strings.TrimSpace(name), Path: strings.TrimSpace(path)}
	for _, kv := range parts[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return Layer{}, fmt.Errorf("--layer %q: %q is not key=value", s, kv)
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "format":
			l.Format = v
		case "vintage":
			l.Vintage = v
		case "title":
			l.Title = v
		case "programme", "program":
			l.Programme = v
		default:
			return Layer{}, fmt.Errorf("--layer %q: unknown key %q (want format, vintage, title or programme)", s, k)
		}
	}
	if err := l.Validate(); err != nil {
		return Layer{}, fmt.Errorf("--layer %q: %w", s, err)
	}
	return l, nil
}

// With returns c with ls added; a layer of ls named like one of c replaces
// it (so that --layer france-services=NEW.csv swaps today's list for a
// newer one). Paths of ls keep their own resolution: a relative one is
// made absolute against the working directory.
func (c Config) With(ls ...Layer) (Config, error) {
	out := Config{Dir: c.Dir, Layers: slices.Clone(c.Layers)}
	for _, l := range ls {
		if !filepath.IsAbs(l.Path) {
			abs, err := filepath.Abs(l.Path)
			if err != nil {
				return Config{}, err
			}
			l.Path = abs
		}
		if i := slices.IndexFunc(out.Layers, func(o Layer) bool { return o.Name == l.Name }); i >= 0 {
			out.Layers[i] = l
		} else {
			out.Layers = append(out.Layers, l)
		}
	}
	return out, out.Validate()
}

// Validate checks every declaration and that names are unique; the error
// lists every problem.
func (c Config) Validate() error {
	if len(c.Layers) == 0 {
		return errors.New("no layer declared (want at least one [[layer]])")
	}
	var errs []error
	seen := make(map[string]int)
	for i, l := range c.Layers {
		if err := l.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("layer %d (%s): %w", i+1, l.Name, err))
		}
		if j, dup := seen[l.Name]; dup && l.Name != "" {
			errs = append(errs, fmt.Errorf("layer %d: name %q already declared by layer %d", i+1, l.Name, j+1))
		}
		seen[l.Name] = i
	}
	return errors.Join(errs...)
}

// Validate checks one declaration; the error lists every problem.
func (l Layer) Validate() error {
	l = l.normalized()
	var errs []error
	if !layerName.MatchString(l.Name) {
		errs = append(errs, fmt.Errorf("name %q: want 1–64 letters, digits, '-', '_' or '.', starting with a letter or digit", l.Name))
	}
	if l.Path == "" {
		errs = append(errs, errors.New("path is required"))
	}
	if l.Format != FormatAuto && !slices.Contains(Formats, l.Format) {
		errs = append(errs, fmt.Errorf("format %q: want one of %s (or none to sniff it)", l.Format, strings.Join(Formats, ", ")))
	}
	if l.Columns != nil {
		if l.Format != FormatCSV && l.Format != FormatAuto {
			errs = append(errs, fmt.Errorf("columns only apply to format %s, not %s", FormatCSV, l.Format))
		}
		if l.Columns.Lat == "" || l.Columns.Lon == "" {
			errs = append(errs, errors.New("columns: lat and lon are required (leave columns out to read generic columns, located by coordinates or commune code)"))
		}
	}
	if l.Programme != "" && l.Format != FormatMediation && l.Format != FormatAuto {
		errs = append(errs, fmt.Errorf("programme only applies to format %s, not %s", FormatMediation, l.Format))
	}
	return errors.Join(errs...)
}
