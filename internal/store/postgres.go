package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

type postgresDialect struct{}

func (postgresDialect) name() string           { return "postgres" }
func (postgresDialect) rebind(q string) string { return rebindDollar(q) }

// lockAccount takes the account row's lock until the transaction ends, so two
// processes cannot both pass a limit check for the same account. NO KEY
// UPDATE, not UPDATE: writers of the account still queue one behind
// another, but a transaction that only references the account — inserting
// a row whose foreign key names it, as webhook delivery does — takes KEY
// SHARE and need not wait for them.
func (postgresDialect) lockAccount(ctx context.Context, tx *sql.Tx, accountID int64) error {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, accountID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // tenant() reports the missing account
	}
	return err
}

// writeGroup is the account: its writers are serialized by lockAccount
// anyway, and a transaction holding the locks of several accounts could
// deadlock with another process taking them in another order, while the
// writers of different accounts run on connections of their own.
func (postgresDialect) writeGroup(accountID int64) int64 { return accountID }

// migrationLockKey is an arbitrary constant naming crmd's migration lock.
const migrationLockKey = 0x63726d64 // "crmd"

func (postgresDialect) lockMigrations(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey)
	return err
}

func (postgresDialect) isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

func (postgresDialect) isBusy(error) bool { return false }

func (postgresDialect) fold(expr string) string { return "LOWER(" + expr + ")" }

// reserveIDs draws n values from the identity sequence, as n single-row
// inserts would: other writers (other accounts) may draw between them, so
// the ids need not be contiguous.
func (postgresDialect) reserveIDs(ctx context.Context, tx runner, table string, n int) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// planEachCall runs the statement as an unnamed prepared statement, which
// PostgreSQL plans with the call's values. pgx otherwise caches a named
// statement per connection, and after five calls PostgreSQL may keep a
// generic plan made without the values. A deal search's shares swing with
// its stage, responsible and window, and at 1,000,000 deals the generic
// plan of the filtered page (stage + responsible + window) read the
// stage's whole window and sorted it where the plan for the values walks
// the stage's ids newest first: 60 random pages, 74–80 ms a call generic
// against 33–46 ms planned each time (docs/PERFORMANCE.md). Planning each
// call costs under a millisecond, which the searches, and only they, can
// afford.
func (postgresDialect) planEachCall(args []any) []any {
	return append([]any{pgx.QueryExecModeExec}, args...)
}

func (postgresDialect) newline() string               { return "chr(10)" }
func (postgresDialect) joinLines(expr string) string  { return "string_agg(" + expr + ", chr(10))" }
func (postgresDialect) contains(column string) string { return "strpos(" + column + ", ?) > 0" }

func (postgresDialect) insertIgnore(table, columns, values string) string {
	return rebindDollar("INSERT INTO " + table + " (" + columns + ") VALUES (" + values + ") ON CONFLICT DO NOTHING")
}

// postgresMaxConns bounds a process's connections to PostgreSQL; several
// crmd processes share one server, whose default max_connections is 100.
const postgresMaxConns = 20

// postgresMaxIdleTime closes a connection idle this long, so a process
// after a burst gives the server its connections back.
const postgresMaxIdleTime = 5 * time.Minute

func openPostgres(dsn string) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	// Every connection a burst opens stays open (idle up to maxIdleTime):
	// with fewer idle slots than open ones, each burst past the idle count
	// closed connections only to open new ones moments later, and a new
	// connection forks a server process and prepares each statement again
	// (the deal read's parse alone took 17–25 ms under load).
	db.SetMaxOpenConns(postgresMaxConns)
	db.SetMaxIdleConns(postgresMaxConns)
	db.SetConnMaxIdleTime(postgresMaxIdleTime)
	return &DB{write: db, read: db, dialect: postgresDialect{}}, nil
}
