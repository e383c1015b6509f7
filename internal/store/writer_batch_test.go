package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// batchTables are the tables a batch of amoCRM leads writes to: the deals,
// their history (the webhook outbox reads it), tags, names, stage entries,
// and the complex add's contacts and phones.
var batchTables = []string{"deals", "logs", "tags", "entity_tags", "service_values", "deal_stage_history", "contacts", "contact_data"}

// rowCounts counts the account's rows in batchTables.
func rowCounts(t *testing.T, db *store.DB, account int64) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range batchTables {
		var n int
		if err := db.QueryRaw(context.Background(), fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE account_id = %d`, table, account), &n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// leadBatch is n new leads, each tagged, named after prefix; the lead at
// bad (if 0 ≤ bad < n) has a negative price, which fails the batch.
func leadBatch(prefix string, n, bad int) []crm.LeadInput {
	in := make([]crm.LeadInput, n)
	for i := range in {
		name, price := fmt.Sprintf("%s %d", prefix, i), int64(1000+i)
		if i == bad {
			price = -1
		}
		tags := []crm.TagRef{{Name: prefix}}
		in[i] = crm.LeadInput{Name: &name, Price: &price, Tags: &tags}
	}
	return in
}

// complexBatch is n complex leads, each with a new contact and phone; the
// item at bad (if 0 ≤ bad < n) has a phone without digits.
func complexBatch(prefix string, n, bad int) []crm.ComplexLead {
	in := make([]crm.ComplexLead, n)
	for i := range in {
		name, phone := fmt.Sprintf("%s %d", prefix, i), fmt.Sprintf("+7900%07d", i)
		if i == bad {
			phone = "no digits"
		}
		in[i] = crm.ComplexLead{Lead: crm.LeadInput{Name: &name}, Contact: &crm.ComplexParty{FirstName: "Иван", LastName: name, Phones: []string{phone}}}
	}
	return in
}

// TestLeadBatchFailsWhole: a batch of leads whose item in the middle
// fails, after the items before it were written, leaves no row of it
// (deals, history, tags, contacts, totals) — alone, and when it queued
// behind another call (UpdateBatch runs it first in a transaction of its
// own, without a savepoint) — while the calls around it commit.
func TestLeadBatchFailsWhole(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		db := open(t, dsn)
		creds := newAccount(t, db, "Batch fails")
		svc := crm.NewService(db)
		actor := crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}
		ctx := context.Background()
		before := rowCounts(t, db, creds.AccountID)
		if _, err := svc.AddLeads(ctx, actor, leadBatch("alone", 40, 25)); crm.KindOf(err) != crm.KindInvalid {
			t.Fatalf("a batch with a bad lead: %v, want invalid", err)
		}
		if _, err := svc.AddComplexLeads(ctx, actor, complexBatch("alone complex", 30, 17)); crm.KindOf(err) != crm.KindInvalid {
			t.Fatalf("a complex batch with a bad item: %v, want invalid", err)
		}
		if after := rowCounts(t, db, creds.AccountID); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("failed batches wrote rows: before %v, after %v", before, after)
		}

		// The same batches queued behind a running call, between calls
		// that commit.
		var ids [2]int64
		calls := []queued{
			{account: creds.AccountID, fn: addUser("batch-before", &ids[0])},
			{account: creds.AccountID, fn: func(tx crm.Tx) error {
				_, err := svc.AddLeads(ctx, actor, leadBatch("queued", 40, 25))
				return err
			}},
			{account: creds.AccountID, fn: addUser("batch-after", &ids[1])},
		}
		// The batch's own Update runs in its own goroutine: lineUp's
		// middle call only starts it, so that it queues in order.
		answers := lineUpBatches(t, db, calls, 1)
		if crm.KindOf(answers[1].err) != crm.KindInvalid {
			t.Errorf("the queued bad batch: %v, want invalid", answers[1].err)
		}
		if answers[0].err != nil || answers[2].err != nil {
			t.Errorf("the calls around the batch: %v, %v", answers[0].err, answers[2].err)
		}
		names := userNames(t, db, creds.AccountID)
		if !names["batch-before"] || !names["batch-after"] {
			t.Errorf("the calls around the batch did not commit: %v", names)
		}
		if after := rowCounts(t, db, creds.AccountID); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("failed batches wrote rows: before %v, after %v", before, after)
		}
		checkCreatedTotals(t, db, creds.AccountID, "after the failed batches")
	})
}

// lineUpBatches is lineUp for calls of which the one at batch runs a
// service batch (which makes its own UpdateBatch call): that call is
// started in order after the others queued before it, and its answer is
// the service's.
func lineUpBatches(t *testing.T, db *store.DB, calls []queued, batch int) []answer {
	t.Helper()
	return lineUpWith(t, db, calls, func(i int) answer {
		if i == batch {
			return answer{err: calls[i].fn(nil)}
		}
		return update(db, calls[i])
	})
}

// TestUpdateBatchRunsFirst: a large call (UpdateBatch) queued behind
// others is never taken into their transaction: it starts the next one,
// which the calls after it may join; every call commits.
func TestUpdateBatchRunsFirst(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		db := open(t, dsn)
		account := newAccount(t, db, "Batch first").AccountID
		ids := make([]int64, 5)
		calls := make([]queued, len(ids))
		for i := range calls {
			calls[i] = queued{account: account, fn: addUser(fmt.Sprint("first-", i), &ids[i]), large: i == 2}
		}
		before := db.WriteStats()
		for i, a := range lineUp(t, db, calls) {
			if a.err != nil || a.panicked != nil {
				t.Errorf("call %d: %v %v", i, a.err, a.panicked)
			}
		}
		if txs, n := commits(db, before); txs != 2 || n != 5 {
			t.Errorf("%d calls committed in %d transactions, want 5 in 2 (the large call's beginning the second)", n, txs)
		}
		names := userNames(t, db, account)
		for i := range ids {
			if !names[fmt.Sprint("first-", i)] {
				t.Errorf("call %d's user is missing", i)
			}
		}
	})
}

// TestLeadBatchesShareTheWriter: batches of leads (UpdateBatch) and one-
// lead writes (Update, sharing transactions) from many goroutines at
// once, some of each failing: exactly the rows of the calls that
// succeeded are written, each batch's leads are all there in order, and
// the totals the triggers keep agree with a count.
func TestLeadBatchesShareTheWriter(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		db := open(t, dsn)
		creds := newAccount(t, db, "Batch shares")
		svc := crm.NewService(db)
		actor := crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}
		ctx := context.Background()
		before := rowCounts(t, db, creds.AccountID)
		const workers, rounds, batchSize = 6, 4, 30
		var mu sync.Mutex
		made := 0
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for r := range rounds {
					prefix := fmt.Sprintf("w%d-r%d", w, r)
					bad := -1
					if (w+r)%3 == 0 {
						bad = (w * 7) % batchSize // fails: nothing of it may stay
					}
					n := batchSize
					if w%3 == 2 { // one lead, sharing transactions
						n = 1
						bad = min(bad, 0)
					}
					in := leadBatch(prefix, n, bad)
					leads, err := svc.AddLeads(ctx, actor, in)
					if bad >= 0 && bad < len(in) {
						if crm.KindOf(err) != crm.KindInvalid {
							t.Errorf("%s: a bad batch returned %v, want invalid", prefix, err)
						}
						continue
					}
					if err != nil {
						t.Errorf("%s: %v", prefix, err)
						continue
					}
					if len(leads) != len(in) {
						t.Errorf("%s: %d leads back, want %d", prefix, len(leads), len(in))
						continue
					}
					for i, l := range leads {
						if l.Name != *in[i].Name || l.Price != *in[i].Price || len(l.Tags) != 1 || l.Tags[0].Name != prefix {
							t.Errorf("%s: lead %d is %q %d %v", prefix, i, l.Name, l.Price, l.Tags)
						}
					}
					mu.Lock()
					made += len(in)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		after := rowCounts(t, db, creds.AccountID)
		if got := after["deals"] - before["deals"]; got != made {
			t.Errorf("%d deals written, want %d (the successful calls')", got, made)
		}
		if got := after["entity_tags"] - before["entity_tags"]; got != made {
			t.Errorf("%d tag links written, want %d", got, made)
		}
		if got := after["deal_stage_history"] - before["deal_stage_history"]; got != made {
			t.Errorf("%d stage entries written, want %d", got, made)
		}
		checkCreatedTotals(t, db, creds.AccountID, "after concurrent batches")
	})
}
