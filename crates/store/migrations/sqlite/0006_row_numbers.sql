-- The log and the change journal name their certificate by its row number
-- (certificates.seq) instead of its 32-byte id. Ids are hashes, so a unique index on them
-- takes every insert to a random page, which each commit writes to the WAL whole; row
-- numbers only grow, so their unique indexes append to the last page. The rows, their
-- numbering and every read are otherwise unchanged (docs/storage.md).
CREATE TABLE log_entries_by_row (
    idx             INTEGER PRIMARY KEY CHECK (idx >= 0),
    certificate_seq INTEGER NOT NULL UNIQUE REFERENCES certificates (seq)
);
INSERT INTO log_entries_by_row (idx, certificate_seq)
    SELECT l.idx, c.seq FROM log_entries l JOIN certificates c ON c.id = l.certificate
    ORDER BY l.idx;
DROP TABLE log_entries;
ALTER TABLE log_entries_by_row RENAME TO log_entries;

CREATE TABLE changes_by_row (
    generation      INTEGER PRIMARY KEY CHECK (generation > 0),
    certificate_seq INTEGER NOT NULL UNIQUE REFERENCES certificates (seq)
);
INSERT INTO changes_by_row (generation, certificate_seq)
    SELECT g.generation, c.seq FROM changes g JOIN certificates c ON c.id = g.certificate
    ORDER BY g.generation;
DROP TABLE changes;
ALTER TABLE changes_by_row RENAME TO changes;

-- The attestations a certificate names, likewise by row number. The index on
-- attestation_refs (attestation) is not rebuilt: no read looks references up by the
-- attestation they name.
CREATE TABLE attestation_refs_by_row (
    certificate_seq INTEGER NOT NULL REFERENCES certificates (seq),
    attestation     BLOB    NOT NULL CHECK (length(attestation) = 32),
    PRIMARY KEY (certificate_seq, attestation)
) WITHOUT ROWID;
INSERT INTO attestation_refs_by_row (certificate_seq, attestation)
    SELECT c.seq, a.attestation FROM attestation_refs a JOIN certificates c ON c.id = a.certificate;
DROP TABLE attestation_refs;
ALTER TABLE attestation_refs_by_row RENAME TO attestation_refs;

-- The inputs of a certificate, likewise by row number. The index on lot_inputs (source, lot)
-- is not rebuilt: no read looks inputs up by what they consume, and no output row is ever
-- deleted or re-keyed, which is what it would serve for the foreign key.
CREATE TABLE lot_inputs_by_row (
    certificate_seq INTEGER NOT NULL REFERENCES certificates (seq),
    position        INTEGER NOT NULL,
    source          BLOB    NOT NULL,
    lot             TEXT    NOT NULL,
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (certificate_seq, position),
    FOREIGN KEY (source, lot) REFERENCES lot_outputs (certificate, lot)
) WITHOUT ROWID;
INSERT INTO lot_inputs_by_row (certificate_seq, position, source, lot, quantity)
    SELECT c.seq, i.position, i.source, i.lot, i.quantity
    FROM lot_inputs i JOIN certificates c ON c.id = i.certificate;
DROP TABLE lot_inputs;
ALTER TABLE lot_inputs_by_row RENAME TO lot_inputs;
