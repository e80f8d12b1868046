package boundaries

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/maillage/maillage/data/textio"

	"github.com/klauspost/compress/gzip"
	"github.com/paulmach/orb"
)

// Boundary is one feature of the communes GeoJSON: a 2018 INSEE code, its
// name and its shape (a Polygon feature becomes a one-part MultiPolygon).
type Boundary struct {
	Code  string
	Name  string
	Shape orb.MultiPolygon
	Bound orb.Bound // bounding box of Shape
	// Invalid says why Shape breaks the OGC validity rules (see
	// valid.ValidateShape), "" when it is valid.
	Invalid string
}

// Tuning of the boundaries pipeline.
const (
	batchFeatures = 256       // features per parse job
	inflateChunk  = 256 << 10 // bytes inflated between two splitting rounds
)

// Load reads a GeoJSON FeatureCollection of commune boundaries
// (gzip or plain, sniffed) whose features carry the properties `code` and
// `nom`. Errors name the file and the 1-based feature number.
//
// A gzip file is parsed while it inflates: the calling goroutine inflates
// chunk after chunk and splits the features found so far (splitter), and
// GOMAXPROCS goroutines parse them in batches, so inflating, splitting and
// parsing overlap.
func Load(path string) ([]Boundary, error) {
	return load(path, nil, nil)
}

// load is Load recording the features' keys in cur (nil: none) and taking
// the features found in prev (nil: none) as they were.
func load(path string, cur, prev *Features) ([]Boundary, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("communes %s: %w", path, err)
	}
	if !textio.IsGzip(raw) {
		return parse(raw, path, cur, prev)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("communes %s: gzip: %w", path, err)
	}
	defer zr.Close()
	hint := 0
	if n := len(raw); n >= 18 {
		if h := int(binary.LittleEndian.Uint32(raw[n-4:])); h < textio.MaxSizeHint {
			hint = h
		}
	}
	return parseStream(zr, hint, path, cur, prev)
}

// Parse parses the FeatureCollection in buf; name is used in
// errors. Features are found in one pass (splitter) and parsed in batches
// on GOMAXPROCS goroutines.
func Parse(buf []byte, name string) ([]Boundary, error) {
	return parse(buf, name, nil, nil)
}

// parse is Parse with the features of cur and prev (see load).
func parse(buf []byte, name string, cur, prev *Features) ([]Boundary, error) {
	p := newParsePipeline(name, cur, prev)
	var sp splitter
	spans, err := sp.advance(buf, true, nil)
	p.submit(buf, spans)
	if err != nil {
		err = fmt.Errorf("communes %s: %w", name, err)
	}
	return p.finish(err)
}

// parseStream parses the collection read from r (about sizeHint bytes)
// while it is being read. The buffer only grows: spans already submitted
// keep pointing into the array they were found in.
func parseStream(r io.Reader, sizeHint int, name string, cur, prev *Features) ([]Boundary, error) {
	p := newParsePipeline(name, cur, prev)
	buf := make([]byte, 0, max(sizeHint, inflateChunk)+1)
	var (
		sp    splitter
		spans []featureSpan
	)
	for {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), 2*cap(buf))
			copy(grown, buf)
			buf = grown
		}
		n, rerr := r.Read(buf[len(buf):min(cap(buf), len(buf)+inflateChunk)])
		buf = buf[:len(buf)+n]
		final := rerr == io.EOF
		if rerr != nil && !final {
			return p.finish(fmt.Errorf("communes %s: gzip: %w", name, rerr))
		}
		if n == 0 && !final {
			continue
		}
		var err error
		spans, err = sp.advance(buf, final, spans[:0])
		p.submit(buf, spans)
		if err != nil {
			return p.finish(fmt.Errorf("communes %s: %w", name, err))
		}
		if final {
			return p.finish(nil)
		}
	}
}

// parseJob is a batch of features to parse, and its result.
type parseJob struct {
	first int           // 0-based number of its first feature
	data  []byte        // the buffer its spans index
	spans []featureSpan // features to parse
	out   []Boundary
	keys  []featureKey // of each feature, when the pipeline records them
	taken int          // features taken from the previous load
	err   error        // the first error, naming its feature
}

// parsePipeline parses submitted features on GOMAXPROCS goroutines.
type parsePipeline struct {
	name string
	cur  *Features // records the keys of the features (nil: no keys)
	prev *Features // features to take rather than parse (nil: none)
	jobs chan *parseJob
	all  []*parseJob
	n    int // features submitted
	wg   sync.WaitGroup
}

// newParsePipeline starts the parsing goroutines.
func newParsePipeline(name string, cur, prev *Features) *parsePipeline {
	p := &parsePipeline{name: name, cur: cur, prev: prev, jobs: make(chan *parseJob, 64)}
	for range min(runtime.GOMAXPROCS(0), 8) {
		p.wg.Go(p.work)
	}
	return p
}

// submit queues the features spans (indexes into data) in batches.
func (p *parsePipeline) submit(data []byte, spans []featureSpan) {
	for len(spans) > 0 {
		k := min(len(spans), batchFeatures)
		job := &parseJob{first: p.n, data: data, spans: append([]featureSpan(nil), spans[:k]...)}
		p.n += k
		p.all = append(p.all, job)
		p.jobs <- job
		spans = spans[k:]
	}
}

// work parses jobs until the queue closes.
func (p *parsePipeline) work() {
	var fp featureParser
	for job := range p.jobs {
		job.out = make([]Boundary, len(job.spans))
		if p.cur != nil {
			job.keys = make([]featureKey, len(job.spans))
		}
		for i, sp := range job.spans {
			if p.cur != nil {
				job.keys[i] = p.cur.key(job.data[sp.start:sp.end])
				if b, ok := p.prev.lookup(job.keys[i]); ok {
					job.out[i] = b
					job.taken++
					continue
				}
			}
			s := scanner{buf: job.data[:sp.end], pos: sp.start}
			b, err := fp.feature(&s)
			if s.ws(); err == nil && s.pos != len(s.buf) {
				err = s.syntaxError("unexpected data after the feature")
			}
			if err != nil {
				job.err = fmt.Errorf("communes %s: feature %d: %w", p.name, job.first+i+1, err)
				break
			}
			job.out[i] = b
		}
	}
}

// finish waits for the parsers and returns the boundaries in file order,
// or the error of the lowest-numbered bad feature, else splitErr (which
// concerns what follows every submitted feature).
func (p *parsePipeline) finish(splitErr error) ([]Boundary, error) {
	close(p.jobs)
	p.wg.Wait()
	for _, job := range p.all {
		if job.err != nil {
			return nil, job.err
		}
	}
	if splitErr != nil {
		return nil, splitErr
	}
	out := make([]Boundary, 0, p.n)
	var keys []featureKey
	taken := 0
	for _, job := range p.all {
		out = append(out, job.out...)
		keys = append(keys, job.keys...)
		taken += job.taken
	}
	if p.cur != nil {
		p.cur.index(out, keys, taken)
	}
	return out, nil
}
