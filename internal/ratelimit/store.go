package ratelimit

import (
	"context"
	"time"
)

// Store keeps limit counters, overrides and blocks (internal/store
// implements it). Its methods are not bound to a transaction: each is one
// statement, so a counter holds across processes without any lock held
// between statements. dialect is a registered Dialect.Name.
type Store interface {
	// AccountLimits returns what is stored for the account and dialect; the
	// zero value when nothing is.
	AccountLimits(ctx context.Context, accountID int64, dialect string) (AccountLimits, error)
	// SetLimitOverride stores the account's override for dialect, keeping a
	// block in force. crm.KindNotFound when the account does not exist.
	SetLimitOverride(ctx context.Context, accountID int64, dialect string, o Override) error
	// BlockLimits refuses the account's requests through dialect until
	// until; a later block already stored is kept.
	BlockLimits(ctx context.Context, accountID int64, dialect string, until time.Time) error
	// AddLimitCounts adds delta to each counter atomically, in one statement,
	// creating missing ones (at delta, or 0 when delta is negative; a count
	// never goes below 0), and returns the new counts in the order of
	// counters.
	AddLimitCounts(ctx context.Context, accountID int64, counters []Counter, delta int64) ([]int64, error)
	// DeleteExpiredLimitCounts deletes the counters of every account whose
	// windows ended at or before t.
	DeleteExpiredLimitCounts(ctx context.Context, t time.Time) error
}
