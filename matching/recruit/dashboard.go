package recruit

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching/registry"
)

// Figures are the recruitment figures of a département, or of one phase
// of it.
type Figures struct {
	Structures int `json:"structures"`
	// PostsRequested are the posts of the structures; PostsFavorable
	// those of the structures with a favourable opinion; PostsFilled
	// those taken by recruited candidates.
	PostsRequested int `json:"posts_requested"`
	PostsFavorable int `json:"posts_favorable"`
	PostsFilled    int `json:"posts_filled"`
	// CandidatesAvailableInReach are the candidates of the département,
	// not recruited, with a structure (of the phase) they may be proposed
	// to: within their max_km, available by its mission start, in the
	// départements they wish.
	CandidatesAvailableInReach int `json:"candidates_available_in_reach"`
}

// PhaseFigures are the figures of one phase (0: structures of unknown
// phase).
type PhaseFigures struct {
	Phase int `json:"phase"`
	Figures
}

// DashboardRow is one département of the dashboard.
type DashboardRow struct {
	Departement string `json:"departement"`
	Figures
	ByPhase []PhaseFigures `json:"by_phase"` // phases 1, 2, then 0 when some structure has no phase
}

// DashboardQuery says which datasets and départements the dashboard sums.
type DashboardQuery struct {
	Candidates  string
	Structures  string
	Departement string // "" for all
	// Visible, when not nil, keeps only the départements it accepts.
	Visible func(departement string) bool
}

// Dashboard sums, per département, the structures of q.Structures and the
// candidates of q.Candidates with the recruitment state, départements in
// code order. The candidates' reach is computed once per pair of datasets
// and kept; the rest is read from the state at each call.
func (p *Process) Dashboard(q DashboardQuery) ([]DashboardRow, error) {
	if q.Candidates == "" || q.Structures == "" {
		return nil, fmt.Errorf("%w: candidates and structures (dataset ids), or match, are required", ErrBadRequest)
	}
	rows, err := p.registry.Datasets().ProcessRows(q.Candidates, q.Structures)
	if err != nil {
		return nil, err
	}
	reach := p.reachOf(rows)
	keep := func(dep string) bool {
		return (q.Departement == "" || dep == q.Departement) && (q.Visible == nil || q.Visible(dep))
	}
	byDep := map[string]*DashboardRow{}
	row := func(dep string) *DashboardRow {
		r := byDep[dep]
		if r == nil {
			r = &DashboardRow{Departement: dep, ByPhase: []PhaseFigures{{Phase: 1}, {Phase: 2}, {Phase: 0}}}
			byDep[dep] = r
		}
		return r
	}
	phaseSlot := [3]int{2, 0, 1} // phase → index in ByPhase
	p.mu.RLock()
	for i := range rows.Structures {
		s := &rows.Structures[i]
		if !keep(s.Departement) {
			continue
		}
		r := row(s.Departement)
		ph := &r.ByPhase[phaseSlot[phaseOf(s.Phase)]].Figures
		filled, avis := p.stateOf(s)
		fav := avis == Favorable
		for _, f := range []*Figures{&r.Figures, ph} {
			f.Structures++
			f.PostsRequested += s.Posts
			f.PostsFilled += filled
			if fav {
				f.PostsFavorable += s.Posts
			}
		}
	}
	for i := range rows.Candidates {
		c := &rows.Candidates[i]
		if reach[i] == 0 || !keep(c.Departement) {
			continue
		}
		if _, taken := p.recruited[c.ID]; taken {
			continue
		}
		r := row(c.Departement)
		r.CandidatesAvailableInReach++
		for ph := range 3 {
			if reach[i]&(1<<ph) != 0 {
				r.ByPhase[phaseSlot[ph]].CandidatesAvailableInReach++
			}
		}
	}
	p.mu.RUnlock()
	out := make([]DashboardRow, 0, len(byDep))
	for _, r := range byDep {
		if r.ByPhase[2].Structures == 0 && r.ByPhase[2].CandidatesAvailableInReach == 0 {
			r.ByPhase = r.ByPhase[:2]
		}
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b DashboardRow) int { return cmpString(a.Departement, b.Departement) })
	return out, nil
}

// phaseOf maps a phase to 0, 1 or 2.
func phaseOf(ph int) int {
	if ph == people.PhasePublic || ph == people.PhasePrivate {
		return ph
	}
	return people.PhaseUnknown
}

// reachOf returns the cached reach of the rows' candidates.
func (p *Process) reachOf(rows *registry.ProcessRows) []uint8 {
	k := [2]string{rows.CandidatesID, rows.StructuresID}
	p.mu.RLock()
	r, ok := p.reach[k]
	p.mu.RUnlock()
	if ok {
		return r
	}
	r = rows.Reach()
	p.mu.Lock()
	p.reach[k] = r
	p.mu.Unlock()
	return r
}

// WriteDashboardCSV writes the dashboard with a header: departement,
// phase ("all", 1, 2 or 0), structures, posts_requested, posts_favorable,
// posts_filled, candidates_available_in_reach.
func WriteDashboardCSV(w io.Writer, rows []DashboardRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"departement", "phase", "structures", "posts_requested", "posts_favorable", "posts_filled", "candidates_available_in_reach"}); err != nil {
		return err
	}
	line := func(dep, phase string, f Figures) error {
		return cw.Write([]string{dep, phase, strconv.Itoa(f.Structures), strconv.Itoa(f.PostsRequested), strconv.Itoa(f.PostsFavorable),
			strconv.Itoa(f.PostsFilled), strconv.Itoa(f.CandidatesAvailableInReach)})
	}
	for _, r := range rows {
		if err := line(r.Departement, "all", r.Figures); err != nil {
			return err
		}
		for _, ph := range r.ByPhase {
			if err := line(r.Departement, strconv.Itoa(ph.Phase), ph.Figures); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
