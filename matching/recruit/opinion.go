package recruit

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maillage/maillage/data/people"
	"github.com/maillage/maillage/matching/pairing"
	"github.com/maillage/maillage/matching/registry"
)

// Opinions of the prefect on a structure's application.
const (
	Favorable   = "favorable"
	Defavorable = "defavorable"
	Reserve     = "reserve"
)

// Avis lists the opinions.
var Avis = []string{Favorable, Defavorable, Reserve}

// ReasonDefavorable is the reason of the posts of a structure excluded by
// an unfavourable opinion (pairing.UnfilledPosts).
const ReasonDefavorable = "avis_defavorable"

// Opinion is the prefect's opinion on one structure.
type Opinion struct {
	Structure   string    `json:"structure"`
	Departement string    `json:"departement"`
	Avis        string    `json:"avis"`
	Comment     string    `json:"comment,omitempty"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
	Name        string    `json:"name,omitempty"`
	Posts       int       `json:"posts,omitempty"`
	Phase       int       `json:"phase,omitempty"`
}

// Give is a request to give an opinion on a structure of a dataset.
type Give struct {
	Structure  string
	Structures string // the structures dataset holding it
	Avis       string
	Comment    string
	By         string
	At         time.Time
	// Visible, when not nil, hides the structures whose département it
	// refuses: such a structure is unknown (for access scopes).
	Visible func(departement string) bool
}

// GiveOpinion records an opinion (any opinion may replace any other; the
// history keeps them all).
func (p *Process) GiveOpinion(g Give) (*Opinion, error) {
	if !slices.Contains(Avis, g.Avis) {
		return nil, fmt.Errorf("%w: avis %q (want one of %v)", ErrBadRequest, g.Avis, Avis)
	}
	if len(g.Comment) > MaxCommentBytes {
		return nil, fmt.Errorf("%w: comment of %d bytes, more than %d", ErrBadRequest, len(g.Comment), MaxCommentBytes)
	}
	if g.Structures == "" {
		return nil, fmt.Errorf("%w: structures (the dataset id holding the structure) is required", ErrBadRequest)
	}
	s, err := p.structure(g.Structures, g.Structure, g.Visible)
	if err != nil {
		return nil, err
	}
	at := g.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	p.mu.RLock()
	from := ""
	if st := p.structs[g.Structure]; st != nil && st.opinion != nil {
		from = st.opinion.Avis
	}
	p.mu.RUnlock()
	e := &people.RecruitmentEvent{Kind: people.EventAvis, Structure: g.Structure, Departement: s.Departement, Structures: g.Structures,
		Status: g.Avis, From: from, Comment: g.Comment, By: g.By, At: at, Posts: s.Posts, Phase: s.Phase}
	p.mu.Lock() // from the append to the apply, as in Move
	if err := p.store.AppendEvent(e); err != nil {
		p.mu.Unlock()
		var stale *people.StaleError
		if errors.As(err, &stale) {
			if rerr := p.reload(); rerr != nil {
				return nil, rerr
			}
			return nil, &ConflictError{Current: stale.Current, Reason: fmt.Sprintf("the opinion changed meanwhile: it is now %q", stale.Current)}
		}
		return nil, err
	}
	defer p.mu.Unlock()
	p.apply(e)
	p.applied++
	o := *p.structs[g.Structure].opinion
	o.Name, o.Posts, o.Phase = s.Name, s.Posts, s.Phase
	return &o, nil
}

// structure returns structure id of dataset structs, unknown when hidden.
func (p *Process) structure(structs, id string, visible func(string) bool) (*pairing.Structure, error) {
	rows, err := p.registry.Datasets().StructureRows(structs)
	if err != nil {
		return nil, err
	}
	i, ok := rows.StructureIndex[id]
	if !ok || visible != nil && !visible(rows.Structures[i].Departement) {
		return nil, fmt.Errorf("structure %q: %w in dataset %s", id, registry.ErrUnknownRow, structs)
	}
	return &rows.Structures[i], nil
}

// ExcludedReason is ReasonDefavorable for a structure with an unfavourable
// opinion, else "".
func (p *Process) ExcludedReason(s string) string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if st := p.structs[s]; st != nil && st.opinion != nil && st.opinion.Avis == Defavorable {
		return ReasonDefavorable
	}
	return ""
}

// Opinion returns the opinion on structure s, nil when none was given.
func (p *Process) Opinion(s string) *Opinion {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if st := p.structs[s]; st != nil && st.opinion != nil {
		o := *st.opinion
		return &o
	}
	return nil
}

// Opinions returns the opinions on the structures of dataset structs in
// département dep (all départements when ""), in the dataset's order, with
// the structures without one (Avis ""), for the committee.
func (p *Process) Opinions(structs, dep string, visible func(string) bool) ([]Opinion, error) {
	rows, err := p.registry.Datasets().StructureRows(structs)
	if err != nil {
		return nil, err
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := []Opinion{}
	for i := range rows.Structures {
		s := &rows.Structures[i]
		if dep != "" && s.Departement != dep || visible != nil && !visible(s.Departement) {
			continue
		}
		o := Opinion{Structure: s.ID, Departement: s.Departement}
		if st := p.structs[s.ID]; st != nil && st.opinion != nil {
			o = *st.opinion
			o.Departement = s.Departement
		}
		o.Name, o.Posts, o.Phase = s.Name, s.Posts, s.Phase
		out = append(out, o)
	}
	return out, nil
}

// WriteOpinionsCSV writes opinions with a header: structure, name,
// departement, phase, posts, avis, comment, by, at (RFC 3339, "" when no
// opinion was given).
func WriteOpinionsCSV(w io.Writer, ops []Opinion) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"structure", "name", "departement", "phase", "posts", "avis", "comment", "by", "at"}); err != nil {
		return err
	}
	for _, o := range ops {
		at := ""
		if !o.At.IsZero() {
			at = o.At.Format(time.RFC3339)
		}
		phase := ""
		if o.Phase != 0 {
			phase = strconv.Itoa(o.Phase)
		}
		if err := cw.Write([]string{o.Structure, csvCell(o.Name), o.Departement, phase, strconv.Itoa(o.Posts), o.Avis,
			csvCell(o.Comment), o.By, at}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvCell keeps a free text from being read as a formula by a spreadsheet
// (a cell starting with =, +, - or @ gets a leading apostrophe): the
// export is opened by committees in office software.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}
