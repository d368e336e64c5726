-- catchcert store schema, SQLite.
-- Ids and keys are 32-byte BLOBs; times are seconds since the Unix epoch (UTC);
-- quantities are whole grams.

-- Every stored certificate, in insertion order (`seq`, never reused).
CREATE TABLE certificates (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             BLOB    NOT NULL UNIQUE CHECK (length(id) = 32),
    bytes          BLOB    NOT NULL,
    kind           TEXT    NOT NULL,
    time           INTEGER NOT NULL,
    issued_at      INTEGER NOT NULL,
    issuer_subject TEXT    NOT NULL,
    issuer_key     BLOB    NOT NULL CHECK (length(issuer_key) = 32)
);
CREATE INDEX certificates_issuer ON certificates (issuer_key, issuer_subject);

-- Which certificate outputs which lot, how much, and how much of it stored certificates
-- consume. The CHECK is the last line of defence against over-consumption.
CREATE TABLE lot_outputs (
    certificate BLOB    NOT NULL REFERENCES certificates (id),
    lot         TEXT    NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    consumed    INTEGER NOT NULL DEFAULT 0 CHECK (consumed >= 0 AND consumed <= quantity),
    PRIMARY KEY (certificate, lot)
) WITHOUT ROWID;
CREATE INDEX lot_outputs_lot ON lot_outputs (lot);

-- Which certificate consumes how much of which (certificate, lot).
CREATE TABLE lot_inputs (
    certificate BLOB    NOT NULL REFERENCES certificates (id),
    position    INTEGER NOT NULL,
    source      BLOB    NOT NULL,
    lot         TEXT    NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (certificate, position),
    FOREIGN KEY (source, lot) REFERENCES lot_outputs (certificate, lot)
) WITHOUT ROWID;
CREATE INDEX lot_inputs_source ON lot_inputs (source, lot);

-- The attestations a certificate names (they need not be stored).
CREATE TABLE attestation_refs (
    certificate BLOB NOT NULL REFERENCES certificates (id),
    attestation BLOB NOT NULL CHECK (length(attestation) = 32),
    PRIMARY KEY (certificate, attestation)
) WITHOUT ROWID;
CREATE INDEX attestation_refs_attestation ON attestation_refs (attestation);

-- Revocation certificates and the certificate each revokes (which need not be stored).
CREATE TABLE revocations (
    revocation BLOB NOT NULL PRIMARY KEY REFERENCES certificates (id),
    target     BLOB NOT NULL CHECK (length(target) = 32)
) WITHOUT ROWID;
CREATE INDEX revocations_target ON revocations (target);
