-- Datasets: one row each, the rows of the dataset in one blob.
--
-- The engine reads a dataset whole (Store.Get, then indexes it) and never
-- one row of it, so a row per candidate would cost an index entry and a
-- 24-byte tuple header per candidate, a COPY of 200 000 rows per upload and
-- a reassembly per read, for queries nobody runs. The blob is
-- data.EncodeDataset's (gob, CRC-32C checked on read), TOASTed and
-- compressed by PostgreSQL; the columns beside it are for operators'
-- queries (what is stored, how big) and for List, which reads no blob.
CREATE TABLE datasets (
    id         text        PRIMARY KEY,
    kind       text        NOT NULL,
    name       text        NOT NULL,
    row_count  integer     NOT NULL,
    created_at timestamptz NOT NULL,
    -- data.DatasetMeta as JSON, kept as written (json, not jsonb): the
    -- checksum in body covers these bytes.
    meta       json        NOT NULL,
    -- data.EncodeDataset's rows blob: format byte, CRC-32C, gob.
    body       bytea       NOT NULL,
    -- Bumped by every put from dataset_version: a replica caching a
    -- dataset's derived indexes compares it to know they are stale.
    version    bigint      NOT NULL,
    stored_at  timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE dataset_version;
