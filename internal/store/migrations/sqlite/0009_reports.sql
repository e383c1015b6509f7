-- crmd schema, version 9: custom statistics (Envybox stat/custom, E41).
-- A report's settings (row groupings, date filter) and each column's
-- settings are stored as the JSON of Envybox's shape, validated by
-- internal/crm (docs/envybox-stats.md). Times are Unix seconds (UTC).

CREATE TABLE custom_stats (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    settings   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX custom_stats_account ON custom_stats(account_id, id);

-- A column's id is its key in the evaluated rows ("<id>_column"), so an
-- update keeps the ids of the columns it keeps.
CREATE TABLE custom_stat_columns (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    custom_stat_id INTEGER NOT NULL REFERENCES custom_stats(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    settings       TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX custom_stat_columns_stat ON custom_stat_columns(account_id, custom_stat_id, position, id);

-- Reports select the deals of one pipeline by a date.
CREATE INDEX deals_report_created ON deals(account_id, pipeline_id, created_at);
