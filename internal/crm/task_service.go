package crm

import (
	"context"
	"strings"
	"time"
)

// maxDealTasks bounds the open tasks of one deal that are listed.
const maxDealTasks = 1000

// UpdateDealTask changes the time and/or comment of the open task of an
// assignee on a deal (the given one, else the deal's responsible: its
// employee, department or the administrator), the earliest due first; when
// there is none it creates one (due at the default time when no time is
// given). The deal's responsible does not change.
// Errors: invalid (CodeMissingInput when neither a time nor a comment is
// given; an unknown employee or department), not found (CodeDealNotFound).
func (s *Service) UpdateDealTask(ctx context.Context, actor Actor, u DealTaskUpdate) (Task, error) {
	comment := ""
	if u.Comment != nil {
		comment = *u.Comment
	}
	if u.Time.IsZero() && strings.TrimSpace(comment) == "" {
		return Task{}, Fail(CodeMissingInput)
	}
	if taskTextTooLong(comment) {
		return Task{}, Invalid(Violation{Path: "comment", Code: ViolationTooLong, Detail: "comment is longer than 65535 characters."})
	}
	var out Task
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		d, err := tx.Deal(ctx, u.DealID)
		if KindOf(err) == KindNotFound {
			return Fail(CodeDealNotFound)
		}
		if err != nil {
			return err
		}
		who := assigneeOf(d.Responsible)
		if u.Assignee != nil {
			who = *u.Assignee
			if err := checkAssignee(ctx, tx, who); err != nil {
				return err
			}
		}
		t, found, err := assigneeTask(ctx, tx, d.ID, who)
		if err != nil {
			return err
		}
		old := t
		if !u.Time.IsZero() {
			t.Time = u.Time
		}
		if u.Comment != nil {
			t.Text = comment
		}
		if found {
			t.UpdatedBy = actor.UserID
			if err := tx.UpdateTask(ctx, &t); err != nil {
				return err
			}
			if changes := taskChanges(old, t); len(changes) > 0 {
				if err := recordHistory(ctx, tx, EntityTask, t.ID, LogTaskUpdated, HistoryData{Text: "Задача изменена", Changes: changes},
					Responsible{UserID: actor.UserID}); err != nil {
					return err
				}
			}
		} else {
			t.Assignee = who
			if t.Time.IsZero() {
				t.Time = tx.Now().Add(DefaultTaskIn)
			}
			if err := addDealTask(ctx, tx, actor, d, &t); err != nil {
				return err
			}
		}
		if err := tx.SyncDealTasks(ctx, d.ID); err != nil {
			return err
		}
		out, err = loadTask(ctx, tx, t.ID)
		return err
	})
	return out, err
}

// DealActiveTask returns the active task of a deal: the open task of its
// responsible (employee, department or administrator), the earliest due
// first; false when there is none. Errors: not found (CodeDealNotFound).
func (s *Service) DealActiveTask(ctx context.Context, actor Actor, dealID int64) (Task, bool, error) {
	var out Task
	var found bool
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		d, err := tx.Deal(ctx, dealID)
		if KindOf(err) == KindNotFound {
			return Fail(CodeDealNotFound)
		}
		if err != nil {
			return err
		}
		out, found, err = assigneeTask(ctx, tx, d.ID, assigneeOf(d.Responsible))
		out.Overdue = found && out.overdueAt(tx.Now())
		return err
	})
	return out, found, err
}

// DealTasks returns the open tasks of a deal, the earliest due first.
// Errors: not found (CodeDealNotFound).
func (s *Service) DealTasks(ctx context.Context, actor Actor, dealID int64) ([]Task, error) {
	var out []Task
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		if _, err := tx.Deal(ctx, dealID); KindOf(err) == KindNotFound {
			return Fail(CodeDealNotFound)
		} else if err != nil {
			return err
		}
		open := false
		list, _, err := tx.Tasks(ctx, TaskQuery{DealIDs: []int64{dealID}, Success: &open, Limit: maxDealTasks})
		out = markOverdue(list, tx)
		return err
	})
	return out, err
}

// Tasks lists the tasks q selects, the earliest due first, with the total.
func (s *Service) Tasks(ctx context.Context, actor Actor, q TaskQuery) ([]Task, int, error) {
	var out []Task
	var total int
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		list, n, err := tx.Tasks(ctx, q)
		out, total = markOverdue(list, tx), n
		return err
	})
	return out, total, err
}

// CompleteTask closes a task (success 1); closing a closed task changes
// nothing. The deal's with_event and nearest task follow.
// Errors: not found (CodeTaskNotFound).
func (s *Service) CompleteTask(ctx context.Context, actor Actor, taskID int64) (Task, error) {
	var out Task
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		t, err := tx.Task(ctx, taskID)
		if KindOf(err) == KindNotFound {
			return Fail(CodeTaskNotFound)
		}
		if err != nil {
			return err
		}
		if !t.Success {
			t.Success, t.CompletedAt, t.UpdatedBy = true, tx.Now(), actor.UserID
			if err := tx.UpdateTask(ctx, &t); err != nil {
				return err
			}
			if err := recordHistory(ctx, tx, EntityTask, t.ID, LogTaskCompleted, HistoryData{Text: "Задача выполнена"},
				Responsible{UserID: actor.UserID}); err != nil {
				return err
			}
			if err := syncTaskOwners(ctx, tx, t, Task{}); err != nil {
				return err
			}
		}
		out = t
		return nil
	})
	return out, err
}

// createDealTask makes the task deal/create asks for: for the deal's
// responsible, due at n.Time (zero: in DefaultTaskIn), with n.Text (empty:
// DefaultTaskText).
func createDealTask(ctx context.Context, tx Tx, actor Actor, d Deal, n NewTask) error {
	t := Task{Text: n.Text, Time: n.Time, Assignee: assigneeOf(d.Responsible)}
	if t.Time.IsZero() {
		t.Time = tx.Now().Add(DefaultTaskIn)
	}
	if t.Text == "" {
		t.Text = DefaultTaskText
	}
	if taskTextTooLong(t.Text) {
		return Invalid(Violation{Path: "task.text", Code: ViolationTooLong, Detail: "task.text is longer than 65535 characters."})
	}
	if err := addDealTask(ctx, tx, actor, d, &t); err != nil {
		return err
	}
	return tx.SyncDealTasks(ctx, d.ID)
}

// addDealTask inserts a new open task on a deal, set by the actor (0: the
// administrator) under the deal's administrator. The caller syncs the deal.
func addDealTask(ctx context.Context, tx Tx, actor Actor, d Deal, t *Task) error {
	t.DealID, t.Success, t.CompletedAt = d.ID, false, time.Time{}
	if t.TypeID == 0 {
		t.TypeID = 1
	}
	if !actor.IsAdmin() {
		t.FromEmployeeID = actor.UserID
	}
	t.UserID = d.UserID
	if t.UserID == 0 {
		admin, err := accountAdministrator(ctx, tx, actor)
		if err != nil {
			return err
		}
		t.UserID = admin
	}
	t.UpdatedBy = actor.UserID
	if err := tx.InsertTask(ctx, t); err != nil {
		return err
	}
	return recordHistory(ctx, tx, EntityTask, t.ID, LogTaskCreated, HistoryData{Text: "Новая задача: " + t.Text}, Responsible{UserID: actor.UserID})
}

// accountAdministrator is the acting administrator, else the account's
// first administrator (0 when there is none).
func accountAdministrator(ctx context.Context, tx Tx, actor Actor) (int64, error) {
	if actor.IsAdmin() && actor.UserID != 0 {
		return actor.UserID, nil
	}
	users, err := tx.Users(ctx)
	if err != nil {
		return 0, err
	}
	var id int64
	for _, u := range users {
		if u.Role == RoleAdmin && (id == 0 || u.ID < id) {
			id = u.ID
		}
	}
	return id, nil
}

// assigneeTask finds the open task of an assignee on a deal, the earliest
// due first.
func assigneeTask(ctx context.Context, tx Tx, dealID int64, who TaskAssignee) (Task, bool, error) {
	open := false
	list, _, err := tx.Tasks(ctx, TaskQuery{DealIDs: []int64{dealID}, Success: &open, Assignee: &who, Limit: 1})
	if err != nil || len(list) == 0 {
		return Task{}, false, err
	}
	return list[0], true, nil
}

// checkAssignee validates a task's assignee: an employee of the account or
// a department of it, not both.
func checkAssignee(ctx context.Context, tx Tx, who TaskAssignee) error {
	if who.EmployeeID != 0 && who.DepartmentID != 0 {
		return Invalid(Violation{Path: "employee_id", Code: ViolationUnexpected, Detail: "a task is for an employee or a department, not both."})
	}
	if who.EmployeeID != 0 {
		if _, err := tx.User(ctx, who.EmployeeID); KindOf(err) == KindNotFound {
			return Invalid(Violation{Path: "employee_id", Code: ViolationChoice, Detail: "employee_id is not an employee of this CRM."})
		} else if err != nil {
			return err
		}
	}
	if who.DepartmentID != 0 {
		if _, err := tx.Department(ctx, who.DepartmentID); KindOf(err) == KindNotFound {
			return Invalid(Violation{Path: "department_id", Code: ViolationChoice, Detail: "department_id is not a department of this CRM."})
		} else if err != nil {
			return err
		}
	}
	return nil
}

func loadTask(ctx context.Context, tx Tx, id int64) (Task, error) {
	t, err := tx.Task(ctx, id)
	if KindOf(err) == KindNotFound {
		return t, Fail(CodeTaskNotFound)
	}
	t.Overdue = err == nil && t.overdueAt(tx.Now())
	return t, err
}

func markOverdue(list []Task, tx Tx) []Task {
	now := tx.Now()
	for i := range list {
		list[i].Overdue = list[i].overdueAt(now)
	}
	return list
}
