package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// checkInboundTotals compares the totals of the account's request lists
// that inbound_totals answers (migration 0039: all, and the waiting ones,
// the web inbox's) with the same lists counted, through Inbounds with the
// kept totals on and off, and with a fresh count of the rows. It returns
// the waiting count, so that a caller can tell a step that moved nothing.
func checkInboundTotals(t *testing.T, db *store.DB, actor crm.Actor, step string) int {
	t.Helper()
	ctx := context.Background()
	svc := crm.NewService(db)
	var all, waiting int
	if err := db.QueryRaw(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM inbounds WHERE account_id = %d`, actor.AccountID), &all); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRaw(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM inbounds WHERE account_id = %d AND closed_at IS NULL`, actor.AccountID), &waiting); err != nil {
		t.Fatal(err)
	}
	for _, q := range []crm.InboundQuery{{}, {NotTakenOnly: true}, {NotTakenOnly: true, Limit: 3, Offset: 2}, {Keyword: "  ", NotTakenOnly: true},
		{IDs: []int64{}}, {Keyword: "лид", NotTakenOnly: true}, {NotTakenOnly: true, AfterID: 1}} {
		want := all
		if q.NotTakenOnly {
			want = waiting
		}
		var totals [2]int
		var pages [2][]int64
		for i, kept := range []bool{true, false} {
			store.SetInboundTotalsKept(t, kept)
			list, total, err := svc.Inbounds(ctx, actor, q)
			if err != nil {
				t.Fatalf("%s: %+v: %v", step, q, err)
			}
			totals[i] = total
			for _, l := range list {
				pages[i] = append(pages[i], l.ID)
			}
		}
		store.SetInboundTotalsKept(t, true)
		if totals[0] != totals[1] {
			t.Errorf("%s: account %d, %+v: total %d kept, %d counted", step, actor.AccountID, q, totals[0], totals[1])
		}
		if fmt.Sprint(pages[0]) != fmt.Sprint(pages[1]) {
			t.Errorf("%s: %+v: page %v kept, %v counted", step, q, pages[0], pages[1])
		}
		if q.Keyword == "" && q.AfterID == 0 && totals[0] != want {
			t.Errorf("%s: account %d, %+v: total %d, the rows say %d", step, actor.AccountID, q, totals[0], want)
		}
	}
	return waiting
}

// TestInboundTotalsFollowWrites: inbound_totals follows every way a
// request is written — intake, a bulk load, taking to work, closing and
// reopening and deleting several at once in SQL (one statement, several
// rows: PostgreSQL's statement triggers), an update that moves nothing —
// and never counts another account's.
func TestInboundTotalsFollowWrites(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		svc := crm.NewService(db)
		a := newAccount(t, db, "Inbox")
		b := newAccount(t, db, "Neighbour")
		admin := crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}
		other := crm.Actor{AccountID: b.AccountID, UserID: b.UserID, Role: crm.RoleAdmin}
		checkInboundTotals(t, db, admin, "no request yet")

		var ids []int64
		for i := range 12 {
			l, err := svc.CreateInbound(ctx, admin, crm.NewInbound{Values: map[string]string{"name": fmt.Sprintf("Лид %d", i),
				"phone": fmt.Sprintf("7900555%04d", i%5)}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		for i := range 3 {
			if _, err := svc.CreateInbound(ctx, other, crm.NewInbound{Values: map[string]string{"name": fmt.Sprintf("Чужой %d", i),
				"email": fmt.Sprintf("n%d@example.com", i)}}); err != nil {
				t.Fatal(err)
			}
		}
		if n := checkInboundTotals(t, db, admin, "intake"); n != 12 {
			t.Errorf("intake: %d waiting, want 12", n)
		}
		checkInboundTotals(t, db, other, "the neighbour's intake")

		ref, err := svc.Reference(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		in, deal := ref.InboundPipelines[0], ref.DealPipelines[0]
		err = db.Bulk(ctx, admin.AccountID, func(bk *store.Bulk) error {
			ls := make([]crm.Inbound, 20)
			now := time.Now()
			for i := range ls {
				ls[i] = crm.Inbound{PipelineID: in.ID, StageID: in.Stages[0].ID, DealPipelineID: deal.ID, DealStageID: deal.Stages[0].ID,
					Responsible: crm.Responsible{UserID: admin.UserID}, Name: fmt.Sprint("Загружен ", i), CreatedAt: now, UpdatedAt: now,
					StageUpdatedAt: now}
				if i%2 == 0 {
					ls[i].ClosedAt = now.Add(time.Hour)
				}
			}
			return bk.Inbounds(ls)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := checkInboundTotals(t, db, admin, "a bulk load"); n != 22 {
			t.Errorf("a bulk load: %d waiting, want 22", n)
		}

		for _, id := range ids[:3] {
			if _, err := svc.StartInbound(ctx, admin, id, admin.AsResponsible()); err != nil {
				t.Fatal(err)
			}
		}
		if n := checkInboundTotals(t, db, admin, "taken to work"); n != 19 {
			t.Errorf("taken to work: %d waiting, want 19", n)
		}
		for _, q := range []string{
			`UPDATE inbounds SET closed_at = 1700000000 WHERE account_id = ? AND closed_at IS NULL AND id % 4 = 1`,
			`UPDATE inbounds SET closed_at = NULL WHERE account_id = ? AND closed_at IS NOT NULL AND id % 3 = 0`,
			`UPDATE inbounds SET name = name || '.', closed_at = closed_at WHERE account_id = ?`,
			`DELETE FROM inbounds WHERE account_id = ? AND id % 5 = 2`,
		} {
			if err := db.ExecRaw(ctx, q, admin.AccountID); err != nil {
				t.Fatal(err)
			}
			checkInboundTotals(t, db, admin, q)
		}
		checkInboundTotals(t, db, other, "the neighbour at the end")
	})
}

// TestUpgradeInboundTotals: version 39 fills inbound_totals from the
// requests already there. The database is made at the latest version,
// given requests, then taken back to 38 (the table and triggers dropped)
// and migrated again, as an existing database is.
func TestUpgradeInboundTotals(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		svc := crm.NewService(db)
		a := newAccount(t, db, "Upgrade")
		admin := crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}
		var ids []int64
		for i := range 6 {
			l, err := svc.CreateInbound(ctx, admin, crm.NewInbound{Values: map[string]string{"name": fmt.Sprintf("Старый %d", i),
				"phone": fmt.Sprintf("7900666%04d", i)}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		if _, err := svc.StartInbound(ctx, admin, ids[0], admin.AsResponsible()); err != nil {
			t.Fatal(err)
		}
		down := []string{`DROP TRIGGER inbound_totals_insert`, `DROP TRIGGER inbound_totals_update`, `DROP TRIGGER inbound_totals_delete`}
		if db.Dialect() == "postgres" {
			down = []string{`DROP FUNCTION inbound_totals_keep() CASCADE`}
		}
		down = append(down, `DROP TABLE inbound_totals`, `DELETE FROM schema_migrations WHERE version = 39`)
		for _, q := range down {
			if err := db.ExecRaw(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n := checkInboundTotals(t, db, admin, "after the upgrade"); n != 5 {
			t.Errorf("after the upgrade: %d waiting, want 5", n)
		}
		if _, err := svc.CreateInbound(ctx, admin, crm.NewInbound{Values: map[string]string{"name": "Новый", "phone": "79007770000"}}); err != nil {
			t.Fatal(err)
		}
		checkInboundTotals(t, db, admin, "a request after the upgrade")
	})
}
