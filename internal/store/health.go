package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/crmd/crmd/internal/crm"
)

// What an operator reads of the database besides its data: the migrations
// still to apply (readiness), the connection pools' use and the count of
// failed database work (metrics).

// PendingMigrations returns the versions of this binary's migrations the
// database has not applied, oldest first; none means the schema is current.
// A database a newer binary has migrated further has none pending: crmd's
// migrations have so far only added or relaxed (tables, columns, indexes;
// a NOT NULL dropped), so an older process still serves it while a
// rolling upgrade replaces it. A database that was never migrated has all
// of them pending. The error is the database's: it did not answer.
func (db *DB) PendingMigrations(ctx context.Context) ([]int, error) {
	all, err := loadMigrations(db.dialect.name())
	if err != nil {
		return nil, err
	}
	var pending []int
	exists, err := db.migrationsTableExists(ctx)
	if err != nil {
		return nil, err
	}
	if !exists {
		for _, m := range all {
			pending = append(pending, m.version)
		}
		return pending, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, m := range all {
		if !applied[m.version] {
			pending = append(pending, m.version)
		}
	}
	return pending, nil
}

// migrationsTableExists reports whether schema_migrations exists, so that
// a database never migrated reads as "everything pending" rather than as
// an error indistinguishable from an unreachable database.
func (db *DB) migrationsTableExists(ctx context.Context) (bool, error) {
	var q string
	switch db.dialect.name() {
	case "postgres":
		q = `SELECT to_regclass('schema_migrations') IS NOT NULL`
	case "sqlite":
		q = `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')`
	default:
		return false, fmt.Errorf("store: no schema check for %s", db.dialect.name())
	}
	var ok bool
	err := db.read.QueryRowContext(ctx, q).Scan(&ok)
	return ok, err
}

// PoolStats is one connection pool's statistics.
type PoolStats struct {
	// Pool names the pool: "read" and "write" on SQLite (write holds the
	// one connection writers queue for), "readwrite" on PostgreSQL, whose
	// one pool serves both.
	Pool string
	sql.DBStats
}

// PoolStats returns the statistics of the database's connection pools. The
// pools themselves stay inside the store, where every query is bound to an
// account.
func (db *DB) PoolStats() []PoolStats {
	if db.read == db.write {
		return []PoolStats{{Pool: "readwrite", DBStats: db.write.Stats()}}
	}
	return []PoolStats{{Pool: "read", DBStats: db.read.Stats()}, {Pool: "write", DBStats: db.write.Stats()}}
}

// QueryErrors counts the View and Update calls — every read and write of
// the domain goes through one — that failed with an error that is not a
// domain answer (not found, conflict, invalid, … — crm.Error) nor the
// caller's own cancellation: a lost or refused connection, a timeout, a
// busy or full database, a failed commit (one count per call sharing the
// failed transaction). The one-statement helpers outside transactions —
// credential, session and password lookups, request-limit and failed-login
// counters, instance secrets — and the migrations are not counted: each
// would need its own call, and a database failing them fails the domain's
// transactions beside them.
func (db *DB) QueryErrors() uint64 { return db.failures.Load() }

// counted returns err, counting it for QueryErrors when it is a failure.
func (db *DB) counted(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	if _, ok := crm.AsError(err); ok {
		return err
	}
	db.failures.Add(1)
	return err
}
