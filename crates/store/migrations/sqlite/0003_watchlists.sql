-- Watch lists are stored as certificates (kind 'watchlist'); every lot verdict screens
-- against all of them, so they are found by kind.
CREATE INDEX certificates_kind ON certificates (kind);
