package registry

import (
	"errors"
	"fmt"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/pairing"
)

// MaxSuggestions is the largest k of the dataset suggestions.
const MaxSuggestions = 100

// ErrBadSuggestQuery is wrapped by the validation errors of the dataset
// suggestions (k out of range, no candidates dataset).
var ErrBadSuggestQuery = errors.New("invalid suggestion query")

// ErrUnknownRow is wrapped when a structure or candidate id is not in its
// dataset.
var ErrUnknownRow = errors.New("unknown row")

// SuggestQuery says where suggestions are looked for.
type SuggestQuery struct {
	// Candidates is the candidates dataset id; empty means the candidates
	// dataset of Match.
	Candidates string
	// Structures is the structures dataset id; empty means that of Match,
	// else matching.BuiltinStructuresDataset.
	Structures string
	// Match, when set, is a stored match result: the candidates it placed
	// are taken, and the posts it filled are not open.
	Match string
	// K is the number of suggestions wanted, 1 to MaxSuggestions.
	K int
	// Visible, when not nil, hides the rows whose département it refuses:
	// a hidden structure or candidate is unknown, hidden rows are never
	// suggested (for access scopes).
	Visible func(departement string) bool
	// Phase, 1 or 2, proposes only structures of that phase (0: all).
	Phase int
	// Recruited, when not nil, reports the candidates recruited by a
	// structure: they are not proposed to others.
	Recruited func(candidateID string) bool
	// Filled, when not nil, counts the posts of a structure filled by
	// recruitments (besides those of Match): a structure whose posts are
	// all filled is not proposed.
	Filled func(structureID string) int
	// Excluded, when not nil, gives why a structure is excluded from the
	// process ("" when it is not; e.g. an unfavourable opinion): it gets
	// and gives no suggestion.
	Excluded func(structureID string) string
}

// CandidateSuggestion is a candidate proposed to a structure.
type CandidateSuggestion struct {
	ID          string  `json:"id"`
	DistanceM   float64 `json:"distance_m"`
	MaxKm       float64 `json:"max_km"`
	Commune     string  `json:"commune"`
	Departement string  `json:"departement"`
}

// StructureSuggestion is a structure with open posts proposed to a
// candidate.
type StructureSuggestion struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Type        string  `json:"type"`
	DistanceM   float64 `json:"distance_m"`
	Posts       int     `json:"posts"`
	OpenPosts   int     `json:"open_posts"`
	Commune     string  `json:"commune"`
	Departement string  `json:"departement"`
}

// suggestInputs are the resolved datasets of a query.
type suggestInputs struct {
	cands, structs, match *datasetEntry
}

// resolve checks q and loads its datasets.
func (m *Matches) resolve(q SuggestQuery) (suggestInputs, error) {
	ds := &m.reg.datasets
	var in suggestInputs
	if q.K < 1 || q.K > MaxSuggestions {
		return in, fmt.Errorf("%w: k %d (want 1 to %d)", ErrBadSuggestQuery, q.K, MaxSuggestions)
	}
	if q.Phase < 0 || q.Phase > 2 {
		return in, fmt.Errorf("%w: phase %d (want 1 or 2)", ErrBadSuggestQuery, q.Phase)
	}
	if q.Match != "" {
		en, err := ds.entryOf(q.Match, data.KindMatchResult)
		if err != nil {
			return in, err
		}
		en.result()
		if en.resErr != nil {
			return in, en.resErr
		}
		in.match = en
		if q.Candidates == "" {
			q.Candidates = en.res.CandidatesDataset
		}
		if q.Structures == "" {
			q.Structures = en.res.StructuresDataset
		}
	}
	if q.Candidates == "" {
		return in, fmt.Errorf("%w: a candidates dataset is required (candidates=<dataset id>)", ErrBadSuggestQuery)
	}
	if q.Structures == "" {
		q.Structures = matching.BuiltinStructuresDataset
	}
	var err error
	if in.cands, err = ds.entryOf(q.Candidates, data.KindCandidates); err != nil {
		return in, err
	}
	if in.structs, err = ds.entryOf(q.Structures, data.KindStructures); err != nil {
		return in, err
	}
	in.cands.convert()
	in.structs.convert()
	return in, nil
}

// SuggestForStructure returns the q.K candidates nearest to the structure
// structureID (of q.Structures) that are free (not placed by q.Match) and
// have it within their max_km, nearest first. The candidates' site index is
// built on the first query of a dataset and kept. ExplainStructure says
// which pairs within reach it left out, and why.
func (m *Matches) SuggestForStructure(structureID string, q SuggestQuery) ([]CandidateSuggestion, error) {
	in, si, err := m.resolveStructure(structureID, q)
	if err != nil {
		return nil, err
	}
	cands := in.cands.cands
	st := in.structs.structs[si]
	off, candOff := in.structureRules(q, si)
	if off != "" {
		return []CandidateSuggestion{}, nil // excluded, outside the phase, or full: nobody to propose
	}
	var taken func(string) bool
	if in.match != nil || q.Visible != nil || q.Recruited != nil {
		byID := in.cands.byID
		taken = func(id string) bool { return candOff(byID[id]) != "" }
	}
	sug := pairing.SuggestCandidates(st, cands, in.cands.index(), taken, q.K)
	out := make([]CandidateSuggestion, len(sug))
	rows := in.cands.ds.Candidates
	for i, s := range sug {
		c := &rows[in.cands.byID[s.ID]]
		out[i] = CandidateSuggestion{ID: s.ID, DistanceM: s.DistanceM, MaxKm: c.MaxKm, Commune: c.Commune, Departement: c.Departement}
	}
	return out, nil
}

// resolveStructure resolves q and finds structureID, unknown when hidden.
func (m *Matches) resolveStructure(structureID string, q SuggestQuery) (suggestInputs, int, error) {
	in, err := m.resolve(q)
	if err != nil {
		return in, 0, err
	}
	si, ok := in.structs.byID[structureID]
	if !ok || (q.Visible != nil && !q.Visible(in.structs.structs[si].Departement)) {
		return in, 0, fmt.Errorf("structure %q: %w in dataset %s", structureID, ErrUnknownRow, in.structs.ds.Meta.ID)
	}
	return in, si, nil
}

// resolveCandidate resolves q and finds candidateID, unknown when hidden.
func (m *Matches) resolveCandidate(candidateID string, q SuggestQuery) (suggestInputs, int, error) {
	in, err := m.resolve(q)
	if err != nil {
		return in, 0, err
	}
	ci, ok := in.cands.byID[candidateID]
	if !ok || (q.Visible != nil && !q.Visible(in.cands.cands[ci].Departement)) {
		return in, 0, fmt.Errorf("candidate %q: %w in dataset %s", candidateID, ErrUnknownRow, in.cands.ds.Meta.ID)
	}
	return in, ci, nil
}

// reasonHidden marks a row the scope hides: never suggested, never
// reported.
const reasonHidden = "\x00hidden"

// structureRules returns why structure si takes no candidate ("" when it
// may: an exclusion of the process, the phase, all posts filled) and why
// a candidate is kept off every structure ("" when it is not: placed by
// q.Match, recruited; reasonHidden when hidden by the scope).
func (in suggestInputs) structureRules(q SuggestQuery, si int) (string, func(ci int) string) {
	st := &in.structs.structs[si]
	off := ""
	switch {
	case q.Excluded != nil && q.Excluded(st.ID) != "":
		off = q.Excluded(st.ID)
	case q.Phase != 0 && st.Phase != q.Phase:
		off = pairing.ReasonPhaseExcluded
	case q.Filled != nil && st.Posts-q.Filled(st.ID) <= 0:
		off = pairing.ReasonStructuresFull
	}
	cands := in.cands.cands
	return off, func(ci int) string {
		c := &cands[ci]
		switch {
		case q.Visible != nil && !q.Visible(c.Departement):
			return reasonHidden
		case in.match != nil && in.match.taken[c.ID]:
			return ReasonCandidatePlaced
		case q.Recruited != nil && q.Recruited(c.ID):
			return ReasonCandidateRecruited
		}
		return ""
	}
}

// candidateRules returns why candidate ci gets no structure ("" when it
// may: recruited), why a structure is closed to it ("" when open:
// excluded, outside the phase, all posts filled; reasonHidden when hidden
// by the scope), and the open posts of a structure (not filled by q.Match
// nor by recruitments).
func (in suggestInputs) candidateRules(q SuggestQuery, ci int) (string, func(si int) string, func(si int) int) {
	off := ""
	if q.Recruited != nil && q.Recruited(in.cands.cands[ci].ID) {
		off = ReasonCandidateRecruited
	}
	structs := in.structs.structs
	open := func(si int) int {
		n := structs[si].Posts
		if in.match != nil {
			n -= in.match.filled[structs[si].ID]
		}
		if q.Filled != nil {
			n -= q.Filled(structs[si].ID)
		}
		return max(n, 0)
	}
	closed := func(si int) string {
		st := &structs[si]
		switch {
		case q.Visible != nil && !q.Visible(st.Departement):
			return reasonHidden
		case q.Excluded != nil && q.Excluded(st.ID) != "":
			return q.Excluded(st.ID)
		case q.Phase != 0 && st.Phase != q.Phase:
			return pairing.ReasonPhaseExcluded
		case open(si) <= 0:
			return pairing.ReasonStructuresFull
		}
		return ""
	}
	return off, closed, open
}

// SuggestForCandidate returns the q.K structures of q.Structures nearest to
// the candidate candidateID (of q.Candidates) within its max_km that have
// open posts (posts not filled by q.Match), nearest first.
// ExplainCandidate says which pairs within reach it left out, and why.
func (m *Matches) SuggestForCandidate(candidateID string, q SuggestQuery) ([]StructureSuggestion, error) {
	in, ci, err := m.resolveCandidate(candidateID, q)
	if err != nil {
		return nil, err
	}
	off, closed, open := in.candidateRules(q, ci)
	if off != "" {
		return []StructureSuggestion{}, nil // recruited: no other structure to propose
	}
	byID := in.structs.byID
	openPosts := func(id string) int {
		si := byID[id]
		if closed(si) != "" {
			return 0
		}
		return open(si)
	}
	sug := pairing.SuggestStructures(in.cands.cands[ci], in.structs.structs, in.structs.index(), openPosts, q.K)
	out := make([]StructureSuggestion, len(sug))
	rows := in.structs.ds.Structures
	for i, s := range sug {
		si := byID[s.ID]
		r := &rows[si]
		out[i] = StructureSuggestion{ID: s.ID, Name: r.Name, Type: r.Type, DistanceM: s.DistanceM, Posts: r.Posts,
			OpenPosts: open(si), Commune: r.Commune, Departement: r.Departement}
	}
	return out, nil
}
