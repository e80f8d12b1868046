package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestAllocateCommand(t *testing.T) {
	needData(t)
	cache := filepath.Join(os.TempDir(), "maillage-test-cache")
	var out, errw bytes.Buffer
	args := []string{"allocate", "--data", testData, "--cache", cache, "--posts", "50", "--objective", "coverage", "--caps", "13=0", "--floors", "23=2"}
	if code := run(args, &out, &errw); code != 0 {
		t.Fatalf("code %d: %s", code, errw.String())
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil || len(rows) < 100 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	sum := 0
	for _, r := range rows[1:] {
		n, err := strconv.Atoi(r[col["allocated_posts"]])
		if err != nil {
			t.Fatal(err)
		}
		sum += n
		if r[col["code"]] == "13" && n != 0 || r[col["code"]] == "23" && n < 2 {
			t.Errorf("row %v breaks a floor or cap", r)
		}
	}
	if sum != 50 {
		t.Errorf("%d posts allocated, want 50", sum)
	}
	// Given candidates only: every post goes to them.
	given := filepath.Join(t.TempDir(), "hosts.csv")
	if err := os.WriteFile(given, []byte("id,name,lon,lat\nbg,Bourganeuf,1.7548,45.9533\ngu,Guéret,1.8717,46.1714\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	args = []string{"allocate", "--data", testData, "--cache", cache, "--posts", "7", "--hosts", "uploaded", "--candidates", given, "--points"}
	if code := run(args, &out, &errw); code != 0 {
		t.Fatalf("code %d: %s", code, errw.String())
	}
	rows, err = csv.NewReader(&out).ReadAll()
	if err != nil || len(rows) < 2 || len(rows) > 3 {
		t.Fatalf("given hosts: %d rows, %v", len(rows), err)
	}
	sum = 0
	for _, r := range rows[1:] {
		n, _ := strconv.Atoi(r[6])
		sum += n
		if r[0] != "uploaded" || r[3] != "23" {
			t.Errorf("point %v, want an uploaded host in 23", r)
		}
	}
	if rows[0][6] != "allocated_posts" || sum != 7 {
		t.Errorf("given hosts: header %v, %d posts", rows[0], sum)
	}

	// JSON: the answer of POST /v1/allocations, points as GeoJSON.
	out.Reset()
	args = []string{"allocate", "--data", testData, "--cache", cache, "--posts", "5", "--format", "json"}
	if code := run(args, &out, &errw); code != 0 {
		t.Fatalf("code %d: %s", code, errw.String())
	}
	var v struct {
		Posts  int `json:"posts"`
		Points struct {
			Type     string `json:"type"`
			Features []struct {
				Geometry struct {
					Coordinates []float64 `json:"coordinates"`
				} `json:"geometry"`
			} `json:"features"`
		} `json:"points"`
	}
	if err := json.Unmarshal(out.Bytes(), &v); err != nil || v.Posts != 5 || v.Points.Type != "FeatureCollection" ||
		len(v.Points.Features) == 0 || len(v.Points.Features[0].Geometry.Coordinates) != 2 {
		t.Fatalf("JSON: %v, %+v", err, v)
	}

	for _, bad := range [][]string{{"--posts", "0"}, {"--objective", "fair"}, {"--floors", "23"}, {"--caps", "75=-2"}, {"--hosts", "mairies"}} {
		errw.Reset()
		if code := run(append([]string{"allocate", "--data", testData}, bad...), &out, &errw); code != 2 || !strings.Contains(errw.String(), strings.TrimPrefix(bad[0], "--")) {
			t.Errorf("%v: code %d, %s", bad, code, errw.String())
		}
	}
}

// TestAccessPrefectViewCommand checks maillage access --departement with
// --sort access: the communes of Creuse, lowest accessibility first.
func TestAccessPrefectViewCommand(t *testing.T) {
	needData(t)
	cache := filepath.Join(os.TempDir(), "maillage-test-cache")
	var out, errw bytes.Buffer
	args := []string{"access", "--data", testData, "--cache", cache, "--by", "commune", "--departement", "23", "--sort", "access"}
	if code := run(args, &out, &errw); code != 0 {
		t.Fatalf("code %d: %s", code, errw.String())
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil || len(rows) < 200 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	prev := -1.0
	for _, r := range rows[1:] {
		a, err := strconv.ParseFloat(r[col["access_per_10k"]], 64)
		if err != nil || r[col["departement"]] != "23" || a < prev {
			t.Fatalf("row %v after %v: %v", r, prev, err)
		}
		prev = a
	}
	if code := run([]string{"access", "--data", testData, "--sort", "worst"}, &out, &errw); code != 2 {
		t.Errorf("--sort worst: code %d", code)
	}
}
