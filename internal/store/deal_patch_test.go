package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestPatchDealMatchesUpdateDeal: PatchDeal, which writes only the columns
// that changed, leaves a deal, the kept totals (per stage, per responsible,
// per creation hour) and the keyword search exactly as UpdateDeal, which
// writes every column, does: twin deals get the same changes, one through
// each, and must read back alike after every step.
func TestPatchDealMatchesUpdateDeal(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		svc := crm.NewService(db)
		a := newAccount(t, db, "Patch")
		admin := crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}
		pipelines, err := svc.DealPipelines(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		primary := pipelines[0]
		second, err := svc.AddPipeline(ctx, admin, crm.Pipeline{Name: "Второй", AllowManualStageChange: true, Stages: []crm.Stage{
			{Name: "Новая", Status: crm.StageNew}, {Name: "Купил", Status: crm.StageWon}, {Name: "Отказ", Status: crm.StageLost},
		}})
		if err != nil {
			t.Fatal(err)
		}
		client, err := svc.CreateClient(ctx, admin, crm.NewClient{Name: "Кузнецова"})
		if err != nil {
			t.Fatal(err)
		}
		company, err := svc.CreateClient(ctx, admin, crm.NewClient{Name: "Орлов"})
		if err != nil {
			t.Fatal(err)
		}
		leads, err := svc.AddLeads(ctx, admin, []crm.LeadInput{{Name: ptr("Близнец"), Price: ptr[int64](100)}, {Name: ptr("Близнец"), Price: ptr[int64](100)}})
		if err != nil {
			t.Fatal(err)
		}
		viaUpdate, viaPatch := leads[0].ID, leads[1].ID
		users, err := svc.AccountUsers(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}

		steps := []struct {
			name   string
			change func(d *crm.Deal)
		}{
			{"nothing", func(d *crm.Deal) {}},
			{"stage", func(d *crm.Deal) {
				d.StageID, d.StageUpdatedAt = primary.Stages[1].ID, time.Unix(1_700_000_000, 0)
			}},
			{"pipeline, closing stage", func(d *crm.Deal) {
				d.PipelineID, d.StageID, d.StageUpdatedAt, d.ClosedAt = second.ID, second.Stages[2].ID, time.Unix(1_700_000_100, 0), time.Unix(1_700_000_100, 0)
			}},
			{"price, responsible", func(d *crm.Deal) {
				d.Price, d.UserID, d.UpdatedBy = 250, users[0].ID, users[0].ID
			}},
			{"name", func(d *crm.Deal) { d.Name = "Переименована" }},
			{"client", func(d *crm.Deal) { d.ClientID = client.ID }},
			{"another client, created_at", func(d *crm.Deal) {
				d.ClientID, d.CreatedAt = company.ID, time.Unix(1_600_000_000, 0)
			}},
			{"back to open, no client", func(d *crm.Deal) {
				d.PipelineID, d.StageID, d.ClosedAt, d.ClientID = primary.ID, primary.Stages[0].ID, time.Time{}, 0
			}},
		}
		read := func(id int64) crm.Deal {
			t.Helper()
			var d crm.Deal
			if err := db.View(ctx, admin.AccountID, func(tx crm.Tx) (err error) {
				d, err = tx.Deal(ctx, id)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return d
		}
		for _, step := range steps {
			// Both in one call: one update time.
			if err := db.Update(ctx, admin.AccountID, func(tx crm.Tx) error {
				for _, id := range []int64{viaUpdate, viaPatch} {
					d, err := tx.Deal(ctx, id)
					if err != nil {
						return err
					}
					stored := d
					step.change(&d)
					if id == viaUpdate {
						err = tx.UpdateDeal(ctx, &d)
					} else {
						err = tx.PatchDeal(ctx, &d, &stored)
					}
					if err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			u, p := read(viaUpdate), read(viaPatch)
			p.ID = u.ID
			if diff := cmp.Diff(u, p); diff != "" {
				t.Errorf("%s: the deal (-UpdateDeal +PatchDeal):\n%s", step.name, diff)
			}
			checkStageTotals(t, svc, admin, step.name)
			checkResponsibleTotals(t, db, admin.AccountID, step.name)
			checkCreatedTotals(t, db, admin.AccountID, step.name)
			// The search text: both deals match their name and their
			// client's, or neither.
			for _, kw := range []string{u.Name, "кузнецова", "орлов"} {
				found, total, err := svc.Deals(ctx, admin, crm.DealQuery{Keyword: kw, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				if total%2 != 0 || len(found) != total {
					t.Errorf("%s: keyword %q found %d deals: the twins differ", step.name, kw, total)
				}
			}
		}
		// A missing deal is not found, as with UpdateDeal.
		err = db.Update(ctx, admin.AccountID, func(tx crm.Tx) error {
			d := crm.Deal{ID: viaPatch + 1000}
			return tx.PatchDeal(ctx, &d, &crm.Deal{})
		})
		if crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("PatchDeal of a missing deal: %v, want not found", err)
		}
	})
}

// TestSearchTextsOfSharedTransaction: the search texts the calls of a
// shared write transaction make stale are recomputed once, before its
// COMMIT, yet read as if each call had recomputed its own: a keyword read
// by a later call of the transaction finds an earlier call's rename, a
// failed call's rename never shows, a failed call that read (and so
// recomputed) the earlier texts does not undo them, and every account
// keeps its own.
func TestSearchTextsOfSharedTransaction(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		svc := crm.NewService(db)
		a, b := newAccount(t, db, "Shared search"), newAccount(t, db, "Neighbour search")
		admin := crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}
		other := crm.Actor{AccountID: b.AccountID, UserID: b.UserID, Role: crm.RoleAdmin}
		mine, err := svc.AddLeads(ctx, admin, []crm.LeadInput{{Name: ptr("Первая")}, {Name: ptr("Вторая")}})
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := svc.AddLeads(ctx, other, []crm.LeadInput{{Name: ptr("Чужая")}})
		if err != nil {
			t.Fatal(err)
		}
		rename := func(id int64, name string) func(crm.Tx) error {
			return func(tx crm.Tx) error {
				d, err := tx.Deal(ctx, id)
				if err != nil {
					return err
				}
				d.Name = name
				return tx.UpdateDeal(ctx, &d)
			}
		}
		count := func(tx crm.Tx, kw string) int {
			_, total, err := tx.Deals(ctx, crm.DealQuery{Keyword: kw, Limit: 10})
			if err != nil {
				t.Error(err)
			}
			return total
		}
		failed := errors.New("refused")
		var seen, seenByFailed int
		// The neighbour's rename shares the transaction on SQLite (one
		// write group); on PostgreSQL each account writes in its own.
		neighbour := queued{account: other.AccountID, fn: rename(theirs[0].ID, "Альфа-уникум")}
		if db.Dialect() != "sqlite" {
			if err := db.Update(ctx, neighbour.account, neighbour.fn); err != nil {
				t.Fatal(err)
			}
			neighbour = queued{account: admin.AccountID, fn: func(crm.Tx) error { return nil }}
		}
		answers := lineUp(t, db, []queued{
			{account: admin.AccountID, fn: rename(mine[0].ID, "Альфа-уникум")},
			{account: admin.AccountID, fn: func(tx crm.Tx) error { seen = count(tx, "альфа-уникум"); return nil }},
			{account: admin.AccountID, fn: func(tx crm.Tx) error {
				if err := rename(mine[1].ID, "Бета-уникум")(tx); err != nil {
					return err
				}
				return failed
			}},
			{account: admin.AccountID, fn: rename(mine[1].ID, "Гамма-уникум")},
			neighbour,
			{account: admin.AccountID, fn: func(tx crm.Tx) error { seenByFailed = count(tx, "гамма-уникум"); return failed }},
		})
		for i, ans := range answers {
			if want := i == 2 || i == 5; (ans.err != nil) != want || ans.panicked != nil {
				t.Errorf("call %d: %v %v", i, ans.err, ans.panicked)
			}
		}
		if seen != 1 || seenByFailed != 1 {
			t.Errorf("inside the transaction: the earlier rename found %d times, by the failed call %d times; want 1 and 1", seen, seenByFailed)
		}
		for _, c := range []struct {
			actor crm.Actor
			kw    string
			want  int
		}{
			{admin, "альфа-уникум", 1}, {admin, "бета-уникум", 0}, {admin, "гамма-уникум", 1},
			{other, "альфа-уникум", 1}, {other, "гамма-уникум", 0},
		} {
			if _, total, err := svc.Deals(ctx, c.actor, crm.DealQuery{Keyword: c.kw, Limit: 10}); err != nil || total != c.want {
				t.Errorf("account %d, keyword %q: %d deals (%v), want %d", c.actor.AccountID, c.kw, total, err, c.want)
			}
		}
	})
}
