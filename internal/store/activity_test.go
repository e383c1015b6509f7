package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestActivityUpgrade: version 16 makes the existing tasks their deals'
// (entity_type leads, entity_id the deal), lets a task belong to nothing,
// keeps a deal's tasks going with it, and leaves existing history entries
// unedited.
func TestActivityUpgrade(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := store.OpenNoMigrate(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.MigrateTo(ctx, 2); err != nil {
			t.Fatal(err)
		}
		exec := func(q string) {
			t.Helper()
			if err := db.ExecRaw(ctx, q); err != nil {
				t.Fatalf("%v: %s", err, q)
			}
		}
		exec(`INSERT INTO accounts (name, subdomain, uuid, time_zone, customers_mode, created_at, updated_at)
			VALUES ('Old', 'old', 'u-1', 'Europe/Moscow', 'disabled', 1, 1)`)
		if err := db.MigrateTo(ctx, 13); err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO contacts (account_id, name, first_name, last_name, responsible_user_id, created_by, updated_by, created_at, updated_at)
			SELECT id, 'Клиент', '', '', 0, 0, 0, 1, 1 FROM accounts`)
		exec(`INSERT INTO deals (account_id, name, client_id, pipeline_id, stage_id, user_id, employee_id, department_id, inbox_type_id,
			it_reaction, with_event, created_at, updated_at)
			SELECT p.account_id, 'A', (SELECT MIN(id) FROM contacts), p.id, (SELECT MIN(s.id) FROM stages s WHERE s.pipeline_id = p.id),
			0, 0, 0, 0, FALSE, TRUE, 1, 1 FROM pipelines p WHERE p.kind = 'deal'`)
		exec(`INSERT INTO tasks (account_id, deal_id, text, due_at, user_id, employee_id, department_id, success, created_at, updated_at,
			type_id, priority, from_employee_id, required, no_time, it_reaction)
			SELECT account_id, id, 'old task', 500, 0, 0, 0, FALSE, 1, 1, 1, 0, 0, FALSE, FALSE, FALSE FROM deals`)
		exec(`INSERT INTO logs (account_id, entity_type, entity_id, type_id, data, user_id, employee_id, created_at)
			SELECT account_id, 'leads', id, 2010, '{"comment":"old"}', 0, 0, 7 FROM deals`)
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		ids, err := db.AccountIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var dealID int64
		err = db.Update(ctx, ids[0], func(tx crm.Tx) error {
			list, _, err := tx.Tasks(ctx, crm.TaskQuery{})
			if err != nil {
				return err
			}
			if len(list) != 1 {
				t.Fatalf("tasks %+v", list)
			}
			old := list[0]
			dealID = old.DealID
			if old.EntityType != crm.EntityDeal || old.EntityID != old.DealID || old.DealID == 0 || old.Result != "" || old.UpdatedBy != 0 {
				t.Errorf("upgraded task %+v", old)
			}
			free := crm.Task{Text: "free", Time: time.Unix(900, 0), TypeID: 2}
			if err := tx.InsertTask(ctx, &free); err != nil {
				return err
			}
			got, err := tx.Task(ctx, free.ID)
			if err != nil {
				return err
			}
			if got.EntityType != "" || got.EntityID != 0 || got.DealID != 0 || got.TypeID != 2 {
				t.Errorf("free task %+v", got)
			}
			byDeal, _, err := tx.Tasks(ctx, crm.TaskQuery{EntityType: crm.EntityDeal, EntityIDs: []int64{dealID}})
			if err != nil || len(byDeal) != 1 || byDeal[0].ID != old.ID {
				t.Errorf("tasks of the deal %+v, %v", byDeal, err)
			}
			entries, err := tx.History(ctx, crm.HistoryQuery{EntityTypes: []crm.EntityType{crm.EntityDeal}})
			if err != nil {
				return err
			}
			if len(entries) != 1 || !entries[0].UpdatedAt.IsZero() || entries[0].UpdatedAtOrCreated().Unix() != 7 {
				t.Errorf("history %+v", entries)
			}
			e := entries[0]
			e.Data, e.UpdatedBy = []byte(`{"comment":"new"}`), 5
			if err := tx.UpdateLogData(ctx, &e); err != nil {
				return err
			}
			again, err := tx.LogEntry(ctx, e.ID)
			if err != nil || string(again.Data) != `{"comment":"new"}` || again.UpdatedBy != 5 || again.UpdatedAt.IsZero() {
				t.Errorf("edited entry %+v, %v", again, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// The deal's task goes with the deal.
		exec(`DELETE FROM deals`)
		err = db.View(ctx, ids[0], func(tx crm.Tx) error {
			list, _, err := tx.Tasks(ctx, crm.TaskQuery{})
			if err == nil && (len(list) != 1 || list[0].Text != "free") {
				t.Errorf("tasks after the deal went: %+v", list)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
