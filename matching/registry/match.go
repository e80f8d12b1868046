package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching"
	"github.com/maillage/maillage/matching/internal/stop"
	"github.com/maillage/maillage/matching/pairing"
)

// AlgorithmBoth runs AlgorithmOptimal and AlgorithmGreedy on the same input:
// the result is the optimal one, with a MatchComparison.
const AlgorithmBoth = "both"

// Parts of a MatchResult that MatchResult.Page pages through.
const (
	PartAssignments = "assignments"
	PartUnmatched   = "unmatched"
	PartUnfilled    = "unfilled"
	PartBalance     = "balance"
)

// ErrBadMatchRequest is wrapped by the validation errors of Match that are
// not about rows (algorithm, weights, caps, missing inputs).
var ErrBadMatchRequest = errors.New("invalid match request")

// CandidatesFrom converts loaded candidates to the assignment's input.
func CandidatesFrom(cs []people.Candidate) []pairing.Candidate {
	out := make([]pairing.Candidate, len(cs))
	for i := range cs {
		c := &cs[i]
		out[i] = pairing.Candidate{ID: c.ID, Point: c.Point, MaxKm: c.MaxKm, Departement: c.Departement,
			AvailableDay: people.DayNumber(c.AvailableFrom), Wished: c.Departements}
	}
	return out
}

// StructuresFrom converts loaded structures to the assignment's input, with
// weight 1 (see PriorityWeights); a structure without phase gets the phase
// of its type (people.PhaseOfType).
func StructuresFrom(ss []people.Structure) []pairing.Structure {
	out := make([]pairing.Structure, len(ss))
	for i := range ss {
		s := &ss[i]
		out[i] = pairing.Structure{ID: s.ID, Name: s.Name, Type: s.Type, Point: s.Point, Posts: s.Posts, Departement: s.Departement,
			StartDay: people.DayNumber(s.MissionStart), Phase: s.Phase}
		if s.Phase == people.PhaseUnknown {
			// Rows stored before the phase existed, or built in code.
			out[i].Phase = people.PhaseOfType(s.Type)
		}
	}
	return out
}

// PriorityWeights favours host structures where the mesh is thin. The rule:
//
//   - a structure is in a coverage gap when at least half of the located
//     inhabitants of its commune are beyond the default reach (30 minutes,
//     coverage.DefaultReach) of every site of the default layer (France
//     Services): the commune's covered_share is below
//     coverage.RuralGapShareMin;
//   - a structure is rural when its commune has fewer than
//     coverage.RuralDensityMaxKm2 inhabitants per km²;
//   - its weight is the largest of Gap (when in a gap) and Rural (when
//     rural), else 1. A structure without a commune (a point outside every
//     boundary) gets 1.
//
// Zero means 1 (no priority); other values must be within [1,
// MaxStructureWeight]. Weights only steer AlgorithmOptimal: among the
// assignments filling the most posts, it fills the posts of the heavier
// structures first (see Assign); the greedy baseline ignores them.
type PriorityWeights struct {
	Gap   float64 `json:"gap,omitempty"`
	Rural float64 `json:"rural,omitempty"`
}

// isZero reports whether no weight is set.
func (w PriorityWeights) isZero() bool { return w.Gap == 0 && w.Rural == 0 }

// validate checks each weight is 0 or within [1, MaxStructureWeight].
func (w PriorityWeights) validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"gap", w.Gap}, {"rural", w.Rural}} {
		if f.v != 0 && !(f.v >= 1 && f.v <= pairing.MaxStructureWeight) {
			return fmt.Errorf("%w: weights.%s %v (want 1 to %g)", ErrBadMatchRequest, f.name, f.v, pairing.MaxStructureWeight)
		}
	}
	return nil
}

// weigh sets the Weight of structs (converted from ss, same order) by the
// priority rule over e and returns how many got a weight above 1.
func weigh(e *matching.Engine, structs []pairing.Structure, ss []people.Structure, w PriorityWeights) (int, error) {
	if w.isZero() {
		return 0, nil
	}
	gap, rural, err := e.Coverage().PriorityFlags()
	if err != nil {
		return 0, fmt.Errorf("priority weights: %w", err)
	}
	n := 0
	for i := range structs {
		ci, ok := e.Territory().CommuneID(ss[i].Commune)
		if !ok || ss[i].Commune == "" {
			continue
		}
		wt := 1.0
		if gap[ci] && w.Gap > 0 {
			wt = max(wt, w.Gap)
		}
		if rural[ci] && w.Rural > 0 {
			wt = max(wt, w.Rural)
		}
		structs[i].Weight = wt
		if wt > 1 {
			n++
		}
	}
	return n, nil
}

// MatchRequest is a matching to run. Rows are given inline or by dataset id
// (an uploaded dataset, or matching.BuiltinStructuresDataset for structures); inline
// rows win.
type MatchRequest struct {
	Candidates        []people.Candidate
	Structures        []people.Structure
	CandidatesDataset string
	StructuresDataset string
	// Algorithm is AlgorithmOptimal (default), AlgorithmGreedy or
	// AlgorithmBoth.
	Algorithm       string
	DepartementCaps map[string]int
	Weights         PriorityWeights
	Workers         int                   // see AssignOptions
	Progress        func(done, total int) // see AssignOptions; fed by the optimal run
	// Visible, when not nil, keeps only the candidates and structures whose
	// département it accepts (for access scopes).
	Visible func(departement string) bool
	// Phase, 1 or 2, matches only the structures of that phase (0: all).
	Phase int
	// Fixed are pairs already recruited, kept as they are (see
	// AssignOptions.Fixed); pairs whose candidate or structure is not in
	// the rows (hidden by Visible) are left out.
	Fixed []pairing.FixedPair
	// Excluded, when not nil, gives why a structure takes no candidate
	// ("" when it may), e.g. an unfavourable opinion.
	Excluded func(structureID string) string
}

// MatchSummary sums up one assignment.
type MatchSummary struct {
	Algorithm         string  `json:"algorithm"`
	Posts             int     `json:"posts"`
	PostsFilled       int     `json:"posts_filled"`
	Candidates        int     `json:"candidates"`
	CandidatesMatched int     `json:"candidates_matched"`
	TotalDistanceM    float64 `json:"total_distance_m"`
	MeanDistanceM     float64 `json:"mean_distance_m"` // over the assignments
	Edges             int     `json:"edges"`           // candidate–structure pairs within reach
	ComputeMS         float64 `json:"compute_ms"`
}

// MatchComparison sets the optimal assignment against the greedy baseline.
// DistanceSavedM is the greedy total distance minus the optimal one: it is
// negative when the optimal fills more posts at a longer total; the mean
// per assignment is then the fairer figure.
type MatchComparison struct {
	Optimal            MatchSummary `json:"optimal"`
	Greedy             MatchSummary `json:"greedy"`
	ExtraPostsFilled   int          `json:"extra_posts_filled"` // optimal − greedy
	DistanceSavedM     float64      `json:"distance_saved_m"`
	MeanDistanceSavedM float64      `json:"mean_distance_saved_m"` // greedy mean − optimal mean
}

// MatchResult is a matching run: its summary and the whole assignment (the
// optimal one when both algorithms ran).
type MatchResult struct {
	ID                 string                       `json:"id"`
	Algorithm          string                       `json:"algorithm"` // as requested
	CandidatesDataset  string                       `json:"candidates_dataset,omitempty"`
	StructuresDataset  string                       `json:"structures_dataset,omitempty"`
	CreatedAt          time.Time                    `json:"created_at"`
	DepartementCaps    map[string]int               `json:"departement_caps,omitempty"`
	Phase              int                          `json:"phase,omitempty"` // 1 or 2 when the match was limited to a phase
	FixedPairs         int                          `json:"fixed_pairs,omitempty"`
	Weights            PriorityWeights              `json:"weights"`
	WeightedStructures int                          `json:"weighted_structures"` // structures given a weight above 1
	Summary            MatchSummary                 `json:"summary"`
	Comparison         *MatchComparison             `json:"comparison,omitempty"`
	Balance            []pairing.DepartementBalance `json:"balance"`
	Assignments        []pairing.Assignment         `json:"assignments"`
	Unmatched          []pairing.Unmatched          `json:"unmatched"`
	Unfilled           []pairing.UnfilledPosts      `json:"unfilled"`
}

// Matches are the match runs of a Registry, the match results it stores
// (as datasets of kind data.KindMatchResult, in the Datasets cache) and
// the suggestions over uploaded datasets and stored results. Get them
// with Registry.Matches.
type Matches struct {
	reg *Registry
}

// Run resolves the request's rows, applies the priority weights and
// runs the assignment(s). It does not store the result (Save does) and
// leaves ID empty. Row problems are errors wrapping ErrBadAssignInput,
// request problems ErrBadMatchRequest, missing datasets
// data.ErrDatasetNotFound. It stops when ctx is done.
func (m *Matches) Run(ctx context.Context, req MatchRequest) (*MatchResult, error) {
	alg := req.Algorithm
	switch alg {
	case "":
		alg = pairing.AlgorithmOptimal
	case pairing.AlgorithmOptimal, pairing.AlgorithmGreedy, AlgorithmBoth:
	default:
		return nil, fmt.Errorf("%w: algorithm %q (want %s, %s or %s)", ErrBadMatchRequest, req.Algorithm, pairing.AlgorithmOptimal, pairing.AlgorithmGreedy, AlgorithmBoth)
	}
	if err := req.Weights.validate(); err != nil {
		return nil, err
	}
	for d, c := range req.DepartementCaps {
		if c < 0 {
			return nil, fmt.Errorf("%w: departement_caps[%q] = %d (want >= 0)", ErrBadMatchRequest, d, c)
		}
	}
	if req.Phase < 0 || req.Phase > 2 {
		return nil, fmt.Errorf("%w: phase %d (want 1 or 2)", ErrBadMatchRequest, req.Phase)
	}
	res := &MatchResult{Algorithm: alg, CreatedAt: time.Now().UTC(), DepartementCaps: req.DepartementCaps, Weights: req.Weights, Phase: req.Phase}
	e := m.reg.Engine()
	cands, ss, err := m.rows(req, res)
	if err != nil {
		return nil, err
	}
	structs := StructuresFrom(ss)
	if req.Excluded != nil {
		for i := range structs {
			structs[i].Excluded = req.Excluded(structs[i].ID)
		}
	}
	fixed := keepFixed(req.Fixed, cands, structs)
	res.FixedPairs = len(fixed)
	n, err := weigh(e, structs, ss, req.Weights)
	if err != nil {
		return nil, err
	}
	res.WeightedStructures = n

	run := func(alg string, progress func(int, int)) (pairing.AssignResult, MatchSummary, error) {
		t0 := time.Now()
		ar, err := pairing.Assign(ctx, cands, structs, pairing.AssignOptions{Algorithm: alg, DepartementCaps: req.DepartementCaps,
			Workers: req.Workers, Progress: progress, Phase: req.Phase, Fixed: fixed})
		if err != nil {
			return ar, MatchSummary{}, err
		}
		sum := summarize(&ar, cands, structs)
		sum.ComputeMS = float64(time.Since(t0).Microseconds()) / 1000
		return ar, sum, nil
	}
	primary := alg
	if alg == AlgorithmBoth {
		primary = pairing.AlgorithmOptimal
	}
	ar, sum, err := run(primary, req.Progress)
	if err != nil {
		return nil, err
	}
	if alg == AlgorithmBoth {
		_, gsum, err := run(pairing.AlgorithmGreedy, nil)
		if err != nil {
			return nil, err
		}
		res.Comparison = &MatchComparison{Optimal: sum, Greedy: gsum,
			ExtraPostsFilled:   sum.PostsFilled - gsum.PostsFilled,
			DistanceSavedM:     gsum.TotalDistanceM - sum.TotalDistanceM,
			MeanDistanceSavedM: gsum.MeanDistanceM - sum.MeanDistanceM}
	}
	res.Summary = sum
	res.Balance, res.Assignments, res.Unmatched, res.Unfilled = ar.Balance, ar.Assignments, ar.Unmatched, ar.Unfilled
	return res, nil
}

// summarize sums up an assignment result.
func summarize(ar *pairing.AssignResult, cands []pairing.Candidate, structs []pairing.Structure) MatchSummary {
	s := MatchSummary{Algorithm: ar.Algorithm, PostsFilled: ar.PostsFilled, Candidates: len(cands),
		CandidatesMatched: len(ar.Assignments), TotalDistanceM: ar.TotalDistanceM, Edges: ar.Edges}
	for i := range structs {
		s.Posts += structs[i].Posts
	}
	if len(ar.Assignments) > 0 {
		s.MeanDistanceM = ar.TotalDistanceM / float64(len(ar.Assignments))
	}
	return s
}

// Match runs the request (Run) and stores the result (Save),
// only when ctx is still alive once the result is ready: a result whose
// requester is gone would be stored under an id nobody received.
func (m *Matches) Match(ctx context.Context, req MatchRequest) (*MatchResult, error) {
	res, err := m.Run(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := stop.Err(ctx, "match (nothing stored)"); err != nil {
		return nil, err
	}
	if err := m.Save(res); err != nil {
		return nil, err
	}
	return res, nil
}

// Save stores res as a KindMatchResult dataset under a new id
// ("match-…"), which it sets, and keeps it decoded for paging and
// suggestions. The dataset's Rows counts the assignments, its Departements
// are res.Departements().
func (m *Matches) Save(res *MatchResult) error {
	id, err := newDatasetID(data.KindMatchResult)
	if err != nil {
		return err
	}
	res.ID = id
	b, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("match %s: %w", id, err)
	}
	name := fmt.Sprintf("match %s", res.Algorithm)
	if res.CandidatesDataset != "" || res.StructuresDataset != "" {
		name = fmt.Sprintf("match %s of %s × %s", res.Algorithm, orInline(res.CandidatesDataset), orInline(res.StructuresDataset))
	}
	d := &data.Dataset{Meta: data.DatasetMeta{ID: id, Kind: data.KindMatchResult, Name: name, Rows: len(res.Assignments),
		Departements: res.Departements(), CreatedAt: res.CreatedAt, Source: "api"}, Result: b}
	if err := m.reg.store.Put(d); err != nil {
		return fmt.Errorf("match %s: %w", id, err)
	}
	en, err := m.reg.datasets.entry(id)
	if err != nil {
		return err
	}
	en.setResult(res)
	return nil
}

// Departements returns the départements of the result's candidates and
// structures, ascending; "" (first) stands for rows without one.
func (r *MatchResult) Departements() []string {
	out := make([]string, len(r.Balance))
	for i, b := range r.Balance {
		out[i] = b.Departement
	}
	return out // Balance is sorted by code and has one entry per code
}

func orInline(id string) string {
	if id == "" {
		return "inline rows"
	}
	return id
}
