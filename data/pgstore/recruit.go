package pgstore

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/maillage/maillage/data"
	"github.com/maillage/maillage/data/people"
)

// AppendEvent stores e, in one transaction, when its key's last status is
// still e.From. The transaction holds an advisory lock on the key's hash:
// two replicas moving one pair take turns, the second one sees the first
// one's status and gets a *people.StaleError.
func (s *Store) AppendEvent(e *people.RecruitmentEvent) error {
	if err := people.CheckEvent(e); err != nil {
		return err
	}
	ctx, cancel := s.ctx()
	defer cancel()
	var seq int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", e.Key()); err != nil {
			return err
		}
		var cur string
		err := tx.QueryRow(ctx, `SELECT status FROM recruitment_events WHERE kind = $1 AND structure_id = $2 AND candidate_id = $3
			ORDER BY seq DESC LIMIT 1`, e.Kind, e.Structure, e.Candidate).Scan(&cur)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if cur != e.From {
			return &people.StaleError{Current: cur}
		}
		if err := tx.QueryRow(ctx, "SELECT nextval(pg_get_serial_sequence('recruitment_events', 'seq'))").Scan(&seq); err != nil {
			return err
		}
		e.Seq = seq
		b, err := data.EncodeEvent(e)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO recruitment_events (seq, kind, structure_id, candidate_id, status, at, event)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, seq, e.Kind, e.Structure, e.Candidate, e.Status, e.At, string(b))
		return err
	})
	if err != nil {
		e.Seq = 0
		var stale *people.StaleError
		if errors.As(err, &stale) {
			return stale
		}
		return fmt.Errorf("recruitment event: postgres %s: %w", s.where, err)
	}
	return nil
}

// EventCount is the number of events stored. It counts rows rather than
// reading the largest seq: two appends on different keys may commit out of
// seq order, and a sequence number taken by a failed append is never used.
func (s *Store) EventCount() (int64, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	var n int64
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM recruitment_events").Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres %s: %w", s.where, err)
	}
	return n, nil
}

// Events returns every event in Seq order.
func (s *Store) Events() ([]people.RecruitmentEvent, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	rows, err := s.pool.Query(ctx, "SELECT event::text FROM recruitment_events ORDER BY seq")
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %w", s.where, err)
	}
	out := []people.RecruitmentEvent{}
	var raw string
	_, err = pgx.ForEachRow(rows, []any{&raw}, func() error {
		e, err := data.DecodeEvent([]byte(raw))
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres %s: %w", s.where, err)
	}
	return out, nil
}
