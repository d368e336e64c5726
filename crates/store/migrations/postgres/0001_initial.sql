-- catchcert store schema, PostgreSQL.
-- Ids and keys are 32-byte BYTEA; times are seconds since the Unix epoch (UTC);
-- quantities are whole grams.

-- Every stored certificate, in insertion order (`seq`).
CREATE TABLE certificates (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id             BYTEA  PRIMARY KEY CHECK (octet_length(id) = 32),
    bytes          BYTEA  NOT NULL,
    kind           TEXT   NOT NULL,
    time           BIGINT NOT NULL,
    issued_at      BIGINT NOT NULL,
    issuer_subject TEXT   NOT NULL,
    issuer_key     BYTEA  NOT NULL CHECK (octet_length(issuer_key) = 32)
);
CREATE INDEX certificates_issuer ON certificates (issuer_key, issuer_subject);

-- Which certificate outputs which lot, how much, and how much of it stored certificates
-- consume. The CHECK is the last line of defence against over-consumption.
CREATE TABLE lot_outputs (
    certificate BYTEA  NOT NULL REFERENCES certificates (id),
    lot         TEXT   NOT NULL,
    quantity    BIGINT NOT NULL CHECK (quantity > 0),
    consumed    BIGINT NOT NULL DEFAULT 0 CHECK (consumed >= 0 AND consumed <= quantity),
    PRIMARY KEY (certificate, lot)
);
CREATE INDEX lot_outputs_lot ON lot_outputs (lot);

-- Which certificate consumes how much of which (certificate, lot).
CREATE TABLE lot_inputs (
    certificate BYTEA   NOT NULL REFERENCES certificates (id),
    position    INTEGER NOT NULL,
    source      BYTEA   NOT NULL,
    lot         TEXT    NOT NULL,
    quantity    BIGINT  NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (certificate, position),
    FOREIGN KEY (source, lot) REFERENCES lot_outputs (certificate, lot)
);
CREATE INDEX lot_inputs_source ON lot_inputs (source, lot);

-- The attestations a certificate names (they need not be stored).
CREATE TABLE attestation_refs (
    certificate BYTEA NOT NULL REFERENCES certificates (id),
    attestation BYTEA NOT NULL CHECK (octet_length(attestation) = 32),
    PRIMARY KEY (certificate, attestation)
);
CREATE INDEX attestation_refs_attestation ON attestation_refs (attestation);

-- Revocation certificates and the certificate each revokes (which need not be stored).
CREATE TABLE revocations (
    revocation BYTEA NOT NULL PRIMARY KEY REFERENCES certificates (id),
    target     BYTEA NOT NULL CHECK (octet_length(target) = 32)
);
CREATE INDEX revocations_target ON revocations (target);
