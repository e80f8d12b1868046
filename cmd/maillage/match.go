package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"

	"github.com/maillage/maillage/data/textio"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/internal/present"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/pairing"
	"github.com/maillage/maillage/matching/registry"
)

// matchFlags are the flags of the match subcommand.
type matchFlags struct {
	engineFlags
	candidates, structures string
	algorithm, caps, out   string
	weights                registry.PriorityWeights
	top                    int
	phase                  int
}

// runMatch places candidates on host-structure posts and prints the
// summary and the per-département balance as tables; -o writes the whole
// result as JSON.
func runMatch(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("match", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f matchFlags
	f.register(fs)
	fs.StringVar(&f.candidates, "candidates", "", "candidates file: csv, json or geojson (.gz accepted)")
	fs.StringVar(&f.structures, "structures", matching.BuiltinStructuresDataset,
		"host structures file, or "+matching.BuiltinStructuresDataset+" for the real structures of 2021")
	fs.StringVar(&f.algorithm, "algorithm", pairing.AlgorithmOptimal, "optimal, greedy or both (optimal compared with greedy)")
	fs.StringVar(&f.caps, "caps", "", "CSV of per-département caps on filled posts (columns departement,cap)")
	decimalVar(fs, &f.weights.Gap, "weight-gap", 0, "priority weight (1–100) of structures in communes mostly beyond 30 min of a France Services site")
	decimalVar(fs, &f.weights.Rural, "weight-rural", 0, "priority weight (1–100) of structures in communes under 50 inhabitants/km²")
	fs.StringVar(&f.out, "o", "", "write the whole result (assignments, unmatched, unfilled, balance) as JSON to this file")
	fs.IntVar(&f.top, "top", 15, "départements shown in the balance table (most unfilled posts first)")
	fs.IntVar(&f.phase, "phase", 0, "1 (public bodies, associations, ESS) or 2 (private actors): match only the structures of that phase (0: both)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.phase < 0 || f.phase > 2 {
		return fmt.Errorf("--phase %d: want 1, 2, or 0 for both", f.phase)
	}
	if f.candidates == "" {
		return fmt.Errorf("--candidates FILE is required (try `maillage synth` for a synthetic one)")
	}
	switch f.algorithm {
	case pairing.AlgorithmOptimal, pairing.AlgorithmGreedy, registry.AlgorithmBoth:
	default:
		return fmt.Errorf("--algorithm %q: want optimal, greedy or both", f.algorithm)
	}
	var caps map[string]int
	if f.caps != "" {
		c, err := readCapsFile(f.caps)
		if err != nil {
			return err
		}
		caps = c
	}

	p := newProgress(stderr, "territory", "layers", "grid", "structures", "read candidates", "read structures", "match", "write")
	res, err := f.run(p, caps)
	p.Stop()
	if err != nil {
		return err
	}
	return printMatch(stdout, res, f.top)
}

// readCapsFile reads a caps CSV file.
func readCapsFile(path string) (map[string]int, error) {
	r, err := textio.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return registry.ReadDepartementCaps(r, path)
}

// run loads the engine and the inputs, matches and writes -o.
func (f *matchFlags) run(p *progress, caps map[string]int) (*registry.MatchResult, error) {
	e, err := f.load(slog.New(slog.DiscardHandler), p.Step)
	if err != nil {
		return nil, err
	}
	reg := registry.New(nil, e) // in memory: the command stores nothing
	p.Step("read candidates")
	cd, err := reg.Datasets().ReadFile(data.KindCandidates, f.candidates)
	if err != nil {
		return nil, err
	}
	p.Step("read structures")
	ss, builtin := e.Structures(f.structures)
	if !builtin {
		sd, err := reg.Datasets().ReadFile(data.KindStructures, f.structures)
		if err != nil {
			return nil, err
		}
		ss = sd.Structures
	}
	p.Step("match")
	res, err := reg.Matches().Run(context.Background(), registry.MatchRequest{Candidates: cd.Candidates, Structures: ss, Algorithm: f.algorithm,
		DepartementCaps: caps, Weights: f.weights, Workers: f.workers, Progress: p.Fraction, Phase: f.phase})
	if err != nil {
		return nil, err
	}
	if builtin {
		res.StructuresDataset = f.structures
	}
	if f.out != "" {
		p.Step("write")
		if err := writeFile(f.out, func(w io.Writer) error { return writeJSON(w, res) }); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// printMatch writes the summary table, the comparison and the départements
// with the most unfilled posts.
func printMatch(w io.Writer, res *registry.MatchResult, top int) error {
	rows := []registry.MatchSummary{res.Summary}
	if c := res.Comparison; c != nil {
		rows = []registry.MatchSummary{c.Optimal, c.Greedy}
	}
	if err := present.MatchSummaries().WriteText(w, rows); err != nil {
		return err
	}
	if c := res.Comparison; c != nil {
		fmt.Fprintf(w, "\noptimal − greedy: %+d posts filled, total distance %+.1f km, mean distance per assignment %+.0f m\n",
			c.ExtraPostsFilled, -c.DistanceSavedM/1000, -c.MeanDistanceSavedM)
	}
	if res.WeightedStructures > 0 {
		fmt.Fprintf(w, "priority weights (gap %g, rural %g) given to %d structures\n", res.Weights.Gap, res.Weights.Rural, res.WeightedStructures)
	}
	bal := slices.Clone(res.Balance)
	slices.SortStableFunc(bal, func(a, b pairing.DepartementBalance) int {
		if c := cmp.Compare(b.PostsRequested-b.PostsFilled, a.PostsRequested-a.PostsFilled); c != 0 {
			return c
		}
		return cmp.Compare(a.Departement, b.Departement)
	})
	if top >= 0 && len(bal) > top {
		bal = bal[:top]
	}
	fmt.Fprintf(w, "\ndépartements with the most unfilled posts (%d of %d):\n", len(bal), len(res.Balance))
	return present.DepartementBalances().WriteText(w, bal)
}

// preloadFlags are serve's --candidates and --structures: files stored as
// datasets at start, so that the API can match and suggest on them by id.
type preloadFlags struct {
	candidates, structures string
}

// register adds the preload flags to fs.
func (p *preloadFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.candidates, "candidates", "", "candidates file to store as a dataset at start (its id is logged)")
	fs.StringVar(&p.structures, "structures", "", "host structures file to store as a dataset at start (its id is logged)")
}

// apply stores the preload files. A file already stored with the same
// content (its Source names the file and the SHA-256 of its bytes, so a
// persistent store does not fill with copies at each restart) is reused.
func (p *preloadFlags) apply(reg *registry.Registry, log *slog.Logger) error {
	for _, x := range []struct {
		kind data.DatasetKind
		path string
	}{{data.KindCandidates, p.candidates}, {data.KindStructures, p.structures}} {
		if x.path == "" {
			continue
		}
		sum, err := geo.FileChecksum(x.path)
		if err != nil {
			return err
		}
		source := fmt.Sprintf("%s sha256:%.16s", filepath.Base(x.path), sum)
		list, err := reg.Datasets().List()
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(list, func(d registry.DatasetInfo) bool { return d.Kind == x.kind && d.Source == source }); i >= 0 {
			log.Info("dataset already stored", "kind", x.kind, "file", x.path, "id", list[i].ID, "rows", list[i].Rows)
			continue
		}
		d, err := reg.Datasets().ReadFile(x.kind, x.path)
		if err != nil {
			return err
		}
		d.Meta.Source = source
		info, err := reg.Datasets().Add(d)
		if err != nil {
			return err
		}
		log.Info("dataset stored", "kind", x.kind, "file", x.path, "id", info.ID, "rows", info.Rows, "departements", len(info.Departements))
	}
	return nil
}
