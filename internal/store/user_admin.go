package store

import (
	"context"
	"database/sql"

	"github.com/crmd/crmd/internal/crm"
)

// Users' roles and deactivation, their long-lived credentials, and the
// account's authentication epoch (migration 0025).

// bumpAuthEpoch advances the account's authentication epoch in the
// caller's transaction: every process that remembers whom a credential
// stood for compares the epoch before trusting that memory (auth's actor
// cache), so a revocation committed here applies to the next request of
// every process.
func (t *tenantTx) bumpAuthEpoch(ctx context.Context) error {
	res, err := t.exec(ctx, `UPDATE accounts SET auth_epoch = auth_epoch + 1 WHERE id = ?`, t.accountID)
	return affected(res, err, "Account")
}

// AuthEpoch is the account's authentication epoch: how many revocations it
// has seen. KindNotFound when there is no such account.
func (db *DB) AuthEpoch(ctx context.Context, accountID int64) (int64, error) {
	var n int64
	err := db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT auth_epoch FROM accounts WHERE id = ?`), accountID).Scan(&n)
	return n, notFound(err, "Account")
}

func (t *tenantTx) SetUserRole(ctx context.Context, id int64, role crm.Role) error {
	res, err := t.exec(ctx, `UPDATE users SET role = ? WHERE account_id = ? AND id = ?`, string(role), t.accountID, id)
	if err := affected(res, err, "User"); err != nil {
		return err
	}
	return t.bumpAuthEpoch(ctx)
}

func (t *tenantTx) DeactivateUser(ctx context.Context, id int64) error {
	res, err := t.exec(ctx, `UPDATE users SET deactivated_at = ? WHERE account_id = ? AND id = ?`, unix(t.now), t.accountID, id)
	if err := affected(res, err, "User"); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM sessions WHERE account_id = ? AND user_id = ?`,
		`DELETE FROM credentials WHERE account_id = ? AND user_id = ?`,
	} {
		if _, err := t.exec(ctx, q, t.accountID, id); err != nil {
			return err
		}
	}
	// Codes and refresh tokens are marked, as revoking an integration
	// marks them, so that a client presenting one is told it was revoked.
	for _, kind := range []crm.OAuthGrantKind{crm.GrantCode, crm.GrantRefresh} {
		table, used := grantTable(kind)
		if _, err := t.exec(ctx, `UPDATE `+table+` SET `+used+` = ? WHERE account_id = ? AND user_id = ? AND `+used+` IS NULL`,
			unix(t.now), t.accountID, id); err != nil {
			return err
		}
	}
	return t.bumpAuthEpoch(ctx)
}

func (t *tenantTx) ActivateUser(ctx context.Context, id int64) error {
	res, err := t.exec(ctx, `UPDATE users SET deactivated_at = NULL WHERE account_id = ? AND id = ?`, t.accountID, id)
	return affected(res, err, "User")
}

func (t *tenantTx) NoteSignIn(ctx context.Context, id int64) error {
	res, err := t.exec(ctx, `UPDATE users SET last_login_at = ? WHERE account_id = ? AND id = ?`, unix(t.now), t.accountID, id)
	return affected(res, err, "User")
}

func (t *tenantTx) SetUserPasswordHash(ctx context.Context, id int64, hash string) error {
	res, err := t.exec(ctx, `INSERT INTO user_passwords (user_id, account_id, hash, updated_at)
		 SELECT id, account_id, ?, ? FROM users WHERE account_id = ? AND id = ?
		 ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`,
		hash, unix(t.now), t.accountID, id)
	return affected(res, err, "User")
}

func (t *tenantTx) Credentials(ctx context.Context) ([]crm.Credential, error) {
	rows, err := t.query(ctx, `SELECT id, user_id, kind, expires_at, created_at FROM credentials
		WHERE account_id = ? AND integration_id IS NULL ORDER BY id`, t.accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.Credential
	for rows.Next() {
		c := crm.Credential{AccountID: t.accountID}
		var user, expires sql.NullInt64
		var created int64
		if err := rows.Scan(&c.ID, &user, &c.Kind, &expires, &created); err != nil {
			return nil, err
		}
		c.UserID, c.CreatedAt = user.Int64, fromUnix(created)
		if expires.Valid {
			c.ExpiresAt = fromUnix(expires.Int64)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *tenantTx) DeleteCredentials(ctx context.Context, kind crm.CredentialKind, userID int64) error {
	q := `DELETE FROM credentials WHERE account_id = ? AND kind = ? AND integration_id IS NULL`
	args := []any{t.accountID, string(kind)}
	if userID != 0 {
		q += ` AND user_id = ?`
		args = append(args, userID)
	}
	if _, err := t.exec(ctx, q, args...); err != nil {
		return err
	}
	return t.bumpAuthEpoch(ctx)
}
