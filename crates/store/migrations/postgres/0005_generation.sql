-- The change journal (docs/storage.md "Change journal"): one row per stored certificate,
-- numbered densely from 1 in commit order, written in the same transaction that stores the
-- certificate. generation_head holds the largest number (the store's generation). Writers
-- bump it with a row lock held until commit, so a reader that sees generation G sees every
-- change up to G committed; several servers on one database compare it with the generation
-- their caches reflect and read the rows after it to drop exactly the cached verdicts the
-- new certificates can change.
CREATE TABLE generation_head (
    one   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    value BIGINT  NOT NULL CHECK (value >= 0)
);
INSERT INTO generation_head (one, value) VALUES (TRUE, 0);

CREATE TABLE changes (
    generation  BIGINT PRIMARY KEY CHECK (generation > 0),
    certificate BYTEA  NOT NULL UNIQUE REFERENCES certificates (id)
);
