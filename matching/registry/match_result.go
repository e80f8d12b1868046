package registry

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/maillage/maillage/data"
)

// Stored match results: decoded once per registry cache entry, read by
// part and page, and the département caps file of a match request.

// Result returns the stored match result id (decoded once and cached).
// The result is shared: callers must not modify it.
func (m *Matches) Result(id string) (*MatchResult, error) {
	en, err := m.reg.datasets.entryOf(id, data.KindMatchResult)
	if err != nil {
		return nil, err
	}
	en.result()
	return en.res, en.resErr
}

// result decodes the entry's match result and indexes its assignments.
func (en *datasetEntry) result() {
	en.resOnce.Do(func() {
		var r MatchResult
		if err := json.Unmarshal(en.ds.Result, &r); err != nil {
			en.resErr = fmt.Errorf("match %s: stored result: %w", en.ds.Meta.ID, err)
			return
		}
		en.index1(&r)
	})
}

// setResult caches an already decoded result.
func (en *datasetEntry) setResult(r *MatchResult) {
	en.resOnce.Do(func() { en.index1(r) })
}

// index1 keeps r with the candidates it placed and the posts it filled per
// structure.
func (en *datasetEntry) index1(r *MatchResult) {
	en.res = r
	en.taken = make(map[string]bool, len(r.Assignments))
	en.filled = make(map[string]int)
	for _, a := range r.Assignments {
		en.taken[a.Candidate] = true
		en.filled[a.Structure]++
	}
}

// MatchPage is a window of one part of a match result.
type MatchPage struct {
	Part   string `json:"part"`
	Total  int    `json:"total"`
	Offset int    `json:"offset"`
	Limit  int    `json:"limit"`
	Items  any    `json:"items"` // []Assignment, []Unmatched, []UnfilledPosts or []DepartementBalance
}

// PartLen returns the number of items in a part ("" is PartAssignments).
func (r *MatchResult) PartLen(part string) (int, error) {
	switch part {
	case "", PartAssignments:
		return len(r.Assignments), nil
	case PartUnmatched:
		return len(r.Unmatched), nil
	case PartUnfilled:
		return len(r.Unfilled), nil
	case PartBalance:
		return len(r.Balance), nil
	}
	return 0, fmt.Errorf("%w: part %q (want %s, %s, %s or %s)", ErrBadMatchRequest, part, PartAssignments, PartUnmatched, PartUnfilled, PartBalance)
}

// Page returns the items [offset, offset+limit) of a part, in the result's
// order (an empty window past the end). limit must be positive.
func (r *MatchResult) Page(part string, limit, offset int) (MatchPage, error) {
	if part == "" {
		part = PartAssignments
	}
	n, err := r.PartLen(part)
	if err != nil {
		return MatchPage{}, err
	}
	if limit < 1 || offset < 0 {
		return MatchPage{}, fmt.Errorf("%w: limit %d, offset %d", ErrBadMatchRequest, limit, offset)
	}
	lo := min(offset, n)
	hi := lo + min(limit, n-lo)
	p := MatchPage{Part: part, Total: n, Offset: offset, Limit: limit}
	switch part {
	case PartAssignments:
		p.Items = r.Assignments[lo:hi:hi]
	case PartUnmatched:
		p.Items = r.Unmatched[lo:hi:hi]
	case PartUnfilled:
		p.Items = r.Unfilled[lo:hi:hi]
	case PartBalance:
		p.Items = r.Balance[lo:hi:hi]
	}
	return p, nil
}

// ReadDepartementCaps reads per-département caps from CSV: a header naming a
// département column (departement, dep, code_departement or insee_dep) and a
// cap column (cap, caps, posts, postes or max_posts), comma or semicolon
// separated. One-digit codes are padded ("1" → "01"). name is used in
// errors, which give the line.
func ReadDepartementCaps(r io.Reader, name string) (map[string]int, error) {
	br := bufio.NewReader(r)
	cr := csv.NewReader(br)
	if first, _ := br.Peek(br.Size()); bytes.Count(firstLine(first), []byte(";")) > bytes.Count(firstLine(first), []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("caps %s: line 1: %w", name, err)
	}
	dep, cp := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "departement", "département", "dep", "code_departement", "insee_dep":
			dep = i
		case "cap", "caps", "posts", "postes", "max_posts":
			cp = i
		}
	}
	if dep < 0 || cp < 0 {
		return nil, fmt.Errorf("caps %s: line 1: want a departement and a cap column, got %q", name, header)
	}
	caps := map[string]int{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("caps %s: line %d: %w", name, line, err)
		}
		if len(rec) <= max(dep, cp) {
			return nil, fmt.Errorf("caps %s: line %d: %d fields, want at least %d", name, line, len(rec), max(dep, cp)+1)
		}
		d := strings.ToUpper(strings.TrimSpace(rec[dep]))
		if len(d) == 1 && d[0] >= '0' && d[0] <= '9' {
			d = "0" + d
		}
		v, err := strconv.Atoi(strings.TrimSpace(rec[cp]))
		if d == "" || err != nil || v < 0 || v > math.MaxInt32 {
			return nil, fmt.Errorf("caps %s: line %d: want a département code and a cap ≥ 0, got %q", name, line, rec)
		}
		if _, dup := caps[d]; dup {
			return nil, fmt.Errorf("caps %s: line %d: département %s given twice", name, line, d)
		}
		caps[d] = v
	}
	return caps, nil
}

// firstLine returns b up to its first newline.
func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}
