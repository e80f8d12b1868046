// Package metrics holds the Prometheus metrics of one maillage server: its
// HTTP requests, its store operations, its engine load and its cache sizes,
// with the Go runtime and process collectors, on a registry of its own (no
// package-level default registry, so that two servers in one process, as
// in the replica tests, count apart).
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric of ours.
const namespace = "maillage"

// Latency buckets in seconds: from a cached point lookup (well under a
// millisecond) to a national siting analysis or a large upload (tens of
// seconds).
var (
	requestBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}
	storeBuckets   = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5}
)

// Metrics is the registry of one server and the collectors the server
// updates. Its methods are safe for concurrent use.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	inFlight   prometheus.Gauge
	store      *prometheus.HistogramVec
	storeErrs  *prometheus.CounterVec
	engineLoad prometheus.Gauge
}

// New returns the metrics of a server on a fresh registry holding the Go
// runtime, process and build collectors.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "http", Name: "requests_total",
		Help: "HTTP requests answered, by route pattern (\"(no route)\" for unmatched paths), method and status.",
	}, []string{"route", "method", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern and method.",
		Buckets: requestBuckets,
	}, []string{"route", "method"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Subsystem: "http", Name: "requests_in_flight",
		Help: "HTTP requests being answered.",
	})
	m.store = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "store", Name: "operation_duration_seconds",
		Help:    "Time of the operations on the store of uploaded datasets (bbolt or PostgreSQL), by operation.",
		Buckets: storeBuckets,
	}, []string{"op"})
	m.storeErrs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "store", Name: "errors_total",
		Help: "Store operations that failed, by operation (a dataset not found is not a failure).",
	}, []string{"op"})
	m.engineLoad = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Subsystem: "engine", Name: "load_seconds",
		Help: "Time the engine in service took to load its data (0 while loading).",
	})
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, m.store, m.storeErrs, m.engineLoad,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector())
	return m
}

// Registry returns the server's registry, for tests and for collectors of
// other packages.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// RequestStarted counts a request in flight; call the returned function
// when it is answered, with its route pattern (bounded: never the raw
// path), method (other than the standard ones counted as "other") and
// status.
func (m *Metrics) RequestStarted() (done func(route, method string, status int)) {
	m.inFlight.Inc()
	t0 := time.Now()
	return func(route, method string, status int) {
		m.inFlight.Dec()
		method = knownMethod(method)
		m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(route, method).Observe(time.Since(t0).Seconds())
	}
}

// knownMethod returns method when it is a standard HTTP method, else
// "other": a client may send any token as method, and each would be a new
// series.
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// SetEngineLoad records how long the engine in service took to load.
func (m *Metrics) SetEngineLoad(d time.Duration) { m.engineLoad.Set(d.Seconds()) }

// Gauge registers a gauge read from f at each scrape (cache sizes: f must
// be cheap and safe for concurrent use). name is prefixed with
// "maillage_". Registering a name twice is an error.
func (m *Metrics) Gauge(name, help string, f func() float64) error {
	return m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, f))
}

// observeStore records one store operation.
func (m *Metrics) observeStore(op string, t0 time.Time, err error) {
	m.store.WithLabelValues(op).Observe(time.Since(t0).Seconds())
	if err != nil {
		m.storeErrs.WithLabelValues(op).Inc()
	}
}
