package pairing

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/maillage/maillage/geo"
	"github.com/maillage/maillage/matching/assign"
	"github.com/maillage/maillage/matching/internal/stop"
)

// Candidate is a person applying for a conseiller numérique post. MaxKm is
// the farthest great-circle distance the candidate accepts (0 means
// DefaultCandidateMaxKm).
type Candidate struct {
	ID          string    `json:"id"`
	Point       orb.Point `json:"point"`
	MaxKm       float64   `json:"max_km"`
	Departement string    `json:"departement"`
	// AvailableDay is the first day the candidate can start, in days
	// since 1970-01-01 (people.DayNumber); 0 means now.
	AvailableDay int32 `json:"available_day,omitempty"`
	// Wished are the départements the candidate wishes to work in; none
	// means any within MaxKm.
	Wished []string `json:"wished,omitempty"`
}

// Structure is a host structure (commune, EPCI, association…) offering Posts
// conseiller posts. Weight is its priority, at least 1 (0 means 1): among the
// assignments that fill the most posts, posts at higher-weight structures are
// filled first (see Assign).
type Structure struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	Point       orb.Point `json:"point"`
	Posts       int       `json:"posts"`
	Departement string    `json:"departement"`
	Weight      float64   `json:"weight"`
	// StartDay is the mission start in days since 1970-01-01; 0 means not
	// given. A candidate available after it is not placed there.
	StartDay int32 `json:"start_day,omitempty"`
	// Phase is people.PhasePublic, people.PhasePrivate or 0 (unknown); see
	// AssignOptions.Phase.
	Phase int `json:"phase,omitempty"`
	// Excluded, when not empty, is why the structure takes no candidate
	// (e.g. an unfavourable opinion); it is the reason of its Unfilled.
	Excluded string `json:"excluded,omitempty"`
}

// AssignOptions tunes Assign.
type AssignOptions struct {
	// Algorithm is AlgorithmOptimal (the default when empty) or AlgorithmGreedy.
	Algorithm string `json:"algorithm"`
	// DepartementCaps bounds the posts filled per département (of the
	// structures); départements absent from the map are not capped.
	DepartementCaps map[string]int `json:"departement_caps,omitempty"`
	// Workers is the number of goroutines (default 2).
	Workers int `json:"workers,omitempty"`
	// Progress, when not nil, is called with the number of posts placed so
	// far out of total. Calls are serialized and done never decreases, but
	// they may come from worker goroutines.
	Progress func(done, total int) `json:"-"`
	// Phase, 1 or 2, keeps only the structures of that phase (0: all).
	Phase int `json:"phase,omitempty"`
	// Fixed are pairs already recruited: they stay, taking their post,
	// and the other candidates and posts are optimised around them.
	Fixed []FixedPair `json:"fixed,omitempty"`
}

// Assignment is one candidate placed on one post of a structure, with their
// great-circle distance.
type Assignment struct {
	Candidate string  `json:"candidate"`
	Structure string  `json:"structure"`
	DistanceM float64 `json:"distance_m"`
	Fixed     bool    `json:"fixed,omitempty"` // a pair of AssignOptions.Fixed
}

// Unmatched is a candidate left without a post, and why. Excluded counts
// the pairs in reach the process excluded (dates, phase, opinion,
// départements wished, full structures), nil when none.
type Unmatched struct {
	Candidate string      `json:"candidate"`
	Reason    string      `json:"reason"` // ReasonNoStructureInReach, ReasonOutcompeted, or the dominant exclusion (ReasonAvailableAfterStart…)
	Excluded  *Exclusions `json:"excluded,omitempty"`
}

// UnfilledPosts counts the posts of a structure left empty, and why.
type UnfilledPosts struct {
	Structure string `json:"structure"`
	Posts     int    `json:"posts"`
	Reason    string `json:"reason"` // ReasonNoCandidateInReach, ReasonDepartementCap, ReasonOutcompeted, ReasonPhaseExcluded, Structure.Excluded, or the dominant exclusion of its pairs
}

// DepartementBalance sums one département: posts of its structures, and its
// candidates (by the candidates' own département).
type DepartementBalance struct {
	Departement       string `json:"departement"`
	PostsRequested    int    `json:"posts_requested"`
	CandidatesInReach int    `json:"candidates_in_reach"` // candidates with at least one structure within their MaxKm
	PostsFilled       int    `json:"posts_filled"`
	CandidatesLeft    int    `json:"candidates_left"` // candidates without a post
}

// AssignResult is the outcome of Assign. Assignments and Unmatched follow
// the candidates' input order, Unfilled the structures' input order, Balance
// the département codes.
type AssignResult struct {
	Algorithm      string               `json:"algorithm"`
	Assignments    []Assignment         `json:"assignments"`
	Unmatched      []Unmatched          `json:"unmatched"`
	Unfilled       []UnfilledPosts      `json:"unfilled"`
	Balance        []DepartementBalance `json:"balance"`
	PostsFilled    int                  `json:"posts_filled"`
	TotalDistanceM float64              `json:"total_distance_m"`
	Edges          int                  `json:"edges"` // candidate–structure pairs within reach
}

// Algorithms of Assign.
const (
	AlgorithmOptimal = "optimal"
	AlgorithmGreedy  = "greedy"
)

// Reasons of Unmatched and UnfilledPosts.
const (
	ReasonNoStructureInReach = "no_structure_in_reach"
	ReasonNoCandidateInReach = "no_candidate_in_reach"
	ReasonOutcompeted        = "outcompeted"
	ReasonDepartementCap     = "departement_cap"
)

// Defaults and limits of the assignment inputs. Weights above
// MaxStructureWeight could overflow the integer costs of a large component
// (see package assign).
const (
	DefaultCandidateMaxKm = 30.0
	DefaultAssignWorkers  = assign.DefaultWorkers
	MaxStructureWeight    = 100.0
)

// ErrBadAssignInput is wrapped by every validation error of Assign; the
// message names the offending row index and id.
var ErrBadAssignInput = errors.New("invalid assignment input")

// ErrAssignTooLarge is returned when more than MaxAssignEdges pairs are
// within reach.
var ErrAssignTooLarge = errors.New("assignment too large")

// Assign places candidates on structure posts.
//
// Each candidate takes at most one post, only at a structure within its
// MaxKm; a structure never gets more candidates than Posts, and the posts
// filled in a capped département never exceed its cap.
//
// AlgorithmOptimal solves a min-cost flow exactly: it fills the most posts
// possible; among those assignments it maximizes the summed weight of the
// filled posts (weights compared to the hundredth); among those it minimizes
// the total distance in whole metres (each distance rounded to the metre).
// With all weights equal the objective is exactly (most posts, then least
// total rounded distance). See package assign for the cost rule and the
// algorithm.
//
// AlgorithmGreedy is the baseline: pairs are taken nearest first, in the
// order (rounded distance, candidate index, structure index), whenever the
// candidate is free, the structure has an open post and its département cap
// is not reached. It ignores weights.
//
// The result is deterministic: the same input gives the same output.
//
// Assign stops when ctx is done (the graph building, the greedy walk and
// the shortest-path searches look at it) and returns its error wrapped.
func Assign(ctx context.Context, cands []Candidate, structs []Structure, opt AssignOptions) (AssignResult, error) {
	in, err := newAssignInput(ctx, cands, structs, opt)
	if err != nil {
		return AssignResult{}, err
	}
	g, err := buildAssignGraph(ctx, in)
	if err != nil {
		return AssignResult{}, err
	}
	var sol assign.Solution
	switch in.algorithm {
	case AlgorithmGreedy:
		sol, err = assign.Greedy(ctx, in.problem(g), in.options())
	default:
		sol, err = solveOptimal(ctx, in, g)
	}
	if err != nil {
		return AssignResult{}, err
	}
	in.placeFixed(sol.Match)
	res := in.result(g, sol)
	res.Algorithm = in.algorithm
	return res, nil
}

// assignInput is the validated input with defaults applied.
type assignInput struct {
	cands     []Candidate
	structs   []Structure
	algorithm string
	workers   int
	progress  func(done, total int)
	maxEdges  int64 // MaxAssignEdges
	proc      processInput
	noDedup   bool // tests: query every candidate, even at a point another shares

	maxM    []float64 // per candidate, metres
	weightQ []int64   // per structure, weight in hundredths

	depts   []string // département codes of structures then candidates, sorted, unique
	sDept   []int32  // per structure, index in depts
	cDept   []int32  // per candidate, index in depts
	deptCap []int    // per département, -1 when not capped
}

// newAssignInput validates the rows (stopping when ctx is done) and
// applies the defaults.
func newAssignInput(ctx context.Context, cands []Candidate, structs []Structure, opt AssignOptions) (*assignInput, error) {
	in := &assignInput{cands: cands, structs: structs, algorithm: opt.Algorithm, workers: opt.Workers, progress: opt.Progress, maxEdges: MaxAssignEdges}
	switch in.algorithm {
	case "":
		in.algorithm = AlgorithmOptimal
	case AlgorithmOptimal, AlgorithmGreedy:
	default:
		return nil, fmt.Errorf("%w: algorithm %q (want %q or %q)", ErrBadAssignInput, opt.Algorithm, AlgorithmOptimal, AlgorithmGreedy)
	}
	if in.workers < 0 {
		return nil, fmt.Errorf("%w: workers %d", ErrBadAssignInput, in.workers)
	}
	if in.workers == 0 {
		in.workers = DefaultAssignWorkers
	}
	if len(cands) >= math.MaxInt32 || len(structs) >= math.MaxInt32 {
		return nil, fmt.Errorf("%w: %d candidates, %d structures: too many", ErrBadAssignInput, len(cands), len(structs))
	}

	seen := make(map[string]int, len(cands))
	in.maxM = make([]float64, len(cands))
	for i, c := range cands {
		if err := stop.At(ctx, i, "assignment input"); err != nil {
			return nil, err
		}
		if err := checkRow("candidate", i, c.ID, c.Point, seen); err != nil {
			return nil, err
		}
		km := c.MaxKm
		if math.IsNaN(km) || math.IsInf(km, 0) || km < 0 {
			return nil, fmt.Errorf("%w: candidate %d (id %q): max_km %v (want >= 0)", ErrBadAssignInput, i, c.ID, km)
		}
		if km == 0 {
			km = DefaultCandidateMaxKm
		}
		in.maxM[i] = km * 1000
	}
	clear(seen)
	in.weightQ = make([]int64, len(structs))
	for i, s := range structs {
		if err := stop.At(ctx, i, "assignment input"); err != nil {
			return nil, err
		}
		if err := checkRow("structure", i, s.ID, s.Point, seen); err != nil {
			return nil, err
		}
		if s.Posts < 1 || s.Posts > math.MaxInt32/2 {
			return nil, fmt.Errorf("%w: structure %d (id %q): posts %d (want >= 1)", ErrBadAssignInput, i, s.ID, s.Posts)
		}
		w := s.Weight
		if w == 0 {
			w = 1
		}
		if math.IsNaN(w) || w < 1 || w > MaxStructureWeight {
			return nil, fmt.Errorf("%w: structure %d (id %q): weight %v (want 1 to %g)", ErrBadAssignInput, i, s.ID, s.Weight, MaxStructureWeight)
		}
		in.weightQ[i] = int64(math.Round(w * 100))
	}
	for d, c := range opt.DepartementCaps {
		if c < 0 {
			return nil, fmt.Errorf("%w: departement_caps[%q] = %d (want >= 0)", ErrBadAssignInput, d, c)
		}
	}
	in.indexDepartements(opt.DepartementCaps)
	if err := in.indexProcess(opt.Phase, opt.Fixed); err != nil {
		return nil, err
	}
	return in, nil
}

// checkRow validates the id and point of row i of kind.
func checkRow(kind string, i int, id string, p orb.Point, seen map[string]int) error {
	if id == "" {
		return fmt.Errorf("%w: %s %d: empty id", ErrBadAssignInput, kind, i)
	}
	if j, dup := seen[id]; dup {
		return fmt.Errorf("%w: %s %d (id %q): duplicate id (first at %s %d)", ErrBadAssignInput, kind, i, id, kind, j)
	}
	seen[id] = i
	if !(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90) {
		return fmt.Errorf("%w: %s %d (id %q): bad coordinates [%v, %v] (want lon in [-180, 180], lat in [-90, 90])", ErrBadAssignInput, kind, i, id, p[0], p[1])
	}
	return nil
}

// indexDepartements numbers the départements of structures and candidates.
func (in *assignInput) indexDepartements(caps map[string]int) {
	set := map[string]struct{}{}
	for _, s := range in.structs {
		set[s.Departement] = struct{}{}
	}
	for _, c := range in.cands {
		set[c.Departement] = struct{}{}
	}
	in.depts = make([]string, 0, len(set))
	for d := range set {
		in.depts = append(in.depts, d)
	}
	slices.Sort(in.depts)
	pos := make(map[string]int32, len(in.depts))
	in.deptCap = make([]int, len(in.depts))
	for i, d := range in.depts {
		pos[d] = int32(i)
		in.deptCap[i] = -1
		if c, ok := caps[d]; ok {
			in.deptCap[i] = c
		}
	}
	in.sDept = make([]int32, len(in.structs))
	for i, s := range in.structs {
		in.sDept[i] = pos[s.Departement]
	}
	in.cDept = make([]int32, len(in.cands))
	for i, c := range in.cands {
		in.cDept[i] = pos[c.Departement]
	}
}

// result turns a solution into the reported AssignResult: assignments,
// reasons and balance.
func (in *assignInput) result(g *assignGraph, sol assign.Solution) AssignResult {
	res := AssignResult{Edges: g.edges(), Assignments: []Assignment{}, Unmatched: []Unmatched{}, Unfilled: []UnfilledPosts{}}
	filled := make([]int, len(in.structs))
	bal := make([]DepartementBalance, len(in.depts))
	for i := range bal {
		bal[i].Departement = in.depts[i]
	}
	for ci, s := range sol.Match {
		c := &in.cands[ci]
		b := &bal[in.cDept[ci]]
		if g.candDeg[ci] > 0 || in.proc.active && in.proc.fixed[ci] >= 0 {
			b.CandidatesInReach++
		}
		if s < 0 {
			b.CandidatesLeft++
			reason := ReasonOutcompeted
			var ex *Exclusions
			if g.candExcl != nil {
				ex = exclusions(g.candExcl[ci])
			}
			if g.candDeg[ci] == 0 {
				reason = ReasonNoStructureInReach
				if ex != nil {
					reason = dominant(g.candExcl[ci])
				}
			}
			res.Unmatched = append(res.Unmatched, Unmatched{Candidate: c.ID, Reason: reason, Excluded: ex})
			continue
		}
		d := geo.DistanceM(c.Point, in.structs[s].Point)
		res.Assignments = append(res.Assignments, Assignment{Candidate: c.ID, Structure: in.structs[s].ID, DistanceM: d,
			Fixed: in.proc.nFixed > 0 && in.proc.fixed[ci] >= 0})
		res.TotalDistanceM += d
		filled[s]++
	}
	res.PostsFilled = len(res.Assignments)
	deptFilled := make([]int, len(in.depts))
	for si, s := range in.structs {
		deptFilled[in.sDept[si]] += filled[si]
		bal[in.sDept[si]].PostsRequested += s.Posts
	}
	for si, s := range in.structs {
		d := in.sDept[si]
		bal[d].PostsFilled += filled[si]
		open := s.Posts - filled[si]
		if open <= 0 {
			continue
		}
		reason := ReasonOutcompeted
		switch {
		case s.Excluded != "":
			reason = s.Excluded
		case in.proc.active && in.proc.sExcl[si] == exclPhase:
			reason = ReasonPhaseExcluded
		case g.structDeg[si] == 0 && g.structExcl != nil && dominant(g.structExcl[si]) != "":
			reason = dominant(g.structExcl[si])
		case g.structDeg[si] == 0:
			reason = ReasonNoCandidateInReach
		case in.deptCap[d] >= 0 && deptFilled[d] >= in.deptCap[d]:
			reason = ReasonDepartementCap
		}
		res.Unfilled = append(res.Unfilled, UnfilledPosts{Structure: s.ID, Posts: open, Reason: reason})
	}
	res.Balance = bal // in.depts is sorted
	return res
}

// problem is the input of the solvers: the graph's edges over the
// structures' posts, weights in hundredths and département caps.
func (in *assignInput) problem(g *assignGraph) *assign.Problem {
	posts, caps := in.solverPosts()
	return &assign.Problem{Candidates: len(in.cands), Posts: posts, Priority: in.weightQ,
		Group: in.sDept, GroupCap: caps,
		Edges: assign.Edges{Cost: g.cost, Pair: g.pair}}
}

// options are the solvers' options.
func (in *assignInput) options() assign.Options {
	return assign.Options{Workers: in.workers, Progress: in.progress}
}

// solveOptimal runs the exact solver, the candidates laid out along a
// Z-order curve of their points, naming the structure and its weights when
// they are too spread for exact costs.
func solveOptimal(ctx context.Context, in *assignInput, g *assignGraph) (assign.Solution, error) {
	p := in.problem(g)
	p.Layout = mortonRanks(in.cands)
	sol, err := assign.Optimal(ctx, p, in.options())
	if se, ok := errors.AsType[*assign.SpreadError](err); ok {
		s := se.Structure
		return sol, fmt.Errorf("%w: structure %d (id %q): weights from %.2f to %.2f over %d structures and %d candidates are too spread for exact integer costs; use fewer weight levels",
			ErrBadAssignInput, s, in.structs[s].ID, float64(se.MinPriority)/100, float64(se.MaxPriority)/100, se.Structures, se.Candidates)
	}
	return sol, err
}
