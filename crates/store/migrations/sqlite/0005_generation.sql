-- The change journal (docs/storage.md "Change journal"): one row per stored certificate,
-- numbered densely from 1 in commit order, written in the same transaction that stores the
-- certificate. The store's generation is the largest number (0 when empty). A server
-- compares it with the generation its caches reflect and reads the rows after it to drop
-- exactly the cached verdicts the new certificates can change, also when another process
-- wrote them. SQLite has one writer at a time, so the rowid order is the commit order.
CREATE TABLE changes (
    generation  INTEGER PRIMARY KEY CHECK (generation > 0),
    certificate BLOB    NOT NULL UNIQUE REFERENCES certificates (id)
);
