package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/data/synth"
)

// runSynth writes a synthetic, clearly labelled candidates file and host
// structures file (for demos and benchmarks) from the real commune shapes.
func runSynth(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ef engineFlags
	ef.register(fs)
	nCand := fs.Int("candidates", 50000, "number of synthetic candidates")
	nStruct := fs.Int("structures", 5000, "number of synthetic host structures")
	seed := fs.Int64("seed", 1, "random seed (same seed, same files)")
	out := fs.String("o", ".", "output folder for synth-candidates.csv and synth-structures.csv")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *nCand < 0 || *nStruct < 0 {
		return fmt.Errorf("--candidates and --structures must be ≥ 0")
	}
	t, err := data.LoadTerritory(ef.dataDir)
	if err != nil {
		return err
	}
	cands, structs := synth.Synthesize(t, *nCand, *nStruct, *seed)
	cPath := filepath.Join(*out, "synth-candidates.csv")
	sPath := filepath.Join(*out, "synth-structures.csv")
	if err := writeFile(cPath, func(w io.Writer) error { return people.WriteCandidatesCSV(w, cands) }); err != nil {
		return err
	}
	if err := writeFile(sPath, func(w io.Writer) error { return people.WriteStructuresCSV(w, structs) }); err != nil {
		return err
	}
	posts := 0
	for _, s := range structs {
		posts += s.Posts
	}
	fmt.Fprintf(stdout, "SYNTHETIC data (seed %d): %d candidates → %s, %d structures with %d posts → %s\n",
		*seed, len(cands), cPath, len(structs), posts, sPath)
	return nil
}

// writeFile writes path through fn, replacing it only when fn succeeds.
func writeFile(path string, fn func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".maillage-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	if err := fn(w); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}
