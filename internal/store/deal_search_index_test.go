package store_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestDealKeywordIndexAgreesWithScan: a keyword list answered through the
// trigram index (SQLite FTS5, PostgreSQL's trigrams by week) gives the same deals, in
// the same order, with the same total as the plain scan of the search
// texts — for Cyrillic in any case, keywords too short for trigrams, LIKE's
// special characters, windows cut inside an hour — after deals are
// created, renamed, moved in time, deleted and bulk-loaded.
func TestDealKeywordIndexAgreesWithScan(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		actor, _ := searchAccount(t, db)
		// Another account's deals share the index and must not leak.
		creds := newAccount(t, db, "Other")
		other := crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}
		svc := crm.NewService(db)
		pipelines, err := svc.DealPipelines(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		stage := pipelines[0].Stages[0]
		otherPipelines, err := svc.DealPipelines(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
		clientNames := []string{"Иван Смирнов", "АННА КУЗНЕЦОВА", "Пётр Ёлкин", "Acme Widgets Ltd", "ab", "O'Brien \"Quote\" 50%_off"}
		// "abc-xbcd" holds every trigram of "abcd" but not the word: an
		// index of trigrams without their positions would take it.
		dealNames := []string{"Поставка мебели", "Ремонт офиса для Смирнова", "ЁЛКИ оптом", "widget order", "a", "Скидка 100% на_всё", "abc-xbcd"}
		var clients, deals []int64
		var at []time.Time
		for i := range 60 {
			when := t0.Add(time.Duration(i)*7*time.Hour + time.Duration(i*37)*time.Second)
			db.Now = func() time.Time { return when }
			err := db.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
				if i < len(clientNames) {
					c := crm.Contact{Name: clientNames[i]}
					if err := tx.InsertContact(ctx, &c); err != nil {
						return err
					}
					clients = append(clients, c.ID)
					if err := tx.InsertContactData(ctx, &crm.ContactData{OwnerType: crm.EntityContact, OwnerID: c.ID, Kind: "email",
						Value: fmt.Sprintf("client%d@Example.com", i)}); err != nil {
						return err
					}
				}
				d := crm.Deal{Name: fmt.Sprintf("%s №%d", dealNames[i%len(dealNames)], i), ClientID: clients[i%len(clients)],
					PipelineID: stage.PipelineID, StageID: stage.ID}
				if i%4 == 3 {
					d.ClientID = 0 // a deal without a client
				}
				if err := tx.InsertDeal(ctx, &d); err != nil {
					return err
				}
				deals, at = append(deals, d.ID), append(at, when)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The same texts in another account, at the same times.
			err = db.Update(ctx, other.AccountID, func(tx crm.Tx) error {
				d := crm.Deal{Name: dealNames[i%len(dealNames)] + " Смирнов", PipelineID: otherPipelines[0].ID, StageID: otherPipelines[0].Stages[0].ID}
				return tx.InsertDeal(ctx, &d)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		db.Now = time.Now

		unix := func(t time.Time) *int64 { s := t.Unix(); return &s }
		windows := []crm.Range{
			{},
			{From: unix(at[5]), To: unix(at[40])}, // to the second of two deals
			{From: unix(at[5].Add(time.Second)), To: unix(at[40].Add(-time.Second))}, // just inside them
			{From: unix(at[30])},
			{To: unix(at[12])},
			{From: unix(at[20]), To: unix(at[20])},
			{From: unix(t0.AddDate(1, 0, 0))},
			{From: unix(t0.AddDate(-1, 0, 0)), To: unix(t0.AddDate(1, 0, 0))}, // too many weeks for PostgreSQL's keys
		}
		keywords := []string{"смирнов", "СМИРНОВ", "Смирнова", "ёлк", "ЁЛКИН", "елк", "кузнецова", "widget", "WIDGETS LTD",
			"a", "ab", "аб", "ов", "о", "%", "_", "50%_", "100%", `"quote"`, "o'b", "@example.com", "client1", "№1", "№", "отсутствует", "мебели\nремонт",
			"abcd", "abc-x", "c-xb", "bcd"}
		check := func(step string) {
			t.Helper()
			hits := 0
			for _, kw := range keywords {
				for wi, w := range windows {
					for _, pl := range [][]int64{nil, {stage.PipelineID}} {
						for _, page := range [][2]int{{500, 0}, {3, 2}} {
							q := crm.DealQuery{Keyword: kw, DateField: "created", Dates: w, PipelineIDs: pl, Limit: page[0], Offset: page[1]}
							if wi == 0 {
								q.DateField = ""
							}
							list := func(indexed bool) ([]int64, int) {
								store.SetKeywordIndex(t, indexed)
								got, total, err := svc.Deals(ctx, actor, q)
								if err != nil {
									t.Fatalf("%s: %q: %v", step, kw, err)
								}
								ids := []int64{}
								for _, d := range got {
									ids = append(ids, d.ID)
								}
								return ids, total
							}
							scan, scanTotal := list(false)
							idx, idxTotal := list(true)
							if scanTotal != idxTotal || !slices.Equal(scan, idx) {
								t.Errorf("%s: %q window %d pipelines %v page %v: scan %d %v, index %d %v", step, kw, wi, pl, page, scanTotal, scan, idxTotal, idx)
							}
							hits += scanTotal
						}
					}
				}
			}
			if hits == 0 {
				t.Fatalf("%s: no keyword matched anything", step)
			}
		}
		check("created")
		if _, total, _ := svc.Deals(ctx, actor, crm.DealQuery{Keyword: "СМИРНОВ"}); total == 0 {
			t.Fatal("the Cyrillic surname matches nothing")
		}

		// Renames: deals and a client.
		err = db.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
			for _, id := range deals[:10] {
				d, err := tx.Deal(ctx, id)
				if err != nil {
					return err
				}
				d.Name = "Переименована в ЁЛКУ " + d.Name
				if err := tx.UpdateDeal(ctx, &d); err != nil {
					return err
				}
			}
			return tx.UpdateClientName(ctx, clients[0], "Сергей Widgetов", actor.UserID)
		})
		if err != nil {
			t.Fatal(err)
		}
		check("renamed")

		// Moved in time: another hour, another day, another year.
		err = db.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
			for i, shift := range []time.Duration{time.Hour, -30 * time.Hour, 24 * 365 * time.Hour, 90 * time.Second} {
				d, err := tx.Deal(ctx, deals[20+i])
				if err != nil {
					return err
				}
				d.CreatedAt = d.CreatedAt.Add(shift)
				if err := tx.UpdateDeal(ctx, &d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		check("moved")

		// Deleted.
		if err := db.ExecRaw(ctx, `DELETE FROM deals WHERE account_id = ? AND id % 5 = 0`, actor.AccountID); err != nil {
			t.Fatal(err)
		}
		check("deleted")

		// Bulk-loaded.
		err = db.Bulk(ctx, actor.AccountID, func(b *store.Bulk) error {
			ds := []crm.Deal{{Name: "Оптовая партия Смирнову", ClientID: clients[1], PipelineID: stage.PipelineID, StageID: stage.ID,
				CreatedAt: at[33], UpdatedAt: at[33]}}
			return b.Deals(ds)
		})
		if err != nil {
			t.Fatal(err)
		}
		check("bulk")

		// The index is what answers: emptied, the indexed path finds
		// nothing where the scan finds deals (SQLite; PostgreSQL's planner
		// chooses for itself, so there the index's presence is checked).
		if dialect, _, _ := store.ParseDSN(dsn); dialect == store.DialectSQLite {
			if err := db.ExecRaw(ctx, `INSERT INTO deal_search_trigrams(deal_search_trigrams) VALUES ('delete-all')`); err != nil {
				t.Fatal(err)
			}
			store.SetKeywordIndex(t, true)
			if _, total, _ := svc.Deals(ctx, actor, crm.DealQuery{Keyword: "смирнов"}); total != 0 {
				t.Errorf("the emptied index still answers: %d", total)
			}
		} else {
			var n int
			if err := db.QueryRaw(ctx, `SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'deals_search_keys'`, &n); err != nil || n != 1 {
				t.Errorf("the trigram index: %d %v", n, err)
			}
		}
	})
}

// TestUpgradeKeywordIndexExact upgrades a SQLite database whose keyword
// index is still migration 0035's (trigrams without positions, no
// deals_search_owner) and holds deals: migration 0044 rebuilds the index
// from their search texts, so keyword lists through it find what the plain
// scan finds, and a deal made after the upgrade is indexed too.
func TestUpgradeKeywordIndexExact(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		if db.Dialect() != "sqlite" {
			t.Skip("migration 0044 changes nothing on PostgreSQL")
		}
		actor, _ := searchAccount(t, db)
		svc := crm.NewService(db)
		pipelines, err := svc.DealPipelines(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		newDeal := func(name string) {
			t.Helper()
			err := db.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
				return tx.InsertDeal(ctx, &crm.Deal{Name: name, PipelineID: pipelines[0].ID, StageID: pipelines[0].Stages[0].ID})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range []string{"Иван Смирнов", "Поставка для Смирновой", "abc-xbcd", "Ремонт офиса"} {
			newDeal(name)
		}
		old, err := os.ReadFile("migrations/sqlite/0035_deal_search_trigrams.sql")
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`DROP INDEX deals_search_owner`, `DROP TRIGGER deal_search_trigrams_insert`,
			`DROP TRIGGER deal_search_trigrams_update`, `DROP TRIGGER deal_search_trigrams_delete`, `DROP TABLE deal_search_trigrams`,
			string(old), `DELETE FROM schema_migrations WHERE version = 44`} {
			if err := db.ExecRaw(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		newDeal("Смирнов после обновления")
		hits := 0
		for _, kw := range []string{"смирнов", "после обновления", "abcd", "отсутствует"} {
			q := crm.DealQuery{Keyword: kw, Limit: 500}
			var totals [2]int
			var ids [2][]int64
			for i, indexed := range []bool{false, true} {
				store.SetKeywordIndex(t, indexed)
				got, total, err := svc.Deals(ctx, actor, q)
				if err != nil {
					t.Fatal(err)
				}
				totals[i] = total
				for _, d := range got {
					ids[i] = append(ids[i], d.ID)
				}
			}
			if totals[0] != totals[1] || !slices.Equal(ids[0], ids[1]) {
				t.Errorf("%q after the upgrade: scan %d %v, index %d %v", kw, totals[0], ids[0], totals[1], ids[1])
			}
			hits += totals[0]
		}
		if hits != 4 {
			t.Fatalf("the keywords matched %d deals, want 4: three made before the upgrade, one after", hits)
		}
	})
}
