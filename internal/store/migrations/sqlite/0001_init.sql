-- crmd schema, version 1: accounts, users, credentials, custom fields,
-- customer statuses and segments. Times are Unix seconds (UTC).

CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT    NOT NULL,
    subdomain      TEXT    NOT NULL UNIQUE,
    uuid           TEXT    NOT NULL UNIQUE,
    time_zone      TEXT    NOT NULL,
    customers_mode TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX users_account ON users(account_id);

CREATE TABLE credentials (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    hash       TEXT    NOT NULL UNIQUE,
    expires_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX credentials_account ON credentials(account_id);

CREATE TABLE instance_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE customer_statuses (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    sort       INTEGER NOT NULL,
    is_default BOOLEAN NOT NULL,
    color      TEXT    NOT NULL,
    type       INTEGER NOT NULL,
    conditions TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX customer_statuses_account ON customer_statuses(account_id, sort, id);

CREATE TABLE segments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    color       TEXT    NOT NULL,
    price_types TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX segments_account ON segments(account_id, id);

-- Which customers are in which segment; customers themselves arrive with the
-- customers API, which adds the foreign key to them.
CREATE TABLE customer_segments (
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL,
    segment_id  INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    PRIMARY KEY (segment_id, customer_id)
);
CREATE INDEX customer_segments_customer ON customer_segments(customer_id);

CREATE TABLE custom_fields (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    entity_type TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    code        TEXT    NOT NULL,
    sort        INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX custom_fields_account ON custom_fields(account_id, entity_type, sort, id);

CREATE TABLE custom_field_enums (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    field_id   INTEGER NOT NULL REFERENCES custom_fields(id) ON DELETE CASCADE,
    value      TEXT    NOT NULL,
    sort       INTEGER NOT NULL,
    code       TEXT    NOT NULL
);
CREATE INDEX custom_field_enums_field ON custom_field_enums(field_id, sort, id);

CREATE TABLE field_values (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    entity_type TEXT    NOT NULL,
    entity_id   INTEGER NOT NULL,
    field_id    INTEGER NOT NULL REFERENCES custom_fields(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    value       TEXT    NOT NULL,
    enum_id     INTEGER REFERENCES custom_field_enums(id) ON DELETE CASCADE
);
CREATE INDEX field_values_entity ON field_values(account_id, entity_type, entity_id);
CREATE INDEX field_values_field ON field_values(field_id, value);
CREATE INDEX field_values_enum ON field_values(enum_id);
CREATE INDEX credentials_user ON credentials(user_id);
