// Command maillage serves and runs maillage's coverage, matching and siting
// analyses over France's real open data.
//
//	maillage serve [--addr :8080] [--data DIR]
//	maillage coverage --max-minutes 30 --by departement --format csv
//
// Run `maillage help` for every subcommand.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one subcommand of the binary.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

// commands lists the subcommands; built by a function so there is no
// package-level mutable state.
func commands() map[string]command {
	return map[string]command{
		"serve":    {"serve the HTTP API over the loaded data", runServe},
		"coverage": {"coverage figures by area, commune, gap zone or rural mairie (csv, json, geojson)", runCoverage},
		"match":    {"place candidates on host-structure posts (optimal, greedy or both) and print the summary", runMatch},
		"synth":    {"write SYNTHETIC candidates and structures CSV files for demos and benchmarks", runSynth},
		"token":    {"issue, list or revoke API tokens (new --scope departement:23 --name N --tokens FILE)", runToken},

		// Siting (siting.go).
		"recommend": {"recommend where k new sites would newly cover the most people (--departement 23 --k 10)", runRecommend},
		"evaluate":  {"judge proposed sites: gain, communes newly covered, redundancy, label (evaluate proposals.csv)", runEvaluate},
		"scenario":  {"coverage with a file's sites added versus today, per département (scenario sites.csv)", runScenario},

		// Today's network (layers.go, network.go).
		"layers":       {"load report of every layer, built-in dataset and indicator file (--rejects lists the rejected records); layers diff A B: sites opened, closed, moved, renamed", runLayers},
		"compare":      {"coverage of one network against another (--from france-services-2020 --to france-services)", runCompare},
		"articulation": {"advisors' places or host structures co-located with, complementing or duplicating France Services", runArticulation},

		// Capacity and need (access.go).
		"access":   {"posts per 10,000 people in difficulty within reach (2SFCA) by area or commune (--supply cnfs-structures-2021 --by departement)", runAccess},
		"allocate": {"where the next posts go: --posts N split across départements (--floors, --caps) and host points (--objective equity|coverage)", runAllocate},

		// Batch lookups (locate.go).
		"locate": {"the commune of every point of a file, or its k nearest sites (locate points.csv [--nearest --k 5])", runLocate},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "maillage: unknown command %q\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	err := cmd.run(args[1:], stdout, stderr)
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp): // -h: the flag package printed the flags
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "maillage %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "maillage %s: %v\n", args[0], err)
		return 1
	}
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: maillage <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun `maillage <command> -h` for its flags.")
}
