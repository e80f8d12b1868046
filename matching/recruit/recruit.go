// Package recruit is the recruitment process on top of the matching
// (issue 21): candidate–structure pairs move through statuses, prefects
// give their opinion on structures, and the history of both is kept in the
// store (people.RecruitmentStore). The process then steers the matching: a
// recruited pair is fixed in every re-match, a recruited candidate and a
// full structure leave the suggestions, and a structure with an
// unfavourable opinion is excluded until the opinion changes.
//
// Pairs and opinions are keyed by the candidates' and structures' ids, as
// the programme's files keep them across uploads.
package recruit

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching/pairing"
	"github.com/maillage/maillage/matching/registry"
)

// Statuses of a pair. A pair of a stored match or suggestion list is
// Proposee until its first move.
const (
	Proposee    = "proposee"
	Interessee  = "interessee"
	Recrutee    = "recrutee"
	NonRetenue  = "non_retenue"
	Desistement = "desistement"
)

// moves are the legal moves of the status machine, from each status ("" is
// a pair without history, implicitly Proposee): proposee → interessee →
// recrutee, and non_retenue or desistement from any live status; a
// recruited candidate may still withdraw. non_retenue and desistement are
// final.
var moves = map[string][]string{
	"":         {Proposee, Interessee, NonRetenue, Desistement},
	Proposee:   {Interessee, NonRetenue, Desistement},
	Interessee: {Recrutee, NonRetenue, Desistement},
	Recrutee:   {Desistement},
}

// Statuses lists every status, in the machine's order.
var Statuses = []string{Proposee, Interessee, Recrutee, NonRetenue, Desistement}

// ErrBadRequest is wrapped by the errors of a request that cannot be
// right (an unknown status, a missing match, an unknown row).
var ErrBadRequest = errors.New("invalid recruitment request")

// ErrConflict is wrapped by every *ConflictError.
var ErrConflict = errors.New("recruitment conflict")

// ConflictError refuses a move the state does not allow: an illegal move
// of the machine, a candidate recruited elsewhere, a full structure, or a
// status changed meanwhile. Current is the pair's status (Proposee for a
// pair without history).
type ConflictError struct {
	Current string
	Reason  string
}

func (e *ConflictError) Error() string { return e.Reason }

// Unwrap returns ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Pair is a candidate–structure pair and its status.
type Pair struct {
	Structure            string                    `json:"structure"`
	Candidate            string                    `json:"candidate"`
	Status               string                    `json:"status"`
	Departement          string                    `json:"departement"`
	CandidateDepartement string                    `json:"candidate_departement"`
	Match                string                    `json:"match,omitempty"`
	By                   string                    `json:"by"`
	At                   time.Time                 `json:"at"`
	Comment              string                    `json:"comment,omitempty"`
	History              []people.RecruitmentEvent `json:"history"`
}

// structState is what the process knows of one structure.
type structState struct {
	posts   int // as of its last event
	phase   int
	dep     string
	filled  int // pairs recrutee
	opinion *Opinion
}

// Process is the recruitment state, the projection of the history in the
// store; safe for concurrent use.
type Process struct {
	store    people.RecruitmentStore
	registry *registry.Registry

	mu        sync.RWMutex
	pairs     map[[2]string]*Pair     // (structure, candidate) → pair
	recruited map[string]string       // candidate → structure that recruited it
	structs   map[string]*structState // structure id → state
	reach     map[[2]string][]uint8   // (candidates, structures) datasets → registry.ProcessRows.Reach
	applied   int64                   // events folded into the state (see Sync)
}

// New reads the history of store and returns the process over it; rows
// are resolved in reg.
func New(store people.RecruitmentStore, reg *registry.Registry) (*Process, error) {
	p := &Process{store: store, registry: reg}
	if err := p.reload(); err != nil {
		return nil, err
	}
	return p, nil
}

// reload rebuilds the state from the store's history.
func (p *Process) reload() error {
	evs, err := p.store.Events()
	if err != nil {
		return fmt.Errorf("recruitment history: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pairs, p.recruited, p.structs = map[[2]string]*Pair{}, map[string]string{}, map[string]*structState{}
	if p.reach == nil {
		p.reach = map[[2]string][]uint8{}
	}
	for i := range evs {
		p.apply(&evs[i])
	}
	p.applied = int64(len(evs))
	return nil
}

// Sync catches up with the moves other processes (replicas on one
// database) appended to the history since this one last read it: when the
// store counts more events than the state holds, the state is read again
// whole. It costs one count when nothing changed; the API calls it before
// each recruitment answer, so that a replica never proposes a candidate
// another replica has recruited.
func (p *Process) Sync() error {
	n, err := p.store.EventCount()
	if err != nil {
		return fmt.Errorf("recruitment history: %w", err)
	}
	p.mu.RLock()
	current := n == p.applied
	p.mu.RUnlock()
	if current {
		return nil
	}
	return p.reload()
}

// structState returns the state of structure id, made on first use.
func (p *Process) structState(id string) *structState {
	st := p.structs[id]
	if st == nil {
		st = &structState{}
		p.structs[id] = st
	}
	return st
}

// apply folds one event into the state; p.mu is held.
func (p *Process) apply(e *people.RecruitmentEvent) {
	st := p.structState(e.Structure)
	if e.Posts > 0 {
		st.posts, st.phase, st.dep = e.Posts, e.Phase, e.Departement
	}
	if e.Kind == people.EventAvis {
		st.opinion = &Opinion{Structure: e.Structure, Departement: e.Departement, Avis: e.Status, Comment: e.Comment, By: e.By, At: e.At}
		return
	}
	k := [2]string{e.Structure, e.Candidate}
	pr := p.pairs[k]
	if pr == nil {
		pr = &Pair{Structure: e.Structure, Candidate: e.Candidate}
		p.pairs[k] = pr
	}
	if pr.Status == Recrutee {
		st.filled--
		delete(p.recruited, e.Candidate)
	}
	if e.Status == Recrutee {
		st.filled++
		p.recruited[e.Candidate] = e.Structure
	}
	pr.Status, pr.Departement, pr.CandidateDepartement = e.Status, e.Departement, e.CandidateDepartement
	pr.Match, pr.By, pr.At, pr.Comment = e.Match, e.By, e.At, e.Comment
	pr.History = append(pr.History, *e)
}

// Move is a request to move a pair to a new status.
type Move struct {
	Structure string
	Candidate string
	Status    string
	Comment   string
	By        string    // the token's name
	At        time.Time // zero: now
	// Match is the match result the pair comes from; when empty, the one
	// stored match holding the pair, else the pair's datasets Candidates
	// and Structures.
	Match      string
	Candidates string
	Structures string
	// Visible, when not nil, hides the rows whose département it refuses:
	// such a pair is unknown (for access scopes).
	Visible func(departement string) bool
}

// MaxCommentBytes bounds a comment.
const MaxCommentBytes = 2000

// Resolved is a pair located in its datasets.
type Resolved struct {
	Match                string
	Rows                 *registry.ProcessRows
	Structure            *pairing.Structure
	Candidate            *pairing.Candidate
	Departement          string
	CandidateDepartement string
}

// resolve finds the datasets and rows of the pair (s, c).
func (p *Process) resolve(s, c, match, cands, structs string, visible func(string) bool) (*Resolved, error) {
	// A pair in no match and a pair hidden by the scope get one answer,
	// so that a scoped token cannot probe for pairs outside it.
	noPair := fmt.Errorf("pair (%s, %s): %w: it is in no stored match you can see: give match, or candidates and structures (dataset ids)", s, c, registry.ErrUnknownRow)
	auto := false
	if match == "" && (cands == "" || structs == "") {
		ids, err := p.registry.Matches().WithPair(s, c)
		if err != nil {
			return nil, err
		}
		switch len(ids) {
		case 0:
			return nil, noPair
		case 1:
			match, auto = ids[0], true
		default:
			return nil, fmt.Errorf("%w: the pair (%s, %s) is in several stored matches: give match", ErrBadRequest, s, c)
		}
	}
	if match != "" {
		res, err := p.registry.Matches().Result(match)
		if err != nil {
			return nil, err
		}
		if res.CandidatesDataset == "" || res.StructuresDataset == "" {
			return nil, fmt.Errorf("%w: match %s ran on inline rows: run it on uploaded datasets to follow its recruitments", ErrBadRequest, match)
		}
		cands, structs = res.CandidatesDataset, res.StructuresDataset
	}
	rows, err := p.registry.Datasets().ProcessRows(cands, structs)
	if err != nil {
		return nil, err
	}
	si, okS := rows.StructureIndex[s]
	ci, okC := rows.CandidateIndex[c]
	if okS && visible != nil && !visible(rows.Structures[si].Departement) {
		okS = false
	}
	if okC && visible != nil && !visible(rows.Candidates[ci].Departement) {
		okC = false
	}
	if (!okS || !okC) && auto {
		return nil, noPair
	}
	if !okS || !okC {
		return nil, fmt.Errorf("pair (%s, %s): %w in datasets %s and %s", s, c, registry.ErrUnknownRow, structs, cands)
	}
	st, ca := &rows.Structures[si], &rows.Candidates[ci]
	return &Resolved{Match: match, Rows: rows, Structure: st, Candidate: ca, Departement: st.Departement, CandidateDepartement: ca.Departement}, nil
}

// Move moves a pair to m.Status and records it: the machine's illegal
// moves, a candidate recruited elsewhere, a full structure and a status
// changed meanwhile are *ConflictError.
func (p *Process) Move(m Move) (*Pair, error) {
	if !slices.Contains(Statuses, m.Status) {
		return nil, fmt.Errorf("%w: status %q (want one of %v)", ErrBadRequest, m.Status, Statuses)
	}
	if len(m.Comment) > MaxCommentBytes {
		return nil, fmt.Errorf("%w: comment of %d bytes, more than %d", ErrBadRequest, len(m.Comment), MaxCommentBytes)
	}
	r, err := p.resolve(m.Structure, m.Candidate, m.Match, m.Candidates, m.Structures, m.Visible)
	if err != nil {
		return nil, err
	}
	at := m.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	e := &people.RecruitmentEvent{Kind: people.EventStatus, Structure: m.Structure, Candidate: m.Candidate,
		Departement: r.Departement, CandidateDepartement: r.CandidateDepartement, Match: r.Match,
		Candidates: r.Rows.CandidatesID, Structures: r.Rows.StructuresID, Status: m.Status, Comment: m.Comment,
		By: m.By, At: at, Posts: r.Structure.Posts, Phase: r.Structure.Phase}
	if err := p.check(e); err != nil {
		return nil, err
	}
	// The lock is held from the append to the apply, so that a Sync reading
	// the history meanwhile cannot be overtaken by this apply (the event
	// would be folded in twice).
	p.mu.Lock()
	if err := p.store.AppendEvent(e); err != nil {
		p.mu.Unlock()
		var stale *people.StaleError
		if errors.As(err, &stale) {
			// Another replica moved it first: catch up and say where it is.
			if rerr := p.reload(); rerr != nil {
				return nil, rerr
			}
			return nil, &ConflictError{Current: shown(stale.Current), Reason: fmt.Sprintf("the pair's status changed meanwhile: it is now %s", shown(stale.Current))}
		}
		return nil, err
	}
	defer p.mu.Unlock()
	p.apply(e)
	p.applied++
	out := *p.pairs[[2]string{e.Structure, e.Candidate}]
	out.History = slices.Clone(out.History)
	return &out, nil
}

// check refuses the moves the state does not allow and sets e.From.
func (p *Process) check(e *people.RecruitmentEvent) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	cur := ""
	if pr := p.pairs[[2]string{e.Structure, e.Candidate}]; pr != nil {
		cur = pr.Status
	}
	e.From = cur
	if !slices.Contains(moves[cur], e.Status) {
		return &ConflictError{Current: shown(cur), Reason: fmt.Sprintf("the pair is %s: it cannot move to %s (from %s: %v)", shown(cur), e.Status, shown(cur), legal(cur))}
	}
	if e.Status != Recrutee {
		return nil
	}
	if s, ok := p.recruited[e.Candidate]; ok {
		return &ConflictError{Current: shown(cur), Reason: fmt.Sprintf("candidate %s is already recruited by structure %s", e.Candidate, s)}
	}
	if st := p.structs[e.Structure]; st != nil && st.filled >= e.Posts {
		return &ConflictError{Current: shown(cur), Reason: fmt.Sprintf("structure %s has all its %d posts filled", e.Structure, e.Posts)}
	}
	if st := p.structs[e.Structure]; st != nil && st.opinion != nil && st.opinion.Avis == Defavorable {
		return &ConflictError{Current: shown(cur), Reason: fmt.Sprintf("structure %s has an unfavourable opinion of the prefect", e.Structure)}
	}
	return nil
}

// shown is a status as reported: Proposee for a pair without history.
func shown(status string) string {
	if status == "" {
		return Proposee
	}
	return status
}

// legal lists the moves from status, none for a final one.
func legal(status string) []string {
	if m := moves[status]; m != nil {
		return m
	}
	return []string{}
}

// Pair returns the pair (s, c), nil when it has no history.
func (p *Process) Pair(s, c string) *Pair {
	p.mu.RLock()
	defer p.mu.RUnlock()
	pr := p.pairs[[2]string{s, c}]
	if pr == nil {
		return nil
	}
	out := *pr
	out.History = slices.Clone(pr.History)
	return &out
}

// Fixed returns the recruited pairs, for a re-match to keep.
func (p *Process) Fixed() []pairing.FixedPair {
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := make([]pairing.FixedPair, 0, len(p.recruited))
	for c, s := range p.recruited {
		out = append(out, pairing.FixedPair{Candidate: c, Structure: s})
	}
	slices.SortFunc(out, func(a, b pairing.FixedPair) int {
		if a.Structure != b.Structure {
			return cmpString(a.Structure, b.Structure)
		}
		return cmpString(a.Candidate, b.Candidate)
	})
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Recruited reports whether candidate c is recruited.
func (p *Process) Recruited(c string) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	_, ok := p.recruited[c]
	return ok
}

// Filled returns the posts of structure s filled by recruitments.
func (p *Process) Filled(s string) int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if st := p.structs[s]; st != nil {
		return st.filled
	}
	return 0
}

// MatchRequest adds the process to a match: recruited pairs fixed,
// structures with an unfavourable opinion excluded.
func (p *Process) MatchRequest(req *registry.MatchRequest) {
	req.Fixed = p.Fixed()
	req.Excluded = p.ExcludedReason
}

// SuggestQuery adds the process to suggestions: recruited candidates and
// full or excluded structures leave them. The recruitments counted as
// filling posts are those Match did not already place there.
func (p *Process) SuggestQuery(q *registry.SuggestQuery) error {
	q.Recruited = p.Recruited
	q.Excluded = p.ExcludedReason
	placed := map[string]string{}
	if q.Match != "" {
		res, err := p.registry.Matches().Result(q.Match)
		if err != nil {
			return err
		}
		p.mu.RLock()
		for c, s := range p.recruited {
			placed[c] = s
		}
		p.mu.RUnlock()
		for _, a := range res.Assignments {
			if placed[a.Candidate] == a.Structure {
				delete(placed, a.Candidate) // counted by the match already
			}
		}
		count := map[string]int{}
		for _, s := range placed {
			count[s]++
		}
		q.Filled = func(s string) int { return count[s] }
		return nil
	}
	q.Filled = p.Filled
	return nil
}
