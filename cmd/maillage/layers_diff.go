package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/layerconf"
	"github.com/maillage/maillage/internal/present"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/layerdiff"
)

// layersDiffCmd is `maillage layers diff A B`: what changed from list A to
// list B, each a layer name or a file (then loaded as an extra layer).
type layersDiffCmd struct {
	networkFlags
	region   string
	from, to string
}

// diffChoices are the formats and --by values of layers diff, defaults first.
func diffChoices() (formats, bys []string) {
	return []string{"table", "csv", "json", "geojson"}, []string{"national", "departement", "changes"}
}

// runLayersDiff prints what changed between two lists of sites.
func runLayersDiff(args []string, stdout, stderr io.Writer) error {
	return runNetwork(&layersDiffCmd{}, "diff", args, stdout, stderr)
}

func (c *layersDiffCmd) flags() *engineFlags { return &c.engineFlags }

func (c *layersDiffCmd) parse(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("layers diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: maillage layers diff [flags] A B   (A, B: layer names or files)")
		fs.PrintDefaults()
	}
	formats, bys := diffChoices()
	c.register(fs, formats, bys)
	fs.StringVar(&c.region, "region", "", "restrict to one région (code)")
	// Flags may come before, between or after the two lists.
	var lists []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		lists = append(lists, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(lists) != 2 {
		return usagef("want two lists, A and B (layer names or files), got %d", len(lists))
	}
	if c.departement != "" && c.region != "" {
		return usagef("give --departement or --region, not both")
	}
	var err error
	if c.from, err = c.list(lists[0], "a"); err != nil {
		return err
	}
	if c.to, err = c.list(lists[1], "b"); err != nil {
		return err
	}
	return c.check(formats, bys)
}

// list returns the layer name of a list argument: the argument itself, or
// for an existing file a layer declared for it (named after the file,
// suffixed with side when that name is taken), with its format sniffed.
func (c *layersDiffCmd) list(arg, side string) (string, error) {
	st, err := os.Stat(arg)
	if err != nil || st.IsDir() {
		if strings.ContainsAny(arg, `/\`) {
			return "", usagef("%s: not a file nor a layer name", arg)
		}
		return arg, nil // a layer name, checked once loaded
	}
	name := data.Slug(strings.TrimSuffix(filepath.Base(arg), filepath.Ext(arg)))
	if name == "" || taken(c.layers, name) || taken(layerconf.Default("").Layers, name) {
		name = strings.TrimPrefix(name+"-"+side, "-")
	}
	l := layerconf.Layer{Name: name, Path: arg}
	c.layers = append(c.layers, l)
	return name, nil
}

// taken reports whether a layer of ls is named name.
func taken(ls []layerconf.Layer, name string) bool {
	for _, l := range ls {
		if l.Name == name {
			return true
		}
	}
	return false
}

func (c *layersDiffCmd) exec(e *matching.Engine, stdout, _ io.Writer) error {
	d, err := layerdiff.Compare(context.Background(), e, layerdiff.Query{From: c.from, To: c.to, Reach: &c.reachV,
		Departement: c.departement, Region: c.region})
	if err != nil {
		return err
	}
	var items rows
	switch c.by {
	case "national":
		items = rowsOf(present.ChangeCounts(), []layerdiff.Counts{d.Summary})
	case "departement":
		items = rowsOf(present.ChangeCounts(), d.Departements)
	default:
		items = rowsOf(present.LayerChanges(), d.Changes)
	}
	return writeOut(c.out, stdout, func(w io.Writer) error {
		switch c.format {
		case "csv":
			return items.writeCSV(w)
		case "json":
			cov := d.Coverage
			return writeJSON(w, map[string]any{"from": d.From, "to": d.To, "moved_threshold_m": d.MovedM, "summary": d.Summary,
				"matched_by_id": d.MatchedByID, "matched_by_name_commune": d.MatchedByNC, "items": items.value(),
				"coverage": map[string]any{"reach": cov.Reach, "scope": cov.Scope, "summary": cov.Summary}})
		case "geojson":
			return writeJSON(w, d.GeoJSON())
		}
		if c.by == "changes" {
			return items.writeText(w, "change", "id", "name", "departement", "commune", "distance_m", "from_name")
		}
		if err := items.writeText(w); err != nil {
			return err
		}
		s := d.Coverage.Summary
		_, err := fmt.Fprintf(w, "\ncoverage at %s: %d inhabitants gain reach, %d lose it (covered %d → %d)\n",
			d.Coverage.Reach, s.GainedPopulation, s.LostPopulation, s.CoveredBefore, s.CoveredAfter)
		return err
	})
}
