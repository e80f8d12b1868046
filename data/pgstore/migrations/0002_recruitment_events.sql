-- The recruitment history (issue 21): one row per event, never updated nor
-- deleted. A pair's status, or a structure's opinion, is the status of the
-- last event of its key (kind, structure, candidate); appends of one key
-- are serialized by an advisory lock on the key's hash, so that the check
-- of the status before and the insert are one step across replicas.
CREATE TABLE recruitment_events (
    seq          bigserial   PRIMARY KEY,
    kind         text        NOT NULL,
    structure_id text        NOT NULL,
    candidate_id text        NOT NULL,
    status       text        NOT NULL,
    at           timestamptz NOT NULL,
    -- data.RecruitmentEvent as JSON, kept as written.
    event        json        NOT NULL
);

CREATE INDEX recruitment_events_key ON recruitment_events (kind, structure_id, candidate_id, seq);
