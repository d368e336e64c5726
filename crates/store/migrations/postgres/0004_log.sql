-- The transparency log (docs/transparency.md). Every stored certificate of at most
-- 65535 bytes (the entry-bundle limit) is a log entry; entries are numbered densely from 0
-- in the order they were stored, in the same transaction that stores the certificate.
-- Appends serialise on the single row of log_head (a row lock held until commit), so
-- several servers on one database share one dense log.
CREATE TABLE log_head (
    one  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    size BIGINT  NOT NULL CHECK (size >= 0)
);

CREATE TABLE log_entries (
    idx         BIGINT PRIMARY KEY CHECK (idx >= 0),
    certificate BYTEA  NOT NULL UNIQUE REFERENCES certificates (id)
);

-- The tree's hashes in Go tlog storage order, written by the checkpoint task.
CREATE TABLE log_hashes (
    idx  BIGINT PRIMARY KEY CHECK (idx >= 0),
    hash BYTEA  NOT NULL CHECK (octet_length(hash) = 32)
);

-- Signed checkpoints, one per tree size, and the witnesses' cosignature lines.
CREATE TABLE log_checkpoints (
    size       BIGINT PRIMARY KEY CHECK (size >= 0),
    root       BYTEA  NOT NULL CHECK (octet_length(root) = 32),
    note       BYTEA  NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE log_cosignatures (
    size    BIGINT NOT NULL REFERENCES log_checkpoints (size),
    witness TEXT   NOT NULL,
    line    TEXT   NOT NULL,
    PRIMARY KEY (size, witness)
);

-- Back-fill: the certificates stored before, in insertion order.
INSERT INTO log_entries (idx, certificate)
    SELECT ROW_NUMBER() OVER (ORDER BY seq) - 1, id FROM certificates
    WHERE octet_length(bytes) <= 65535 ORDER BY seq;
INSERT INTO log_head (one, size) SELECT TRUE, COUNT(*) FROM log_entries;
