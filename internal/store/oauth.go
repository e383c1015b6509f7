package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// amoCRM OAuth 2.0 integrations and their grants (migration 0021).
//
// As with sessions (session.go), the lookups on *DB work across accounts,
// because a token request names only a client_id, a code or a refresh token;
// each returns only the row its unguessable key selects. Every write goes
// through the account's tenantTx.

var _ crm.OAuthLookup = (*DB)(nil)

// Clock is the store's clock (db.Now), for the auth package: token expiry
// is judged by the same clock that stamps the rows.
func (db *DB) Clock() time.Time { return db.Now() }

// grantTable is the table of a grant kind; the kinds are a closed set, so
// the name never comes from a caller.
func grantTable(kind crm.OAuthGrantKind) (table, usedColumn string) {
	if kind == crm.GrantRefresh {
		return "oauth_refresh_tokens", "revoked_at"
	}
	return "oauth_codes", "used_at"
}

const integrationColumns = `id, account_id, client_id, secret_hash, name, redirect_uri, disconnect_url, signing_key, revoked_at, created_at`

// scanIntegration reads integrationColumns (and any further dest after
// them) from a row or rows.
func scanIntegration(row interface{ Scan(...any) error }, more ...any) (crm.Integration, error) {
	var in crm.Integration
	var secret, key string
	var revoked sql.NullInt64
	var created int64
	dest := append([]any{&in.ID, &in.AccountID, &in.ClientID, &secret, &in.Name, &in.RedirectURI, &in.DisconnectURL, &key,
		&revoked, &created}, more...)
	if err := row.Scan(dest...); err != nil {
		return in, notFound(err, "Integration")
	}
	in.CreatedAt = fromUnix(created)
	if revoked.Valid {
		in.RevokedAt = fromUnix(revoked.Int64)
	}
	var err error
	if in.SecretHash, err = hex.DecodeString(secret); err != nil {
		return in, err
	}
	if key != "" {
		in.SigningKey, err = hex.DecodeString(key)
	}
	return in, err
}

// IntegrationByClientID finds an integration of any account by client_id.
func (db *DB) IntegrationByClientID(ctx context.Context, clientID string) (crm.Integration, error) {
	return scanIntegration(db.read.QueryRowContext(ctx, db.dialect.rebind(
		`SELECT `+integrationColumns+` FROM integrations WHERE client_id = ?`), clientID))
}

// OAuthGrantByHash finds a code or refresh token by the hash of its secret.
func (db *DB) OAuthGrantByHash(ctx context.Context, kind crm.OAuthGrantKind, hash []byte) (crm.OAuthGrant, error) {
	table, used := grantTable(kind)
	var g crm.OAuthGrant
	var expires, created int64
	var usedAt sql.NullInt64
	err := db.read.QueryRowContext(ctx, db.dialect.rebind(
		`SELECT id, account_id, integration_id, user_id, expires_at, `+used+`, created_at FROM `+table+` WHERE hash = ?`),
		hexString(hash)).Scan(&g.ID, &g.AccountID, &g.IntegrationID, &g.UserID, &expires, &usedAt, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return g, crm.Errorf(crm.KindNotFound, "grant not found")
	}
	g.Hash, g.ExpiresAt, g.CreatedAt = hash, fromUnix(expires), fromUnix(created)
	if usedAt.Valid {
		g.Used = fromUnix(usedAt.Int64)
	}
	return g, err
}

// DeleteExpiredOAuthGrants deletes every code and refresh token that
// expired before t, across accounts as DeleteExpiredSessions does: expired
// rows are no account's business any more, and nothing else removes them.
func (db *DB) DeleteExpiredOAuthGrants(ctx context.Context, t time.Time) error {
	for _, kind := range []crm.OAuthGrantKind{crm.GrantCode, crm.GrantRefresh} {
		table, _ := grantTable(kind)
		if _, err := db.write.ExecContext(ctx, db.dialect.rebind(`DELETE FROM `+table+` WHERE expires_at < ?`), t.Unix()); err != nil {
			return err
		}
	}
	return nil
}

// InsertIntegration stores an integration of the account.
func (t *tenantTx) InsertIntegration(ctx context.Context, in *crm.Integration) error {
	in.AccountID, in.CreatedAt = t.accountID, t.now
	id, err := t.insert(ctx, `INSERT INTO integrations (account_id, client_id, secret_hash, name, redirect_uri, disconnect_url,
		signing_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.accountID, in.ClientID, hexString(in.SecretHash), in.Name,
		in.RedirectURI, in.DisconnectURL, hexString(in.SigningKey), unix(t.now))
	if t.db.dialect.isUniqueViolation(err) {
		return crm.Errorf(crm.KindConflict, "Integration %s already exists", in.ClientID)
	}
	in.ID = id
	return err
}

// Integration returns one of the account's integrations by client_id.
func (t *tenantTx) Integration(ctx context.Context, clientID string) (crm.Integration, error) {
	return scanIntegration(t.queryRow(ctx, `SELECT `+integrationColumns+` FROM integrations WHERE account_id = ? AND client_id = ?`,
		t.accountID, clientID))
}

// InsertOAuthGrant stores a code or refresh token of one of the account's
// users for one of the account's integrations.
func (t *tenantTx) InsertOAuthGrant(ctx context.Context, kind crm.OAuthGrantKind, g *crm.OAuthGrant) error {
	g.AccountID, g.CreatedAt = t.accountID, t.now
	// Both must be the account's: the foreign keys alone would accept
	// another account's user or integration.
	if _, err := t.User(ctx, g.UserID); err != nil {
		return err
	}
	var one int
	err := t.queryRow(ctx, `SELECT 1 FROM integrations WHERE account_id = ? AND id = ?`, t.accountID, g.IntegrationID).Scan(&one)
	if err != nil {
		return notFound(err, "Integration")
	}
	table, _ := grantTable(kind)
	id, err := t.insert(ctx, `INSERT INTO `+table+` (account_id, integration_id, user_id, hash, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, t.accountID, g.IntegrationID, g.UserID, hexString(g.Hash), unix(g.ExpiresAt), unix(t.now))
	g.ID = id
	return err
}

// UseOAuthGrant marks a live grant of the account used. The condition on
// the used column makes it happen once, whoever races.
func (t *tenantTx) UseOAuthGrant(ctx context.Context, kind crm.OAuthGrantKind, id int64) error {
	table, used := grantTable(kind)
	res, err := t.exec(ctx, `UPDATE `+table+` SET `+used+` = ? WHERE account_id = ? AND id = ? AND `+used+` IS NULL`,
		unix(t.now), t.accountID, id)
	return affected(res, err, "Grant")
}

// Integrations lists the account's integrations with their live grants,
// counted in one statement.
func (t *tenantTx) Integrations(ctx context.Context) ([]crm.IntegrationListing, error) {
	now := unix(t.now)
	rows, err := t.query(ctx, `SELECT `+integrationColumns+`,
		(SELECT COUNT(*) FROM oauth_codes c WHERE c.integration_id = integrations.id AND c.used_at IS NULL AND c.expires_at > ?)
		+ (SELECT COUNT(*) FROM oauth_refresh_tokens r WHERE r.integration_id = integrations.id AND r.revoked_at IS NULL AND r.expires_at > ?)
		FROM integrations WHERE account_id = ? ORDER BY id`, now, now, t.accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.IntegrationListing
	for rows.Next() {
		var l crm.IntegrationListing
		var live int64
		if l.Integration, err = scanIntegration(rows, &live); err != nil {
			return nil, err
		}
		l.LiveGrants = int(live)
		out = append(out, l)
	}
	return out, rows.Err()
}

// RevokeIntegration revokes one of the account's integrations with
// everything it was given, in the caller's transaction. Codes and refresh
// tokens are marked rather than deleted, so that a client presenting one is
// told it was revoked (until the expired grants are swept); access tokens
// are deleted, which is what revokes a credential.
func (t *tenantTx) RevokeIntegration(ctx context.Context, id int64) error {
	res, err := t.exec(ctx, `UPDATE integrations SET revoked_at = ? WHERE account_id = ? AND id = ? AND revoked_at IS NULL`,
		unix(t.now), t.accountID, id)
	if err := affected(res, err, "Integration"); crm.KindOf(err) == crm.KindNotFound {
		var one int
		if t.queryRow(ctx, `SELECT 1 FROM integrations WHERE account_id = ? AND id = ?`, t.accountID, id).Scan(&one) == nil {
			return crm.Errorf(crm.KindConflict, "Integration is already revoked")
		}
		return err
	} else if err != nil {
		return err
	}
	for _, kind := range []crm.OAuthGrantKind{crm.GrantCode, crm.GrantRefresh} {
		table, used := grantTable(kind)
		if _, err := t.exec(ctx, `UPDATE `+table+` SET `+used+` = ? WHERE account_id = ? AND integration_id = ? AND `+used+` IS NULL`,
			unix(t.now), t.accountID, id); err != nil {
			return err
		}
	}
	if _, err = t.exec(ctx, `DELETE FROM credentials WHERE account_id = ? AND integration_id = ?`, t.accountID, id); err != nil {
		return err
	}
	return t.bumpAuthEpoch(ctx)
}
