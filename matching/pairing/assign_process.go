package pairing

import (
	"fmt"
	"slices"
)

// The recruitment process narrows the pairs within reach (issue 21): a
// candidate available after a structure's mission start, a structure
// outside the requested phase or excluded (an unfavourable opinion), a
// structure outside the départements a candidate wishes, or a structure
// whose posts are all taken by fixed pairs, is never proposed. Pairs
// already recruited are fixed: they keep their post and the rest is
// optimised around them.

// Reasons of Unmatched and UnfilledPosts added by the process.
const (
	// ReasonAvailableAfterStart: the pairs in reach were excluded because
	// the candidate is available after the structure's mission start.
	ReasonAvailableAfterStart = "available_after_mission_start"
	// ReasonPhaseExcluded: the structure is outside the requested phase.
	ReasonPhaseExcluded = "phase_excluded"
	// ReasonDepartementNotWished: the structure is outside the départements
	// the candidate wishes.
	ReasonDepartementNotWished = "departement_not_wished"
	// ReasonStructureExcluded: the structures in reach were excluded for
	// their own reason (Structure.Excluded, e.g. an unfavourable opinion).
	ReasonStructureExcluded = "structure_excluded"
	// ReasonStructuresFull: the structures in reach have all their posts
	// taken by fixed pairs.
	ReasonStructuresFull = "structures_full"
)

// FixedPair is a candidate recruited by a structure: Assign keeps it as it
// is and optimises the other candidates and posts.
type FixedPair struct {
	Candidate string `json:"candidate"`
	Structure string `json:"structure"`
}

// Exclusion kinds of a pair within reach, in the order reasons prefer them
// on ties.
const (
	exclNone uint8 = iota
	exclDate
	exclPhase
	exclStructure
	exclWish
	exclFull
	nExcl
)

// exclReasons are the reasons of the exclusion kinds.
var exclReasons = [nExcl]string{"", ReasonAvailableAfterStart, ReasonPhaseExcluded, ReasonStructureExcluded, ReasonDepartementNotWished, ReasonStructuresFull}

// Exclusions counts the pairs within a candidate's reach that the process
// excluded, by cause.
type Exclusions struct {
	Date        int `json:"date,omitempty"`        // available after the mission start
	Phase       int `json:"phase,omitempty"`       // structure outside the requested phase
	Structure   int `json:"structure,omitempty"`   // structure excluded (e.g. unfavourable opinion)
	Departement int `json:"departement,omitempty"` // structure outside the départements wished
	Full        int `json:"full,omitempty"`        // posts all taken by fixed pairs
}

// processInput is what assignInput knows of the process.
type processInput struct {
	sExcl  []uint8 // per structure, exclPhase, exclStructure, exclFull or exclNone
	fixed  []int32 // per candidate, structure of its fixed pair or -1
	left   []int   // per structure, posts not taken by fixed pairs
	nFixed int
	active bool // some pair may be excluded or fixed
}

// exclusion returns why the pair (ci, si) within reach is excluded, or
// exclNone.
func (in *assignInput) exclusion(ci, si int) uint8 {
	if !in.proc.active {
		return exclNone
	}
	if k := in.proc.sExcl[si]; k != exclNone {
		return k
	}
	return pairExclusion(&in.cands[ci], &in.structs[si], 0)
}

// PairExclusionReason returns why the process keeps candidate c off
// structure s in the given phase (0: any phase), both being within reach of
// each other: one of the Reason constants, "" when the pair is allowed.
func PairExclusionReason(c *Candidate, s *Structure, phase int) string {
	return exclReasons[pairExclusion(c, s, phase)]
}

// PairAllowed reports whether the process lets candidate c take structure s
// in the given phase (0: any phase), both being within reach of each other.
func PairAllowed(c *Candidate, s *Structure, phase int) bool {
	return pairExclusion(c, s, phase) == exclNone
}

// pairExclusion returns why the process keeps candidate c off structure s
// (both within reach of each other), or exclNone: an excluded structure,
// one outside phase (0: any), a candidate available after the mission
// start, a structure outside the départements the candidate wishes.
func pairExclusion(c *Candidate, s *Structure, phase int) uint8 {
	switch {
	case s.Excluded != "":
		return exclStructure
	case phase != 0 && s.Phase != phase:
		return exclPhase
	case c.AvailableDay != 0 && s.StartDay != 0 && c.AvailableDay > s.StartDay:
		return exclDate
	case len(c.Wished) > 0 && !slices.Contains(c.Wished, s.Departement):
		return exclWish
	}
	return exclNone
}

// indexProcess fills in.proc from the rows, the phase and the fixed pairs;
// it runs after indexDepartements.
func (in *assignInput) indexProcess(phase int, fixed []FixedPair) error {
	p := &in.proc
	if phase < 0 || phase > 2 {
		return fmt.Errorf("%w: phase %d (want 1, 2, or 0 for both)", ErrBadAssignInput, phase)
	}
	p.fixed = make([]int32, len(in.cands))
	for i := range in.cands {
		c := &in.cands[i]
		p.fixed[i] = -1
		if c.AvailableDay != 0 || len(c.Wished) > 0 {
			p.active = true
		}
	}
	p.sExcl, p.left = make([]uint8, len(in.structs)), make([]int, len(in.structs))
	for i := range in.structs {
		s := &in.structs[i]
		p.left[i] = s.Posts
		switch {
		case s.Excluded != "":
			p.sExcl[i] = exclStructure
		case phase != 0 && s.Phase != phase:
			p.sExcl[i] = exclPhase
		}
		if s.StartDay != 0 || p.sExcl[i] != exclNone {
			p.active = true
		}
	}
	if len(fixed) == 0 {
		return nil
	}
	p.active = true
	cIdx := make(map[string]int, len(in.cands))
	for i := range in.cands {
		cIdx[in.cands[i].ID] = i
	}
	sIdx := make(map[string]int, len(in.structs))
	for i := range in.structs {
		sIdx[in.structs[i].ID] = i
	}
	for k, f := range fixed {
		ci, okC := cIdx[f.Candidate]
		si, okS := sIdx[f.Structure]
		switch {
		case !okC || !okS:
			return fmt.Errorf("%w: fixed pair %d (%s, %s): unknown candidate or structure", ErrBadAssignInput, k, f.Candidate, f.Structure)
		case p.fixed[ci] >= 0:
			return fmt.Errorf("%w: fixed pair %d: candidate %q is fixed twice", ErrBadAssignInput, k, f.Candidate)
		case p.left[si] == 0:
			return fmt.Errorf("%w: fixed pair %d: structure %q has more fixed pairs than its %d posts", ErrBadAssignInput, k, f.Structure, in.structs[si].Posts)
		}
		p.fixed[ci] = int32(si)
		p.left[si]--
		p.nFixed++
	}
	for si, n := range p.left {
		if n == 0 && p.sExcl[si] == exclNone {
			p.sExcl[si] = exclFull
		}
	}
	return nil
}

// solverPosts returns the posts each structure offers the solvers: those
// not taken by fixed pairs (at least 1, the solvers' minimum: a full
// structure has no edge), and the département caps less the fixed pairs.
func (in *assignInput) solverPosts() (posts, caps []int) {
	posts = make([]int, len(in.structs))
	caps = in.deptCap
	if in.proc.nFixed > 0 {
		caps = append([]int(nil), in.deptCap...)
	}
	for i, s := range in.structs {
		posts[i] = s.Posts
		if in.proc.nFixed == 0 {
			continue
		}
		n := in.proc.left[i]
		if d := in.sDept[i]; caps[d] > 0 {
			caps[d] = max(0, caps[d]-(s.Posts-n))
		}
		posts[i] = max(n, 1)
	}
	return posts, caps
}

// placeFixed writes the fixed pairs into a solution of the others.
func (in *assignInput) placeFixed(match []int32) {
	for ci, si := range in.proc.fixed {
		if si >= 0 {
			match[ci] = si
		}
	}
}

// dominant returns the reason of the most frequent exclusion kind of
// counts (ties in kind order), "" when nothing was excluded.
func dominant(counts [nExcl]int32) string {
	best := exclNone
	for k := exclDate; k < nExcl; k++ {
		if counts[k] > counts[best] {
			best = k
		}
	}
	if counts[best] == 0 {
		return ""
	}
	return exclReasons[best]
}

// exclusions converts counts to the reported Exclusions, nil when empty.
func exclusions(counts [nExcl]int32) *Exclusions {
	if dominant(counts) == "" {
		return nil
	}
	return &Exclusions{Date: int(counts[exclDate]), Phase: int(counts[exclPhase]), Structure: int(counts[exclStructure]),
		Departement: int(counts[exclWish]), Full: int(counts[exclFull])}
}
