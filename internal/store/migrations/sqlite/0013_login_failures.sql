-- crmd schema, version 13: failed UIS logins (login.user), counted per login
-- and per client address in the database so that every crmd process on it
-- shares the counts (internal/auth/throttle.go). Times are Unix seconds (UTC).

-- One row per counted key: "user:ID", "login:" and the SHA-256 of a login
-- that names nobody, or "addr:" and an IPv4 address or an IPv6 /64. Keys are
-- not bound to an account: a login arrives before anyone knows the account.
-- A count's window ends at expires_at (its first failure plus the policy's
-- window); after that the row counts as nothing and is deleted.
CREATE TABLE login_failures (
    throttle_key TEXT    PRIMARY KEY,
    count        INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX login_failures_expires ON login_failures(expires_at);
