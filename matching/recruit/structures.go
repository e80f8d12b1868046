package recruit

import (
	"github.com/maillage/maillage/matching/pairing"
	"github.com/paulmach/orb"
)

// StructureState is a structure of a dataset with its place in the
// recruitment: the prefect's opinion and the posts filled, as the map
// draws it.
type StructureState struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	Departement string    `json:"departement"`
	Phase       int       `json:"phase"` // 1, 2, or 0 when unknown
	Point       orb.Point `json:"-"`
	Posts       int       `json:"posts"`
	PostsFilled int       `json:"posts_filled"` // recruited candidates, at most Posts
	// FilledShare is PostsFilled / Posts (0 for a structure without posts).
	FilledShare float64 `json:"filled_share"`
	// Avis is the prefect's opinion (Favorable, Defavorable, Reserve), nil
	// when none was given.
	Avis *string `json:"avis"`
}

// Structures returns the structures of dataset structs in département dep
// (all when "") that visible accepts (all when nil), in the dataset's
// order, with their opinion and filled posts counted as the dashboard
// counts them.
func (p *Process) Structures(structs, dep string, visible func(string) bool) ([]StructureState, error) {
	rows, err := p.registry.Datasets().StructureRows(structs)
	if err != nil {
		return nil, err
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := []StructureState{}
	for i := range rows.Structures {
		s := &rows.Structures[i]
		if dep != "" && s.Departement != dep || visible != nil && !visible(s.Departement) {
			continue
		}
		st := StructureState{ID: s.ID, Name: s.Name, Type: s.Type, Departement: s.Departement, Phase: phaseOf(s.Phase),
			Point: s.Point, Posts: s.Posts}
		filled, avis := p.stateOf(s)
		st.PostsFilled = filled
		if avis != "" {
			st.Avis = &avis
		}
		if s.Posts > 0 {
			st.FilledShare = float64(st.PostsFilled) / float64(s.Posts)
		}
		out = append(out, st)
	}
	return out, nil
}

// stateOf returns the posts of s filled by recruitments (at most its
// posts) and the prefect's opinion on it ("" when none); p.mu is held.
func (p *Process) stateOf(s *pairing.Structure) (filled int, avis string) {
	st := p.structs[s.ID]
	if st == nil {
		return 0, ""
	}
	if st.opinion != nil {
		avis = st.opinion.Avis
	}
	return min(st.filled, s.Posts), avis
}
