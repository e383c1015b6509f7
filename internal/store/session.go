package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// UIS login sessions, user passwords and agent accounts.
//
// The methods on *DB work across accounts, because a login, a session token
// or an agent's user_id arrives before anyone knows the account; each one
// returns only rows the key it is given selects (a user with a password, a
// session by its hash, a user of one of the agent's own clients), so a caller
// cannot reach an account by naming it. Creating and ending a session go
// through the account's tenantTx.

// SetUserPassword stores the password hash of a user under its own account.
func (db *DB) SetUserPassword(ctx context.Context, userID int64, hash string) error {
	res, err := db.write.ExecContext(ctx, db.dialect.rebind(
		`INSERT INTO user_passwords (user_id, account_id, hash, updated_at)
		 SELECT id, account_id, ?, ? FROM users WHERE id = ?
		 ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`),
		hash, db.Now().Unix(), userID)
	return affected(res, err, "User")
}

// PasswordsByLogin returns the password hashes of the users a login names:
// an id when login is all digits, otherwise an email (case-insensitively).
func (db *DB) PasswordsByLogin(ctx context.Context, login string) ([]crm.UserPassword, error) {
	q := `SELECT p.account_id, p.user_id, p.hash FROM user_passwords p JOIN users u ON u.id = p.user_id AND u.deactivated_at IS NULL `
	var arg any
	if id, err := strconv.ParseInt(login, 10, 64); err == nil && id > 0 {
		q += `WHERE u.id = ?`
		arg = id
	} else {
		q += `WHERE u.email <> '' AND ` + db.dialect.fold("u.email") + ` = ?`
		arg = strings.ToLower(login)
	}
	rows, err := db.read.QueryContext(ctx, db.dialect.rebind(q+` ORDER BY p.user_id`), arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.UserPassword
	for rows.Next() {
		var p crm.UserPassword
		if err := rows.Scan(&p.AccountID, &p.UserID, &p.Hash); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SessionByHash finds a session by the hash of its token, expired or not.
func (db *DB) SessionByHash(ctx context.Context, hash []byte) (crm.Session, error) {
	var s crm.Session
	var expires, created int64
	err := db.read.QueryRowContext(ctx, db.dialect.rebind(
		`SELECT id, account_id, user_id, kind, expires_at, created_at FROM sessions WHERE hash = ?`), hexString(hash)).
		Scan(&s.ID, &s.AccountID, &s.UserID, &s.Kind, &expires, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return s, crm.Errorf(crm.KindNotFound, "session not found")
	}
	s.Hash, s.ExpiresAt, s.CreatedAt = hash, fromUnix(expires), fromUnix(created)
	return s, err
}

// DeleteExpiredSessions deletes every session that expired before t.
func (db *DB) DeleteExpiredSessions(ctx context.Context, t time.Time) error {
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(`DELETE FROM sessions WHERE expires_at < ?`), t.Unix())
	return err
}

// LinkAgent lets the agent account act for the client account.
func (db *DB) LinkAgent(ctx context.Context, agentAccountID, clientAccountID int64) error {
	return db.inTx(ctx, db.write, true, func(tx *sql.Tx) error {
		for _, id := range []int64{agentAccountID, clientAccountID} {
			var one int
			err := tx.QueryRowContext(ctx, db.dialect.rebind(`SELECT 1 FROM accounts WHERE id = ?`), id).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return crm.Errorf(crm.KindNotFound, "Account %d not found", id)
			}
			if err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, db.dialect.rebind(
			`INSERT INTO agent_clients (account_id, client_account_id, created_at) VALUES (?, ?, ?)`),
			agentAccountID, clientAccountID, db.Now().Unix())
		if db.dialect.isUniqueViolation(err) {
			return crm.Errorf(crm.KindConflict, "Account %d already acts for account %d", agentAccountID, clientAccountID)
		}
		return err
	})
}

// AgentClients lists the client accounts of an agent account.
func (db *DB) AgentClients(ctx context.Context, agentAccountID int64) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, db.dialect.rebind(
		`SELECT client_account_id FROM agent_clients WHERE account_id = ? ORDER BY client_account_id`), agentAccountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// AgentClientUser returns a user of one of the agent's client accounts.
func (db *DB) AgentClientUser(ctx context.Context, agentAccountID, userID int64) (crm.User, error) {
	cols := "u." + strings.ReplaceAll(userColumns, ", ", ", u.")
	u, err := scanUser(db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT `+cols+` FROM users u
		JOIN agent_clients a ON a.client_account_id = u.account_id
		WHERE a.account_id = ? AND u.id = ?`), agentAccountID, userID))
	return u, notFound(err, "User")
}

// InsertSession stores a session of one of the account's users.
func (t *tenantTx) InsertSession(ctx context.Context, s *crm.Session) error {
	s.AccountID, s.CreatedAt = t.accountID, t.now
	// The user must be the account's: the foreign key alone would accept
	// another account's user.
	if _, err := t.User(ctx, s.UserID); err != nil {
		return err
	}
	if s.Kind == "" {
		s.Kind = crm.SessionUIS
	}
	id, err := t.insert(ctx, `INSERT INTO sessions (account_id, user_id, kind, hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.accountID, s.UserID, string(s.Kind), hexString(s.Hash), unix(s.ExpiresAt), unix(t.now))
	s.ID = id
	return err
}

// EndUserSessions deletes a user's sessions but keep, and bumps the
// account's authentication epoch so no process trusts a remembered one.
func (t *tenantTx) EndUserSessions(ctx context.Context, userID, keep int64) error {
	if _, err := t.exec(ctx, `DELETE FROM sessions WHERE account_id = ? AND user_id = ? AND id <> ?`,
		t.accountID, userID, keep); err != nil {
		return err
	}
	return t.bumpAuthEpoch(ctx)
}

// DeleteSession deletes one of the account's sessions.
func (t *tenantTx) DeleteSession(ctx context.Context, id int64) error {
	res, err := t.exec(ctx, `DELETE FROM sessions WHERE account_id = ? AND id = ?`, t.accountID, id)
	return affected(res, err, "Session")
}
