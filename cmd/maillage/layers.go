package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/maillage/maillage/data/indicators"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/internal/present"
	"github.com/maillage/maillage/matching"
)

// loadRow is one file's load report as a table row: a service layer, a
// built-in dataset or an indicator file.
type loadRow struct {
	Name                string `json:"name"`
	Kind                string `json:"kind"` // "layer", "dataset" or "indicator"
	Vintage             string `json:"vintage"`
	File                string `json:"file"`
	Read                int    `json:"read"`
	Loaded              int    `json:"loaded"`
	CodesMapped         int    `json:"codes_mapped"`
	Snapped             int    `json:"snapped"`
	CommuneMismatch     int    `json:"commune_mismatch"`
	DeclaredUnknown     int    `json:"declared_unknown"`
	Mobile              int    `json:"mobile"`
	LocatedByCommune    int    `json:"located_by_commune"`
	DeclaredCommuneUsed int    `json:"declared_commune_used"`
	Rejected            int    `json:"rejected"`
	Filtered            int    `json:"filtered"`         // records of other programs (mediation standard with a program selector)
	CommunesWithout     int    `json:"communes_without"` // indicators: current communes left without a value
}

// rejectRow is one rejected record.
type rejectRow struct {
	Name   string `json:"name"`
	File   string `json:"file"`
	Where  string `json:"where"`
	Line   int    `json:"line"`
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// loadTable is the presentation of load reports.
func loadTable() present.Table[loadRow] {
	type r = loadRow
	return present.NewTable(
		present.Str("name", func(v *r) string { return v.Name }),
		present.Str("kind", func(v *r) string { return v.Kind }),
		present.Str("vintage", func(v *r) string { return v.Vintage }),
		present.Str("file", func(v *r) string { return v.File }),
		present.Int("read", func(v *r) int { return v.Read }),
		present.Int("loaded", func(v *r) int { return v.Loaded }),
		present.Int("codes_mapped", func(v *r) int { return v.CodesMapped }),
		present.Int("snapped", func(v *r) int { return v.Snapped }),
		present.Int("commune_mismatch", func(v *r) int { return v.CommuneMismatch }),
		present.Int("declared_unknown", func(v *r) int { return v.DeclaredUnknown }),
		present.Int("mobile", func(v *r) int { return v.Mobile }),
		present.Int("located_by_commune", func(v *r) int { return v.LocatedByCommune }),
		present.Int("declared_commune_used", func(v *r) int { return v.DeclaredCommuneUsed }),
		present.Int("rejected", func(v *r) int { return v.Rejected }),
		present.Int("filtered", func(v *r) int { return v.Filtered }),
		present.Int("communes_without", func(v *r) int { return v.CommunesWithout }),
	)
}

// rejectTable is the presentation of rejected records.
func rejectTable() present.Table[rejectRow] {
	type r = rejectRow
	return present.NewTable(
		present.Str("name", func(v *r) string { return v.Name }),
		present.Str("file", func(v *r) string { return v.File }),
		present.Str("where", func(v *r) string { return v.Where }),
		present.Int("line", func(v *r) int { return v.Line }),
		present.Str("id", func(v *r) string { return v.ID }),
		present.Str("reason", func(v *r) string { return v.Reason }),
	)
}

// layersCmd is `maillage layers`.
type layersCmd struct {
	engineFlags
	format  string
	rejects bool
}

// runLayers prints the load report of every layer, built-in dataset and
// indicator file; `maillage layers diff A B` compares two lists.
func runLayers(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "diff" {
		return runLayersDiff(args[1:], stdout, stderr) // layers_diff.go
	}
	return runNetwork(&layersCmd{}, "report", args, stdout, stderr)
}

func (c *layersCmd) flags() *engineFlags { return &c.engineFlags }

func (c *layersCmd) parse(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("layers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.register(fs)
	fs.StringVar(&c.format, "format", "table", "table, csv or json")
	fs.BoolVar(&c.rejects, "rejects", false, "list the rejected records (file, line, reason) instead of the counts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if !contains([]string{"table", "csv", "json"}, c.format) {
		return fmt.Errorf("--format %q: want table, csv or json", c.format)
	}
	return nil
}

func (c *layersCmd) exec(e *matching.Engine, stdout, _ io.Writer) error {
	rows, rejects := loadReports(e)
	if c.rejects {
		switch c.format {
		case "csv":
			return rejectTable().WriteCSV(stdout, rejects)
		case "json":
			return writeJSON(stdout, rejects)
		}
		return rejectTable().WriteText(stdout, rejects)
	}
	switch c.format {
	case "csv":
		return loadTable().WriteCSV(stdout, rows)
	case "json":
		return writeJSON(stdout, map[string]any{"files": rows, "rejects": rejects, "indicators": e.IndicatorReport()})
	}
	return loadTable().WriteText(stdout, rows, "name", "kind", "vintage", "file", "read", "loaded", "codes_mapped", "snapped",
		"commune_mismatch", "mobile", "located_by_commune", "declared_commune_used", "rejected", "filtered", "communes_without")
}

// loadReports lays out the engine's load reports as rows, layers by name
// first, then built-in datasets, then indicator files, with every reject.
func loadReports(e *matching.Engine) ([]loadRow, []rejectRow) {
	var rows []loadRow
	var rejects []rejectRow
	add := func(name, kind, vintage string, r data.LoadReport) {
		rows = append(rows, loadRow{Name: name, Kind: kind, Vintage: vintage, File: r.File, Read: r.Read, Loaded: r.Loaded,
			CodesMapped: r.CodesMapped, Snapped: r.Snapped, CommuneMismatch: r.CommuneMismatch, DeclaredUnknown: r.DeclaredUnknown,
			Mobile: r.Mobile, LocatedByCommune: r.LocatedByCommune, DeclaredCommuneUsed: r.DeclaredCommuneUsed, Rejected: len(r.Rejects),
			Filtered: r.Filtered})
		for _, rj := range r.Rejects {
			rejects = append(rejects, rejectRow{Name: name, File: rj.File, Where: rj.Where, Line: rj.Line, ID: rj.ID, Reason: rj.Reason})
		}
	}
	for _, name := range e.LayerNames() {
		l := e.Layer(name)
		add(name, "layer", l.Vintage, l.Report)
	}
	for _, id := range e.BuiltinStructureIDs() {
		rep, _ := e.StructureReport(id)
		add(id, "dataset", "", rep)
	}
	for _, r := range []indicators.IndicatorFileReport{e.IndicatorReport().Fragility, e.IndicatorReport().ZRR} {
		if r.File == "" {
			continue
		}
		row := loadRow{Name: r.File, Kind: "indicator", File: r.File, Read: r.Read,
			Loaded: r.Matched + r.MappedFromFormer + r.Arrondissements, CodesMapped: r.MappedFromFormer,
			DeclaredUnknown: len(r.Unknown), Rejected: len(r.Invalid), CommunesWithout: len(r.CommunesWithout)}
		rows = append(rows, row)
		for _, rj := range r.Invalid {
			rejects = append(rejects, rejectRow{Name: r.File, File: rj.File, Where: rj.Where, Line: rj.Line, ID: rj.ID, Reason: rj.Reason})
		}
	}
	if rejects == nil {
		rejects = []rejectRow{}
	}
	return rows, rejects
}
