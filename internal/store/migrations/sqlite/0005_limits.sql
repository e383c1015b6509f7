-- crmd schema, version 5: request limits shared by every crmd process on the
-- database. Times are Unix seconds (UTC).

-- One row per counted window: the number of requests admitted in it.
-- limit_key is "dialect:caller" (e.g. "amocrm:user:5") or
-- "amocrm:violations"; window_kind is second, minute or day; expires_at is
-- window_start plus the window's length, after which the row is deleted.
CREATE TABLE limit_counters (
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    limit_key    TEXT    NOT NULL,
    window_kind  TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (account_id, limit_key, window_kind, window_start)
);
CREATE INDEX limit_counters_expires ON limit_counters(expires_at);

-- An account's own limits per dialect (NULL: the dialect's default; 0: no
-- limit) and the end of a block for repeated violations (0: none).
CREATE TABLE account_limits (
    account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    dialect       TEXT    NOT NULL,
    per_second    INTEGER,
    per_minute    INTEGER,
    per_day       INTEGER,
    blocked_until INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (account_id, dialect)
);
