-- crmd schema, version 21: amoCRM OAuth 2.0 integrations (docs/amocrm.md,
-- "OAuth 2.0"). Secrets, codes and refresh tokens are kept only as SHA-256
-- hashes (hex), like credentials. Times are Unix seconds (UTC).

-- An integration belongs to one account; client_id is its public UUID.
CREATE TABLE integrations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    client_id     TEXT    NOT NULL UNIQUE,
    secret_hash   TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    redirect_uri  TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX integrations_account ON integrations(account_id);

-- Authorization codes: single use (used_at), 20 minutes.
CREATE TABLE oauth_codes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    integration_id INTEGER NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    hash           TEXT    NOT NULL UNIQUE,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER,
    created_at     INTEGER NOT NULL
);
CREATE INDEX oauth_codes_account ON oauth_codes(account_id);

-- Refresh tokens: 3 months; a refresh rotates the token (revoked_at set on
-- the old one in the same transaction that inserts the new one).
CREATE TABLE oauth_refresh_tokens (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    integration_id INTEGER NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    hash           TEXT    NOT NULL UNIQUE,
    expires_at     INTEGER NOT NULL,
    revoked_at     INTEGER,
    created_at     INTEGER NOT NULL
);
CREATE INDEX oauth_refresh_tokens_account ON oauth_refresh_tokens(account_id);
