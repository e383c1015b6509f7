package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Webhooks (migration 0022): the account's subscriptions and deliveries
// (tenantTx), and the installation-wide side delivery workers use (DB):
// reading the history after the outbox cursor, handing it out as
// deliveries, claiming due deliveries and recording how they went.
// Delivery times are Unix milliseconds.

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

const webhookColumns = `id, account_id, kind, destination, events, pipeline_id, stage_ids, batch, secret, sort, disabled_at, disabled_reason, failures, created_by, created_at, updated_at`

func scanWebhook(row scanner) (crm.Webhook, error) {
	var w crm.Webhook
	var kind, events, stages string
	var disabled sql.NullInt64
	var created, updated, batch int64
	err := row.Scan(&w.ID, &w.AccountID, &kind, &w.Destination, &events, &w.PipelineID, &stages, &batch, &w.Secret, &w.Sort,
		&disabled, &w.DisabledReason, &w.Failures, &w.CreatedBy, &created, &updated)
	if err != nil {
		return w, err
	}
	w.Kind, w.DisabledAt, w.CreatedAt, w.UpdatedAt = crm.WebhookKind(kind), timeOf(disabled), fromUnix(created), fromUnix(updated)
	w.Batch = batch == 1
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return w, fmt.Errorf("webhook %d events: %w", w.ID, err)
	}
	if err := json.Unmarshal([]byte(stages), &w.StageIDs); err != nil {
		return w, fmt.Errorf("webhook %d stage_ids: %w", w.ID, err)
	}
	return w, nil
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only slices of strings and ints come here
	}
	return string(b)
}

func (t *tenantTx) InsertWebhook(ctx context.Context, w *crm.Webhook) error {
	w.AccountID, w.CreatedAt, w.UpdatedAt = t.accountID, t.now, t.now
	if w.Events == nil {
		w.Events = []string{}
	}
	if w.StageIDs == nil {
		w.StageIDs = []int64{}
	}
	id, err := t.insert(ctx, `INSERT INTO webhooks (account_id, kind, destination, events, pipeline_id, stage_ids, batch, secret, sort, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.accountID, string(w.Kind), w.Destination, jsonText(w.Events), w.PipelineID,
		jsonText(w.StageIDs), boolInt(w.Batch), w.Secret, w.Sort, w.CreatedBy, unix(t.now), unix(t.now))
	w.ID = id
	return err
}

func (t *tenantTx) UpdateWebhook(ctx context.Context, w *crm.Webhook) error {
	w.UpdatedAt = t.now
	if w.StageIDs == nil {
		w.StageIDs = []int64{}
	}
	res, err := t.exec(ctx, `UPDATE webhooks SET destination = ?, events = ?, pipeline_id = ?, stage_ids = ?, sort = ?,
		disabled_at = ?, disabled_reason = ?, failures = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		w.Destination, jsonText(w.Events), w.PipelineID, jsonText(w.StageIDs), w.Sort, nullTime(w.DisabledAt),
		w.DisabledReason, w.Failures, unix(t.now), t.accountID, w.ID)
	return affected(res, err, "Webhook")
}

func (t *tenantTx) Webhooks(ctx context.Context, q crm.WebhookQuery) ([]crm.Webhook, error) {
	f := &filter{}
	f.add(`account_id = ?`, t.accountID)
	if q.Kind != "" {
		f.add(`kind = ?`, string(q.Kind))
	}
	if q.Destination != "" {
		f.add(`destination = ?`, q.Destination)
	}
	f.in(`id`, q.IDs)
	return scanWebhooks(t.query(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE `+f.sql()+` ORDER BY sort, id`, f.args...))
}

func scanWebhooks(rows *sql.Rows, err error) ([]crm.Webhook, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []crm.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func (t *tenantTx) DeleteWebhook(ctx context.Context, id int64) error {
	// Attempts and deliveries go with it by their foreign keys; said
	// outright for SQLite connections opened without foreign keys on.
	for _, q := range []string{`DELETE FROM webhook_attempts WHERE account_id = ? AND webhook_id = ?`,
		`DELETE FROM webhook_deliveries WHERE account_id = ? AND webhook_id = ?`} {
		if _, err := t.exec(ctx, q, t.accountID, id); err != nil {
			return err
		}
	}
	res, err := t.exec(ctx, `DELETE FROM webhooks WHERE account_id = ? AND id = ?`, t.accountID, id)
	return affected(res, err, "Webhook")
}

const deliveryColumns = `id, account_id, webhook_id, record_key, uid, event_ids, event_types, content_type, body, state, attempts, next_attempt_at, last_status, last_error, replay_of, created_at, finished_at`

func scanDelivery(row scanner) (crm.Delivery, error) {
	var d crm.Delivery
	var ids, types, state string
	var next, created int64
	var replay, finished sql.NullInt64
	err := row.Scan(&d.ID, &d.AccountID, &d.WebhookID, &d.RecordKey, &d.UID, &ids, &types, &d.ContentType, &d.Body, &state,
		&d.Attempts, &next, &d.LastStatus, &d.LastError, &replay, &created, &finished)
	if err != nil {
		return d, err
	}
	d.State, d.NextAttemptAt, d.ReplayOf = crm.DeliveryState(state), fromMS(next), replay.Int64
	d.CreatedAt, d.FinishedAt = fromMS(created), fromMS(finished.Int64)
	if err := json.Unmarshal([]byte(ids), &d.EventIDs); err != nil {
		return d, err
	}
	return d, json.Unmarshal([]byte(types), &d.EventTypes)
}

func scanDeliveries(rows *sql.Rows, err error) ([]crm.Delivery, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []crm.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (t *tenantTx) Deliveries(ctx context.Context, q crm.DeliveryQuery) ([]crm.Delivery, error) {
	f := &filter{}
	f.add(`account_id = ?`, t.accountID)
	f.add(`webhook_id = ?`, q.WebhookID)
	if q.State != "" {
		f.add(`state = ?`, string(q.State))
	}
	if q.BeforeID != 0 {
		f.add(`id < ?`, q.BeforeID)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = crm.DefaultPageLimit
	}
	return scanDeliveries(t.query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE `+f.sql()+` ORDER BY id DESC LIMIT ?`, append(f.args, limit)...))
}

func (t *tenantTx) DeliveryAttempts(ctx context.Context, deliveryIDs []int64) ([]crm.DeliveryAttempt, error) {
	out := []crm.DeliveryAttempt{}
	if len(deliveryIDs) == 0 {
		return out, nil
	}
	f := &filter{}
	f.add(`account_id = ?`, t.accountID)
	f.in(`delivery_id`, deliveryIDs)
	d := &filter{}
	d.add(`account_id = ?`, t.accountID)
	d.in(`id`, deliveryIDs)
	// The failed attempts, then each delivered delivery's success, which
	// is kept on its own row; the success is a delivery's last attempt.
	rows, err := t.query(ctx, `SELECT id, delivery_id, webhook_id, at, status, latency_ms, error, response FROM webhook_attempts WHERE `+f.sql()+`
		UNION ALL SELECT 0, id, webhook_id, last_attempt_at, last_status, last_latency_ms, last_error, last_response FROM webhook_deliveries
		WHERE `+d.sql()+` AND state = 'delivered'
		ORDER BY 2, 4, 1 DESC`, append(f.args, d.args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a crm.DeliveryAttempt
		var at, latency int64
		if err := rows.Scan(&a.ID, &a.DeliveryID, &a.WebhookID, &at, &a.Status, &latency, &a.Error, &a.Response); err != nil {
			return nil, err
		}
		a.At, a.Latency = fromMS(at), time.Duration(latency)*time.Millisecond
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *tenantTx) ReplayDelivery(ctx context.Context, id int64) (crm.Delivery, error) {
	d, err := scanDelivery(t.queryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE account_id = ? AND id = ?`, t.accountID, id))
	if err != nil {
		return d, notFound(err, "Delivery")
	}
	copyOf := d.ID
	if d.ReplayOf != 0 {
		copyOf = d.ReplayOf
	}
	d.State, d.Attempts, d.LastStatus, d.LastError, d.FinishedAt = crm.DeliveryPending, 0, 0, "", time.Time{}
	d.ReplayOf, d.NextAttemptAt, d.CreatedAt, d.UID = copyOf, t.now, t.now, crm.NewDeliveryUID()
	d.ID, err = t.insert(ctx, `INSERT INTO webhook_deliveries (account_id, webhook_id, record_key, uid, event_ids, event_types, content_type, body, next_attempt_at, replay_of, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.accountID, d.WebhookID, d.RecordKey, d.UID, jsonText(d.EventIDs), jsonText(d.EventTypes),
		d.ContentType, d.Body, ms(t.now), copyOf, ms(t.now))
	return d, err
}

// OutboxEntries reads up to limit settled history entries (events.go)
// after the outbox cursor, in commit order.
func (db *DB) OutboxEntries(ctx context.Context, limit int) (crm.OutboxBatch, error) {
	var out crm.OutboxBatch
	if db.dialect.name() == "postgres" {
		var tx string
		if err := db.read.QueryRowContext(ctx, `SELECT last_tx::text, last_log_id FROM webhook_cursor WHERE id = 1`).Scan(&tx, &out.From.LogID); err != nil {
			return out, err
		}
		var err error
		if out.From.Tx, err = strconv.ParseUint(tx, 10, 64); err != nil {
			return out, err
		}
	} else if err := db.read.QueryRowContext(ctx, `SELECT last_log_id FROM webhook_cursor WHERE id = 1`).Scan(&out.From.LogID); err != nil {
		return out, err
	}
	entries, _, err := db.settledEntries(ctx, db.read, settledRead{after: out.From, limit: limit})
	if err != nil {
		return out, err
	}
	out.To = out.From
	for _, e := range entries {
		out.Entries = append(out.Entries, e.Entry)
		out.To = e.At
	}
	return out, nil
}

// CommitOutbox stores the deliveries made of a batch, none sent yet, and
// moves the cursor past it (HandOutOutbox without an owner).
func (db *DB) CommitOutbox(ctx context.Context, b crm.OutboxBatch, deliveries []crm.Delivery) error {
	return db.HandOutOutbox(ctx, b, "", deliveries, nil, nil)
}

// LeaseOutbox makes owner the process that hands the history out until
// until, if no other process is (or another's turn ran out), and says
// whether it is. Only one process hands out at a time because the one that
// does sends first and records after (HandOutOutbox).
func (db *DB) LeaseOutbox(ctx context.Context, owner string, now, until time.Time) (bool, error) {
	res, err := db.write.ExecContext(ctx, db.dialect.rebind(`UPDATE webhook_cursor SET owner = ?, owner_until = ?
		WHERE id = 1 AND (owner = ? OR owner_until <= ?)`), owner, ms(until), owner, ms(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseOutbox ends owner's turn at handing the history out, if it has
// it, so that another process (or this one restarted) need not wait for
// the lease to run out.
func (db *DB) ReleaseOutbox(ctx context.Context, owner string) error {
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(`UPDATE webhook_cursor SET owner = '', owner_until = 0 WHERE id = 1 AND owner = ?`), owner)
	return err
}

// BusyRecords lists, of the given webhooks, the records that have a
// delivery pending: a new delivery of one of them waits its turn.
func (db *DB) BusyRecords(ctx context.Context, webhookIDs []int64) (map[crm.DeliveryKey]bool, error) {
	busy := map[crm.DeliveryKey]bool{}
	if len(webhookIDs) == 0 {
		return busy, nil
	}
	args := make([]any, len(webhookIDs))
	for i, id := range webhookIDs {
		args[i] = id
	}
	rows, err := db.read.QueryContext(ctx, db.dialect.rebind(`SELECT DISTINCT webhook_id, record_key FROM webhook_deliveries
		WHERE state = 'pending' AND webhook_id IN (`+placeholders(len(args))+`)`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k crm.DeliveryKey
		if err := rows.Scan(&k.WebhookID, &k.RecordKey); err != nil {
			return nil, err
		}
		busy[k] = true
	}
	return busy, rows.Err()
}

// HandOutOutbox stores the deliveries made of a batch and moves the cursor
// past it, in one transaction, if the cursor is still where the batch began
// and, when owner is given, owner still hands out (crm.ErrOutboxMoved
// otherwise). Deliveries already sent come with their attempt (attempts,
// by index into deliveries) and are stored as they stand after it: the
// delivery, the attempt in the log, the webhook's failure count (disable
// decides whether it is to be disabled, as in FinishDeliveries). A process
// that dies before this sends the batch again: at least once.
func (db *DB) HandOutOutbox(ctx context.Context, b crm.OutboxBatch, owner string, deliveries []crm.Delivery, attempts map[int]crm.DeliveryAttempt, disable crm.DisableRule) error {
	now := db.Now()
	return db.inTx(ctx, db.write, true, func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		if db.dialect.name() == "postgres" {
			res, err = tx.ExecContext(ctx, `UPDATE webhook_cursor SET last_tx = $1::text::xid8, last_log_id = $2
				WHERE id = 1 AND last_tx = $3::text::xid8 AND last_log_id = $4 AND ($5 = '' OR owner = $5)`,
				strconv.FormatUint(b.To.Tx, 10), b.To.LogID, strconv.FormatUint(b.From.Tx, 10), b.From.LogID, owner)
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE webhook_cursor SET last_log_id = ? WHERE id = 1 AND last_log_id = ? AND (? = '' OR owner = ?)`,
				b.To.LogID, b.From.LogID, owner, owner)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return crm.ErrOutboxMoved
		}
		if len(deliveries) == 0 {
			return nil
		}
		// Many rows a statement: on SQLite each statement's own cost is much
		// of a small insert's, and this runs on the one write connection.
		const cols = `(account_id, webhook_id, record_key, uid, event_ids, event_types, content_type, body, state, attempts,
			next_attempt_at, last_status, last_error, last_attempt_at, last_latency_ms, last_response, created_at, finished_at)`
		const perRow, chunk = 18, 50
		ids := map[string]int64{}
		for start := 0; start < len(deliveries); start += chunk {
			part := deliveries[start:min(start+chunk, len(deliveries))]
			args := make([]any, 0, len(part)*perRow)
			var q strings.Builder
			q.WriteString(`INSERT INTO webhook_deliveries ` + cols + ` VALUES `)
			for j := range part {
				d := &part[j]
				d.State = cmp.Or(d.State, crm.DeliveryPending)
				d.NextAttemptAt = cmp.Or(d.NextAttemptAt, now)
				d.UID = cmp.Or(d.UID, crm.NewDeliveryUID())
				a := attempts[start+j]
				if j > 0 {
					q.WriteString(`, `)
				}
				q.WriteString(`(` + placeholders(perRow) + `)`)
				args = append(args, d.AccountID, d.WebhookID, d.RecordKey, d.UID, jsonText(d.EventIDs), jsonText(d.EventTypes),
					d.ContentType, d.Body, string(d.State), d.Attempts, ms(d.NextAttemptAt), d.LastStatus, d.LastError,
					ms(a.At), a.Latency.Milliseconds(), a.Response, ms(now), nullMS(d.FinishedAt))
			}
			// RETURNING's row order is not promised: match ids by uid.
			q.WriteString(` RETURNING id, uid`)
			rows, err := tx.QueryContext(ctx, db.dialect.rebind(q.String()), args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				var uid string
				if err := rows.Scan(&id, &uid); err != nil {
					rows.Close()
					return err
				}
				ids[uid] = id
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		var results []hookResult
		for i, d := range deliveries {
			if a, sent := attempts[i]; sent {
				d.ID = ids[d.UID]
				a.DeliveryID = d.ID
				results = append(results, hookResult{delivery: d, attempt: a, success: d.State == crm.DeliveryDelivered})
			}
		}
		return db.recordAttempts(ctx, tx, results, disable)
	})
}

func nullMS(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: ms(t), Valid: !t.IsZero()}
}

// EnabledWebhooks lists the webhooks of every account that are not
// disabled, for delivery.
func (db *DB) EnabledWebhooks(ctx context.Context) ([]crm.Webhook, error) {
	return scanWebhooks(db.read.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE disabled_at IS NULL ORDER BY account_id, sort, id`))
}

// ClaimDeliveries takes up to limit due deliveries for this process until
// leaseUntil: pending, due, not held by another process, of an enabled
// webhook, and first of their record and webhook (a delivery waits for
// those before it). A process killed while sending loses only its lease:
// when it runs out, the delivery is due again for any process.
func (db *DB) ClaimDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]crm.Delivery, error) {
	var out []crm.Delivery
	lock := ""
	if db.dialect.name() == "postgres" {
		lock = ` FOR UPDATE OF d SKIP LOCKED`
	}
	// A read first: the usual answer is "nothing due", which needs no
	// write transaction (on SQLite, the one write connection).
	var due int
	err := db.read.QueryRowContext(ctx, db.dialect.rebind(`SELECT 1 FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ? AND lease_until <= ? LIMIT 1`),
		ms(now), ms(now)).Scan(&due)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, db.write, true, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.dialect.rebind(`SELECT d.id FROM webhook_deliveries d
			WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND d.lease_until <= ?
			AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.record_key = d.record_key AND e.state = 'pending' AND e.id < d.id)
			AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id AND w.disabled_at IS NULL)
			ORDER BY d.next_attempt_at, d.id LIMIT ?`+lock), ms(now), ms(now), limit)
		ids, err := idArgs(rows, err)
		if err != nil || len(ids) == 0 {
			return err
		}
		args := append([]any{ms(leaseUntil)}, ids...)
		if _, err := tx.ExecContext(ctx, db.dialect.rebind(`UPDATE webhook_deliveries SET lease_until = ? WHERE id IN (`+placeholders(len(ids))+`)`), args...); err != nil {
			return err
		}
		out, err = scanDeliveries(tx.QueryContext(ctx, db.dialect.rebind(`SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id IN (`+placeholders(len(ids))+`) ORDER BY id`), args[1:]...))
		return err
	})
	return out, err
}

// FinishDeliveries records attempts: each delivery's state, the attempt in
// the delivery log, the webhook's failure count. disable, given a webhook
// with its failure count after these attempts and the attempt just made,
// returns a reason to disable it ("" to keep it).
func (db *DB) FinishDeliveries(ctx context.Context, outcomes []crm.DeliveryOutcome, disable crm.DisableRule) error {
	if len(outcomes) == 0 {
		return nil
	}
	return db.inTx(ctx, db.write, true, func(tx *sql.Tx) error {
		// Prepared once for the batch: preparing is much of a small
		// statement's cost on SQLite.
		update, err := tx.PrepareContext(ctx, db.dialect.rebind(`UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, next_attempt_at = ?,
			lease_until = 0, last_status = ?, last_error = ?, last_attempt_at = ?, last_latency_ms = ?, last_response = ?, finished_at = ? WHERE id = ?`))
		if err != nil {
			return err
		}
		defer update.Close()
		results := make([]hookResult, 0, len(outcomes))
		for _, o := range outcomes {
			d, a := o.Delivery, o.Attempt
			var finished sql.NullInt64
			if o.State != crm.DeliveryPending {
				finished = sql.NullInt64{Int64: ms(a.At), Valid: true}
			}
			if _, err := update.ExecContext(ctx, string(o.State), ms(o.NextAttemptAt), a.Status, a.Error, ms(a.At), a.Latency.Milliseconds(), a.Response, finished, d.ID); err != nil {
				return err
			}
			results = append(results, hookResult{delivery: d, attempt: a, success: o.Success})
		}
		return db.recordAttempts(ctx, tx, results, disable)
	})
}

// hookResult is one attempt to record: its delivery, the attempt, and
// whether it succeeded.
type hookResult struct {
	delivery crm.Delivery
	attempt  crm.DeliveryAttempt
	success  bool
}

// recordAttempts writes failed attempts into the delivery log (a success
// is its delivery's last_* columns) and keeps their webhooks' counts of
// failures in a row, disabling a webhook when disable
// says so.
func (db *DB) recordAttempts(ctx context.Context, tx *sql.Tx, results []hookResult, disable crm.DisableRule) error {
	if len(results) == 0 {
		return nil
	}
	logAttempt, err := tx.PrepareContext(ctx, db.dialect.rebind(`INSERT INTO webhook_attempts (account_id, webhook_id, delivery_id, at, status, latency_ms, error, response)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`))
	if err != nil {
		return err
	}
	defer logAttempt.Close()
	succeeded := map[int64]bool{}
	for _, r := range results {
		d, a := r.delivery, r.attempt
		if r.success {
			// Kept on the delivery's row alone (its last_* columns).
			succeeded[d.WebhookID] = true
			continue
		}
		if _, err := logAttempt.ExecContext(ctx, d.AccountID, d.WebhookID, d.ID, ms(a.At), a.Status, a.Latency.Milliseconds(), a.Error, a.Response); err != nil {
			return err
		}
		if succeeded[d.WebhookID] {
			// A failure after a success in this batch: the count restarts
			// from that success.
			if _, err := tx.ExecContext(ctx, db.dialect.rebind(`UPDATE webhooks SET failures = 0 WHERE id = ?`), d.WebhookID); err != nil {
				return err
			}
			delete(succeeded, d.WebhookID)
		}
		w, err := scanWebhook(tx.QueryRowContext(ctx, db.dialect.rebind(`UPDATE webhooks SET failures = failures + 1 WHERE id = ? RETURNING `+webhookColumns), d.WebhookID))
		if errors.Is(err, sql.ErrNoRows) {
			continue // deleted meanwhile
		}
		if err != nil {
			return err
		}
		if w.Disabled() || disable == nil {
			continue
		}
		failedSince := func(since time.Time) (int, error) {
			var n int
			err := tx.QueryRowContext(ctx, db.dialect.rebind(`SELECT COUNT(*) FROM webhook_attempts WHERE webhook_id = ? AND at >= ? AND (status < 100 OR status > 299)`),
				w.ID, ms(since)).Scan(&n)
			return n, err
		}
		reason, err := disable(w, a, failedSince)
		if err != nil {
			return err
		}
		if reason != "" {
			if _, err := tx.ExecContext(ctx, db.dialect.rebind(`UPDATE webhooks SET disabled_at = ?, disabled_reason = ? WHERE id = ?`),
				a.At.Unix(), reason, w.ID); err != nil {
				return err
			}
		}
	}
	// A success resets the count of failures in a row, once per webhook
	// whose last outcome here was one.
	for id := range succeeded {
		if _, err := tx.ExecContext(ctx, db.dialect.rebind(`UPDATE webhooks SET failures = 0 WHERE id = ? AND failures <> 0`), id); err != nil {
			return err
		}
	}
	return nil
}

// ReleaseDeliveries gives claimed deliveries back before their lease ends
// (a process stopping without having sent them).
func (db *DB) ReleaseDeliveries(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(`UPDATE webhook_deliveries SET lease_until = 0 WHERE state = 'pending' AND id IN (`+placeholders(len(ids))+`)`), args...)
	return err
}

// DeleteFinishedDeliveries deletes up to limit deliveries (with their
// attempts) that were delivered or given up before before, oldest first,
// and says how many it deleted: the delivery log is kept for a while, not
// for ever.
func (db *DB) DeleteFinishedDeliveries(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int
	err := db.inTx(ctx, db.write, true, func(tx *sql.Tx) error {
		args, err := idArgs(tx.QueryContext(ctx, db.dialect.rebind(`SELECT id FROM webhook_deliveries WHERE state <> 'pending' AND finished_at < ? ORDER BY id LIMIT ?`), ms(before), limit))
		if err != nil || len(args) == 0 {
			return err
		}
		in := placeholders(len(args))
		if _, err := tx.ExecContext(ctx, db.dialect.rebind(`DELETE FROM webhook_attempts WHERE delivery_id IN (`+in+`)`), args...); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.dialect.rebind(`DELETE FROM webhook_deliveries WHERE id IN (`+in+`)`), args...)
		n = len(args)
		return err
	})
	return n, err
}

// idArgs reads a query's one id column as arguments for an IN list.
func idArgs(rows *sql.Rows, err error) ([]any, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
