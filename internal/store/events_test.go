package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestEventsAfter: an account reads its own entries after a position, in
// commit order, of the types asked for, a page at a time; the position
// after a short page is the horizon, and the account's position now is
// after every entry it wrote.
func TestEventsAfter(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		acme, globex := newAccount(t, db, "Acme"), newAccount(t, db, "Globex")
		var start crm.OutboxCursor
		view := func(account int64, fn func(crm.Tx) error) {
			t.Helper()
			if err := db.View(ctx, account, fn); err != nil {
				t.Fatal(err)
			}
		}
		view(acme.AccountID, func(tx crm.Tx) (err error) { start, err = tx.EventsNow(ctx); return err })
		var mine []int64
		for i, account := range []int64{acme.AccountID, globex.AccountID, acme.AccountID, acme.AccountID} {
			if err := db.Update(ctx, account, func(tx crm.Tx) error {
				for _, typeID := range []int{crm.LogInboundCreated, crm.LogInboundComment} {
					e := crm.LogEntry{EntityType: crm.EntityInbound, EntityID: int64(i + 1), TypeID: typeID}
					if err := tx.InsertLog(ctx, &e); err != nil {
						return err
					}
					if account == acme.AccountID && typeID == crm.LogInboundCreated {
						mine = append(mine, e.ID)
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		var got []int64
		pos := start
		// On PostgreSQL a transaction running elsewhere on the server
		// holds entries back until it ends: read until all have come.
		deadline := time.Now().Add(10 * time.Second)
		for len(got) < len(mine) && time.Now().Before(deadline) {
			var page []crm.SettledEntry
			var next crm.OutboxCursor
			view(acme.AccountID, func(tx crm.Tx) (err error) {
				page, next, err = tx.EventsAfter(ctx, pos, []int{crm.LogInboundCreated}, 2)
				return err
			})
			for _, e := range page {
				if e.Entry.AccountID != acme.AccountID || e.Entry.TypeID != crm.LogInboundCreated || !pos.Before(e.At) || e.At.LogID != e.Entry.ID {
					t.Fatalf("entry %+v after %+v", e, pos)
				}
				got = append(got, e.Entry.ID)
			}
			if next.Before(pos) || len(page) == 2 && next != page[1].At {
				t.Fatalf("read on from %+v after %+v", next, pos)
			}
			pos = next
			if len(page) < 2 {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if len(got) != len(mine) || got[0] != mine[0] || got[1] != mine[1] || got[2] != mine[2] {
			t.Fatalf("read %v, want %v", got, mine)
		}
		var now, last crm.OutboxCursor
		var ok bool
		view(acme.AccountID, func(tx crm.Tx) (err error) {
			if now, err = tx.EventsNow(ctx); err != nil {
				return err
			}
			last, ok, err = tx.EventPosition(ctx, mine[2])
			return err
		})
		if !ok || now.Before(last) || pos.Before(last) {
			t.Errorf("now %+v, read up to %+v, the last entry at %+v (%v)", now, pos, last, ok)
		}
		view(globex.AccountID, func(tx crm.Tx) error {
			if _, _, err := tx.EventPosition(ctx, mine[0]); crm.KindOf(err) != crm.KindNotFound {
				t.Errorf("Globex reads Acme's entry's position: %v", err)
			}
			return nil
		})
	})
}
