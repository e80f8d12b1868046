package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocateCommand(t *testing.T) {
	needData(t)
	cache := filepath.Join(os.TempDir(), "maillage-test-cache")
	dir := t.TempDir()
	points := filepath.Join(dir, "points.csv")
	os.WriteFile(points, []byte("id,lon,lat\nparis,2.3522,48.8566\nsea,-30,40\nlyon,4.8357,45.764\n"), 0o644)
	var out, errw bytes.Buffer
	if code := run([]string{"locate", "--data", testData, "--cache", cache, points}, &out, &errw); code != 0 {
		t.Fatalf("code %d: %s", code, errw.String())
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil || len(rows) != 4 || rows[0][3] != "code" || rows[1][3] != "75056" || rows[2][3] != "" || rows[3][3] != "69123" || rows[3][0] != "lyon" {
		t.Fatalf("%v %v", rows, err)
	}

	out.Reset()
	args := []string{"locate", "--data", testData, "--cache", cache, "--nearest", "--k", "2", "--layers", "france-services,cnfs-permanences", "--format", "json", points}
	if code := run(args, &out, &errw); code != 0 {
		t.Fatalf("--nearest: code %d: %s", code, errw.String())
	}
	var ans struct {
		Items []struct {
			ID    string `json:"id"`
			Sites []struct {
				DistanceM float64 `json:"distance_m"`
			} `json:"sites"`
		} `json:"items"`
		Total int `json:"total"`
	}
	if err := json.Unmarshal(out.Bytes(), &ans); err != nil || ans.Total != 3 || ans.Items[2].ID != "lyon" || len(ans.Items[0].Sites) != 2 ||
		ans.Items[0].Sites[0].DistanceM > ans.Items[0].Sites[1].DistanceM {
		t.Fatalf("--nearest: %+v %v", ans, err)
	}

	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("2.35,48.85\n2.35,148.85\n"), 0o644)
	errw.Reset()
	if code := run([]string{"locate", "--data", testData, "--cache", cache, bad}, &out, &errw); code != 1 || !strings.Contains(errw.String(), "line 2") {
		t.Errorf("bad latitude: code %d, %s", code, errw.String())
	}
	errw.Reset()
	if code := run([]string{"locate", "--k", "0", points}, &out, &errw); code != 2 || !strings.Contains(errw.String(), "k") {
		t.Errorf("--k 0: code %d, %s", code, errw.String())
	}
}
