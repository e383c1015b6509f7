package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestOutboxOrdersByTransaction: on PostgreSQL the outbox reads entries in
// the order of their transactions' ids, as numbers: an entry of
// transaction 9 comes before one of transaction 10 whatever their ids (a
// text order would put "10" first and, the cursor then passing "9", hand
// the entries out twice).
func TestOutboxOrdersByTransaction(t *testing.T) {
	ctx := context.Background()
	dsn := crmtest.NewDSN(t, crmtest.Postgres)
	db := open(t, dsn)
	acct := newAccount(t, db, "Outbox")
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Transactions 9 and 10 are long over on any cluster: both settled.
	if _, err := raw.ExecContext(ctx, `UPDATE webhook_cursor SET last_tx = '8'::xid8, last_log_id = 0`); err != nil {
		t.Fatal(err)
	}
	var ids [2]int64
	for i, tx := range []string{"10", "9"} {
		if err := raw.QueryRowContext(ctx, `INSERT INTO logs (account_id, entity_type, entity_id, type_id, data, user_id, employee_id, created_at, tx)
			VALUES ($1, 'leads', 1, 2001, '{}', 0, 0, 0, $2::xid8) RETURNING id`, acct.AccountID, tx).Scan(&ids[i]); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int64]int{}
	for range 3 {
		b, err := db.OutboxEntries(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range b.Entries {
			seen[e.ID]++
		}
		if len(b.Entries) > 0 {
			if err := db.CommitOutbox(ctx, b, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	b, err := db.OutboxEntries(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range b.Entries {
		seen[e.ID]++
	}
	if seen[ids[0]] != 1 || seen[ids[1]] != 1 {
		t.Errorf("entries of transactions 10 (%d) and 9 (%d) handed out %d and %d times, want once each",
			ids[0], ids[1], seen[ids[0]], seen[ids[1]])
	}
}

// TestDeleteFinishedDeliveries: the delivery log keeps pending deliveries
// and drops finished ones older than the cut-off, with their attempts.
func TestDeleteFinishedDeliveries(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		acct := newAccount(t, db, "Trim")
		hook := crm.Webhook{Kind: crm.WebhookCRMD, Destination: "https://hooks.example/1", Events: []string{"lead.added"}}
		insert(t, db, acct.AccountID, &hook)
		now := time.Now().Truncate(time.Millisecond)
		mk := func(key string) crm.Delivery {
			return crm.Delivery{AccountID: acct.AccountID, WebhookID: hook.ID, RecordKey: key, EventIDs: []int64{1},
				EventTypes: []string{"lead.added"}, ContentType: "application/json", Body: []byte(`{}`), NextAttemptAt: now}
		}
		commit(t, db, mk("deal:1"), mk("deal:2"))
		claimed, err := db.ClaimDeliveries(ctx, now, now.Add(time.Minute), 10)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claimed %d, %v", len(claimed), err)
		}
		done := crm.DeliveryOutcome{Delivery: claimed[0], State: crm.DeliveryDelivered, Success: true,
			Attempt: crm.DeliveryAttempt{At: now, Status: 200}}
		if err := db.FinishDeliveries(ctx, []crm.DeliveryOutcome{done}, nil); err != nil {
			t.Fatal(err)
		}
		if n, err := db.DeleteFinishedDeliveries(ctx, now, 10); err != nil || n != 0 {
			t.Fatalf("deleted %d finished at the cut-off itself (%v), want 0", n, err)
		}
		if n, err := db.DeleteFinishedDeliveries(ctx, now.Add(time.Second), 10); err != nil || n != 1 {
			t.Fatalf("deleted %d, %v; want the one delivered", n, err)
		}
		left := deliveries(t, db, acct.AccountID, crm.DeliveryQuery{WebhookID: hook.ID})
		if len(left) != 1 || left[0].ID != claimed[1].ID {
			t.Errorf("left %+v, want the pending one", left)
		}
	})
}
