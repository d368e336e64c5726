-- Which attestations count (contract §4): every stored attestation of a vessel or facility
-- that covers a certificate's times, named or not. Attestations by subject and validity,
-- and what each custody certificate needs attested over which times; a lot's closure
-- joins the two. Times are seconds since the Unix epoch (UTC).

-- scheme: 'vessel' (subject: the IMO number of a crew attestation) or 'facility'.
CREATE TABLE attestation_subjects (
    attestation BLOB NOT NULL PRIMARY KEY REFERENCES certificates (id),
    scheme      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    valid_from  INTEGER NOT NULL,
    valid_until INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX attestation_subjects_subject ON attestation_subjects (scheme, subject, valid_from);

-- A catch needs its vessel's crew over catch_start..catch_end; a processing its facility
-- at its time; a transshipment at sea the receiving vessel's crew at its time.
CREATE TABLE attestation_needs (
    certificate BLOB NOT NULL PRIMARY KEY REFERENCES certificates (id),
    scheme      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    need_from   INTEGER NOT NULL,
    need_until  INTEGER NOT NULL
) WITHOUT ROWID;
