// Command appendix turns the outputs bench/all.sh keeps under $OUT (one
// file per command) into the Markdown tables of BENCHMARKS.md's appendix:
// one block per command, in the order given, each benchmark with its
// package, time, memory and the metrics it reports.
//
//	go run ./bench/appendix /tmp/maillage-bench startup grid indexes ...
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: appendix DIR NAME...")
		os.Exit(2)
	}
	for _, name := range os.Args[2:] {
		if err := block(os.Stdout, filepath.Join(os.Args[1], name+".txt"), name); err != nil {
			fmt.Fprintln(os.Stderr, "appendix:", err)
			os.Exit(1)
		}
	}
}

// block writes the table of one command's output file.
func block(w io.Writer, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var cmd, load, pkg string
	var rows []string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "== ") && cmd == "":
			cmd = strings.TrimPrefix(strings.SplitN(line, ": ", 2)[1], "nice ")
		case strings.Contains(line, "load average:") && load == "":
			load = strings.TrimSpace(strings.SplitN(strings.SplitN(line, "load average:", 2)[1], ",", 2)[0])
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(strings.TrimPrefix(line, "pkg: "), "github.com/maillage/maillage/")
		case strings.HasPrefix(line, "Benchmark"):
			if r, ok := row(line, pkg); ok {
				rows = append(rows, r)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fmt.Fprintf(w, "**%s** — `%s` (load average %s)\n\n", name, cmd, load)
	fmt.Fprintln(w, "| benchmark | package | time/op | alloc/op | allocs/op | reported |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintln(w, r)
	}
	fmt.Fprintln(w)
	return nil
}

// row formats one benchmark line: name, iterations, then value-unit pairs.
func row(line, pkg string) (string, bool) {
	fs := strings.Fields(line)
	if len(fs) < 4 {
		return "", false
	}
	name := fs[0]
	if i := strings.LastIndex(name, "-"); i > 0 {
		name = name[:i]
	}
	name = strings.TrimPrefix(name, "Benchmark")
	var timeOp, bytesOp, allocs string
	var reported []string
	for i := 2; i+1 < len(fs); i += 2 {
		v, unit := fs[i], fs[i+1]
		switch unit {
		case "ns/op":
			timeOp = duration(v)
		case "B/op":
			bytesOp = size(v)
		case "allocs/op":
			allocs = v
		default:
			reported = append(reported, v+" "+unit)
		}
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s | %s |", name, pkg, timeOp, bytesOp, allocs, strings.Join(reported, " · ")), true
}

// duration writes nanoseconds with three significant digits.
func duration(ns string) string {
	v, err := strconv.ParseFloat(ns, 64)
	if err != nil {
		return ns
	}
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.3g s", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.3g ms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3g µs", v/1e3)
	}
	return fmt.Sprintf("%.3g ns", v)
}

// size writes bytes in MB or kB.
func size(b string) string {
	v, err := strconv.ParseFloat(b, 64)
	if err != nil {
		return b
	}
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1f MB", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1f kB", v/1e3)
	}
	return fmt.Sprintf("%.0f B", v)
}
