-- The log and the change journal name their certificate by its row number
-- (certificates.seq) instead of its 32-byte id. Ids are hashes, so a unique index on them
-- takes every insert to a random index page; row numbers only grow, so their unique indexes
-- append to the last page. The rows, their numbering and every read are otherwise
-- unchanged (docs/storage.md).
ALTER TABLE log_entries ADD COLUMN certificate_seq BIGINT;
UPDATE log_entries l SET certificate_seq = c.seq FROM certificates c WHERE c.id = l.certificate;
ALTER TABLE log_entries
    ALTER COLUMN certificate_seq SET NOT NULL,
    ADD UNIQUE (certificate_seq),
    ADD FOREIGN KEY (certificate_seq) REFERENCES certificates (seq),
    DROP COLUMN certificate;

ALTER TABLE changes ADD COLUMN certificate_seq BIGINT;
UPDATE changes g SET certificate_seq = c.seq FROM certificates c WHERE c.id = g.certificate;
ALTER TABLE changes
    ALTER COLUMN certificate_seq SET NOT NULL,
    ADD UNIQUE (certificate_seq),
    ADD FOREIGN KEY (certificate_seq) REFERENCES certificates (seq),
    DROP COLUMN certificate;

-- The attestations a certificate names, likewise by row number. The index on
-- attestation_refs (attestation) is dropped: no read looks references up by the
-- attestation they name.
DROP INDEX attestation_refs_attestation;
ALTER TABLE attestation_refs ADD COLUMN certificate_seq BIGINT;
UPDATE attestation_refs a SET certificate_seq = c.seq FROM certificates c WHERE c.id = a.certificate;
ALTER TABLE attestation_refs
    ALTER COLUMN certificate_seq SET NOT NULL,
    ADD FOREIGN KEY (certificate_seq) REFERENCES certificates (seq),
    DROP COLUMN certificate;
ALTER TABLE attestation_refs ADD PRIMARY KEY (certificate_seq, attestation);

-- The inputs of a certificate, likewise by row number. The index on lot_inputs (source, lot)
-- is dropped: no read looks inputs up by what they consume, and no output row is ever
-- deleted or re-keyed, which is what it would serve for the foreign key.
DROP INDEX lot_inputs_source;
ALTER TABLE lot_inputs ADD COLUMN certificate_seq BIGINT;
UPDATE lot_inputs i SET certificate_seq = c.seq FROM certificates c WHERE c.id = i.certificate;
ALTER TABLE lot_inputs
    ALTER COLUMN certificate_seq SET NOT NULL,
    ADD FOREIGN KEY (certificate_seq) REFERENCES certificates (seq),
    DROP COLUMN certificate;
ALTER TABLE lot_inputs ADD PRIMARY KEY (certificate_seq, position);
