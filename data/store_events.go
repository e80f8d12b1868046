package data

import (
	"encoding/json"
	"fmt"

	"github.com/maillage/maillage/data/people"
)

// The recruitment history of the stores (people.RecruitmentStore): its
// stored form, shared by the persistent stores, and MemoryStore's.

// EncodeEvent is the stored form of an event (JSON), shared by the
// persistent stores.
func EncodeEvent(e *people.RecruitmentEvent) ([]byte, error) { return json.Marshal(e) }

// DecodeEvent reads back EncodeEvent; errors wrap ErrCorrupt.
func DecodeEvent(b []byte) (people.RecruitmentEvent, error) {
	var e people.RecruitmentEvent
	if err := json.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("%w: recruitment event: %w", ErrCorrupt, err)
	}
	return e, nil
}

// AppendEvent stores e when its key's status is still e.From.
func (s *MemoryStore) AppendEvent(e *people.RecruitmentEvent) error {
	if err := people.CheckEvent(e); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil {
		s.current = map[string]string{}
	}
	k := e.Key()
	if cur := s.current[k]; cur != e.From {
		return &people.StaleError{Current: cur}
	}
	e.Seq = int64(len(s.events) + 1)
	s.events = append(s.events, *e)
	s.current[k] = e.Status
	return nil
}

// EventCount is the number of events stored.
func (s *MemoryStore) EventCount() (int64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return int64(len(s.events)), nil
}

// Events returns every event in Seq order.
func (s *MemoryStore) Events() ([]people.RecruitmentEvent, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]people.RecruitmentEvent{}, s.events...), nil
}
