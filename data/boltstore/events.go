package boltstore

import (
	"encoding/binary"
	"fmt"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
	bolt "go.etcd.io/bbolt"
)

// Buckets of the recruitment history: the events by sequence number, and
// the last status of each event key for AppendEvent's compare. Created on
// the first append, so that files made before them open unchanged.
var (
	bucketEvents  = []byte("recruitment_events")
	bucketCurrent = []byte("recruitment_current")
)

// AppendEvent stores e, in one transaction, when its key's last status is
// still e.From; committed (fsynced) before it returns.
func (s *Store) AppendEvent(e *people.RecruitmentEvent) error {
	if err := people.CheckEvent(e); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		evs, err := tx.CreateBucketIfNotExists(bucketEvents)
		if err != nil {
			return err
		}
		cur, err := tx.CreateBucketIfNotExists(bucketCurrent)
		if err != nil {
			return err
		}
		key := []byte(e.Key())
		if now := string(cur.Get(key)); now != e.From {
			return &people.StaleError{Current: now}
		}
		seq, err := evs.NextSequence()
		if err != nil {
			return err
		}
		e.Seq = int64(seq)
		b, err := data.EncodeEvent(e)
		if err != nil {
			return err
		}
		var k [8]byte
		binary.BigEndian.PutUint64(k[:], seq)
		if err := evs.Put(k[:], b); err != nil {
			return err
		}
		return cur.Put(key, []byte(e.Status))
	})
	if _, stale := err.(*people.StaleError); err != nil && !stale {
		e.Seq = 0
		return fmt.Errorf("recruitment event: store %s: %w", s.path, err)
	}
	return err
}

// EventCount is the number of events stored: the events bucket's sequence,
// since every append takes the next number and none is removed.
func (s *Store) EventCount() (int64, error) {
	var n uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketEvents); b != nil {
			n = b.Sequence()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("recruitment events: store %s: %w", s.path, err)
	}
	return int64(n), nil
}

// Events returns every event in Seq order.
func (s *Store) Events() ([]people.RecruitmentEvent, error) {
	out := []people.RecruitmentEvent{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEvents)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			e, err := data.DecodeEvent(v)
			if err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("recruitment events: store %s: %w", s.path, err)
	}
	return out, nil
}
