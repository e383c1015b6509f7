package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/ratelimit"
)

// Request-limit counters, overrides and blocks (ratelimit.Store). Every method
// is one autocommit statement on the write pool: an upsert is atomic on both
// databases, so processes sharing the database share the counters without
// holding a lock between statements. On SQLite the statements queue on the
// single write connection like every other write.

var _ ratelimit.Store = (*DB)(nil)

// AccountLimits reads the account's override and block for dialect: one
// primary-key lookup.
func (db *DB) AccountLimits(ctx context.Context, accountID int64, dialect string) (ratelimit.AccountLimits, error) {
	var out ratelimit.AccountLimits
	var perSecond, perMinute, perDay sql.NullInt64
	var blocked int64
	err := db.read.QueryRowContext(ctx, db.dialect.rebind(
		`SELECT per_second, per_minute, per_day, blocked_until FROM account_limits WHERE account_id = ? AND dialect = ?`),
		accountID, dialect).Scan(&perSecond, &perMinute, &perDay, &blocked)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	out.Override = ratelimit.Override{PerSecond: limitValue(perSecond), PerMinute: limitValue(perMinute), PerDay: limitValue(perDay)}
	if blocked > 0 {
		out.BlockedUntil = fromUnix(blocked)
	}
	return out, nil
}

func limitValue(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

func limitNull(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

// SetLimitOverride upserts the account's override, keeping blocked_until.
func (db *DB) SetLimitOverride(ctx context.Context, accountID int64, dialect string, o ratelimit.Override) error {
	var one int
	err := db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT 1 FROM accounts WHERE id = ?`), accountID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return crm.Errorf(crm.KindNotFound, "Account %d not found", accountID)
	}
	if err != nil {
		return err
	}
	_, err = db.write.ExecContext(ctx, db.dialect.rebind(
		`INSERT INTO account_limits (account_id, dialect, per_second, per_minute, per_day, blocked_until, updated_at)
		 VALUES (?, ?, ?, ?, ?, 0, ?)
		 ON CONFLICT (account_id, dialect) DO UPDATE SET per_second = excluded.per_second,
		   per_minute = excluded.per_minute, per_day = excluded.per_day, updated_at = excluded.updated_at`),
		accountID, dialect, limitNull(o.PerSecond), limitNull(o.PerMinute), limitNull(o.PerDay), db.Now().Unix())
	return err
}

// BlockLimits upserts blocked_until, keeping a later block and the override.
func (db *DB) BlockLimits(ctx context.Context, accountID int64, dialect string, until time.Time) error {
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(
		`INSERT INTO account_limits (account_id, dialect, blocked_until, updated_at) VALUES (?, ?, ?, ?)
		 ON CONFLICT (account_id, dialect) DO UPDATE SET
		   blocked_until = CASE WHEN excluded.blocked_until > account_limits.blocked_until
		                        THEN excluded.blocked_until ELSE account_limits.blocked_until END,
		   updated_at = excluded.updated_at`),
		accountID, dialect, until.Unix(), db.Now().Unix())
	return err
}

// AddLimitCounts is one multi-row INSERT … ON CONFLICT DO UPDATE … RETURNING
// (SQLite ≥ 3.35, PostgreSQL ≥ 9.5): each row's update is atomic, and the
// rows are always listed in the same order (shortest window first), so two
// statements on one key cannot deadlock on PostgreSQL.
func (db *DB) AddLimitCounts(ctx context.Context, accountID int64, counters []ratelimit.Counter, delta int64) ([]int64, error) {
	if len(counters) == 0 {
		return nil, nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO limit_counters (account_id, limit_key, window_kind, window_start, expires_at, count) VALUES `)
	args := make([]any, 0, 6*len(counters)+2)
	for i, c := range counters {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?)")
		args = append(args, accountID, c.Key, string(c.Window), c.Start.Unix(), c.End().Unix(), max(delta, 0))
	}
	q.WriteString(` ON CONFLICT (account_id, limit_key, window_kind, window_start) DO UPDATE SET
		count = CASE WHEN limit_counters.count + ? < 0 THEN 0 ELSE limit_counters.count + ? END
		RETURNING limit_key, window_kind, window_start, count`)
	args = append(args, delta, delta)
	rows, err := db.write.QueryContext(ctx, db.dialect.rebind(q.String()), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type slot struct {
		key, window string
		start       int64
	}
	got := make(map[slot]int64, len(counters))
	for rows.Next() {
		var s slot
		var n int64
		if err := rows.Scan(&s.key, &s.window, &s.start, &n); err != nil {
			return nil, err
		}
		got[s] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]int64, len(counters))
	for i, c := range counters {
		n, ok := got[slot{c.Key, string(c.Window), c.Start.Unix()}]
		if !ok {
			return nil, fmt.Errorf("limit counter %s/%s/%d not returned", c.Key, c.Window, c.Start.Unix())
		}
		out[i] = n
	}
	return out, nil
}

// DeleteExpiredLimitCounts deletes ended windows through the expires_at index.
func (db *DB) DeleteExpiredLimitCounts(ctx context.Context, t time.Time) error {
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(`DELETE FROM limit_counters WHERE expires_at <= ?`), t.Unix())
	return err
}
