-- Every index is written by every insert that adds a row to its table; these two served no
-- read. The index on certificates (issuer_key, issuer_subject) was never read at all. The one
-- on certificates (kind) is only read to find the watch lists (kind 'watchlist'), so a
-- partial index holding only those takes its place, and other certificates write to no
-- index but their id's.
DROP INDEX certificates_issuer;
DROP INDEX certificates_kind;
CREATE INDEX certificates_watchlists ON certificates (seq) WHERE kind = 'watchlist';
