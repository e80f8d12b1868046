package registry

import (
	"fmt"
	"slices"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching/pairing"
)

// rows resolves the rows of a request, inline or from datasets (whose
// ids it records in res), narrowed to req.Visible.
func (m *Matches) rows(req MatchRequest, res *MatchResult) ([]pairing.Candidate, []people.Structure, error) {
	var cands []pairing.Candidate
	switch {
	case req.Candidates != nil:
		cands = CandidatesFrom(req.Candidates)
	case req.CandidatesDataset != "":
		en, err := m.reg.datasets.entryOf(req.CandidatesDataset, data.KindCandidates)
		if err != nil {
			return nil, nil, err
		}
		en.convert()
		cands = en.cands
		res.CandidatesDataset = req.CandidatesDataset
	default:
		return nil, nil, fmt.Errorf("%w: no candidates", ErrBadMatchRequest)
	}
	ss := req.Structures
	if ss == nil {
		if req.StructuresDataset == "" {
			return nil, nil, fmt.Errorf("%w: no structures", ErrBadMatchRequest)
		}
		en, err := m.reg.datasets.entryOf(req.StructuresDataset, data.KindStructures)
		if err != nil {
			return nil, nil, err
		}
		ss = en.ds.Structures
		res.StructuresDataset = req.StructuresDataset
	}
	if req.Visible != nil {
		cands = slices.DeleteFunc(slices.Clone(cands), func(c pairing.Candidate) bool { return !req.Visible(c.Departement) })
		ss = slices.DeleteFunc(slices.Clone(ss), func(s people.Structure) bool { return !req.Visible(s.Departement) })
	}
	return cands, ss, nil
}

// EstimateEdges resolves the rows of req as Run does and
// estimates their candidate–structure pairs within reach (EstimateEdges):
// the size of the match before it runs, for admission control. It returns
// Run's errors about missing rows and datasets.
func (m *Matches) EstimateEdges(req MatchRequest) (int64, error) {
	cands, ss, err := m.rows(req, &MatchResult{})
	if err != nil {
		return 0, err
	}
	return pairing.EstimateEdges(cands, StructuresFrom(ss)), nil
}

// keepFixed returns the fixed pairs whose candidate and structure are both
// among the rows: a pair of another dataset, or hidden by a scope, is not
// this match's to keep.
func keepFixed(fixed []pairing.FixedPair, cands []pairing.Candidate, structs []pairing.Structure) []pairing.FixedPair {
	if len(fixed) == 0 {
		return nil
	}
	cs := make(map[string]bool, len(cands))
	for i := range cands {
		cs[cands[i].ID] = true
	}
	ss := make(map[string]bool, len(structs))
	for i := range structs {
		ss[structs[i].ID] = true
	}
	out := make([]pairing.FixedPair, 0, len(fixed))
	for _, f := range fixed {
		if cs[f.Candidate] && ss[f.Structure] {
			out = append(out, f)
		}
	}
	return out
}
