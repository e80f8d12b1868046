package api_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maillage/maillage/api"
	"github.com/maillage/maillage/api/internal/apitest"
	"github.com/maillage/maillage/api/internal/httpx"
)

// Regression tests of issue 13, findings 1 and 2, at the HTTP level: a
// damaged gzip upload (which made the CSV loader loop forever) and gzip
// bombs, sent anonymously to every route that parses an uploaded file,
// answer 4xx within 2 s with the JSON error shape, without inflating the
// server.

// gz compresses b.
func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// gzBomb compresses head, n bytes of fill and tail without holding them.
func gzBomb(t testing.TB, head string, fill byte, n int, tail string) []byte {
	t.Helper()
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestSpeed)
	zw.Write([]byte(head))
	chunk := bytes.Repeat([]byte{fill}, 1<<20)
	for left := n; left > 0; left -= len(chunk) {
		zw.Write(chunk[:min(left, len(chunk))])
	}
	zw.Write([]byte(tail))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// uploadFiles are n rows around Guéret as CSV, JSON and GeoJSON.
func uploadFiles(n int) (csvB, jsonB, geoB []byte) {
	var c, j, g bytes.Buffer
	c.WriteString("id,name,lon,lat\n")
	j.WriteString("[")
	g.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range n {
		sep := ","
		if i == 0 {
			sep = ""
		}
		lon, lat := 1.80+float64(i%100)*0.001, 46.15+float64(i/100)*0.001
		fmt.Fprintf(&c, "r%d,Site %d,%.4f,%.4f\n", i, i, lon, lat)
		fmt.Fprintf(&j, "%s\n{\"id\":\"r%d\",\"lon\":%.4f,\"lat\":%.4f}", sep, i, lon, lat)
		fmt.Fprintf(&g, "%s\n{\"type\":\"Feature\",\"properties\":{\"id\":\"r%d\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.4f,%.4f]}}", sep, i, lon, lat)
	}
	j.WriteString("\n]")
	g.WriteString("\n]}")
	return c.Bytes(), j.Bytes(), g.Bytes()
}

// longRows are rows of 60 KB (under the field bound) up to n bytes.
func longRows(n int) []byte {
	name := strings.Repeat("n", 60<<10)
	var b bytes.Buffer
	b.WriteString("id,name,lon,lat\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "r%d,%s,1.8,46.1\n", i, name)
	}
	return b.Bytes()
}

// uploadRequest is one way of sending a file to an upload route.
type uploadRequest struct {
	name   string
	target string
	// build returns the content type and body carrying file.
	build func(t testing.TB, file []byte) (string, io.Reader)
}

// uploadRoutes are every route that parses an uploaded file.
func uploadRoutes(t testing.TB) []uploadRequest {
	raw := func(ct string) func(testing.TB, []byte) (string, io.Reader) {
		return func(_ testing.TB, file []byte) (string, io.Reader) { return ct, bytes.NewReader(file) }
	}
	part := func(field string) func(testing.TB, []byte) (string, io.Reader) {
		return func(t testing.TB, file []byte) (string, io.Reader) {
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			fw, err := w.CreateFormFile(field, "upload.csv.gz")
			if err != nil {
				t.Fatal(err)
			}
			fw.Write(file)
			if field != "file" {
				w.WriteField("structures", "cnfs-structures-2021")
			}
			w.Close()
			return w.FormDataContentType(), &buf
		}
	}
	return []uploadRequest{
		{"recommendations", "/v1/recommendations?format=json", raw("")},
		{"recommendations-csv", "/v1/recommendations?format=json", raw("text/csv")},
		{"datasets", "/v1/datasets?kind=candidates&name=upload.csv.gz", raw("")},
		{"datasets-multipart", "/v1/datasets?kind=structures", part("file")},
		{"match-multipart", "/v1/match", part("candidates")},
		{"proposals-evaluate", "/v1/proposals/evaluate", raw("")},
		{"scenarios-compare", "/v1/scenarios/compare", raw("")},
	}
}

// postWithin sends one request and fails the test when no answer came
// within d (the handler is left running: a hang is what is being caught).
func postWithin(t *testing.T, s *api.Server, d time.Duration, target, ct string, body io.Reader) *httptest.ResponseRecorder {
	t.Helper()
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		req := httptest.NewRequest(http.MethodPost, target, body)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		done <- rec
	}()
	select {
	case rec := <-done:
		return rec
	case <-time.After(d):
		t.Fatalf("POST %s: no answer after %v", target, d)
		return nil
	}
}

func TestUploadDamagedGzip(t *testing.T) {
	s := api.New(apitest.Real(t).Registry(), api.Config{InsecureOpen: true})
	csvB, jsonB, geoB := uploadFiles(3000)
	files := []struct {
		name string
		b    []byte
	}{
		{"truncated csv", gz(t, csvB)[:len(gz(t, csvB))/2]},
		{"truncated json", gz(t, jsonB)[:len(gz(t, jsonB))/2]},
		{"truncated geojson", gz(t, geoB)[:len(gz(t, geoB))/2]},
	}
	for _, k := range []struct {
		name string
		b    []byte
	}{{"csv", csvB}, {"json", jsonB}, {"geojson", geoB}} {
		b := gz(t, k.b)
		b[len(b)-6] ^= 0xff // the size in the trailer
		files = append(files, struct {
			name string
			b    []byte
		}{"corrupt " + k.name, b})
	}
	for _, r := range uploadRoutes(t) {
		for _, f := range files {
			t.Run(r.name+"/"+f.name, func(t *testing.T) {
				ct, body := r.build(t, f.b)
				t0 := time.Now()
				rec := postWithin(t, s, 2*time.Second, r.target, ct, body)
				var e apitest.ErrorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != http.StatusBadRequest ||
					e.Error != httpx.CodeBadBody || !strings.Contains(e.Message, ": line ") || !strings.Contains(e.Message, "gzip") {
					t.Fatalf("status %d, body %.300s: want 400 %s naming the line and gzip", rec.Code, rec.Body, httpx.CodeBadBody)
				}
				t.Logf("%v: %s", time.Since(t0).Round(time.Millisecond), e.Message)
			})
		}
	}
}

func TestUploadBombs(t *testing.T) {
	s := api.New(apitest.Real(t).Registry(), api.Config{InsecureOpen: true, MaxRows: 1000})
	csvB, _, _ := uploadFiles(1500)
	bombs := []struct {
		name string
		b    []byte
		code string
	}{
		{"1 GiB field", gzBomb(t, "id,name,lon,lat\nr1,", 'x', 1<<30, ",1.8,46.1\n"), httpx.CodeFieldTooLong},
		{"25 MB of rows", gz(t, longRows(25<<20)), httpx.CodeTooLarge},
		{"400k columns", gz(t, []byte(strings.Repeat("c,", 400000)+"c\n")), httpx.CodeTooManyColumns},
		{"rows", gz(t, csvB), httpx.CodeTooManyRows},
	}
	// Served as `maillage serve` runs: under a soft memory limit (its
	// --memory-limit), here the memory in use now plus 64 MiB, so that the
	// garbage of earlier tests and of the refused requests is collected
	// instead of growing the resident set up to the collector's default
	// target (twice the engine's live heap).
	debug.FreeOSMemory()
	mem := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(mem)
	inUse := int64(mem[0].Value.Uint64() - mem[1].Value.Uint64())
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(inUse + 64<<20))
	rss0 := residentMB(t)
	defer func() {
		if grew := residentMB(t) - rss0; grew > 100 {
			t.Errorf("resident memory grew by %d MB over the bombs, want under 100 MB", grew)
		} else {
			t.Logf("resident memory grew by %d MB over the bombs", grew)
		}
	}()
	for _, r := range uploadRoutes(t) {
		for _, b := range bombs {
			t.Run(r.name+"/"+b.name, func(t *testing.T) {
				ct, body := r.build(t, b.b)
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				rec := postWithin(t, s, 2*time.Second, r.target, ct, body)
				runtime.ReadMemStats(&after)
				var e apitest.ErrorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != http.StatusRequestEntityTooLarge || e.Error != b.code {
					t.Fatalf("status %d, body %.300s: want 413 %s", rec.Code, rec.Body, b.code)
				}
				if grew := after.TotalAlloc - before.TotalAlloc; grew > 100<<20 {
					t.Errorf("the request allocated %d MB for a %d KB body", grew>>20, len(b.b)>>10)
				}
			})
		}
	}
}

// TestUploadEncodings checks finding 8's encodings end to end: a
// Windows-1252 file (what French spreadsheets export) is stored with its
// accents and a note saying it was converted, UTF-16 is refused with what
// to do, and a gzip JSON body is read as JSON on the siting routes.
func TestUploadEncodings(t *testing.T) {
	s := api.New(apitest.Real(t).Registry(), api.Config{InsecureOpen: true})
	rec := postWithin(t, s, 5*time.Second, "/v1/datasets?kind=structures", "text/csv",
		strings.NewReader("id,name,lon,lat\ns1,Mairie de Gu\xe9ret,1.8707,46.1712\n"))
	var info struct {
		ID    string   `json:"id"`
		Notes []string `json:"notes"`
	}
	apitest.Decode(t, rec, http.StatusCreated, &info)
	defer apitest.Send(t, s, "DELETE", "/v1/datasets/"+info.ID, "", "", nil)
	if len(info.Notes) != 1 || !strings.Contains(info.Notes[0], "Windows-1252") {
		t.Errorf("notes %q, want one telling of the Windows-1252 conversion", info.Notes)
	}
	var view struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	apitest.Decode(t, apitest.Send(t, s, "GET", "/v1/datasets/"+info.ID, "", "", nil), http.StatusOK, &view)
	if len(view.Items) != 1 || view.Items[0].Name != "Mairie de Guéret" {
		t.Errorf("stored %+v, want the name Mairie de Guéret", view.Items)
	}

	utf16 := []byte{0xff, 0xfe}
	for _, r := range "id,lon,lat\ns1,1.87,46.17\n" {
		utf16 = append(utf16, byte(r), 0)
	}
	rec = postWithin(t, s, 5*time.Second, "/v1/datasets?kind=structures&name=u16.csv", "text/csv", bytes.NewReader(utf16))
	var e apitest.ErrorBody
	apitest.Decode(t, rec, http.StatusBadRequest, &e)
	if e.Error != httpx.CodeBadBody || !strings.Contains(e.Message, "UTF-16") || !strings.Contains(e.Message, "CSV UTF-8") {
		t.Errorf("UTF-16 upload: %+v, want bad_body saying to save as CSV UTF-8", e)
	}

	_, jsonB, _ := uploadFiles(20)
	rec = postWithin(t, s, 30*time.Second, "/v1/proposals/evaluate", "", bytes.NewReader(gz(t, jsonB)))
	if rec.Code != http.StatusOK {
		t.Errorf("gzip JSON proposals: status %d: %.300s", rec.Code, rec.Body)
	}
}

// residentMB is the process's resident set (VmRSS) in MB, read from
// /proc/self/status; the test skips where there is no such file.
func residentMB(t testing.TB) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status (%v): resident memory is measured on Linux only", err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatalf("VmRSS %q: %v", v, err)
			}
			return kb >> 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}
