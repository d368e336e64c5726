-- The transparency log (docs/transparency.md). Every stored certificate of at most
-- 65535 bytes (the entry-bundle limit) is a log entry; entries are numbered densely from 0
-- in the order they were stored, in the same transaction that stores the certificate.
-- The entry is the certificate's bytes; its leaf hash is SHA-256(0x00 || bytes).
CREATE TABLE log_entries (
    idx         INTEGER PRIMARY KEY CHECK (idx >= 0),
    certificate BLOB    NOT NULL UNIQUE REFERENCES certificates (id)
);

-- The tree's hashes in Go tlog storage order (golang.org/x/mod/sumdb/tlog StoredHashIndex),
-- written by the server's checkpoint task as the tree grows (derived data: they can be
-- recomputed from the entries).
CREATE TABLE log_hashes (
    idx  INTEGER PRIMARY KEY CHECK (idx >= 0),
    hash BLOB    NOT NULL CHECK (length(hash) = 32)
);

-- Signed checkpoints (C2SP signed notes), one per tree size, and the witnesses'
-- cosignature lines for each.
CREATE TABLE log_checkpoints (
    size       INTEGER PRIMARY KEY CHECK (size >= 0),
    root       BLOB    NOT NULL CHECK (length(root) = 32),
    note       BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE log_cosignatures (
    size    INTEGER NOT NULL REFERENCES log_checkpoints (size),
    witness TEXT    NOT NULL,
    line    TEXT    NOT NULL,
    PRIMARY KEY (size, witness)
) WITHOUT ROWID;

-- Back-fill: the certificates stored before, in insertion order.
INSERT INTO log_entries (idx, certificate)
    SELECT ROW_NUMBER() OVER (ORDER BY seq) - 1, id FROM certificates
    WHERE length(bytes) <= 65535 ORDER BY seq;
