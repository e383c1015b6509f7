-- crmd schema, version 25: administrators run users from the web workspace
-- (docs/web.md, "Settings"): deactivating a user, their last sign-in, and
-- revocations that every crmd process on the database sees at once.

-- deactivated_at: set when an administrator deactivates the user (NULL:
-- active). A deactivated user cannot sign in, and every session, credential
-- and OAuth grant of theirs was revoked in the same transaction.
-- last_login_at: the user's last web sign-in (NULL: none known).
ALTER TABLE users ADD COLUMN deactivated_at INTEGER;
ALTER TABLE users ADD COLUMN last_login_at INTEGER;

-- auth_epoch counts the account's revocations (a user deactivated or their
-- role changed, a credential rotated, an integration revoked). A process
-- that remembers whom a credential stood for checks this one number before
-- trusting its memory, so that a revocation made by any process applies to
-- the very next request everywhere.
ALTER TABLE accounts ADD COLUMN auth_epoch INTEGER NOT NULL DEFAULT 0;
