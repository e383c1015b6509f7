package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// flushDerived brings up to date, at the end of a write call, what the
// store derives from the rows the call wrote: segment customer counts
// (segment.go). Deal search texts (deal_search.go) are recomputed once per
// shared transaction, before its COMMIT (writer.go: commitGroup.search).
func (t *tenantTx) flushDerived(ctx context.Context) error {
	return t.flushSegmentCounts(ctx)
}

// runner runs statements: a transaction, or for PostgreSQL reads a
// connection (see View).
type runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// tenantTx is a transaction bound to one account. Every query it runs names
// account_id = t.accountID: there is no method that takes an account id from
// its caller, which is what makes cross-tenant access impossible here.
type tenantTx struct {
	tx        runner
	db        *DB
	accountID int64
	now       time.Time
	// search is what this transaction changed that deal search texts are
	// made of (deal_search.go); Update recomputes them before committing.
	search searchDirt
	// segments are the segments whose links this transaction changed; Update
	// recounts their customers before committing (segment.go).
	segments map[int64]bool
	// group is the shared transaction this call runs in (writer.go), nil
	// outside Update.
	group *commitGroup
	// logBatch is the id of the first history entry this call wrote (0:
	// none yet); the others name it as their batch (InsertLog).
	logBatch int64
}

var _ crm.Tx = (*tenantTx)(nil)

func (t *tenantTx) AccountID() int64 { return t.accountID }
func (t *tenantTx) Now() time.Time   { return t.now }

func (t *tenantTx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.db.dialect.rebind(q), args...)
}

func (t *tenantTx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.db.dialect.rebind(q), args...)
}

func (t *tenantTx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.db.dialect.rebind(q), args...)
}

// insert runs an INSERT … RETURNING id.
func (t *tenantTx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := t.queryRow(ctx, q+` RETURNING id`, args...).Scan(&id)
	return id, err
}

// affected turns "no row changed" into a not-found error naming what.
func affected(res sql.Result, err error, what string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return crm.Errorf(crm.KindNotFound, "%s not found", what)
	}
	return nil
}

// notFound maps sql.ErrNoRows to a not-found error naming what.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return crm.Errorf(crm.KindNotFound, "%s not found", what)
	}
	return err
}

func unix(t time.Time) int64     { return t.Unix() }
func fromUnix(s int64) time.Time { return time.Unix(s, 0).UTC() }

func (t *tenantTx) Account(ctx context.Context) (crm.Account, error) {
	var a crm.Account
	var created, updated int64
	err := t.queryRow(ctx, `SELECT id, name, subdomain, uuid, time_zone, customers_mode, currency, created_at, updated_at
		FROM accounts WHERE id = ?`, t.accountID).
		Scan(&a.ID, &a.Name, &a.Subdomain, &a.UUID, &a.TimeZone, &a.CustomersMode, &a.Currency, &created, &updated)
	a.CreatedAt, a.UpdatedAt = fromUnix(created), fromUnix(updated)
	return a, notFound(err, "Account")
}

func (t *tenantTx) SetCustomersMode(ctx context.Context, mode crm.CustomersMode) error {
	res, err := t.exec(ctx, `UPDATE accounts SET customers_mode = ?, updated_at = ? WHERE id = ?`, string(mode), unix(t.now), t.accountID)
	return affected(res, err, "Account")
}

func (t *tenantTx) SetCurrency(ctx context.Context, code string) error {
	res, err := t.exec(ctx, `UPDATE accounts SET currency = ?, updated_at = ? WHERE id = ?`, code, unix(t.now), t.accountID)
	return affected(res, err, "Account")
}

func (t *tenantTx) InsertUser(ctx context.Context, u *crm.User) error {
	u.AccountID, u.CreatedAt = t.accountID, t.now
	id, err := t.insert(ctx, `INSERT INTO users (account_id, name, role, surname, email, profession, phone, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.accountID, u.Name, string(u.Role), u.Surname, u.Email, u.Profession, u.Phone, unix(t.now))
	u.ID = id
	return err
}

const userColumns = `id, account_id, name, role, surname, email, profession, phone, created_at, deactivated_at, last_login_at`

// scanUser reads a row of userColumns.
func scanUser(row interface{ Scan(...any) error }) (crm.User, error) {
	var u crm.User
	var created int64
	var deactivated, login sql.NullInt64
	err := row.Scan(&u.ID, &u.AccountID, &u.Name, &u.Role, &u.Surname, &u.Email, &u.Profession, &u.Phone, &created, &deactivated, &login)
	u.CreatedAt = fromUnix(created)
	if deactivated.Valid {
		u.DeactivatedAt = fromUnix(deactivated.Int64)
	}
	if login.Valid {
		u.LastLoginAt = fromUnix(login.Int64)
	}
	return u, err
}

func (t *tenantTx) User(ctx context.Context, id int64) (crm.User, error) {
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE account_id = ? AND id = ?`, t.accountID, id))
	return u, notFound(err, "User")
}

func (t *tenantTx) Users(ctx context.Context) ([]crm.User, error) {
	rows, err := t.query(ctx, `SELECT `+userColumns+` FROM users WHERE account_id = ? ORDER BY id`, t.accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (t *tenantTx) InsertCredential(ctx context.Context, c *crm.Credential) error {
	c.AccountID, c.CreatedAt = t.accountID, t.now
	var user, expires sql.NullInt64
	if c.UserID != 0 {
		user = sql.NullInt64{Int64: c.UserID, Valid: true}
	}
	if !c.ExpiresAt.IsZero() {
		expires = sql.NullInt64{Int64: c.ExpiresAt.Unix(), Valid: true}
	}
	var integration sql.NullInt64
	if c.IntegrationID != 0 {
		integration = sql.NullInt64{Int64: c.IntegrationID, Valid: true}
	}
	id, err := t.insert(ctx, `INSERT INTO credentials (account_id, user_id, kind, hash, expires_at, integration_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, t.accountID, user, string(c.Kind), hexString(c.Hash), expires, integration, unix(t.now))
	c.ID = id
	return err
}
