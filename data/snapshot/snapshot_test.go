package snapshot_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/indicators"
	"github.com/maillage/maillage/data/snapshot"
	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/internal/flatbin"
)

// fixture is the territory of data's testdata/merge folder (communes
// merged by the 6.1.0 release, so shapes dissolved from several
// boundaries, former codes and parts) and its grid at resolution 7.
func fixture(t testing.TB) snapshot.State {
	t.Helper()
	dir := filepath.Join("..", "testdata", "merge")
	terr, err := data.LoadTerritory(dir)
	if err != nil {
		t.Fatal(err)
	}
	ind, rep, err := indicators.LoadIndicators(dir, terr)
	if err != nil {
		t.Fatal(err)
	}
	shapes, reps, pops := terr.GridInputs()
	g, err := geo.BuildGrid(shapes, reps, pops, terr.Index.At, 7, 2)
	if err != nil {
		t.Fatal(err)
	}
	if terr.Report.ShapesDissolved == 0 || terr.Report.FormerCodes == 0 || len(ind) == 0 {
		t.Fatalf("the fixture has no dissolved shape, former code or indicator: %+v", terr.Report)
	}
	return snapshot.State{Territory: terr, Grid: g, Indicators: ind, IndicatorReport: rep}
}

// TestReadAnswersAsBuilt writes the fixture's snapshot, reads it back and
// checks that the territory and grid read answer as the ones built.
func TestReadAnswersAsBuilt(t *testing.T) {
	want := fixture(t)
	path := filepath.Join(t.TempDir(), "engine-res7.snap")
	if err := snapshot.Write(path, "k1", want); err != nil {
		t.Fatal(err)
	}
	got, err := snapshot.Read(path, "k1")
	if err != nil {
		t.Fatal(err)
	}
	checkSameTerritory(t, got.Territory, want.Territory, 1, nil)
	if !reflect.DeepEqual(got.Grid, want.Grid) {
		t.Error("grid read differs from the grid built")
	}
	if !reflect.DeepEqual(got.Indicators, want.Indicators) || !reflect.DeepEqual(got.IndicatorReport, want.IndicatorReport) {
		t.Error("indicators read differ from the ones loaded")
	}
}

// checkSameTerritory fails unless got answers as want: the communes and
// what they hold, the administrative levels and report, codes resolved,
// boundary areas, and the commune at every vertex of every shape (points
// on boundaries, the hardest case of At) and at the midpoints of their
// edges (every step-th vertex), and at the points given.
func checkSameTerritory(t *testing.T, got, want *data.Territory, step int, points []orb.Point) {
	t.Helper()
	if len(got.Communes) != len(want.Communes) {
		t.Fatalf("%d communes, want %d", len(got.Communes), len(want.Communes))
	}
	for i := range want.Communes {
		g, w := &got.Communes[i], &want.Communes[i]
		if g.Code != w.Code || g.Name != w.Name || g.Departement != w.Departement || g.Region != w.Region || g.EPCI != w.EPCI ||
			g.Zone != w.Zone || g.Population != w.Population || !reflect.DeepEqual(g.FormerCodes, w.FormerCodes) ||
			g.Bound != w.Bound || g.Rep != w.Rep || g.AreaKm2 != w.AreaKm2 || len(g.Shape) != len(w.Shape) ||
			len(g.Shape) > 0 && !reflect.DeepEqual(g.Shape, w.Shape) {
			t.Fatalf("commune %d differs:\n got %v %q\nwant %v %q", i, g.Code, g.Name, w.Code, w.Name)
		}
		for _, code := range append([]string{w.Code}, w.FormerCodes...) {
			ga, gok := got.BoundaryAreaKm2(code)
			wa, wok := want.BoundaryAreaKm2(code)
			gc, _ := got.CurrentCode(code)
			wc, _ := want.CurrentCode(code)
			if ga != wa || gok != wok || gc != wc {
				t.Errorf("code %s: area %v %v, current %s; want %v %v, %s", code, ga, gok, gc, wa, wok, wc)
			}
		}
	}
	if !reflect.DeepEqual(got.Departements, want.Departements) || !reflect.DeepEqual(got.Regions, want.Regions) ||
		!reflect.DeepEqual(got.EPCIs, want.EPCIs) || !reflect.DeepEqual(got.Report, want.Report) ||
		!reflect.DeepEqual(got.Unmatched, want.Unmatched) {
		t.Error("administrative levels, report or unmatched boundaries differ")
	}
	for _, d := range want.Departements {
		if !reflect.DeepEqual(got.CommunesIn(d.Code), want.CommunesIn(d.Code)) {
			t.Errorf("communes of %s differ", d.Code)
		}
	}
	if got.Index.Len() != want.Index.Len() {
		t.Errorf("index of %d communes, want %d", got.Index.Len(), want.Index.Len())
	}
	at := func(p orb.Point) {
		gi, gok := got.Index.At(p)
		wi, wok := want.Index.At(p)
		gn, gd, gnok := got.Index.Nearest(p, 2000)
		wn, wd, wnok := want.Index.Nearest(p, 2000)
		if gi != wi || gok != wok || gn != wn || gd != wd || gnok != wnok {
			t.Fatalf("at %v: commune %d %v, nearest %d %v m; want %d %v, %d %v m", p, gi, gok, gn, gd, wi, wok, wn, wd)
		}
	}
	n := 0
	for i := range want.Communes {
		for _, poly := range want.Communes[i].Shape {
			for _, r := range poly {
				for k := 0; k < len(r); k += step {
					at(r[k])
					at(orb.Point{(r[k][0] + r[(k+1)%len(r)][0]) / 2, (r[k][1] + r[(k+1)%len(r)][1]) / 2})
					n += 2
				}
			}
		}
		at(want.Communes[i].Rep)
	}
	for _, p := range points {
		at(p)
	}
	t.Logf("%d communes, %d boundary points and %d others located alike", len(want.Communes), n, len(points))
}

// TestReadStale reads a snapshot under another key and a missing one:
// both are stale (the engine is built instead), with the file named.
func TestReadStale(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "engine-res7.snap")
	if err := snapshot.Write(path, snapshot.Key(7, "communes:aaa"), fixture(t)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, key string }{
		{"other inputs", path, snapshot.Key(7, "communes:bbb")},
		{"other resolution", path, snapshot.Key(8, "communes:aaa")},
		{"missing file", filepath.Join(dir, "none.snap"), snapshot.Key(7, "communes:aaa")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := snapshot.Read(tc.path, tc.key)
			if !snapshot.IsStale(err) || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("err %v, want stale naming %s", err, tc.path)
			}
		})
	}
	if _, err := snapshot.Read(path, snapshot.Key(7, "communes:aaa")); err != nil {
		t.Errorf("the snapshot of the same key: %v", err)
	}
}

// TestReadCorrupt reads the fixture's snapshot truncated at every length
// (in steps) and with a byte flipped at every position (in steps): each
// read fails with an error naming the file, never a panic nor a state.
func TestReadCorrupt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "engine-res7.snap")
	if err := snapshot.Write(path, "k", fixture(t)); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.snap")
	try := func(b []byte, what string) {
		t.Helper()
		if err := os.WriteFile(bad, b, 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := snapshot.Read(bad, "k")
		if err == nil || st.Territory != nil || !strings.Contains(err.Error(), bad) {
			t.Fatalf("%s: err %v, want an error naming %s", what, err, bad)
		}
		if !errors.Is(err, snapshot.ErrCorrupt) && !snapshot.IsStale(err) {
			t.Fatalf("%s: %v is neither stale nor corrupt", what, err)
		}
	}
	step := max(1, len(good)/500)
	for n := 0; n < len(good); n += step {
		try(good[:n], "truncated")
	}
	try(good[:len(good)-1], "truncated by one byte")
	for i := 0; i < len(good); i += step {
		b := append([]byte(nil), good...)
		b[i] ^= 0x40
		try(b, "flipped")
	}
	try(append(append([]byte(nil), good...), 0, 0, 0, 0, 0, 0, 0, 0), "grown")
}

// TestDecodeDamagedNeverPanics decodes the fixture's territory and grid
// from damaged buffers, below the file's checksum (which catches such
// damage first): truncated at every length and with a byte flipped at
// every position (in steps). Decoding fails or gives a territory and grid
// whose lookups run; none panics.
func TestDecodeDamagedNeverPanics(t *testing.T) {
	st := fixture(t)
	w, err := flatbin.NewWriter()
	if err != nil {
		t.Skip(err)
	}
	if err := st.Territory.Encode(w); err != nil {
		t.Fatal(err)
	}
	st.Grid.Encode(w)
	if err := st.Indicators.Encode(w, st.IndicatorReport); err != nil {
		t.Fatal(err)
	}
	good := w.Bytes()
	decode := func(b []byte) {
		r, _ := flatbin.NewReader(b)
		terr, err := data.DecodeTerritory(r)
		if err != nil {
			return
		}
		g := geo.DecodeGrid(r)
		if _, _, err := indicators.Decode(r); err != nil || r.Err() != nil {
			return
		}
		for i := 0; i < len(g.Centers); i += 7 {
			terr.Index.At(g.Centers[i])
			terr.Index.Nearest(g.Centers[i], 5000)
		}
	}
	failed, step := 0, max(1, len(good)/1500)
	for n := 0; n < len(good); n += step {
		r, _ := flatbin.NewReader(good[:n])
		if _, err := data.DecodeTerritory(r); err == nil && geo.DecodeGrid(r) != nil && indicatorsDecode(r) == nil {
			t.Fatalf("%d bytes of %d decoded without error", n, len(good))
		}
		failed++
	}
	b := make([]byte, len(good))
	for i := 0; i < len(good); i += step {
		copy(b, good)
		b[i] ^= 0x81
		decode(b)
	}
	t.Logf("%d bytes: %d truncations failed, %d flips decoded without panic", len(good), failed, len(good)/step)
}

// indicatorsDecode returns the error of decoding indicators from r.
func indicatorsDecode(r *flatbin.Reader) error {
	_, _, err := indicators.Decode(r)
	return err
}
