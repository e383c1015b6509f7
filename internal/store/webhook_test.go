package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestWebhookTenantIsolation: an account's transaction stores, lists,
// updates and deletes its own webhooks, and another account neither sees
// nor changes nor deletes them, nor their deliveries and log.
func TestWebhookTenantIsolation(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		acme, globex := newAccount(t, db, "Acme"), newAccount(t, db, "Globex")
		hook := crm.Webhook{Kind: crm.WebhookCRMD, Destination: "https://hooks.example/a", Events: []string{"lead.added", "lead.stage_changed"},
			PipelineID: 7, StageIDs: []int64{70, 71}, Secret: "whsec_1", Sort: 2, CreatedBy: acme.UserID}
		amo := crm.Webhook{Kind: crm.WebhookAmoCRM, Destination: "https://hooks.example/amo", Events: []string{"add_lead"}}
		insert(t, db, acme.AccountID, &hook, &amo)
		if hook.ID == 0 || hook.AccountID != acme.AccountID || hook.CreatedAt.IsZero() || amo.ID == 0 {
			t.Fatalf("inserted %+v %+v", hook, amo)
		}
		got := webhooks(t, db, acme.AccountID, crm.WebhookQuery{})
		// By sort, then id: amo (sort 0) before hook (sort 2).
		if len(got) != 2 || got[0].ID != amo.ID || got[1].ID != hook.ID {
			t.Fatalf("listed %+v", got)
		}
		if w := got[1]; w.Kind != crm.WebhookCRMD || w.Destination != hook.Destination || !slices.Equal(w.Events, hook.Events) ||
			w.PipelineID != 7 || !slices.Equal(w.StageIDs, []int64{70, 71}) || w.Secret != "whsec_1" || w.Disabled() ||
			w.CreatedBy != acme.UserID {
			t.Errorf("read back %+v", w)
		}
		if got[0].StageIDs == nil || len(got[0].StageIDs) != 0 {
			t.Errorf("no stages read back as %#v", got[0].StageIDs)
		}
		for _, c := range []struct {
			q    crm.WebhookQuery
			want []int64
		}{
			{crm.WebhookQuery{Kind: crm.WebhookCRMD}, []int64{hook.ID}},
			{crm.WebhookQuery{Kind: crm.WebhookAmoCRM, Destination: amo.Destination}, []int64{amo.ID}},
			{crm.WebhookQuery{Destination: "https://elsewhere.example"}, nil},
			{crm.WebhookQuery{IDs: []int64{hook.ID}}, []int64{hook.ID}},
		} {
			if ids := idsOf(webhooks(t, db, acme.AccountID, c.q)); !slices.Equal(ids, c.want) {
				t.Errorf("%+v: %v, want %v", c.q, ids, c.want)
			}
		}
		if got := webhooks(t, db, globex.AccountID, crm.WebhookQuery{}); len(got) != 0 {
			t.Errorf("Globex lists %+v", got)
		}
		if got := webhooks(t, db, globex.AccountID, crm.WebhookQuery{IDs: []int64{hook.ID}}); len(got) != 0 {
			t.Errorf("Globex lists Acme's webhook by id: %+v", got)
		}

		changed := hook
		changed.Destination, changed.Events, changed.StageIDs = "https://hooks.example/b", []string{"contact.added"}, nil
		changed.DisabledAt, changed.DisabledReason, changed.Failures = time.Unix(1_800_000_000, 0), "test", 3
		err := db.Update(ctx, globex.AccountID, func(tx crm.Tx) error { return tx.UpdateWebhook(ctx, &changed) })
		if crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("Globex updates Acme's webhook: %v", err)
		}
		if err := db.Update(ctx, globex.AccountID, func(tx crm.Tx) error { return tx.DeleteWebhook(ctx, hook.ID) }); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("Globex deletes Acme's webhook: %v", err)
		}
		if w := webhooks(t, db, acme.AccountID, crm.WebhookQuery{IDs: []int64{hook.ID}}); len(w) != 1 || w[0].Destination != hook.Destination || w[0].Disabled() {
			t.Fatalf("after Globex's attempts: %+v", w)
		}
		if err := db.Update(ctx, acme.AccountID, func(tx crm.Tx) error { return tx.UpdateWebhook(ctx, &changed) }); err != nil {
			t.Fatal(err)
		}
		w := webhooks(t, db, acme.AccountID, crm.WebhookQuery{IDs: []int64{hook.ID}})[0]
		if w.Destination != "https://hooks.example/b" || !slices.Equal(w.Events, []string{"contact.added"}) || len(w.StageIDs) != 0 ||
			!w.DisabledAt.Equal(changed.DisabledAt) || w.DisabledReason != "test" || w.Failures != 3 || w.Secret != "whsec_1" {
			t.Errorf("updated %+v", w)
		}
		enabled, err := db.EnabledWebhooks(ctx)
		if err != nil || !slices.Equal(idsOf(enabled), []int64{amo.ID}) {
			t.Errorf("enabled webhooks: %v %v", idsOf(enabled), err)
		}

		// Deliveries and their log are the account's too.
		commit(t, db, crm.Delivery{AccountID: acme.AccountID, WebhookID: amo.ID, RecordKey: "deal:1", EventIDs: []int64{11},
			EventTypes: []string{"add_lead"}, ContentType: "application/x-www-form-urlencoded", Body: []byte("leads[add][0][id]=1")})
		dels := deliveries(t, db, acme.AccountID, crm.DeliveryQuery{WebhookID: amo.ID})
		if len(dels) != 1 {
			t.Fatalf("deliveries: %+v", dels)
		}
		claimed, err := db.ClaimDeliveries(ctx, time.Now().Add(time.Second), time.Now().Add(time.Minute), 10)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claimed %+v %v", claimed, err)
		}
		finish(t, db, claimed[0], crm.DeliveryDelivered, 200, "ok")
		if got := deliveries(t, db, globex.AccountID, crm.DeliveryQuery{WebhookID: amo.ID}); len(got) != 0 {
			t.Errorf("Globex lists Acme's deliveries: %+v", got)
		}
		if got := attempts(t, db, globex.AccountID, dels[0].ID); len(got) != 0 {
			t.Errorf("Globex reads Acme's delivery log: %+v", got)
		}
		if got := attempts(t, db, acme.AccountID, dels[0].ID); len(got) != 1 || got[0].Status != 200 {
			t.Errorf("Acme's delivery log: %+v", got)
		}
		err = db.Update(ctx, globex.AccountID, func(tx crm.Tx) error { _, err := tx.ReplayDelivery(ctx, dels[0].ID); return err })
		if crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("Globex replays Acme's delivery: %v", err)
		}

		// Deleting a webhook takes its deliveries and their log with it.
		if err := db.Update(ctx, acme.AccountID, func(tx crm.Tx) error { return tx.DeleteWebhook(ctx, amo.ID) }); err != nil {
			t.Fatal(err)
		}
		if got := deliveries(t, db, acme.AccountID, crm.DeliveryQuery{WebhookID: amo.ID}); len(got) != 0 {
			t.Errorf("a deleted webhook's deliveries: %+v", got)
		}
		if got := attempts(t, db, acme.AccountID, dels[0].ID); len(got) != 0 {
			t.Errorf("a deleted webhook's log: %+v", got)
		}
		if err := db.Update(ctx, acme.AccountID, func(tx crm.Tx) error { return tx.DeleteWebhook(ctx, amo.ID) }); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("deleted twice: %v", err)
		}
		if got := idsOf(webhooks(t, db, acme.AccountID, crm.WebhookQuery{})); !slices.Equal(got, []int64{hook.ID}) {
			t.Errorf("left: %v", got)
		}
	})
}

// TestWebhookDeliveries: the delivery log's pages and filters, the attempt
// log, and replays (a copy, due now, whose replay_of is the original even
// when a replay is replayed).
func TestWebhookDeliveries(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		acme := newAccount(t, db, "Acme")
		hook := crm.Webhook{Kind: crm.WebhookCRMD, Destination: "https://hooks.example/a", Events: []string{"lead.added"}, Secret: "s"}
		insert(t, db, acme.AccountID, &hook)
		base := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
		var made []crm.Delivery
		for i := range 3 {
			made = append(made, crm.Delivery{AccountID: acme.AccountID, WebhookID: hook.ID, RecordKey: "deal:" + string(rune('1'+i)),
				EventIDs: []int64{int64(100 + i), int64(200 + i)}, EventTypes: []string{"lead.added", "lead.updated"},
				ContentType: "application/json", Body: []byte(`{"n":` + string(rune('1'+i)) + `}`), NextAttemptAt: base})
		}
		commit(t, db, made...)
		all := deliveries(t, db, acme.AccountID, crm.DeliveryQuery{WebhookID: hook.ID})
		if len(all) != 3 || all[0].ID < all[1].ID || all[1].ID < all[2].ID {
			t.Fatalf("newest first: %+v", all)
		}
		d1, d2, d3 := all[2], all[1], all[0]
		if d1.RecordKey != "deal:1" || !slices.Equal(d1.EventIDs, []int64{100, 200}) || !slices.Equal(d1.EventTypes, []string{"lead.added", "lead.updated"}) ||
			d1.ContentType != "application/json" || string(d1.Body) != `{"n":1}` || d1.State != crm.DeliveryPending || d1.Attempts != 0 ||
			!d1.NextAttemptAt.Equal(base) || d1.CreatedAt.IsZero() || !d1.FinishedAt.IsZero() || d1.ReplayOf != 0 || d1.AccountID != acme.AccountID {
			t.Errorf("stored %+v", d1)
		}

		claimed, err := db.ClaimDeliveries(ctx, time.Now(), time.Now().Add(time.Minute), 10)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claimed %d %v", len(claimed), err)
		}
		byID := map[int64]crm.Delivery{}
		for _, d := range claimed {
			byID[d.ID] = d
		}
		// d1: a failure to retry, then a success; d2: given up; d3 pending.
		retryAt := finish(t, db, byID[d1.ID], crm.DeliveryPending, 503, "busy")
		finish(t, db, byID[d2.ID], crm.DeliveryFailed, 0, "")
		if err := db.ReleaseDeliveries(ctx, []int64{d3.ID}); err != nil {
			t.Fatal(err)
		}
		// d1 retried, d3 given back (a claim returns deliveries by id).
		again, err := db.ClaimDeliveries(ctx, retryAt, retryAt.Add(time.Minute), 10)
		if err != nil || !slices.Equal(deliveryIDs(again), []int64{d1.ID, d3.ID}) {
			t.Fatalf("claimed again %v %v", deliveryIDs(again), err)
		}
		finish(t, db, again[0], crm.DeliveryDelivered, 204, "")

		for _, c := range []struct {
			q    crm.DeliveryQuery
			want []int64
		}{
			{crm.DeliveryQuery{WebhookID: hook.ID, State: crm.DeliveryDelivered}, []int64{d1.ID}},
			{crm.DeliveryQuery{WebhookID: hook.ID, State: crm.DeliveryFailed}, []int64{d2.ID}},
			{crm.DeliveryQuery{WebhookID: hook.ID, State: crm.DeliveryPending}, []int64{d3.ID}},
			{crm.DeliveryQuery{WebhookID: hook.ID, Limit: 2}, []int64{d3.ID, d2.ID}},
			{crm.DeliveryQuery{WebhookID: hook.ID, BeforeID: d2.ID}, []int64{d1.ID}},
			{crm.DeliveryQuery{WebhookID: hook.ID + 1000}, nil},
		} {
			if got := deliveryIDs(deliveries(t, db, acme.AccountID, c.q)); !slices.Equal(got, c.want) {
				t.Errorf("%+v: %v, want %v", c.q, got, c.want)
			}
		}
		got := deliveries(t, db, acme.AccountID, crm.DeliveryQuery{WebhookID: hook.ID, State: crm.DeliveryDelivered})[0]
		if got.Attempts != 2 || got.LastStatus != 204 || got.FinishedAt.IsZero() {
			t.Errorf("delivered: %+v", got)
		}
		failed := deliveries(t, db, acme.AccountID, crm.DeliveryQuery{WebhookID: hook.ID, State: crm.DeliveryFailed})[0]
		if failed.Attempts != 1 || failed.LastStatus != 0 || failed.LastError != "no answer within 10s" || failed.FinishedAt.IsZero() {
			t.Errorf("failed: %+v", failed)
		}
		log := attempts(t, db, acme.AccountID, d1.ID, d2.ID)
		if len(log) != 3 {
			t.Fatalf("attempts: %+v", log)
		}
		if a := log[0]; a.DeliveryID != d1.ID || a.WebhookID != hook.ID || a.Status != 503 || a.Response != "busy" || a.Latency != 42*time.Millisecond || a.At.IsZero() {
			t.Errorf("first attempt: %+v", a)
		}
		// By delivery, then time: d1's success (kept on its own row) is
		// its last attempt.
		if a := log[1]; a.DeliveryID != d1.ID || a.Status != 204 || a.Latency != 42*time.Millisecond || a.At.IsZero() {
			t.Errorf("d1's second attempt: %+v", a)
		}
		if a := log[2]; a.DeliveryID != d2.ID || a.Status != 0 || a.Error != "no answer within 10s" {
			t.Errorf("d2's attempt: %+v", a)
		}
		// d1's and d2's failures counted; d1's success reset the count.
		if w := webhooks(t, db, acme.AccountID, crm.WebhookQuery{})[0]; w.Failures != 0 {
			t.Errorf("failures after a success: %d", w.Failures)
		}

		replay := func(id int64) crm.Delivery {
			t.Helper()
			var d crm.Delivery
			err := db.Update(ctx, acme.AccountID, func(tx crm.Tx) (err error) { d, err = tx.ReplayDelivery(ctx, id); return err })
			if err != nil {
				t.Fatalf("replay %d: %v", id, err)
			}
			return d
		}
		r1 := replay(d1.ID)
		if r1.ID <= d3.ID || r1.ReplayOf != d1.ID || r1.State != crm.DeliveryPending || r1.Attempts != 0 || r1.LastStatus != 0 ||
			string(r1.Body) != `{"n":1}` || r1.RecordKey != "deal:1" || !slices.Equal(r1.EventIDs, d1.EventIDs) || r1.WebhookID != hook.ID {
			t.Errorf("replay: %+v", r1)
		}
		if stored := deliveries(t, db, acme.AccountID, crm.DeliveryQuery{WebhookID: hook.ID, Limit: 1})[0]; stored.ID != r1.ID ||
			stored.ReplayOf != d1.ID || stored.State != crm.DeliveryPending || !stored.FinishedAt.IsZero() {
			t.Errorf("stored replay: %+v", stored)
		}
		if r2 := replay(r1.ID); r2.ReplayOf != d1.ID {
			t.Errorf("a replay's replay is of %d, want %d", r2.ReplayOf, d1.ID)
		}
		err = db.Update(ctx, acme.AccountID, func(tx crm.Tx) error { _, err := tx.ReplayDelivery(ctx, 987654); return err })
		if crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("replay of a missing delivery: %v", err)
		}
		// The replay waits behind d1's record's pending deliveries: r2
		// behind r1.
		due, err := db.ClaimDeliveries(ctx, time.Now().Add(time.Hour), time.Now().Add(2*time.Hour), 10)
		if err != nil || !slices.Equal(deliveryIDs(due), []int64{d3.ID, r1.ID}) {
			t.Errorf("claimed with replays queued: %v %v", deliveryIDs(due), err)
		}
	})
}

// TestClaimDeliveries: a delivery is claimed only when it is due, first
// pending of its webhook and record, not leased, and of an enabled
// webhook; a finished one lets the next of its record go; a lease that
// ends or is given back makes a delivery claimable again.
func TestClaimDeliveries(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		acme, globex := newAccount(t, db, "Acme"), newAccount(t, db, "Globex")
		one := crm.Webhook{Kind: crm.WebhookCRMD, Destination: "https://hooks.example/1", Events: []string{"lead.added"}}
		two := crm.Webhook{Kind: crm.WebhookCRMD, Destination: "https://hooks.example/2", Events: []string{"lead.added"}}
		insert(t, db, acme.AccountID, &one, &two)
		off := crm.Webhook{Kind: crm.WebhookCRMD, Destination: "https://hooks.example/off", Events: []string{"lead.added"}}
		insert(t, db, globex.AccountID, &off)
		off.DisabledAt, off.DisabledReason = time.Now(), "test"
		if err := db.Update(ctx, globex.AccountID, func(tx crm.Tx) error { return tx.UpdateWebhook(ctx, &off) }); err != nil {
			t.Fatal(err)
		}
		now := time.Now().Truncate(time.Millisecond)
		del := func(account int64, hook crm.Webhook, key string, due time.Time) crm.Delivery {
			return crm.Delivery{AccountID: account, WebhookID: hook.ID, RecordKey: key, EventIDs: []int64{1}, EventTypes: []string{"lead.added"},
				ContentType: "application/json", Body: []byte(`{}`), NextAttemptAt: due}
		}
		commit(t, db,
			del(acme.AccountID, one, "deal:1", now),                // a
			del(acme.AccountID, one, "deal:1", now),                // b: behind a
			del(acme.AccountID, two, "deal:1", now),                // c: same record, another webhook
			del(acme.AccountID, one, "deal:2", now.Add(time.Hour)), // d: not due yet
			del(globex.AccountID, off, "deal:9", now),              // e: its webhook is disabled
		)
		ids := func(account int64, hook crm.Webhook) []int64 {
			list := deliveryIDs(deliveries(t, db, account, crm.DeliveryQuery{WebhookID: hook.ID}))
			slices.Reverse(list)
			return list
		}
		a, b, d := ids(acme.AccountID, one)[0], ids(acme.AccountID, one)[1], ids(acme.AccountID, one)[2]
		c, e := ids(acme.AccountID, two)[0], ids(globex.AccountID, off)[0]
		stored := map[int64]crm.Delivery{}
		for _, x := range append(deliveries(t, db, acme.AccountID, crm.DeliveryQuery{WebhookID: one.ID}),
			deliveries(t, db, acme.AccountID, crm.DeliveryQuery{WebhookID: two.ID})...) {
			stored[x.ID] = x
		}
		claim := func(at time.Time, lease time.Duration, limit int) []int64 {
			t.Helper()
			got, err := db.ClaimDeliveries(ctx, at, at.Add(lease), limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range got {
				if d.State != crm.DeliveryPending {
					t.Errorf("claimed a %s delivery: %+v", d.State, d)
				}
			}
			return deliveryIDs(got)
		}

		if got := claim(now, time.Minute, 1); !slices.Equal(got, []int64{a}) {
			t.Fatalf("claim 1: %v, want [%d]", got, a)
		}
		if got := claim(now, time.Minute, 10); !slices.Equal(got, []int64{c}) {
			t.Fatalf("claim the rest: %v, want [%d] (b waits for a, d is not due, e's webhook is off)", got, c)
		}
		if got := claim(now.Add(30*time.Second), time.Minute, 10); len(got) != 0 {
			t.Errorf("claimed within the leases: %v", got)
		}
		// a's holder died: after its lease a is claimable again (and still
		// ahead of b).
		later := now.Add(61 * time.Second)
		if got := claim(later, time.Minute, 10); !slices.Equal(got, []int64{a, c}) {
			t.Fatalf("after the leases: %v, want [%d %d]", got, a, c)
		}
		// a is delivered: b goes next, though c is still leased.
		finish(t, db, stored[a], crm.DeliveryDelivered, 200, "")
		if got := claim(later, time.Minute, 10); !slices.Equal(got, []int64{b}) {
			t.Fatalf("after a is delivered: %v, want [%d]", got, b)
		}
		// c given back before its lease ends: claimable at once.
		if err := db.ReleaseDeliveries(ctx, []int64{c}); err != nil {
			t.Fatal(err)
		}
		if got := claim(later, time.Minute, 10); !slices.Equal(got, []int64{c}) {
			t.Fatalf("after c is released: %v, want [%d]", got, c)
		}
		// d when it is due; e once its webhook is enabled again.
		finish(t, db, stored[b], crm.DeliveryDelivered, 200, "")
		finish(t, db, stored[c], crm.DeliveryDelivered, 200, "")
		if got := claim(now.Add(2*time.Hour), time.Minute, 10); !slices.Equal(got, []int64{d}) {
			t.Errorf("in two hours: %v, want [%d]", got, d)
		}
		off.DisabledAt, off.DisabledReason = time.Time{}, ""
		if err := db.Update(ctx, globex.AccountID, func(tx crm.Tx) error { return tx.UpdateWebhook(ctx, &off) }); err != nil {
			t.Fatal(err)
		}
		if got := claim(now.Add(2*time.Hour), time.Minute, 10); !slices.Equal(got, []int64{e}) {
			t.Errorf("after enabling e's webhook: %v, want [%d]", got, e)
		}
	})
}

// TestFinishDeliveriesDisables: failed attempts count on the webhook and
// its kind's rule may disable it; a success resets the count; a disabled
// webhook's deliveries wait.
func TestFinishDeliveriesDisables(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		acme := newAccount(t, db, "Acme")
		hook := crm.Webhook{Kind: crm.WebhookCRMD, Destination: "https://hooks.example/1", Events: []string{"lead.added"}}
		insert(t, db, acme.AccountID, &hook)
		now := time.Now().Truncate(time.Millisecond)
		var made []crm.Delivery
		for _, key := range []string{"deal:1", "deal:2", "deal:3", "deal:4"} {
			made = append(made, crm.Delivery{AccountID: acme.AccountID, WebhookID: hook.ID, RecordKey: key, EventIDs: []int64{1},
				EventTypes: []string{"lead.added"}, ContentType: "application/json", Body: []byte(`{}`), NextAttemptAt: now})
		}
		commit(t, db, made...)
		claimed, err := db.ClaimDeliveries(ctx, now, now.Add(time.Minute), 10)
		if err != nil || len(claimed) != 4 {
			t.Fatalf("claimed %d %v", len(claimed), err)
		}
		var seen []int
		rule := func(w crm.Webhook, last crm.DeliveryAttempt, failedSince func(time.Time) (int, error)) (string, error) {
			n, err := failedSince(now.Add(-time.Hour))
			seen = append(seen, w.Failures)
			if w.Failures != n {
				t.Errorf("failures %d, failed since an hour ago %d", w.Failures, n)
			}
			if w.Failures >= 2 {
				return "two in a row", err
			}
			return "", err
		}
		outcome := func(d crm.Delivery, status int) crm.DeliveryOutcome {
			state := crm.DeliveryFailed
			if status == 200 {
				state = crm.DeliveryDelivered
			}
			return crm.DeliveryOutcome{Delivery: d, State: state, Success: status == 200,
				Attempt: crm.DeliveryAttempt{DeliveryID: d.ID, WebhookID: d.WebhookID, At: now, Status: status}}
		}
		if err := db.FinishDeliveries(ctx, []crm.DeliveryOutcome{outcome(claimed[0], 500)}, rule); err != nil {
			t.Fatal(err)
		}
		if w := webhooks(t, db, acme.AccountID, crm.WebhookQuery{})[0]; w.Failures != 1 || w.Disabled() {
			t.Fatalf("after one failure: %+v", w)
		}
		if err := db.FinishDeliveries(ctx, []crm.DeliveryOutcome{outcome(claimed[1], 500)}, rule); err != nil {
			t.Fatal(err)
		}
		w := webhooks(t, db, acme.AccountID, crm.WebhookQuery{})[0]
		if w.Failures != 2 || !w.Disabled() || w.DisabledReason != "two in a row" {
			t.Fatalf("after two failures: %+v", w)
		}
		// An attempt finishing after the webhook was disabled counts but
		// asks the rule nothing more.
		if err := db.FinishDeliveries(ctx, []crm.DeliveryOutcome{outcome(claimed[2], 0)}, rule); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(seen, []int{1, 2}) {
			t.Errorf("the rule saw failure counts %v", seen)
		}
		if err := db.ReleaseDeliveries(ctx, []int64{claimed[3].ID}); err != nil {
			t.Fatal(err)
		}
		if got, err := db.ClaimDeliveries(ctx, now, now.Add(time.Minute), 10); err != nil || len(got) != 0 {
			t.Errorf("claimed from a disabled webhook: %v %v", deliveryIDs(got), err)
		}
		w = webhooks(t, db, acme.AccountID, crm.WebhookQuery{})[0]
		w.DisabledAt, w.DisabledReason = time.Time{}, ""
		if err := db.Update(ctx, acme.AccountID, func(tx crm.Tx) error { return tx.UpdateWebhook(ctx, &w) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.ClaimDeliveries(ctx, now, now.Add(time.Minute), 10)
		if err != nil || !slices.Equal(deliveryIDs(got), []int64{claimed[3].ID}) {
			t.Fatalf("after enabling: %v %v", deliveryIDs(got), err)
		}
		if err := db.FinishDeliveries(ctx, []crm.DeliveryOutcome{outcome(got[0], 200)}, rule); err != nil {
			t.Fatal(err)
		}
		if w := webhooks(t, db, acme.AccountID, crm.WebhookQuery{})[0]; w.Failures != 0 {
			t.Errorf("after a success: %+v", w)
		}
	})
}

func insert(t *testing.T, db *store.DB, account int64, hooks ...*crm.Webhook) {
	t.Helper()
	err := db.Update(context.Background(), account, func(tx crm.Tx) error {
		for _, w := range hooks {
			if err := tx.InsertWebhook(context.Background(), w); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert webhooks: %v", err)
	}
}

func webhooks(t *testing.T, db *store.DB, account int64, q crm.WebhookQuery) []crm.Webhook {
	t.Helper()
	var out []crm.Webhook
	err := db.View(context.Background(), account, func(tx crm.Tx) (err error) { out, err = tx.Webhooks(context.Background(), q); return err })
	if err != nil {
		t.Fatalf("webhooks: %v", err)
	}
	return out
}

func deliveries(t *testing.T, db *store.DB, account int64, q crm.DeliveryQuery) []crm.Delivery {
	t.Helper()
	var out []crm.Delivery
	err := db.View(context.Background(), account, func(tx crm.Tx) (err error) { out, err = tx.Deliveries(context.Background(), q); return err })
	if err != nil {
		t.Fatalf("deliveries: %v", err)
	}
	return out
}

func attempts(t *testing.T, db *store.DB, account int64, ids ...int64) []crm.DeliveryAttempt {
	t.Helper()
	var out []crm.DeliveryAttempt
	err := db.View(context.Background(), account, func(tx crm.Tx) (err error) {
		out, err = tx.DeliveryAttempts(context.Background(), ids)
		return err
	})
	if err != nil {
		t.Fatalf("attempts: %v", err)
	}
	return out
}

// commit stores deliveries as the outbox hands them out, the cursor
// staying where it is.
func commit(t *testing.T, db *store.DB, dels ...crm.Delivery) {
	t.Helper()
	b, err := db.OutboxEntries(context.Background(), 0)
	if err == nil {
		err = db.CommitOutbox(context.Background(), b, dels)
	}
	if err != nil {
		t.Fatalf("commit deliveries: %v", err)
	}
}

// finish records one attempt at a claimed delivery: state after it, its
// status (0: no answer within 10s) and answer; it returns when a pending
// one is due again.
func finish(t *testing.T, db *store.DB, d crm.Delivery, state crm.DeliveryState, status int, response string) time.Time {
	t.Helper()
	at := time.Now().Truncate(time.Millisecond)
	a := crm.DeliveryAttempt{DeliveryID: d.ID, WebhookID: d.WebhookID, At: at, Status: status, Latency: 42 * time.Millisecond, Response: response}
	if status == 0 {
		a.Error = "no answer within 10s"
	}
	o := crm.DeliveryOutcome{Delivery: d, Attempt: a, State: state, Success: status >= 200 && status <= 299}
	if state == crm.DeliveryPending {
		o.NextAttemptAt = at.Add(30 * time.Second)
	}
	keep := func(crm.Webhook, crm.DeliveryAttempt, func(time.Time) (int, error)) (string, error) { return "", nil }
	if err := db.FinishDeliveries(context.Background(), []crm.DeliveryOutcome{o}, keep); err != nil {
		t.Fatalf("finish delivery %d: %v", d.ID, err)
	}
	return o.NextAttemptAt
}

func idsOf(list []crm.Webhook) []int64 {
	var out []int64
	for _, w := range list {
		out = append(out, w.ID)
	}
	return out
}

func deliveryIDs(list []crm.Delivery) []int64 {
	var out []int64
	for _, d := range list {
		out = append(out, d.ID)
	}
	return out
}
