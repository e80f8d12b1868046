package main

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestAccessCommandCSV(t *testing.T) {
	needData(t)
	cache := filepath.Join(os.TempDir(), "maillage-test-cache")
	var out, errw bytes.Buffer
	args := []string{"access", "--data", testData, "--cache", cache, "--by", "departement", "--max-minutes", "30"}
	if code := run(args, &out, &errw); code != 0 {
		t.Fatalf("code %d: %s", code, errw.String())
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 100 {
		t.Fatalf("%d rows, want a header and ≥ 100 départements", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var demand, supply float64
	for _, r := range rows[1:] {
		d, err1 := strconv.ParseFloat(r[col["demand"]], 64)
		s, err2 := strconv.ParseFloat(r[col["supply"]], 64)
		if _, err3 := strconv.ParseFloat(r[col["access_per_10k"]], 64); err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("row %v: %v %v %v", r, err1, err2, err3)
		}
		demand, supply = demand+d, supply+s
	}
	// 13 million people in difficulty, less those of communes without
	// boundary; the 2,129 located posts of the 2021 structures (a few in
	// no département of the COG).
	if math.Abs(demand-13e6) > 0.01*13e6 || supply < 2100 || supply > 2138 {
		t.Errorf("départements sum to %v people in difficulty and %v posts", demand, supply)
	}
	if !strings.Contains(errw.String(), "reference 1.6") {
		t.Errorf("stderr %q: want the national reference", errw.String())
	}

	for _, bad := range [][]string{
		{"--decay", "cubic"},
		{"--format", "geojson", "--by", "departement"},
		{"--by", "canton"},
		{"--supply", "nowhere"},
		{"--max-km", "5", "--max-minutes", "10"},
	} {
		errw.Reset()
		if code := run(append([]string{"access", "--data", testData, "--cache", cache}, bad...), &out, &errw); code == 0 {
			t.Errorf("%v: code 0, want an error", bad)
		}
	}
}
