package crm_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestTaskService: deal tasks through the domain — the assignee's open task
// is updated or created, the active task is the responsible's, closing
// works, and the deal's with_event and nearest task time follow; overdue
// follows the store's clock.
func TestTaskService(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _, admin := newEnvAccount(t, dsn)
		now := time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		svc := crm.NewService(db)
		name := "Клиент"
		clients, err := svc.AddContacts(ctx, admin, []crm.NewContact{{Name: &name}})
		if err != nil {
			t.Fatal(err)
		}
		dep, err := svc.AddDepartment(ctx, admin, "Продажи")
		if err != nil {
			t.Fatal(err)
		}
		d, err := svc.CreateDeal(ctx, admin, crm.NewDeal{ClientID: clients[0].ID, Responsible: crm.Responsible{DepartmentID: dep.ID},
			Task: &crm.NewTask{}})
		if err != nil {
			t.Fatal(err)
		}
		def := now.Add(crm.DefaultTaskIn)
		if !d.WithEvent || !d.ClosestTaskAt.Equal(def) {
			t.Errorf("deal after create: with_event %v, closest %v", d.WithEvent, d.ClosestTaskAt)
		}
		active, ok, err := svc.DealActiveTask(ctx, admin, d.ID)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		want := crm.Task{ID: active.ID, AccountID: admin.AccountID, DealID: d.ID, EntityType: crm.EntityDeal, EntityID: d.ID, TypeID: 1,
			Text: crm.DefaultTaskText, Time: def, UserID: admin.UserID, Assignee: crm.TaskAssignee{DepartmentID: dep.ID}, CreatedAt: now,
			UpdatedAt: now, UpdatedBy: admin.UserID}
		if active != want {
			t.Errorf("active task\n got %+v\nwant %+v", active, want)
		}

		// Neither time nor comment; an unknown deal; both assignees.
		blank := " "
		if _, err := svc.UpdateDealTask(ctx, admin, crm.DealTaskUpdate{DealID: d.ID, Comment: &blank}); !taskIsCode(err, crm.CodeMissingInput) {
			t.Errorf("blank update: %v", err)
		}
		if _, err := svc.UpdateDealTask(ctx, admin, crm.DealTaskUpdate{DealID: 999999, Time: now}); !taskIsCode(err, crm.CodeDealNotFound) {
			t.Errorf("unknown deal: %v", err)
		}
		both := crm.TaskAssignee{EmployeeID: admin.UserID, DepartmentID: dep.ID}
		if _, err := svc.UpdateDealTask(ctx, admin, crm.DealTaskUpdate{DealID: d.ID, Time: now, Assignee: &both}); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("both assignees: %v", err)
		}

		// The responsible's task (the department's) is updated in place.
		now = now.Add(time.Hour)
		comment := "Перезвонить"
		upd, err := svc.UpdateDealTask(ctx, admin, crm.DealTaskUpdate{DealID: d.ID, Comment: &comment})
		if err != nil || upd.ID != active.ID || upd.Text != comment || !upd.Time.Equal(def) || !upd.UpdatedAt.Equal(now) {
			t.Fatalf("update: %+v %v", upd, err)
		}
		// The administrator's: created, overdue once the clock passes it.
		adminTask, err := svc.UpdateDealTask(ctx, admin, crm.DealTaskUpdate{DealID: d.ID, Time: now.Add(time.Minute),
			Assignee: &crm.TaskAssignee{}})
		if err != nil || adminTask.ID == active.ID || adminTask.Overdue {
			t.Fatalf("admin task: %+v %v", adminTask, err)
		}
		if fam, _ := svc.Deal(ctx, admin, d.ID, false); !fam.Deal.ClosestTaskAt.Equal(adminTask.Time) {
			t.Errorf("closest %v, want %v", fam.Deal.ClosestTaskAt, adminTask.Time)
		}
		now = now.Add(2 * time.Minute)
		open := false
		list, total, err := svc.Tasks(ctx, admin, crm.TaskQuery{Success: &open})
		if err != nil || total != 2 || len(list) != 2 || list[0].ID != adminTask.ID || !list[0].Overdue || list[1].Overdue {
			t.Fatalf("open tasks: %d %+v %v", total, list, err)
		}

		// Closing both: the deal has no open task left.
		for _, id := range []int64{active.ID, adminTask.ID} {
			if c, err := svc.CompleteTask(ctx, admin, id); err != nil || !c.Success || !c.CompletedAt.Equal(now) {
				t.Fatalf("complete %d: %+v %v", id, c, err)
			}
		}
		fam, err := svc.Deal(ctx, admin, d.ID, false)
		if err != nil || fam.Deal.WithEvent || !fam.Deal.ClosestTaskAt.IsZero() {
			t.Errorf("after closing: %+v %v", fam.Deal, err)
		}
		if _, ok, err := svc.DealActiveTask(ctx, admin, d.ID); ok || err != nil {
			t.Errorf("active after closing: %v %v", ok, err)
		}
		if tasks, err := svc.DealTasks(ctx, admin, d.ID); err != nil || len(tasks) != 0 {
			t.Errorf("open after closing: %+v %v", tasks, err)
		}
		closed := true
		if _, total, err := svc.Tasks(ctx, admin, crm.TaskQuery{Success: &closed}); err != nil || total != 2 {
			t.Errorf("closed tasks: %d %v", total, err)
		}
	})
}

func taskIsCode(err error, code crm.Code) bool {
	e, ok := crm.AsError(err)
	return ok && e.Code == code
}
