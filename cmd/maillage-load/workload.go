package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// kindNames are the kinds of request of the workload, in report order.
func kindNames() []string { return []string{"communes", "nearest", "coverage", "tiles", "datasets"} }

// urlsPerKind is how many distinct URLs are prepared per kind: enough that
// the server's caches see a realistic spread, built before the clock runs.
const urlsPerKind = 20000

// workload is the prepared paths (and queries) by kind, whether a kind
// sends the token, and the cumulative weights that pick a kind.
type workload struct {
	kinds []string
	urls  [][]string // paths, the worker's replica URL in front
	auth  []bool
	token string
	cum   []int // cumulative weights
	note  string
}

// picker is a small xorshift generator: one per worker, no locking.
type picker struct{ s uint64 }

func newPicker(seed int64) *picker { return &picker{s: uint64(seed)*0x9E3779B97F4A7C15 | 1} }

func (p *picker) next() uint64 {
	p.s ^= p.s << 13
	p.s ^= p.s >> 7
	p.s ^= p.s << 17
	return p.s
}

func (p *picker) intn(n int) int { return int(p.next() % uint64(n)) }

// float returns a float in [0, 1).
func (p *picker) float() float64 { return float64(p.next()>>11) / (1 << 53) }

// pickKind draws a kind by weight.
func (w *workload) pickKind(p *picker) int {
	x := p.intn(w.cum[len(w.cum)-1])
	return sort.SearchInts(w.cum, x+1)
}

// parseMix reads "communes=35,nearest=30,…" into weights by kind name.
func parseMix(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(val)
		known := false
		for _, k := range kindNames() {
			known = known || k == name
		}
		if !ok || err != nil || n < 0 || !known {
			return nil, fmt.Errorf("-mix %q: want kind=weight among %v", s, kindNames())
		}
		out[name] = n
	}
	return out, nil
}

// sitePoint is a site location read from /v1/sites.
type sitePoint struct {
	lon, lat float64
	dep      string
}

// fetchSites reads the sites GeoJSON: the anchors of the workload's points.
func fetchSites(client *http.Client, base string) ([]sitePoint, error) {
	resp, err := client.Get(base + "/v1/sites")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /v1/sites: status %d", resp.StatusCode)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties struct {
				Departement string `json:"departement"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&fc); err != nil {
		return nil, fmt.Errorf("GET /v1/sites: %w", err)
	}
	var out []sitePoint
	for _, f := range fc.Features {
		if c := f.Geometry.Coordinates; len(c) == 2 {
			out = append(out, sitePoint{c[0], c[1], f.Properties.Departement})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("GET /v1/sites: no site")
	}
	return out, nil
}

// tileXY returns the web-mercator tile holding lon/lat at zoom z.
func tileXY(lon, lat float64, z int) (x, y int) {
	n := math.Exp2(float64(z))
	x = int((lon + 180) / 360 * n)
	r := lat * math.Pi / 180
	y = int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
	return min(max(x, 0), int(n)-1), min(max(y, 0), int(n)-1)
}

// probe reports whether GET u answers 200.
func probe(client *http.Client, u string) bool {
	resp, err := client.Get(u)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// buildWorkload prepares the URLs of each kind with a positive weight,
// reading the sites and datasets from base. Kinds the server lacks (tiles
// on an older server) are dropped with a note.
func buildWorkload(client *http.Client, base, token string, weights map[string]int, seed int64) (*workload, error) {
	sites, err := fetchSites(client, base)
	if err != nil {
		return nil, err
	}
	var deps []string
	seen := map[string]bool{}
	for _, s := range sites {
		if s.dep != "" && !seen[s.dep] {
			seen[s.dep] = true
			deps = append(deps, s.dep)
		}
	}
	sort.Strings(deps)
	p := newPicker(seed)
	// point jitters a random site by up to ±0.03° (about 3 km).
	point := func() (float64, float64) {
		s := sites[p.intn(len(sites))]
		return s.lon + (p.float()-0.5)*0.06, s.lat + (p.float()-0.5)*0.06
	}
	w := &workload{token: token}
	total := 0
	for _, kind := range kindNames() {
		wt := weights[kind]
		if wt == 0 {
			continue
		}
		if kind == "tiles" && !probe(client, base+"/tiles/communes/6/32/22.mvt") {
			w.note = "the server has no /tiles/communes: tiles left out of the mix"
			continue
		}
		var stored []storedDataset
		if kind == "datasets" {
			if stored, err = fetchDatasets(client, base, token); err != nil {
				return nil, err
			}
		}
		urls := make([]string, urlsPerKind)
		for i := range urls {
			lon, lat := point()
			switch kind {
			case "communes":
				urls[i] = fmt.Sprintf("/v1/communes/at?lon=%.5f&lat=%.5f", lon, lat)
			case "nearest":
				urls[i] = fmt.Sprintf("/v1/sites/nearest?lon=%.5f&lat=%.5f&k=5", lon, lat)
			case "coverage":
				urls[i] = fmt.Sprintf("/v1/coverage/departements?departement=%s", deps[p.intn(len(deps))])
			case "tiles":
				// Zooms 8–13: the commune layer of a map zoomed on a
				// département or closer (zooms 6–7 show départements).
				z := 8 + p.intn(6)
				x, y := tileXY(lon, lat, z)
				urls[i] = fmt.Sprintf("/tiles/communes/%d/%d/%d.mvt", z, x, y)
			case "datasets":
				urls[i] = datasetPath(stored, p)
			}
		}
		total += wt
		w.kinds = append(w.kinds, kind)
		w.urls = append(w.urls, urls)
		w.auth = append(w.auth, kind == "datasets")
		w.cum = append(w.cum, total)
	}
	if total == 0 {
		return nil, fmt.Errorf("empty workload mix")
	}
	return w, nil
}
