package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestTaskUpgrade: version 8 gives existing deals the time of their nearest
// open task and a with_event that agrees with it.
func TestTaskUpgrade(t *testing.T) {
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
		if err := db.MigrateTo(ctx, 7); err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO contacts (account_id, name, first_name, last_name, responsible_user_id, created_by, updated_by, created_at, updated_at)
			SELECT id, 'Клиент', '', '', 0, 0, 0, 1, 1 FROM accounts`)
		for _, name := range []string{"A", "B"} {
			exec(`INSERT INTO deals (account_id, name, client_id, pipeline_id, stage_id, user_id, employee_id, department_id, inbox_type_id,
				it_reaction, with_event, created_at, updated_at)
				SELECT p.account_id, '` + name + `', (SELECT MIN(id) FROM contacts), p.id, (SELECT MIN(s.id) FROM stages s WHERE s.pipeline_id = p.id),
				0, 0, 0, 0, FALSE, TRUE, 1, 1 FROM pipelines p WHERE p.kind = 'deal'`)
		}
		// Deal A: open tasks due 500 and 300, a closed one due 100. Deal B:
		// only a closed task (its with_event was wrong).
		for _, task := range []struct {
			deal    string
			due     string
			success string
		}{{"A", "500", "FALSE"}, {"A", "300", "FALSE"}, {"A", "100", "TRUE"}, {"B", "200", "TRUE"}} {
			exec(`INSERT INTO tasks (account_id, deal_id, text, due_at, user_id, employee_id, department_id, success, created_at, updated_at)
				SELECT account_id, id, 'x', ` + task.due + `, 0, 0, 0, ` + task.success + `, 1, 1 FROM deals WHERE name = '` + task.deal + `'`)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		ids, err := db.AccountIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = db.View(ctx, ids[0], func(tx crm.Tx) error {
			deals, _, err := tx.Deals(ctx, crm.DealQuery{Limit: 10})
			if err != nil {
				return err
			}
			if len(deals) != 2 {
				t.Fatalf("deals %+v", deals)
			}
			for _, d := range deals {
				switch d.Name {
				case "A":
					if !d.WithEvent || !d.ClosestTaskAt.Equal(time.Unix(300, 0)) {
						t.Errorf("deal A: with_event %v, closest %v", d.WithEvent, d.ClosestTaskAt)
					}
				case "B":
					if d.WithEvent || !d.ClosestTaskAt.IsZero() {
						t.Errorf("deal B: with_event %v, closest %v", d.WithEvent, d.ClosestTaskAt)
					}
				}
			}
			tasks, total, err := tx.Tasks(ctx, crm.TaskQuery{})
			if err != nil || total != 4 || len(tasks) != 4 || tasks[0].TypeID != 1 || tasks[0].FromEmployeeID != 0 || tasks[0].Duration != 0 {
				t.Errorf("old tasks: %d %+v %v", total, tasks, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestTaskStore: every column round-trips, the filters and the order of
// Tasks, SyncDealTasks, and tenant isolation.
func TestTaskStore(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		now := time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		a, b := newAccount(t, db, "A"), newAccount(t, db, "B")
		svc := crm.NewService(db)
		admin := crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}
		name := "Клиент"
		clients, err := svc.AddContacts(ctx, admin, []crm.NewContact{{Name: &name}})
		if err != nil {
			t.Fatal(err)
		}
		deal, err := svc.CreateDeal(ctx, admin, crm.NewDeal{ClientID: clients[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		full := crm.Task{DealID: deal.ID, TypeID: 2, Priority: 3, Text: "Встреча", Time: now.Add(time.Hour), EndTime: now.Add(2 * time.Hour),
			Duration: 3600, UserID: a.UserID, FromEmployeeID: 7, Assignee: crm.TaskAssignee{EmployeeID: 8}, Required: true, NoTime: true,
			ItReaction: true}
		others := []crm.Task{
			{DealID: deal.ID, TypeID: 1, Text: "админ", Time: now.Add(-time.Hour), UserID: a.UserID},
			{DealID: deal.ID, TypeID: 1, Text: "отдел", Time: now.Add(time.Hour), UserID: a.UserID, Assignee: crm.TaskAssignee{DepartmentID: 5}},
			{DealID: deal.ID, TypeID: 1, Text: "закрыта", Time: now.Add(-2 * time.Hour), UserID: a.UserID, Success: true, CompletedAt: now},
		}
		err = db.Update(ctx, a.AccountID, func(tx crm.Tx) error {
			if err := tx.InsertTask(ctx, &full); err != nil {
				return err
			}
			for i := range others {
				if err := tx.InsertTask(ctx, &others[i]); err != nil {
					return err
				}
			}
			got, err := tx.Task(ctx, full.ID)
			if err != nil {
				return err
			}
			if got != full || full.AccountID != a.AccountID || !full.CreatedAt.Equal(now) {
				t.Errorf("round trip\n got %+v\nwant %+v", got, full)
			}
			full.Text, full.Success, full.CompletedAt, full.EndTime, full.Duration = "Перенесена", true, now, time.Time{}, 0
			if err := tx.UpdateTask(ctx, &full); err != nil {
				return err
			}
			if got, err := tx.Task(ctx, full.ID); err != nil || got != full {
				t.Errorf("after update\n got %+v\nwant %+v (%v)", got, full, err)
			}
			if err := tx.UpdateTask(ctx, &crm.Task{ID: 999999, DealID: deal.ID}); crm.KindOf(err) != crm.KindNotFound {
				t.Errorf("update of a missing task: %v", err)
			}
			if err := tx.SyncDealTasks(ctx, deal.ID); err != nil {
				return err
			}
			d, err := tx.Deal(ctx, deal.ID)
			if err != nil || !d.WithEvent || !d.ClosestTaskAt.Equal(now.Add(-time.Hour)) {
				t.Errorf("synced deal: %v %v (%v)", d.WithEvent, d.ClosestTaskAt, err)
			}

			ids := func(q crm.TaskQuery) []int64 {
				list, _, err := tx.Tasks(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				var out []int64
				for _, task := range list {
					out = append(out, task.ID)
				}
				return out
			}
			eq := func(what string, got []int64, want ...int64) {
				t.Helper()
				if len(got) != len(want) {
					t.Errorf("%s: %v, want %v", what, got, want)
					return
				}
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("%s: %v, want %v", what, got, want)
						return
					}
				}
			}
			open, closed := false, true
			from, to := now.Add(-time.Hour).Unix(), now.Add(time.Hour).Unix()
			eq("all", ids(crm.TaskQuery{}), others[2].ID, others[0].ID, full.ID, others[1].ID)
			eq("open", ids(crm.TaskQuery{Success: &open}), others[0].ID, others[1].ID)
			eq("closed", ids(crm.TaskQuery{Success: &closed}), others[2].ID, full.ID)
			eq("administrator", ids(crm.TaskQuery{Assignee: &crm.TaskAssignee{}}), others[2].ID, others[0].ID)
			eq("department", ids(crm.TaskQuery{Assignee: &crm.TaskAssignee{DepartmentID: 5}}), others[1].ID)
			eq("range", ids(crm.TaskQuery{Time: crm.Range{From: &from, To: &to}}), others[0].ID, full.ID, others[1].ID)
			eq("deal", ids(crm.TaskQuery{DealIDs: []int64{deal.ID + 1000}}))
			list, total, err := tx.Tasks(ctx, crm.TaskQuery{Limit: 2, Offset: 1})
			if err != nil || total != 4 || len(list) != 2 || list[0].ID != others[0].ID {
				t.Errorf("page: %d %+v %v", total, list, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.View(ctx, b.AccountID, func(tx crm.Tx) error {
			if _, err := tx.Task(ctx, full.ID); crm.KindOf(err) != crm.KindNotFound {
				t.Errorf("another account's task: %v", err)
			}
			if list, total, err := tx.Tasks(ctx, crm.TaskQuery{}); err != nil || total != 0 || len(list) != 0 {
				t.Errorf("another account's tasks: %d %v", total, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(ctx, b.AccountID, func(tx crm.Tx) error {
			if err := tx.SyncDealTasks(ctx, deal.ID); crm.KindOf(err) != crm.KindNotFound {
				t.Errorf("syncing another account's deal: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
