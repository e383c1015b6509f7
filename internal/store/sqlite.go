package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

type sqliteDialect struct{}

func (sqliteDialect) name() string                                  { return "sqlite" }
func (sqliteDialect) rebind(q string) string                        { return q }
func (sqliteDialect) lockMigrations(context.Context, *sql.Tx) error { return nil }

// lockAccount is a no-op: write transactions start with BEGIN IMMEDIATE on
// the single write connection, which already excludes every other writer.
func (sqliteDialect) lockAccount(context.Context, *sql.Tx, int64) error { return nil }

// writeGroup is one for the whole database: every write goes through the
// one write connection anyway, so calls of any accounts may share a
// transaction, each bound to its own account.
func (sqliteDialect) writeGroup(int64) int64 { return 0 }

func (sqliteDialect) isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func (sqliteDialect) isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// fold uses crmd_lower: SQLite's own LOWER folds ASCII letters only, so
// "иван" would not find "Иван".
func (sqliteDialect) fold(expr string) string { return "crmd_lower(" + expr + ")" }

func init() {
	lower := func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		}
		return args[0], nil
	}
	if err := sqlite.RegisterDeterministicScalarFunction("crmd_lower", 1, lower); err != nil {
		panic(err)
	}
}

// reserveIDs hands out the n ids after both the AUTOINCREMENT counter and
// the largest id: the caller holds the only write connection, so nobody
// else can take them before its rows land, and inserting them moves the
// counter on.
func (sqliteDialect) reserveIDs(ctx context.Context, tx runner, table string, n int) ([]int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0),
		COALESCE((SELECT MAX(id) FROM `+table+`), 0))`, table).Scan(&last)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = last + 1 + int64(i)
	}
	return ids, nil
}

// planEachCall leaves the arguments alone: SQLite plans every statement
// for its values anyway (crmd gathers no statistics for it to reuse), and
// the search statements name their index where the choice matters.
func (sqliteDialect) planEachCall(args []any) []any { return args }

func (sqliteDialect) newline() string               { return "char(10)" }
func (sqliteDialect) joinLines(expr string) string  { return "group_concat(" + expr + ", char(10))" }
func (sqliteDialect) contains(column string) string { return "instr(" + column + ", ?) > 0" }

func (sqliteDialect) insertIgnore(table, columns, values string) string {
	return "INSERT OR IGNORE INTO " + table + " (" + columns + ") VALUES (" + values + ")"
}

// openSQLite opens path with two pools: one connection for writers and a few
// for readers. busy_timeout comes first so that the other pragmas wait for a
// lock instead of failing; WAL lets readers run beside the writer.
func openSQLite(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("empty SQLite path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	params := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		params.Add("_pragma", p)
	}
	base := "file:" + path + "?"
	params.Set("_txlock", "immediate")
	// The writer keeps statement journals in memory: a statement that
	// may fail halfway (any INSERT … RETURNING, any multi-row one) in a
	// transaction that already changed pages journals those pages, and
	// past 64 KiB SQLite moved the journal to a temporary file, a write
	// system call per page. Recording a batch of leads spent an eighth of
	// its time there. Readers keep the default: their temporary storage
	// is large sorts.
	//
	// The writer checkpoints only as a backstop: a connection of its own
	// does it (checkpoint.go).
	writeParams := "&_pragma=temp_store%28MEMORY%29"
	if backgroundCheckpoints {
		writeParams += fmt.Sprintf("&_pragma=wal_autocheckpoint%%28%d%%29", checkpointBackstop)
	}
	write, err := openCachingSQLite(base + params.Encode() + writeParams)
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	params.Set("_txlock", "deferred")
	read, err := openCachingSQLite(base + params.Encode())
	if err != nil {
		write.Close()
		return nil, err
	}
	// Every reader stays open: database/sql keeps two idle connections by
	// default, and under load the others were closed and reopened (each
	// opening runs the pragmas) on almost every request.
	readers := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	db := &DB{write: write, read: read, dialect: sqliteDialect{}}
	if backgroundCheckpoints {
		ckpt, err := sql.Open("sqlite", base+params.Encode())
		if err != nil {
			write.Close()
			read.Close()
			return nil, err
		}
		ckpt.SetMaxOpenConns(1)
		db.checkpoints = startCheckpointer(ckpt)
	}
	return db, nil
}
