package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/crmd/crmd/internal/crm"
)

// Reading the history in commit order (migration 0022): what the webhook
// outbox (DB.OutboxEntries, every account) and an account's event streams
// (tenantTx.EventsAfter, the web inbox's live list) walk. Only settled
// entries are read: on SQLite every committed one (one writer: ids are in
// commit order); on PostgreSQL those of transactions older than every
// running one, ordered by (tx, id), so that no entry can still commit
// behind a position a reader has passed.

// settledRead selects what settledEntries reads.
type settledRead struct {
	after     crm.OutboxCursor
	accountID int64 // 0: every account
	typeIDs   []int // none: every type
	limit     int
}

// xidText writes a transaction id as PostgreSQL's xid8 reads it: pgx
// has no xid8 type, so it goes as text and is cast.
func xidText(tx uint64) string { return strconv.FormatUint(tx, 10) }

// settledHorizon is the position every settled entry is before and every
// entry not yet settled is after, on PostgreSQL: the oldest transaction
// still running in the snapshot (pg_snapshot_xmin), log id 0. Everything
// below it has ended, so a later statement sees all of it that committed.
// On SQLite it is the zero cursor: there every committed entry is settled.
func (db *DB) settledHorizon(ctx context.Context, q runner) (crm.OutboxCursor, error) {
	var out crm.OutboxCursor
	if db.dialect.name() != "postgres" {
		return out, nil
	}
	var xmin string
	if err := q.QueryRowContext(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text`).Scan(&xmin); err != nil {
		return out, err
	}
	var err error
	out.Tx, err = strconv.ParseUint(xmin, 10, 64)
	return out, err
}

// settledEntries reads up to r.limit settled entries after r.after in
// commit order, and the horizon they were read below (zero on SQLite).
// The horizon is read first, in a statement of its own, and bounds the
// read as a constant: the reader can then tell how far it has read when
// it finds less than it asked for, and the planner sees both ends of the
// index range.
func (db *DB) settledEntries(ctx context.Context, q runner, r settledRead) ([]crm.SettledEntry, crm.OutboxCursor, error) {
	horizon, err := db.settledHorizon(ctx, q)
	if err != nil {
		return nil, horizon, err
	}
	f := &filter{}
	txColumn, order := `''`, `logs.id`
	if db.dialect.name() == "postgres" {
		// The text column is named apart: ORDER BY tx would otherwise
		// sort by it, as text ("100022" before "99998").
		txColumn, order = `logs.tx::text AS tx_text`, `logs.tx, logs.id`
		f.add(`logs.tx IS NOT NULL`)
		f.add(`(logs.tx, logs.id) > (?::text::xid8, ?)`, xidText(r.after.Tx), r.after.LogID)
		f.add(`logs.tx < ?::text::xid8`, xidText(horizon.Tx))
	} else {
		f.add(`logs.id > ?`, r.after.LogID)
	}
	switch {
	case r.accountID == 0:
	case db.dialect.name() == "postgres":
		// "+ 0" keeps the planner off logs_account (account_id, id): it
		// would AND the whole of a large account's range of that index
		// with the (tx, id) range, at every poll of a live list, where
		// walking logs_outbox through the few entries of every account
		// settled since the last poll is what costs nothing. Reading on
		// from far back (a browser that slept) walks all of them instead;
		// an index on (account_id, tx, id) would serve both, and then
		// this should be a plain account_id = ?.
		f.add(`logs.account_id + 0 = ?`, r.accountID)
	default:
		f.add(`logs.account_id = ?`, r.accountID)
	}
	types := make([]int64, len(r.typeIDs))
	for i, t := range r.typeIDs {
		types[i] = int64(t)
	}
	f.in(`logs.type_id`, types)
	rows, err := q.QueryContext(ctx, db.dialect.rebind(`SELECT `+txColumn+`, `+logColumns+`, COALESCE(batch_id, 0) FROM logs
		WHERE `+f.sql()+` ORDER BY `+order+` LIMIT ?`), append(f.args, r.limit)...)
	if err != nil {
		return nil, horizon, err
	}
	defer rows.Close()
	var out []crm.SettledEntry
	for rows.Next() {
		var e crm.SettledEntry
		var tx string
		if err := scanOutboxEntry(rows, &e.Entry, &tx); err != nil {
			return nil, horizon, err
		}
		if tx != "" {
			if e.At.Tx, err = strconv.ParseUint(tx, 10, 64); err != nil {
				return nil, horizon, err
			}
		}
		e.At.LogID = e.Entry.ID
		out = append(out, e)
	}
	return out, horizon, rows.Err()
}

func scanOutboxEntry(rows *sql.Rows, e *crm.LogEntry, tx *string) error {
	var entity, data string
	var created int64
	var updated, updatedBy sql.NullInt64
	err := rows.Scan(tx, &e.ID, &e.AccountID, &entity, &e.EntityID, &e.TypeID, &data, &e.UserID, &e.EmployeeID, &created, &updated, &updatedBy, &e.Batch)
	e.EntityType, e.Data, e.CreatedAt = crm.EntityType(entity), []byte(data), fromUnix(created)
	e.UpdatedAt, e.UpdatedBy = timeOf(updated), updatedBy.Int64
	return err
}

func (t *tenantTx) EventsAfter(ctx context.Context, after crm.OutboxCursor, typeIDs []int, limit int) ([]crm.SettledEntry, crm.OutboxCursor, error) {
	if limit <= 0 {
		limit = crm.DefaultPageLimit
	}
	out, horizon, err := t.db.settledEntries(ctx, t.tx, settledRead{after: after, accountID: t.accountID, typeIDs: typeIDs, limit: limit})
	if err != nil {
		return nil, after, err
	}
	to := after
	if len(out) > 0 {
		to = out[len(out)-1].At
	}
	// Fewer than asked for: every settled entry of the account below the
	// horizon has been read. Reading on from the horizon, rather than
	// from the last entry, keeps an account whose entries are few from
	// walking every other account's written since (the index is by tx).
	if len(out) < limit && to.Before(horizon) {
		to = horizon
	}
	return out, to, nil
}

func (t *tenantTx) EventsNow(ctx context.Context) (crm.OutboxCursor, error) {
	var out crm.OutboxCursor
	if t.db.dialect.name() != "postgres" {
		err := t.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM logs WHERE account_id = ?`, t.accountID).Scan(&out.LogID)
		return out, err
	}
	// The account's newest entry, or the horizon when that is later (or
	// the entry has no position). Every writer of the account holds its
	// lock until it commits and takes its transaction id only once it has
	// it (lockAccount is its first statement), so the account's entries
	// commit in (tx, id) order: none can come before its newest any more.
	// The horizon alone would be as safe, but lags behind any transaction
	// running anywhere on the server, and a stream starting there would
	// send again what its page showed.
	horizon, err := t.db.settledHorizon(ctx, t.tx)
	if err != nil {
		return out, err
	}
	var tx sql.NullString
	err = t.queryRow(ctx, `SELECT tx::text, id FROM logs WHERE account_id = ? ORDER BY id DESC LIMIT 1`, t.accountID).Scan(&tx, &out.LogID)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !tx.Valid {
		return horizon, nil
	}
	if err != nil {
		return out, err
	}
	if out.Tx, err = strconv.ParseUint(tx.String, 10, 64); err != nil {
		return out, err
	}
	if out.Before(horizon) {
		return horizon, nil
	}
	return out, nil
}

func (t *tenantTx) EventPosition(ctx context.Context, id int64) (crm.OutboxCursor, bool, error) {
	out := crm.OutboxCursor{LogID: id}
	if t.db.dialect.name() != "postgres" {
		var one int
		err := t.queryRow(ctx, `SELECT 1 FROM logs WHERE account_id = ? AND id = ?`, t.accountID, id).Scan(&one)
		return out, err == nil, notFound(err, "Log entry")
	}
	var tx sql.NullString
	if err := t.queryRow(ctx, `SELECT tx::text FROM logs WHERE account_id = ? AND id = ?`, t.accountID, id).Scan(&tx); err != nil {
		return out, false, notFound(err, "Log entry")
	}
	if !tx.Valid {
		return out, false, nil
	}
	var err error
	out.Tx, err = strconv.ParseUint(tx.String, 10, 64)
	return out, err == nil, err
}
