// Package storetest is the contract every data.Store keeps, as one test
// suite run against each backend (memory, bbolt, PostgreSQL), so that the
// server behaves the same whichever one it is given.
package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
)

// NewStore returns a new, empty store for one subtest; the suite closes it.
type NewStore func(t *testing.T) data.Store

// Options tunes Run.
type Options struct {
	// LargeRows is the number of candidates of the large dataset (default
	// 100000, about 10 MB encoded).
	LargeRows int
}

// Run runs the contract suite against stores made by newStore.
func Run(t *testing.T, newStore NewStore) { RunOptions(t, newStore, Options{}) }

// RunOptions is Run with options.
func RunOptions(t *testing.T, newStore NewStore, o Options) {
	if o.LargeRows == 0 {
		o.LargeRows = 100000
	}
	tests := []struct {
		name string
		run  func(t *testing.T, s data.Store)
	}{
		{"RoundTripEveryKind", roundTripEveryKind},
		{"MetaFields", metaFields},
		{"Unicode", unicode},
		{"NotFound", notFound},
		{"EmptyID", emptyID},
		{"Replace", replace},
		{"ListOrder", listOrder},
		{"Delete", deleteDataset},
		{"ConcurrentPuts", concurrentPuts},
		{"Large", func(t *testing.T, s data.Store) { large(t, s, o.LargeRows) }},
		{"RecruitmentEvents", recruitmentEvents},
		{"ConcurrentEvents", concurrentEvents},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.run(t, s)
		})
	}
}

// created is the creation time of the test datasets; each gets its own
// offset, in nanoseconds so that a store losing precision is caught.
var created = time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)

// Candidates returns a dataset of n candidates whose rows can be checked
// one by one (ids c0000000…, alternating départements 23 and 87).
func Candidates(id string, n int) *data.Dataset {
	d := &data.Dataset{Meta: data.DatasetMeta{ID: id, Kind: data.KindCandidates, Name: "candidats " + id, Rows: n,
		Departements: []string{"23", "87"}, CreatedAt: created, Source: "candidats.csv",
		RowsByDepartement: map[string]int{"23": (n + 1) / 2, "87": n / 2}}}
	d.Candidates = make([]people.Candidate, n)
	for i := range d.Candidates {
		dep := "23"
		if i%2 == 1 {
			dep = "87"
		}
		d.Candidates[i] = people.Candidate{ID: fmt.Sprintf("c%07d", i),
			Point: orb.Point{1.5 + float64(i%1000)*1e-4, 45.8 + float64(i/1000)*1e-5},
			MaxKm: float64(10 + i%40), Commune: "23096", Departement: dep, LocatedBy: people.LocatedByCoordinates,
			Attrs: map[string]string{"row": strconv.Itoa(i)}}
	}
	return d
}

// every returns one dataset of each kind.
func every() []*data.Dataset {
	c := Candidates("cand", 50)
	st := &data.Dataset{Meta: data.DatasetMeta{ID: "st", Kind: data.KindStructures, Name: "structures", Rows: 1,
		Departements: []string{"23"}, CreatedAt: created.Add(time.Hour), RowsByDepartement: map[string]int{"23": 1}},
		Structures: []people.Structure{{ID: "s1", Name: "Mairie", Type: "commune", Posts: 2, Point: orb.Point{1.87, 46.17},
			Commune: "23096", Departement: "23", Region: "75", LocatedBy: people.LocatedByCoordinates, ZRR: "oui", QPV: "non",
			FranceServices: "oui", Attrs: map[string]string{"siret": "21230096700017"}}}}
	pr := &data.Dataset{Meta: data.DatasetMeta{ID: "pr", Kind: data.KindProposals, Rows: 1, CreatedAt: created.Add(2 * time.Hour)},
		Structures: []people.Structure{{ID: "p1", Posts: 1, Point: orb.Point{2, 46}, Departement: "87"}}}
	si := &data.Dataset{Meta: data.DatasetMeta{ID: "si", Kind: data.KindSites, Rows: 1, CreatedAt: created.Add(3 * time.Hour)},
		Sites: []data.Site{{ID: "x", Name: "Bus", Itinerant: true, Layer: "extra", Point: orb.Point{2.1, 45.9}}}}
	mr := &data.Dataset{Meta: data.DatasetMeta{ID: "m1", Kind: data.KindMatchResult, CreatedAt: created.Add(4 * time.Hour)},
		Result: []byte(`{"assignments":[{"candidate":"c0000000","structure":"s1","distance_m":1234.5}]}`)}
	la := &data.Dataset{Meta: data.DatasetMeta{ID: "layer-extra", Kind: data.KindLayer, Name: "extra", Rows: 1,
		CreatedAt: created.Add(5 * time.Hour), Source: "extra.csv", Notes: []string{"format csv", "vintage 2026-01"}},
		File: []byte("id,name,lon,lat\nx,Bus,2.1,45.9\n")}
	return []*data.Dataset{c, st, pr, si, mr, la}
}

// mustPut puts d or fails the test.
func mustPut(t *testing.T, s data.Store, d *data.Dataset) {
	t.Helper()
	if err := s.Put(d); err != nil {
		t.Fatalf("Put %s: %v", d.Meta.ID, err)
	}
}

// mustEqual gets id and compares it with want, field by field.
func mustEqual(t *testing.T, s data.Store, want *data.Dataset) {
	t.Helper()
	got, err := s.Get(want.Meta.ID)
	if err != nil {
		t.Fatalf("Get %s: %v", want.Meta.ID, err)
	}
	equal(t, got, want)
}

// equal compares two datasets, the time by instant (a store may give it
// back in another location).
func equal(t *testing.T, got, want *data.Dataset) {
	t.Helper()
	if !got.Meta.CreatedAt.Equal(want.Meta.CreatedAt) {
		t.Errorf("%s: CreatedAt %v, want %v", want.Meta.ID, got.Meta.CreatedAt, want.Meta.CreatedAt)
	}
	gm, wm := got.Meta, want.Meta
	gm.CreatedAt, wm.CreatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(gm, wm) {
		t.Errorf("%s: meta\n got %+v\nwant %+v", want.Meta.ID, gm, wm)
	}
	for _, f := range []struct {
		name      string
		got, want any
		n         int
	}{
		{"candidates", got.Candidates, want.Candidates, len(want.Candidates)},
		{"structures", got.Structures, want.Structures, len(want.Structures)},
		{"sites", got.Sites, want.Sites, len(want.Sites)},
		{"result", got.Result, want.Result, len(want.Result)},
		{"file", got.File, want.File, len(want.File)},
	} {
		if f.n == 0 {
			if reflect.ValueOf(f.got).Len() != 0 {
				t.Errorf("%s: %d %s, want none", want.Meta.ID, reflect.ValueOf(f.got).Len(), f.name)
			}
			continue
		}
		if !reflect.DeepEqual(f.got, f.want) {
			t.Errorf("%s: %s differ (%d, want %d)", want.Meta.ID, f.name, reflect.ValueOf(f.got).Len(), f.n)
		}
	}
}

func roundTripEveryKind(t *testing.T, s data.Store) {
	for _, d := range every() {
		mustPut(t, s, d)
	}
	for _, d := range every() {
		mustEqual(t, s, d)
	}
	metas, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(metas) != len(every()) {
		t.Fatalf("List: %d datasets, want %d", len(metas), len(every()))
	}
	for i, d := range every() {
		if metas[i].ID != d.Meta.ID || metas[i].Kind != d.Meta.Kind {
			t.Errorf("List[%d] = %s (%s), want %s (%s)", i, metas[i].ID, metas[i].Kind, d.Meta.ID, d.Meta.Kind)
		}
	}
}

func metaFields(t *testing.T, s data.Store) {
	d := Candidates("meta", 3)
	d.Meta.Notes = []string{"encoding: windows-1252", "separator: ;", "2 rows located by commune"}
	d.Meta.RowsByDepartement = map[string]int{"23": 2, "2A": 1, "974": 0}
	d.Meta.Departements = []string{"23", "2A", "974"}
	mustPut(t, s, d)
	mustEqual(t, s, d)
	metas, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(metas) != 1 {
		t.Fatalf("List: %d datasets, want 1", len(metas))
	}
	got := metas[0]
	if !reflect.DeepEqual(got.Notes, d.Meta.Notes) || !reflect.DeepEqual(got.RowsByDepartement, d.Meta.RowsByDepartement) ||
		!reflect.DeepEqual(got.Departements, d.Meta.Departements) || got.Source != d.Meta.Source || got.Name != d.Meta.Name ||
		got.Rows != d.Meta.Rows || !got.CreatedAt.Equal(d.Meta.CreatedAt) {
		t.Errorf("List meta %+v, want %+v", got, d.Meta)
	}
}

func unicode(t *testing.T, s data.Store) {
	id := "cand-été-😀-\u00a0"
	d := Candidates(id, 2)
	d.Meta.Name = "Candidat·es de la Creuse — « été » 日本 \u2028"
	d.Meta.Notes = []string{"quote \" backslash \\ tab \t nul-free"}
	d.Candidates[0].Attrs = map[string]string{"prénom": "Zoë", "nom": "Ñúñez-O'Brien", "emoji": "🗺️", "sql": "'); DROP TABLE datasets; --"}
	mustPut(t, s, d)
	mustEqual(t, s, d)
	if err := s.Delete(id); err != nil {
		t.Fatalf("Delete %q: %v", id, err)
	}
	if _, err := s.Get(id); !errors.Is(err, data.ErrDatasetNotFound) {
		t.Errorf("Get after Delete: %v, want ErrDatasetNotFound", err)
	}
}

func notFound(t *testing.T, s data.Store) {
	mustPut(t, s, Candidates("there", 1))
	for _, id := range []string{"missing", "", "THERE", "there ", "%", "there' OR '1'='1"} {
		if d, err := s.Get(id); !errors.Is(err, data.ErrDatasetNotFound) || d != nil {
			t.Errorf("Get(%q) = %v, %v; want nil, ErrDatasetNotFound", id, d, err)
		}
		if err := s.Delete(id); !errors.Is(err, data.ErrDatasetNotFound) {
			t.Errorf("Delete(%q) = %v; want ErrDatasetNotFound", id, err)
		}
	}
	mustEqual(t, s, Candidates("there", 1))
}

func emptyID(t *testing.T, s data.Store) {
	d := Candidates("", 1)
	if err := s.Put(d); err == nil {
		t.Fatal("Put of a dataset without id: no error")
	}
	metas, err := s.List()
	if err != nil || len(metas) != 0 {
		t.Errorf("List after a refused Put: %v, %v; want none", metas, err)
	}
}

func replace(t *testing.T, s data.Store) {
	mustPut(t, s, Candidates("r", 10))
	d := Candidates("r", 3)
	d.Meta.Name = "replaced"
	d.Meta.CreatedAt = created.Add(time.Minute)
	mustPut(t, s, d)
	mustEqual(t, s, d)
	metas, err := s.List()
	if err != nil || len(metas) != 1 || metas[0].Name != "replaced" || metas[0].Rows != 3 {
		t.Errorf("List after replace: %+v, %v; want one dataset, replaced, 3 rows", metas, err)
	}
}

func listOrder(t *testing.T, s data.Store) {
	empty, err := s.List()
	if err != nil || empty == nil || len(empty) != 0 {
		t.Fatalf("List of an empty store = %#v, %v; want an empty, non-nil slice", empty, err)
	}
	// Put out of order; equal times break ties by id; one nanosecond apart
	// keeps its order.
	for _, p := range []struct {
		id string
		dt time.Duration
	}{{"b", time.Hour}, {"a", time.Hour}, {"z", 0}, {"y", 1}, {"c", -time.Hour}} {
		d := Candidates(p.id, 1)
		d.Meta.CreatedAt = created.Add(p.dt)
		mustPut(t, s, d)
	}
	metas, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range metas {
		ids = append(ids, m.ID)
	}
	if want := []string{"c", "z", "y", "a", "b"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("List order %v, want %v", ids, want)
	}
}

func deleteDataset(t *testing.T, s data.Store) {
	for _, d := range every() {
		mustPut(t, s, d)
	}
	if err := s.Delete("st"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("st"); !errors.Is(err, data.ErrDatasetNotFound) {
		t.Errorf("Get after Delete: %v, want ErrDatasetNotFound", err)
	}
	if err := s.Delete("st"); !errors.Is(err, data.ErrDatasetNotFound) {
		t.Errorf("second Delete: %v, want ErrDatasetNotFound", err)
	}
	metas, err := s.List()
	if err != nil || len(metas) != len(every())-1 {
		t.Fatalf("List after Delete: %d, %v; want %d", len(metas), err, len(every())-1)
	}
	for _, m := range metas {
		if m.ID == "st" {
			t.Error("deleted dataset still listed")
		}
	}
	// The id can be used again.
	d := every()[1]
	d.Meta.Name = "again"
	mustPut(t, s, d)
	mustEqual(t, s, d)
}

// concurrentPuts runs puts of distinct ids and of one shared id at once,
// with readers: every id ends up stored whole, and the shared one is one
// of the versions written, never a mix.
func concurrentPuts(t *testing.T, s data.Store) {
	const writers, each = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*each*3)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				d := Candidates(fmt.Sprintf("w%d-%d", w, i), 20+w)
				if err := s.Put(d); err != nil {
					errs <- err
				}
				shared := Candidates("shared", 100+w)
				shared.Meta.Name = fmt.Sprintf("writer %d", w)
				if err := s.Put(shared); err != nil {
					errs <- err
				}
				if got, err := s.Get("shared"); err != nil {
					errs <- err
				} else if want := 100 + int(got.Meta.Name[len(got.Meta.Name)-1]-'0'); len(got.Candidates) != want || got.Meta.Rows != want {
					errs <- fmt.Errorf("shared: %q with %d rows (meta %d): a mix of two puts", got.Meta.Name, len(got.Candidates), got.Meta.Rows)
				}
				if _, err := s.List(); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	metas, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(metas) != writers*each+1 {
		t.Errorf("List: %d datasets, want %d", len(metas), writers*each+1)
	}
	for w := range writers {
		for i := range each {
			mustEqual(t, s, Candidates(fmt.Sprintf("w%d-%d", w, i), 20+w))
		}
	}
}

func large(t *testing.T, s data.Store, n int) {
	if testing.Short() {
		n = min(n, 5000)
	}
	d := Candidates("large", n)
	mustPut(t, s, d)
	mustEqual(t, s, d)
	if err := s.Delete("large"); err != nil {
		t.Fatal(err)
	}
}
