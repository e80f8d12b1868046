package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/registry"
)

// Over the real data: a reload picks up a changed layer file (its new
// checksum and site count in /healthz); a broken one fails the reload,
// which says why and leaves the data in service and /healthz as they were;
// the same for a layers file declared (--layers) then broken.
func TestServeReloadRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the real data three times")
	}
	if _, err := os.Stat(testData); err != nil {
		t.Skipf("real data not found at %s", testData)
	}
	dir := t.TempDir()
	entries, err := os.ReadDir(testData)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		abs, _ := filepath.Abs(filepath.Join(testData, e.Name()))
		if err := os.Symlink(abs, filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	ef := engineFlags{dataDir: dir, cacheDir: defaultCacheDir(), resolution: 8, workers: 2}
	log := slog.New(slog.DiscardHandler)
	e, err := ef.load(log, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.New(nil, e)
	srv := api.New(reg, api.Config{InsecureOpen: true, Loader: loader(&ef, &trustFlags{}, nil, log)})
	type health struct {
		Generation uint64                `json:"generation"`
		Sites      map[string]int        `json:"sites"`
		Files      []matching.FileStatus `json:"files"`
	}
	healthz := func() health {
		t.Helper()
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		var h health
		if err := json.Unmarshal(rec.Body.Bytes(), &h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	fileSum := func(h health, name string) string {
		for _, f := range h.Files {
			if f.Name == name {
				return f.SHA256
			}
		}
		t.Fatalf("healthz lists no %s: %+v", name, h.Files)
		return ""
	}
	reload := func(want int) string {
		t.Helper()
		t0 := time.Now()
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/admin/reload", nil))
		if rec.Code != want {
			t.Fatalf("reload: status %d, want %d: %s", rec.Code, want, rec.Body.String())
		}
		t.Logf("reload answered %d in %v", rec.Code, time.Since(t0).Round(time.Millisecond))
		return rec.Body.String()
	}
	before := healthz()
	orig, err := os.ReadFile(filepath.Join(testData, data.FranceServices2024File))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(orig)
	if got := fileSum(before, data.FranceServices2024File); got != hex.EncodeToString(sum[:]) {
		t.Fatalf("healthz sha256 %s, want the file's %x", got, sum)
	}

	// A shorter list: three sites fewer, another checksum.
	fsPath := filepath.Join(dir, data.FranceServices2024File)
	lines := strings.SplitAfter(string(orig), "\n")
	shorter := strings.Join(lines[:len(lines)-4], "")
	if !strings.HasSuffix(shorter, "\n") {
		t.Fatal("unexpected end of the France Services list")
	}
	replace := func(content string) {
		t.Helper()
		os.Remove(fsPath)
		if err := os.WriteFile(fsPath, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	replace(shorter)
	reload(http.StatusOK)
	if reg.Engine().Territory() != e.Territory() || reg.Engine().Grid() != e.Grid() {
		t.Fatal("a reload of a layer file read the unchanged territory and grid again")
	}
	after := healthz()
	if after.Generation != before.Generation+1 || after.Sites[data.LayerFranceServices] >= before.Sites[data.LayerFranceServices] ||
		fileSum(after, data.FranceServices2024File) == fileSum(before, data.FranceServices2024File) {
		t.Fatalf("after reload: generation %d (before %d), sites %d (before %d)", after.Generation, before.Generation,
			after.Sites[data.LayerFranceServices], before.Sites[data.LayerFranceServices])
	}

	// A broken list (no latitude column): the reload fails, nothing changes.
	replace(strings.Replace(shorter, "latitude", "lat_wgs84", 1))
	body := reload(http.StatusInternalServerError)
	if !strings.Contains(body, api.CodeReloadFailed) || !strings.Contains(body, "latitude") || !strings.Contains(body, data.FranceServices2024File) {
		t.Fatalf("failed reload answer: %s", body)
	}
	if still := healthz(); still.Generation != after.Generation || fileSum(still, data.FranceServices2024File) != fileSum(after, data.FranceServices2024File) ||
		still.Sites[data.LayerFranceServices] != after.Sites[data.LayerFranceServices] {
		t.Fatalf("a failed reload changed the state: %+v", still.Sites)
	}

	// A layers file, read again at each reload: one declaring a second
	// layer is picked up; a broken one (a misspelt key) fails the reload,
	// naming the file and the key, and the state stays as it was.
	replace(shorter)
	layersFile := filepath.Join(dir, "layers.toml")
	writeLayers := func(toml string) {
		t.Helper()
		if err := os.WriteFile(layersFile, []byte(toml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good := "[[layer]]\nname = \"france-services\"\npath = \"" + data.FranceServices2024File + "\"\n" +
		"[[layer]]\nname = \"lieux\"\npath = \"" + data.CNFSPermanencesFile + "\"\nformat = \"mediation-standard\"\n"
	writeLayers(good)
	ef.layersFile = layersFile
	reload(http.StatusOK)
	declared := healthz()
	if declared.Sites["lieux"] == 0 || declared.Sites[data.LayerCNFSPermanences] != 0 || declared.Generation <= after.Generation {
		t.Fatalf("after a reload with a layers file: %+v (generation %d)", declared.Sites, declared.Generation)
	}
	writeLayers(strings.Replace(good, "path = \""+data.CNFSPermanencesFile, "pth = \""+data.CNFSPermanencesFile, 1))
	body = reload(http.StatusInternalServerError)
	if !strings.Contains(body, api.CodeReloadFailed) || !strings.Contains(body, "layers.toml") || !strings.Contains(body, "pth") {
		t.Fatalf("reload with a broken layers file: %s", body)
	}
	if kept := healthz(); kept.Generation != declared.Generation || kept.Sites["lieux"] != declared.Sites["lieux"] {
		t.Fatalf("a broken layers file changed the state: generation %d → %d, sites %+v", declared.Generation, kept.Generation, kept.Sites)
	}
}
