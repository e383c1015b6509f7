package store

import (
	"context"

	"github.com/crmd/crmd/internal/crm"
)

// MigrateTo exposes migrateTo to the external tests of upgrade paths.
func (db *DB) MigrateTo(ctx context.Context, last int) error { return db.migrateTo(ctx, last) }

// ExecRaw runs a statement outside any tenant scope, for setting up old
// schema versions in tests.
func (db *DB) ExecRaw(ctx context.Context, q string, args ...any) error {
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(q), args...)
	return err
}

// SetPerDealCandidates sets perDealCandidates until the test ends: 0 makes
// every field condition of a deal search a set, a large number a per-deal
// probe whenever the search has own criteria.
func SetPerDealCandidates(tb interface{ Cleanup(func()) }, n int) {
	old := perDealCandidates
	perDealCandidates = n
	tb.Cleanup(func() { perDealCandidates = old })
}

// QueryRaw reads one row of one column outside any tenant scope.
func (db *DB) QueryRaw(ctx context.Context, q string, dst any) error {
	return db.write.QueryRowContext(ctx, db.dialect.rebind(q)).Scan(dst)
}

// SetKeywordIndex sets whether keyword lists use the trigram indexes until
// the test ends: off, they take the plain scan the index must agree with.
func SetKeywordIndex(tb interface{ Cleanup(func()) }, on bool) {
	old := keywordIndex
	keywordIndex = on
	tb.Cleanup(func() { keywordIndex = old })
}

// The modes of SetPageWalk.
const (
	WalkEstimated = walkEstimated
	WalkNever     = walkNever
	WalkAlways    = walkAlways
)

// SetPageWalk sets how pages of kept lists choose to walk an index
// (pageWalk) until the test ends.
func SetPageWalk(tb interface{ Cleanup(func()) }, mode int) {
	old := pageWalk
	pageWalk = mode
	tb.Cleanup(func() { pageWalk = old })
}

// OwnCandidates counts the deals q's own criteria select (what
// fewCandidates asks) both ways: from the kept totals (ok false when
// ownKept does not answer q) and from the deals themselves.
func (db *DB) OwnCandidates(ctx context.Context, accountID int64, q crm.DealSearchQuery) (kept, counted int, ok bool, err error) {
	err = db.View(ctx, accountID, func(tx crm.Tx) error {
		t := tx.(*tenantTx)
		f := t.ownWhere(q)
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM deals d WHERE `+f.sql(), f.args...).Scan(&counted); err != nil {
			return err
		}
		var k keptCount
		if k, ok = ownKept(q); !ok {
			return nil
		}
		kept, err = t.countKept(ctx, k)
		return err
	})
	return kept, counted, ok, err
}

// SetInboundTotalsKept sets whether request lists filtered by nothing but
// waiting read their total from inbound_totals until the test ends: off,
// they count, as the kept total must agree with.
func SetInboundTotalsKept(tb interface{ Cleanup(func()) }, on bool) {
	old := inboundTotalsKept
	inboundTotalsKept = on
	tb.Cleanup(func() { inboundTotalsKept = old })
}

// SetBucketUnionMax sets bucketUnionMax until the test ends: 0 makes every
// dashboard count over buckets the one range with bucketCase.
func SetBucketUnionMax(tb interface{ Cleanup(func()) }, n int) {
	old := bucketUnionMax
	bucketUnionMax = n
	tb.Cleanup(func() { bucketUnionMax = old })
}

// SetCustomerTotalsKept sets whether customers lists filtered by nothing
// but the account read their total from customer_totals until the test
// ends: off, they count their matches.
func SetCustomerTotalsKept(tb interface{ Cleanup(func()) }, on bool) {
	old := customerTotalsKept
	customerTotalsKept = on
	tb.Cleanup(func() { customerTotalsKept = old })
}
