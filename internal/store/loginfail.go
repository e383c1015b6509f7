package store

import (
	"context"
	"database/sql"
	"slices"
	"time"
)

// Failed-login counts (auth.LoginFailureStore). Like the request-limit
// counters, every method is one autocommit statement, so processes sharing
// the database share the counts without a lock held between statements.
// Windows run by db.Now, the store's clock. Statements list their keys
// sorted, so two of them never lock the same rows in different orders on
// PostgreSQL.

// LoginFailures reads the counts of keys whose windows have not ended.
func (db *DB) LoginFailures(ctx context.Context, keys []string) ([]int64, error) {
	sorted := sortedFailureKeys(keys)
	if len(sorted) == 0 {
		return make([]int64, len(keys)), nil
	}
	args := append(failureKeyArgs(sorted), db.Now().Unix())
	rows, err := db.read.QueryContext(ctx, db.dialect.rebind(
		`SELECT throttle_key, count FROM login_failures WHERE throttle_key IN (`+placeholders(len(sorted))+`) AND expires_at > ?`), args...)
	if err != nil {
		return nil, err
	}
	return scanFailureCounts(rows, keys)
}

// AddLoginFailures is one multi-row INSERT … ON CONFLICT DO UPDATE …
// RETURNING: a row whose window has ended starts over, as a missing one
// does, at 1 with a new window.
func (db *DB) AddLoginFailures(ctx context.Context, keys []string, window time.Duration) ([]int64, error) {
	sorted := sortedFailureKeys(keys)
	if len(sorted) == 0 {
		return make([]int64, len(keys)), nil
	}
	now := db.Now().Unix()
	end := now + max(int64((window+time.Second-1)/time.Second), 1)
	q := `INSERT INTO login_failures (throttle_key, count, expires_at) VALUES `
	args := make([]any, 0, 2*len(sorted)+2)
	for i, k := range sorted {
		if i > 0 {
			q += ", "
		}
		q += "(?, 1, ?)"
		args = append(args, k, end)
	}
	q += ` ON CONFLICT (throttle_key) DO UPDATE SET
		count = CASE WHEN login_failures.expires_at <= ? THEN 1 ELSE login_failures.count + 1 END,
		expires_at = CASE WHEN login_failures.expires_at <= ? THEN excluded.expires_at ELSE login_failures.expires_at END
		RETURNING throttle_key, count`
	args = append(args, now, now)
	rows, err := db.write.QueryContext(ctx, db.dialect.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	return scanFailureCounts(rows, keys)
}

// RemoveLoginFailures takes one from each count whose window runs.
func (db *DB) RemoveLoginFailures(ctx context.Context, keys []string) error {
	sorted := sortedFailureKeys(keys)
	if len(sorted) == 0 {
		return nil
	}
	args := append(failureKeyArgs(sorted), db.Now().Unix())
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(
		`UPDATE login_failures SET count = CASE WHEN count > 0 THEN count - 1 ELSE 0 END
		 WHERE throttle_key IN (`+placeholders(len(sorted))+`) AND expires_at > ?`), args...)
	return err
}

// ClearLoginFailures deletes the keys' counts.
func (db *DB) ClearLoginFailures(ctx context.Context, keys []string) error {
	sorted := sortedFailureKeys(keys)
	if len(sorted) == 0 {
		return nil
	}
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(
		`DELETE FROM login_failures WHERE throttle_key IN (`+placeholders(len(sorted))+`)`), failureKeyArgs(sorted)...)
	return err
}

// DeleteExpiredLoginFailures deletes ended windows through the expires_at
// index.
func (db *DB) DeleteExpiredLoginFailures(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(`DELETE FROM login_failures WHERE expires_at <= ?`), db.Now().Unix())
	return err
}

// sortedFailureKeys returns keys sorted and without repeats (an upsert may not
// touch one row twice).
func sortedFailureKeys(keys []string) []string {
	s := slices.Clone(keys)
	slices.Sort(s)
	return slices.Compact(s)
}

func failureKeyArgs(keys []string) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}

// failureCounts returns got's counts in the order of keys (0 where missing).
func failureCounts(keys []string, got map[string]int64) []int64 {
	out := make([]int64, len(keys))
	for i, k := range keys {
		out[i] = got[k]
	}
	return out
}

// scanFailureCounts reads (key, count) rows and returns the counts in the
// order of keys, 0 for a key without a row.
func scanFailureCounts(rows *sql.Rows, keys []string) ([]int64, error) {
	defer rows.Close()
	got := make(map[string]int64, len(keys))
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		got[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return failureCounts(keys, got), nil
}
