-- crmd schema, version 22: webhooks (docs/webhooks.md). The history (logs)
-- is the outbox: this version adds to it only what delivery needs to read it
-- in commit order and by write call, and keeps the subscriptions, the
-- deliveries made of the history and the log of their attempts. Delivery
-- times are Unix milliseconds (retries are seconds apart).

-- batch_id: the id of the first entry the same write call made (NULL on
-- that first entry), so that the events of one request go in one POST.
ALTER TABLE logs ADD COLUMN batch_id INTEGER;

-- kind: 'amocrm' (amoCRM's /api/v4/webhooks: form-encoded, amoCRM's event
-- names in events) or 'crmd' (signed JSON, crmd's event names, filters).
CREATE TABLE webhooks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    destination     TEXT    NOT NULL,
    events          TEXT    NOT NULL, -- JSON array of event names
    pipeline_id     INTEGER NOT NULL DEFAULT 0,
    stage_ids       TEXT    NOT NULL DEFAULT '[]',
    batch           INTEGER NOT NULL DEFAULT 0, -- crmd kind: 1 sends several events a POST
    secret          TEXT    NOT NULL DEFAULT '',
    sort            INTEGER NOT NULL DEFAULT 0,
    disabled_at     INTEGER,
    disabled_reason TEXT    NOT NULL DEFAULT '',
    failures        INTEGER NOT NULL DEFAULT 0, -- consecutive failed attempts
    created_by      INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX webhooks_account ON webhooks(account_id, id);

-- The outbox cursor: the last history entry handed out to deliveries.
-- Starts at the newest entry: history from before webhooks is not sent.
-- owner and owner_until: the process that hands the history out, for
-- how long (one at a time: it sends before it records).
CREATE TABLE webhook_cursor (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    last_log_id INTEGER NOT NULL,
    owner       TEXT    NOT NULL DEFAULT '',
    owner_until INTEGER NOT NULL DEFAULT 0
);
INSERT INTO webhook_cursor (id, last_log_id) SELECT 1, COALESCE(MAX(id), 0) FROM logs;

-- One delivery: one body for one webhook, made of one or more events.
-- state: pending (lease_until says whether a process holds it), delivered,
-- failed (retries used up, or refused). record_key orders deliveries of
-- one record to one webhook: one goes only after those before it.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    record_key      TEXT    NOT NULL,
    uid             TEXT    NOT NULL, -- sent as X-Crmd-Delivery; new for a replay
    event_ids       TEXT    NOT NULL, -- JSON array of history entry ids
    event_types     TEXT    NOT NULL, -- JSON array of event names
    content_type    TEXT    NOT NULL,
    body            BLOB    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    -- The latest attempt, in full: a delivered one's success is kept only
    -- here (the attempts table holds the failed ones), so that the usual
    -- delivery, delivered at the first try, is one row.
    last_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_latency_ms INTEGER NOT NULL DEFAULT 0,
    last_response   TEXT    NOT NULL DEFAULT '',
    replay_of       INTEGER,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_record ON webhook_deliveries(webhook_id, record_key, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(account_id, webhook_id, id);

-- The delivery log: one row per failed attempt (a success is the
-- delivery's own last_* columns).
CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    webhook_id  INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    status      INTEGER NOT NULL, -- HTTP status; 0: no answer
    latency_ms  INTEGER NOT NULL,
    error       TEXT    NOT NULL DEFAULT '',
    response    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);
CREATE INDEX webhook_attempts_hook ON webhook_attempts(webhook_id, at);
