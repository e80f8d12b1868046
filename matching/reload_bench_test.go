package matching

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/maillage/maillage/data"
)

// regzippedData returns a folder of links to the real data files but for
// the commune boundaries, re-compressed at gzip level: the same communes in
// other bytes, as bench/reload-territory.sh serves.
func regzippedData(b *testing.B, src string, level int) string {
	b.Helper()
	dir := b.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		abs, _ := filepath.Abs(filepath.Join(src, e.Name()))
		if e.Name() != data.CommunesFile {
			if err := os.Symlink(abs, filepath.Join(dir, e.Name())); err != nil {
				b.Fatal(err)
			}
		}
	}
	in, err := os.Open(filepath.Join(src, data.CommunesFile))
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		b.Fatal(err)
	}
	out, err := os.Create(filepath.Join(dir, data.CommunesFile))
	if err != nil {
		b.Fatal(err)
	}
	zw, _ := gzip.NewWriterLevel(out, level)
	if _, err := io.Copy(zw, zr); err != nil {
		b.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkReloadTerritoryChanged measures a reload whose commune
// boundary file changed bytes but not communes (re-compressed), over the
// engine in service, as POST /v1/admin/reload after a new file is dropped.
func BenchmarkReloadTerritoryChanged(b *testing.B) {
	src := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(src); err != nil {
		b.Skipf("real data not found at %s: %v", src, err)
	}
	benchReloads(b, regzippedData(b, src, 1), regzippedData(b, src, 6))
}

// mergedData returns a folder of links to the real data files but for the
// commune boundaries, in which commune 01007 is merged into 01004
// (bench/mergecommunes), as bench/reload-territory.sh serves.
func mergedData(b *testing.B, src string) string {
	b.Helper()
	dir := regzippedData(b, src, 1)
	out := filepath.Join(dir, data.CommunesFile)
	in, _ := filepath.Abs(filepath.Join(src, data.CommunesFile))
	cmd := exec.Command("go", "run", "./bench/mergecommunes", "-a", "01004", "-b", "01007", in, out)
	cmd.Dir = ".."
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("mergecommunes: %v\n%s", err, msg)
	}
	return dir
}

// BenchmarkReloadTerritoryMerged measures a reload whose commune
// boundaries really change (01007 merged into 01004, then back to the
// shipped file), over the engine in service: the commune index, the
// grid's cells of the two communes and everything derived from the
// territory are built again.
func BenchmarkReloadTerritoryMerged(b *testing.B) {
	src := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(src); err != nil {
		b.Skipf("real data not found at %s: %v", src, err)
	}
	benchReloads(b, src, mergedData(b, src))
}

// benchReloads loads the engine over dir a, then times reloads over the
// engine in service, alternating b and a.
func benchReloads(b *testing.B, dirA, dirB string) {
	b.Helper()
	dirs := []string{dirA, dirB}
	cache := b.TempDir()
	prev, err := Load(Config{DataDir: dirs[0], CacheDir: cache})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	// CPU time as well as wall time: on a machine shared with other work
	// the wall time says more about the others than about the reload.
	cpu0 := cpuSeconds(b)
	i := 0
	for b.Loop() {
		i++
		e, err := Load(Config{DataDir: dirs[i%2], CacheDir: cache, Previous: prev})
		if err != nil {
			b.Fatal(err)
		}
		prev = e
	}
	b.ReportMetric((cpuSeconds(b)-cpu0)/float64(b.N), "cpu-s/op")
	runtime.KeepAlive(prev)
}

// cpuSeconds returns the user and system CPU time of the process so far.
func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
