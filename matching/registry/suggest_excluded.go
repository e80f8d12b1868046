package registry

import (
	"math"

	"github.com/maillage/maillage/matching/pairing"
)

// Reasons of the pairs the suggestions leave out besides the matching's
// (pairing.ReasonAvailableAfterStart, pairing.ReasonPhaseExcluded,
// pairing.ReasonDepartementNotWished, pairing.ReasonStructuresFull and a structure's own
// exclusion, e.g. "avis_defavorable").
const (
	// ReasonCandidatePlaced: the stored match (SuggestQuery.Match) placed
	// the candidate.
	ReasonCandidatePlaced = "candidate_placed"
	// ReasonCandidateRecruited: a structure recruited the candidate.
	ReasonCandidateRecruited = "candidate_recruited"
)

// ExcludedPair is a pair within reach that a suggestion list left out:
// the other side of the pair, its distance and why.
type ExcludedPair struct {
	ID        string  `json:"id"`
	DistanceM float64 `json:"distance_m"`
	Reason    string  `json:"reason"`
}

// SuggestExclusions are the pairs within reach of a structure or a
// candidate that its suggestions left out: their count by reason, and the
// nearest of them (at most SuggestQuery.K). Rows hidden by the scope are
// neither counted nor listed.
type SuggestExclusions struct {
	Total    int            `json:"total"`
	ByReason map[string]int `json:"by_reason"`
	Pairs    []ExcludedPair `json:"pairs"`
}

// add records a left-out pair, listed while fewer than k are.
func (x *SuggestExclusions) add(id string, distM float64, reason string, k int) {
	x.Total++
	x.ByReason[reason]++
	if len(x.Pairs) < k {
		x.Pairs = append(x.Pairs, ExcludedPair{ID: id, DistanceM: distM, Reason: reason})
	}
}

// ExplainStructure returns the pairs within reach of the structure (the
// candidates having it within their max_km) that SuggestForStructure leaves
// out with q, and why: the structure's own reason first (an exclusion of
// the process, the phase, its posts all filled), then the candidate's
// (placed by q.Match, recruited), then the pair's (available after the
// mission start, département not wished). Pairs nearest first.
func (m *Matches) ExplainStructure(structureID string, q SuggestQuery) (*SuggestExclusions, error) {
	in, si, err := m.resolveStructure(structureID, q)
	if err != nil {
		return nil, err
	}
	off, candOff := in.structureRules(q, si)
	st := &in.structs.structs[si]
	cands := in.cands.cands
	reachM := 0.0
	for i := range cands {
		reachM = math.Max(reachM, pairing.CandidateMaxM(&cands[i]))
	}
	x := &SuggestExclusions{ByReason: map[string]int{}, Pairs: []ExcludedPair{}}
	for _, nb := range in.cands.index().Within(st.Point, reachM, nil) {
		if nb.ID >= len(cands) || nb.DistanceM > pairing.CandidateMaxM(&cands[nb.ID]) {
			continue
		}
		c := &cands[nb.ID]
		why := candOff(nb.ID)
		switch {
		case why == reasonHidden:
			continue
		case off != "":
			why = off
		case why == "":
			why = pairing.PairExclusionReason(c, st, 0)
		}
		if why != "" {
			x.add(c.ID, nb.DistanceM, why, q.K)
		}
	}
	return x, nil
}

// ExplainCandidate returns the pairs within reach of the candidate (the
// structures within its max_km) that SuggestForCandidate leaves out with
// q, and why: the candidate's own reason first (recruited), then the
// structure's (an exclusion of the process, the phase, its posts all
// filled), then the pair's. Pairs nearest first.
func (m *Matches) ExplainCandidate(candidateID string, q SuggestQuery) (*SuggestExclusions, error) {
	in, ci, err := m.resolveCandidate(candidateID, q)
	if err != nil {
		return nil, err
	}
	off, closed, _ := in.candidateRules(q, ci)
	c := &in.cands.cands[ci]
	structs := in.structs.structs
	x := &SuggestExclusions{ByReason: map[string]int{}, Pairs: []ExcludedPair{}}
	for _, nb := range in.structs.index().Within(c.Point, pairing.CandidateMaxM(c), nil) {
		if nb.ID >= len(structs) {
			continue
		}
		why := closed(nb.ID)
		switch {
		case why == reasonHidden:
			continue
		case off != "":
			why = off
		case why == "":
			why = pairing.PairExclusionReason(c, &structs[nb.ID], 0)
		}
		if why != "" {
			x.add(structs[nb.ID].ID, nb.DistanceM, why, q.K)
		}
	}
	return x, nil
}
