package crmtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// DefaultPostgres is the administrative DSN used when CRMD_TEST_POSTGRES is unset.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Backend names a store implementation under test.
type Backend string

// The backends every store and API test runs on.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// ForEachBackend runs fn as a subtest per backend, with the DSN of a fresh,
// empty database that is removed when the subtest ends.
func ForEachBackend(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	for _, b := range []Backend{SQLite, Postgres} {
		t.Run(string(b), func(t *testing.T) {
			fn(t, NewDSN(t, b))
		})
	}
}

// NewDSN returns the DSN of a fresh database of backend b, dropped at cleanup.
func NewDSN(t testing.TB, b Backend) string {
	t.Helper()
	if b == SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "crmd.db")
	}
	admin := adminDSN()
	db := postgresAdmin(t, admin)
	name := "crmd_test_" + randomHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("CRMD_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func adminDSN() string {
	if v := os.Getenv("CRMD_TEST_POSTGRES"); v != "" {
		return v
	}
	return DefaultPostgres
}

var (
	adminOnce sync.Once
	adminDB   *sql.DB
	adminErr  error
)

// postgresAdmin returns a shared connection to the administrative database,
// or skips (fails under CI=true) when PostgreSQL cannot be reached.
func postgresAdmin(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	adminOnce.Do(func() {
		adminDB, adminErr = sql.Open("pgx", dsn)
		if adminErr != nil {
			return
		}
		adminDB.SetMaxOpenConns(2)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		adminErr = adminDB.PingContext(ctx)
	})
	if adminErr != nil {
		msg := "!!! PostgreSQL is not reachable at " + redact(dsn) + " (set CRMD_TEST_POSTGRES): " + adminErr.Error() +
			" — PostgreSQL tests are SKIPPED; only SQLite was tested !!!"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true requires PostgreSQL)")
		}
		t.Skip(msg)
	}
	return adminDB
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable DSN)"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
