package pairing

import (
	"cmp"
	"math"
	"slices"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/geo/siteindex"
)

// Suggestion is a candidate or structure proposed for a manual assignment,
// with its great-circle distance.
type Suggestion struct {
	ID        string  `json:"id"`
	DistanceM float64 `json:"distance_m"`
}

// CandidateMaxM is the reach of c in metres.
func CandidateMaxM(c *Candidate) float64 {
	if c.MaxKm > 0 {
		return c.MaxKm * 1000
	}
	return DefaultCandidateMaxKm * 1000
}

// SuggestCandidates returns the k candidates nearest to structure s that are
// not taken and have s within their own MaxKm, nearest first (ties by index
// in cands); a candidate the process keeps off s (available after its
// mission start, wishing other départements; see Assign) is not proposed.
// idx must index the candidates' points (ids are indexes in
// cands); when it is nil every candidate is scanned. A nil taken takes none.
func SuggestCandidates(s Structure, cands []Candidate, idx *siteindex.Index, taken func(id string) bool, k int) []Suggestion {
	out := []Suggestion{}
	if k <= 0 || len(cands) == 0 {
		return out
	}
	eligible := func(i int, d float64) bool {
		c := &cands[i]
		return d <= CandidateMaxM(c) && (taken == nil || !taken(c.ID)) && PairAllowed(c, &s, 0)
	}
	if idx == nil {
		return nearestByScan(len(cands), k, func(i int) (string, float64, bool) {
			d := geo.DistanceM(cands[i].Point, s.Point)
			return cands[i].ID, d, eligible(i, d)
		})
	}
	// Ask for more and more nearest candidates until k are eligible or the
	// farthest returned is beyond the largest MaxKm, which is only measured
	// (a scan of cands) when the first round falls short.
	reachM := math.Inf(1)
	var nbs []siteindex.Neighbor
	for want := max(2*k, 16); ; want *= 4 {
		nbs = idx.Nearest(s.Point, want, nbs)
		out = out[:0]
		for _, nb := range nbs {
			if nb.DistanceM > reachM {
				return out
			}
			if nb.ID < len(cands) && eligible(nb.ID, nb.DistanceM) {
				out = append(out, Suggestion{ID: cands[nb.ID].ID, DistanceM: nb.DistanceM})
				if len(out) == k {
					return out
				}
			}
		}
		if len(nbs) < want {
			return out
		}
		if math.IsInf(reachM, 1) {
			reachM = 0
			for i := range cands {
				reachM = max(reachM, CandidateMaxM(&cands[i]))
			}
		}
		if nbs[len(nbs)-1].DistanceM > reachM {
			return out
		}
	}
}

// SuggestStructures returns the k structures nearest to candidate c within
// its MaxKm that have open posts and that the process does not keep c off
// (see Assign), nearest first (ties by index in structs).
// idx must index the structures' points (ids are indexes in structs); when
// it is nil every structure is scanned. A nil openPosts counts every post as
// open.
func SuggestStructures(c Candidate, structs []Structure, idx *siteindex.Index, openPosts func(id string) int, k int) []Suggestion {
	out := []Suggestion{}
	if k <= 0 || len(structs) == 0 {
		return out
	}
	reachM := CandidateMaxM(&c)
	open := func(i int) bool {
		if !PairAllowed(&c, &structs[i], 0) {
			return false
		}
		if openPosts == nil {
			return structs[i].Posts > 0
		}
		return openPosts(structs[i].ID) > 0
	}
	if idx == nil {
		return nearestByScan(len(structs), k, func(i int) (string, float64, bool) {
			d := geo.DistanceM(c.Point, structs[i].Point)
			return structs[i].ID, d, d <= reachM && open(i)
		})
	}
	for _, nb := range idx.Within(c.Point, reachM, nil) {
		if nb.ID < len(structs) && open(nb.ID) {
			out = append(out, Suggestion{ID: structs[nb.ID].ID, DistanceM: nb.DistanceM})
			if len(out) == k {
				break
			}
		}
	}
	return out
}

// nearestByScan returns the k nearest eligible items of n, by (distance,
// index), measuring each with at.
func nearestByScan(n, k int, at func(i int) (id string, distM float64, ok bool)) []Suggestion {
	type hit struct {
		i int
		d float64
		s Suggestion
	}
	var hits []hit
	for i := range n {
		if id, d, ok := at(i); ok {
			hits = append(hits, hit{i, d, Suggestion{ID: id, DistanceM: d}})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if c := cmp.Compare(a.d, b.d); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	out := make([]Suggestion, 0, min(k, len(hits)))
	for _, h := range hits[:min(k, len(hits))] {
		out = append(out, h.s)
	}
	return out
}
