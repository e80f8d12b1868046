package people

import (
	"errors"
	"fmt"
	"time"
)

// Kinds of RecruitmentEvent.
const (
	// EventStatus moves a candidate–structure pair to a new status.
	EventStatus = "status"
	// EventAvis records the prefect's opinion on a structure's application.
	EventAvis = "avis"
)

// RecruitmentEvent is one step of the recruitment process, kept forever:
// a pair's new status, or a structure's new opinion. The store gives it
// Seq, increasing with every append; the process (package
// matching/recruit) gives the meaning of Status.
type RecruitmentEvent struct {
	Seq       int64  `json:"seq"`
	Kind      string `json:"kind"` // EventStatus or EventAvis
	Structure string `json:"structure"`
	Candidate string `json:"candidate,omitempty"` // "" for EventAvis
	// Departement is the structure's, CandidateDepartement the
	// candidate's: what access scopes check.
	Departement          string    `json:"departement"`
	CandidateDepartement string    `json:"candidate_departement,omitempty"`
	Match                string    `json:"match,omitempty"`      // the match result the pair came from
	Candidates           string    `json:"candidates,omitempty"` // candidates dataset id
	Structures           string    `json:"structures,omitempty"` // structures dataset id
	Status               string    `json:"status"`               // new status, or opinion
	From                 string    `json:"from"`                 // status before, "" for the first event of its key
	Comment              string    `json:"comment,omitempty"`
	By                   string    `json:"by"` // token name
	At                   time.Time `json:"at"`
	Posts                int       `json:"posts,omitempty"` // the structure's posts when the event was recorded
	Phase                int       `json:"phase,omitempty"` // the structure's phase
}

// Key identifies what an event changes: its kind, structure and candidate.
// The events of one key form a chain, each one's From being the Status of
// the one before. Ids hold no control character (CheckID): the unit
// separator between the parts cannot be forged.
func (e *RecruitmentEvent) Key() string {
	return e.Kind + "\x1f" + e.Structure + "\x1f" + e.Candidate
}

// StaleError is returned by RecruitmentStore.AppendEvent when the key's current status is
// not the event's From: another request changed it first.
type StaleError struct {
	Current string // the key's status now ("" when it has no event)
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("status changed meanwhile: it is now %q", e.Current)
}

// ErrBadEvent is wrapped by RecruitmentStore.AppendEvent for an event missing its kind,
// structure, status, author or time.
var ErrBadEvent = errors.New("invalid recruitment event")

// RecruitmentStore keeps the recruitment history. AppendEvent is a compare
// and append: it stores e (setting e.Seq) only when the last event of
// e.Key() has Status e.From (or there is none and e.From is ""), else
// returns a *StaleError, so that two replicas never both move a pair from
// the same status. Events returns every event in Seq order. Both survive
// a restart; an append returned without error survives a crash.
// EventCount is the number of events stored: events are never removed, so
// a process that has applied as many events as the store counts has seen
// them all, and a replica compares the two to know when another replica
// has moved a pair (one cheap read rather than the whole history).
type RecruitmentStore interface {
	AppendEvent(e *RecruitmentEvent) error
	Events() ([]RecruitmentEvent, error)
	EventCount() (int64, error)
}

// CheckEvent validates e before a store keeps it.
func CheckEvent(e *RecruitmentEvent) error {
	switch {
	case e.Kind != EventStatus && e.Kind != EventAvis:
		return fmt.Errorf("%w: kind %q", ErrBadEvent, e.Kind)
	case e.Structure == "" || e.Status == "" || e.By == "" || e.At.IsZero():
		return fmt.Errorf("%w: structure, status, by and at are required", ErrBadEvent)
	case e.Kind == EventStatus && e.Candidate == "":
		return fmt.Errorf("%w: a status event needs a candidate", ErrBadEvent)
	}
	return nil
}
