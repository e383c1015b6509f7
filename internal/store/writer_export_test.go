package store

import (
	"context"

	"github.com/crmd/crmd/internal/crm"
)

// WaitingWrites is the number of Update calls queued in every write group
// and not yet taken by a writer, for tests that line calls up.
func (db *DB) WaitingWrites() int {
	db.writer.mu.Lock()
	defer db.writer.mu.Unlock()
	n := 0
	for _, q := range db.writer.queues {
		n += len(q.calls)
	}
	return n
}

// ExecTx runs a statement in the transaction tx is bound to, for tests
// that need a statement crm.Tx does not offer.
func ExecTx(ctx context.Context, tx crm.Tx, q string, args ...any) error {
	_, err := tx.(*tenantTx).exec(ctx, q, args...)
	return err
}

// CheckpointsRun is the number of checkpoints the store's own
// checkpointer ran (checkpoint.go), -1 for a store without one.
func (db *DB) CheckpointsRun() int {
	if db.checkpoints == nil {
		return -1
	}
	return db.checkpoints.count()
}

// SetBackgroundCheckpoints sets whether SQLite stores opened until the test
// ends checkpoint off the write connection.
func SetBackgroundCheckpoints(tb interface{ Cleanup(func()) }, on bool) {
	old := backgroundCheckpoints
	backgroundCheckpoints = on
	tb.Cleanup(func() { backgroundCheckpoints = old })
}

// WriterAutocheckpoint is the write connection's wal_autocheckpoint.
func (db *DB) WriterAutocheckpoint(ctx context.Context) (int, error) {
	var n int
	err := db.write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&n)
	return n, err
}
