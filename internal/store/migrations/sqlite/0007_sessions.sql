-- crmd schema, version 7: UIS login sessions (login.user / logout.user), the
-- user passwords they check, and agent accounts acting for client accounts.
-- Times are Unix seconds (UTC).

-- A user's password, as a PBKDF2 hash written by internal/auth.
CREATE TABLE user_passwords (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    hash       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX user_passwords_account ON user_passwords(account_id);

-- Expiring session tokens; only the token's hash is kept. Expired rows stay
-- for a while so that a late caller hears "expired", not "invalid".
CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    hash       TEXT    NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- The agent account (account_id) may act for the client account.
CREATE TABLE agent_clients (
    account_id        INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    client_account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at        INTEGER NOT NULL,
    PRIMARY KEY (account_id, client_account_id)
);
CREATE INDEX agent_clients_client ON agent_clients(client_account_id);
