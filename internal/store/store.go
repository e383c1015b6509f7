package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// DB is an open crmd database. It implements crm.Store.
type DB struct {
	// write is the pool for read-write transactions. On SQLite it holds a
	// single connection, so writers queue in Go instead of spinning on
	// SQLITE_BUSY.
	write *sql.DB
	// read is the pool for read-only transactions (the same pool as write on
	// PostgreSQL).
	read    *sql.DB
	dialect dialect
	// writer queues Update calls and lets concurrent ones share
	// transactions (writer.go).
	writer writer
	// Now is the clock; tests replace it to control time.
	Now func() time.Time
	// checkpoints runs SQLite's WAL checkpoints off the write connection
	// (checkpoint.go); nil on PostgreSQL.
	checkpoints *checkpointer
	// failures counts the View and Update calls that failed other than
	// with a domain answer (QueryErrors in health.go).
	failures atomic.Uint64
}

var _ crm.Store = (*DB)(nil)

// dialect is what differs between the two databases.
type dialect interface {
	// name is "sqlite" or "postgres".
	name() string
	// rebind rewrites '?' placeholders into the database's own.
	rebind(query string) string
	// lockAccount serializes writers of one account for the transaction.
	lockAccount(ctx context.Context, tx *sql.Tx, accountID int64) error
	// writeGroup names the Update calls that may share a transaction with
	// those of accountID (writer.go).
	writeGroup(accountID int64) int64
	// lockMigrations serializes migration runs across processes.
	lockMigrations(ctx context.Context, tx *sql.Tx) error
	// isUniqueViolation reports whether err is a unique-constraint failure.
	isUniqueViolation(err error) bool
	// isBusy reports whether err means the database was momentarily locked.
	isBusy(err error) bool
	// fold lower-cases a text expression, Cyrillic included.
	fold(expr string) string
	// insertIgnore is the statement that inserts a row unless its key exists.
	insertIgnore(table, columns, values string) string
	// newline is a newline character as an SQL expression.
	newline() string
	// joinLines aggregates a text column's values joined by newlines.
	joinLines(expr string) string
	// contains tests that a text column holds the bound argument.
	contains(column string) string
	// reserveIDs takes n fresh ids from table's id sequence (Bulk).
	reserveIDs(ctx context.Context, tx runner, table string, n int) ([]int64, error)
	// planEachCall marks a statement's arguments so that the database plans
	// it for their values on every call instead of caching one plan
	// (searchArgs).
	planEachCall(args []any) []any
}

// Open connects to the database named by dsn and applies pending migrations.
// DSN forms: "postgres://…" or "postgresql://…" for PostgreSQL; "sqlite:PATH"
// or a bare PATH for SQLite (ParseDSN).
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := OpenNoMigrate(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate connects without touching the schema.
func OpenNoMigrate(ctx context.Context, dsn string) (*DB, error) {
	dialect, target, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	var db *DB
	if dialect == DialectPostgres {
		db, err = openPostgres(target)
	} else {
		db, err = openSQLite(target)
	}
	if err != nil {
		return nil, err
	}
	db.Now = time.Now
	if err := db.connect(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", db.dialect.name(), err)
	}
	return db, nil
}

// connect pings the database until it answers. SQLite can report "database
// is locked" without waiting while another process switches a new file to WAL
// mode, so a busy answer is retried for a while.
func (db *DB) connect(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := db.write.PingContext(ctx)
		if err == nil {
			err = db.read.PingContext(ctx)
		}
		if err == nil || !db.dialect.isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name() }

// Close closes the connection pools.
func (db *DB) Close() error {
	err := db.checkpoints.close()
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.read.PingContext(ctx)
}

// View runs fn in a read-only transaction bound to one account.
//
// Unlike Update it does not first check that the account exists: every
// query names account_id, so a missing account reads as nothing (not
// found, empty lists), and the check was a round trip of the six or eight
// a read by id makes on PostgreSQL.
func (db *DB) View(ctx context.Context, accountID int64, fn func(crm.Tx) error) error {
	if db.dialect.name() == "postgres" {
		return db.counted(db.viewConn(ctx, accountID, fn))
	}
	return db.counted(db.inTx(ctx, db.read, false, func(tx *sql.Tx) error {
		return fn(db.bind(tx, accountID))
	}))
}

// viewConn runs a PostgreSQL read on one connection without BEGIN and
// COMMIT. Under READ COMMITTED, PostgreSQL's level, every statement of a
// transaction takes its own snapshot anyway, so the transaction bought the
// reads nothing but two round trips of the six or eight a read by id makes.
func (db *DB) viewConn(ctx context.Context, accountID int64, fn func(crm.Tx) error) error {
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	return db.mapError(fn(db.bind(conn, accountID)))
}

// ViewOne runs fn, which reads with one statement, bound to one account,
// on the read pool without a transaction. A statement is consistent on its
// own on both databases (SQLite reads it from one snapshot of the WAL,
// PostgreSQL from one snapshot under READ COMMITTED), so for one statement
// BEGIN and COMMIT bought nothing: on SQLite they were two statements more
// through database/sql and the driver, 11–17 % of a read by id's store
// time in its profile. A second statement would read another snapshot,
// so ViewOne fails when fn makes one (the caller drops fn's results), as
// it does when fn writes.
func (db *DB) ViewOne(ctx context.Context, accountID int64, fn func(crm.Tx) error) error {
	one := &oneStatement{pool: db.read}
	err := db.mapError(fn(db.bind(one, accountID)))
	if one.err != nil {
		err = one.err
	}
	return db.counted(err)
}

// oneStatement is ViewOne's runner: the read pool, for one read statement.
type oneStatement struct {
	pool *sql.DB
	used bool
	err  error // a second statement or a write, which fails the ViewOne
}

// errOneStatement is what a ViewOne whose fn did more than one read fails
// with: a bug in the caller, which must read in View.
var errOneStatement = errors.New("store: ViewOne's function made more than one statement or a write")

func (o *oneStatement) next() {
	if o.used {
		o.err = errOneStatement
	}
	o.used = true
}

func (o *oneStatement) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	o.err = errOneStatement
	return nil, errOneStatement
}

func (o *oneStatement) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	o.next()
	return o.pool.QueryContext(ctx, query, args...)
}

func (o *oneStatement) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	o.next()
	return o.pool.QueryRowContext(ctx, query, args...)
}

func (o *oneStatement) PrepareContext(context.Context, string) (*sql.Stmt, error) {
	o.err = errOneStatement
	return nil, errOneStatement
}

// bind returns a transaction bound to an account.
func (db *DB) bind(tx runner, accountID int64) *tenantTx {
	return &tenantTx{tx: tx, db: db, accountID: accountID, now: db.Now().UTC().Truncate(time.Second)}
}

// tenant checks the account exists and returns a transaction bound to it.
func (db *DB) tenant(ctx context.Context, tx runner, accountID int64) (*tenantTx, error) {
	t := db.bind(tx, accountID)
	var one int
	err := t.queryRow(ctx, `SELECT 1 FROM accounts WHERE id = ?`, accountID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, crm.Errorf(crm.KindNotFound, "Account %d not found", accountID)
	}
	return t, err
}

func (db *DB) inTx(ctx context.Context, pool *sql.DB, write bool, fn func(*sql.Tx) error) (err error) {
	tx, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: !write && db.dialect.name() == "postgres"})
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
			return
		}
		if cerr := tx.Commit(); cerr != nil {
			err = db.mapError(fmt.Errorf("commit: %w", cerr))
		} else if write {
			db.checkpoints.committed()
		}
	}()
	return db.mapError(fn(tx))
}

// mapError turns driver errors the domain cares about into *crm.Error.
func (db *DB) mapError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := crm.AsError(err); ok {
		return err
	}
	if db.dialect.isUniqueViolation(err) {
		return &crm.Error{Kind: crm.KindConflict, Message: "The record already exists"}
	}
	return err
}

// CountAccounts returns the number of accounts.
func (db *DB) CountAccounts(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n)
	return n, err
}

// CreateAccount inserts a and runs fn bound to it in the same transaction.
func (db *DB) CreateAccount(ctx context.Context, a *crm.Account, fn func(crm.Tx) error) error {
	return db.inTx(ctx, db.write, true, func(tx *sql.Tx) error {
		now := db.Now().UTC().Truncate(time.Second)
		a.CreatedAt, a.UpdatedAt = now, now
		err := tx.QueryRowContext(ctx, db.dialect.rebind(
			`INSERT INTO accounts (name, subdomain, uuid, time_zone, customers_mode, created_at, updated_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			a.Name, a.Subdomain, a.UUID, a.TimeZone, string(a.CustomersMode), now.Unix(), now.Unix()).Scan(&a.ID)
		if err != nil {
			if db.dialect.isUniqueViolation(err) {
				return crm.Errorf(crm.KindConflict, "An account with subdomain %q already exists", a.Subdomain)
			}
			return err
		}
		// The currency is the column's default (migration 0020), which the
		// insert leaves to the database so that it also works on the older
		// schemas the upgrade tests build.
		a.Currency = crm.DefaultCurrency
		return fn(&tenantTx{tx: tx, db: db, accountID: a.ID, now: now})
	})
}

// AccountIDs lists every account id.
func (db *DB) AccountIDs(ctx context.Context) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM accounts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// CredentialByHash finds a live credential by the hash of its secret.
func (db *DB) CredentialByHash(ctx context.Context, kind crm.CredentialKind, hash []byte) (crm.Credential, error) {
	var c crm.Credential
	var userID, expires sql.NullInt64
	var created int64
	var hexHash string
	err := db.read.QueryRowContext(ctx, db.dialect.rebind(
		`SELECT id, account_id, user_id, kind, hash, expires_at, created_at FROM credentials WHERE kind = ? AND hash = ?`),
		string(kind), hexString(hash)).Scan(&c.ID, &c.AccountID, &userID, &c.Kind, &hexHash, &expires, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return c, crm.Errorf(crm.KindNotFound, "credential not found")
	}
	if err != nil {
		return c, err
	}
	c.Hash = hash
	c.UserID = userID.Int64
	c.CreatedAt = time.Unix(created, 0).UTC()
	if expires.Valid {
		c.ExpiresAt = time.Unix(expires.Int64, 0).UTC()
		if !db.Now().Before(c.ExpiresAt) {
			return crm.Credential{}, crm.Errorf(crm.KindNotFound, "credential expired")
		}
	}
	return c, nil
}

// InstanceSecret returns the named installation secret, creating it once.
func (db *DB) InstanceSecret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error) {
	fresh, err := generate()
	if err != nil {
		return nil, err
	}
	// Insert-if-absent then read back, so that processes starting together
	// on one database agree on the first value written.
	if _, err := db.write.ExecContext(ctx, db.dialect.insertIgnore("instance_secrets", "name, value", "?, ?"),
		name, hexString(fresh)); err != nil {
		return nil, fmt.Errorf("store instance secret: %w", err)
	}
	var hexValue string
	if err := db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT value FROM instance_secrets WHERE name = ?`), name).Scan(&hexValue); err != nil {
		return nil, fmt.Errorf("read instance secret: %w", err)
	}
	out, err := hex.DecodeString(hexValue)
	if err != nil {
		return nil, fmt.Errorf("decode instance secret: %w", err)
	}
	return out, nil
}

// rebindDollar rewrites '?' placeholders to $1, $2, … for PostgreSQL. The
// queries in this package never contain a literal '?'.
func rebindDollar(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
