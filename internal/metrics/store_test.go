package metrics

import (
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/maillage/maillage/data"
)

// versioned is a MemoryStore with versions, standing for pgstore.
type versioned struct{ *data.MemoryStore }

func (v versioned) GetVersion(id string) (*data.Dataset, int64, error) {
	d, err := v.Get(id)
	return d, 1, err
}

func (v versioned) Version(id string) (int64, error) {
	_, err := v.Get(id)
	return 1, err
}

func TestStoreKeepsInterfaces(t *testing.T) {
	m := New()
	mem := data.NewMemoryStore()
	if _, ok := m.Store(mem).(data.VersionedStore); ok {
		t.Error("a plain store became versioned")
	}
	vs := versioned{data.NewMemoryStore()}
	w := m.Store(vs)
	if _, ok := w.(data.VersionedStore); !ok {
		t.Fatal("a versioned store lost its versions: replicas would serve deleted datasets from their caches")
	}
	if u, ok := w.(interface{ Unwrap() data.Store }); !ok || u.Unwrap() != data.Store(vs) {
		t.Error("Unwrap does not give the store back")
	}
}

func TestStoreTimed(t *testing.T) {
	m := New()
	st := m.Store(versioned{data.NewMemoryStore()}).(data.VersionedStore)
	if err := st.Put(&data.Dataset{Meta: data.DatasetMeta{ID: "a"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Put(&data.Dataset{}); err == nil { // no id: a failure
		t.Fatal("put without id accepted")
	}
	_, _ = st.Get("a")
	_, _, _ = st.GetVersion("a")
	_, _ = st.Version("nope") // not found: not a failure
	_, _ = st.List()
	if err := st.Delete("nope"); !errors.Is(err, data.ErrDatasetNotFound) {
		t.Fatalf("delete unknown: %v", err)
	}
	for op, want := range map[string]int{"put": 2, "get": 2, "version": 1, "list": 1, "delete": 1} {
		if got := sampleCount(t, m, op); got != want {
			t.Errorf("op %s: %d samples, want %d", op, got, want)
		}
	}
	if got := testutil.ToFloat64(m.storeErrs.WithLabelValues("put")); got != 1 {
		t.Errorf("put errors %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.storeErrs.WithLabelValues("delete")); got != 0 {
		t.Errorf("delete of an unknown id counted as an error: %v", got)
	}
}

// sampleCount returns how many operations op the histogram holds.
func sampleCount(t *testing.T, m *Metrics, op string) int {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != "maillage_store_operation_duration_seconds" {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "op" && l.GetValue() == op {
					return int(s.GetHistogram().GetSampleCount())
				}
			}
		}
	}
	return 0
}
