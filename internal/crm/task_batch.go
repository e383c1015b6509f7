package crm

import (
	"context"
	"strings"
	"time"
)

// amoCRM's tasks (core §5): standalone to-dos that may belong to a deal
// (lead), contact, company or customer, written in all-or-nothing batches.
// They are the same records as Envybox's deal tasks: a task made here on a
// lead is that deal's task in deal/getTasks and task/list, and the reverse.

// The task types amoCRM builds in (core §5): 1 call ("follow up"), 2
// meeting. crmd keeps no account-specific types.
const (
	TaskTypeCall    = 1
	TaskTypeMeeting = 2
)

// TaskEntities are the entity types a task may belong to.
var TaskEntities = []EntityType{EntityDeal, EntityContact, EntityCompany, EntityCustomer}

// TaskInput is one task of an amoCRM batch write. Nil fields are not given:
// on create they take their defaults, on update they keep their values.
type TaskInput struct {
	// ID is the task to change (updates only).
	ID   int64
	Text *string
	// CompleteTill is the deadline.
	CompleteTill *time.Time
	// ResponsibleUserID is a user of the account (default on create: the
	// caller). An administrator becomes the task's administrator, a member
	// its assignee.
	ResponsibleUserID *int64
	// EntityType and EntityID attach the task; an empty EntityType with a 0
	// EntityID makes a free task.
	EntityType  *EntityType
	EntityID    *int64
	IsCompleted *bool
	TypeID      *int64
	Duration    *int64 // seconds
	// Result is the result text; given with IsCompleted it is the result of
	// the completion.
	Result *string
	// CreatedBy is who set the task (create only; default: the caller).
	CreatedBy *int64
}

// Task returns one task. Errors: not found (CodeTaskNotFound).
func (s *Service) Task(ctx context.Context, actor Actor, id int64) (Task, error) {
	var out Task
	err := s.store.View(ctx, actor.AccountID, func(tx Tx) error {
		var err error
		out, err = loadTask(ctx, tx, id)
		return err
	})
	return out, err
}

// AddTasks creates tasks, all or none: text and complete_till are
// required; the task type is 1 or 2 (default 1); the entity, when given,
// must exist. Each task gets a LogTaskCreated entry (and LogTaskCompleted,
// LogTaskResultAdded when made completed or with a result); the deals and
// customers they belong to get their nearest task.
// Errors: invalid (violations per item).
func (s *Service) AddTasks(ctx context.Context, actor Actor, in []TaskInput) ([]Task, error) {
	out := make([]Task, len(in))
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		tc, err := newTaskContext(ctx, tx)
		if err != nil {
			return err
		}
		var v violations
		if len(in) == 0 {
			v.add(0, "", ViolationRequired, "At least one task must be given.")
		}
		for i, n := range in {
			t := Task{TypeID: TaskTypeCall}
			if n.Text == nil {
				v.add(i, "text", ViolationRequired, "This field is missing.")
			}
			if n.CompleteTill == nil {
				v.add(i, "complete_till", ViolationRequired, "This field is missing.")
			}
			responsible := actor.UserID
			if n.ResponsibleUserID != nil {
				responsible = *n.ResponsibleUserID
			}
			setter := actor.UserID
			if n.CreatedBy != nil && *n.CreatedBy != 0 {
				setter = *n.CreatedBy
				if _, ok := tc.users[setter]; !ok {
					v.add(i, "created_by", ViolationChoice, "created_by is not a user of this account.")
				}
			}
			if err := tc.apply(ctx, tx, &v, i, &t, n, &responsible); err != nil {
				return err
			}
			if u, ok := tc.users[setter]; ok && u.Role != RoleAdmin {
				t.FromEmployeeID = setter
			}
			t.UpdatedBy = actor.UserID
			out[i] = t
		}
		if err := v.err(); err != nil {
			return err
		}
		by := Responsible{UserID: actor.UserID}
		for i := range out {
			t := &out[i]
			if t.Success {
				t.CompletedAt = tx.Now()
			}
			if err := tx.InsertTask(ctx, t); err != nil {
				return err
			}
			if err := recordHistory(ctx, tx, EntityTask, t.ID, LogTaskCreated, HistoryData{Text: "Новая задача: " + t.Text}, by); err != nil {
				return err
			}
			if err := taskOutcome(ctx, tx, *t, Task{}, by); err != nil {
				return err
			}
			if err := syncTaskOwners(ctx, tx, *t, Task{}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// UpdateTasks changes tasks, all or none: each item names an existing task
// by ID; given fields replace the task's. A change of text, deadline, type
// or responsible is one LogTaskUpdated entry listing the changes; a
// completion is LogTaskCompleted, a new result LogTaskResultAdded. An item
// that changes nothing writes nothing.
// Errors: invalid (violations per item: a missing or unknown id among them).
func (s *Service) UpdateTasks(ctx context.Context, actor Actor, in []TaskInput) ([]Task, error) {
	out := make([]Task, len(in))
	err := s.store.Update(ctx, actor.AccountID, func(tx Tx) error {
		tc, err := newTaskContext(ctx, tx)
		if err != nil {
			return err
		}
		var v violations
		if len(in) == 0 {
			v.add(0, "", ViolationRequired, "At least one task must be given.")
		}
		before := make([]Task, len(in))
		seen := map[int64]int{}
		for i, n := range in {
			if n.ID == 0 {
				v.add(i, "id", ViolationRequired, "This field is missing.")
				continue
			}
			if _, dup := seen[n.ID]; dup {
				v.add(i, "id", ViolationInvalid, "The task is given twice in one request.")
				continue
			}
			seen[n.ID] = i
			t, err := tx.Task(ctx, n.ID)
			if KindOf(err) == KindNotFound {
				v.add(i, "id", ViolationChoice, "No task has this id.")
				continue
			}
			if err != nil {
				return err
			}
			before[i] = t
			// Without a new responsible the assignee stays as it is (a
			// department's task stays the department's).
			if err := tc.apply(ctx, tx, &v, i, &t, n, n.ResponsibleUserID); err != nil {
				return err
			}
			out[i] = t
		}
		if err := v.err(); err != nil {
			return err
		}
		by := Responsible{UserID: actor.UserID}
		for i := range out {
			t, old := &out[i], before[i]
			changes := taskChanges(old, *t)
			switch {
			case t.Success && !old.Success:
				t.CompletedAt = tx.Now()
			case !t.Success:
				t.CompletedAt = time.Time{}
			}
			if len(changes) == 0 && t.Success == old.Success && t.Result == old.Result && t.Duration == old.Duration &&
				t.EntityType == old.EntityType && t.EntityID == old.EntityID {
				continue
			}
			t.UpdatedBy = actor.UserID
			if err := tx.UpdateTask(ctx, t); err != nil {
				return err
			}
			if len(changes) > 0 {
				if err := recordHistory(ctx, tx, EntityTask, t.ID, LogTaskUpdated, HistoryData{Text: "Задача изменена", Changes: changes}, by); err != nil {
					return err
				}
			}
			if err := taskOutcome(ctx, tx, *t, old, by); err != nil {
				return err
			}
			if err := syncTaskOwners(ctx, tx, *t, old); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// ResponsibleUserID is the task's amoCRM responsible_user_id: the assigned
// employee, else the administrator (a department's task is its
// administrator's; the department is amoCRM's group_id).
func (t Task) ResponsibleUserID() int64 {
	if t.Assignee.EmployeeID != 0 {
		return t.Assignee.EmployeeID
	}
	return t.UserID
}

// CreatedBy is the task's amoCRM created_by: the employee who set it, else
// the administrator.
func (t Task) CreatedBy() int64 {
	if t.FromEmployeeID != 0 {
		return t.FromEmployeeID
	}
	return t.UserID
}

// taskContext is what validating a batch of tasks reads once.
type taskContext struct {
	users      map[int64]User
	firstAdmin int64
}

func newTaskContext(ctx context.Context, tx Tx) (*taskContext, error) {
	users, err := tx.Users(ctx)
	if err != nil {
		return nil, err
	}
	tc := &taskContext{users: map[int64]User{}}
	for _, u := range users {
		tc.users[u.ID] = u
		if u.Role == RoleAdmin && (tc.firstAdmin == 0 || u.ID < tc.firstAdmin) {
			tc.firstAdmin = u.ID
		}
	}
	return tc, nil
}

// apply validates item i's fields and sets them on t; responsible, when
// not nil, is the user the task is to be for.
func (tc *taskContext) apply(ctx context.Context, tx Tx, v *violations, i int, t *Task, n TaskInput, responsible *int64) error {
	if n.Text != nil {
		if strings.TrimSpace(*n.Text) == "" {
			v.add(i, "text", ViolationBlank, "This value should not be blank.")
		} else {
			v.checkText(i, "text", *n.Text, maxTaskText)
		}
		t.Text = *n.Text
	}
	if n.CompleteTill != nil {
		if n.CompleteTill.Unix() <= 0 {
			v.add(i, "complete_till", ViolationRange, "This value should be a positive Unix time.")
		}
		t.Time = *n.CompleteTill
	}
	if n.TypeID != nil {
		if *n.TypeID != TaskTypeCall && *n.TypeID != TaskTypeMeeting {
			v.add(i, "task_type_id", ViolationChoice, "task_type_id: 1 (call) or 2 (meeting).")
		}
		t.TypeID = int(*n.TypeID)
	}
	if n.Duration != nil {
		if *n.Duration < 0 {
			v.add(i, "duration", ViolationRange, "This value should be 0 or more.")
		}
		t.Duration = *n.Duration
	}
	if n.IsCompleted != nil {
		t.Success = *n.IsCompleted
	}
	if n.Result != nil {
		v.checkText(i, "result.text", *n.Result, maxTaskText)
		t.Result = *n.Result
	}
	if err := tc.owner(ctx, tx, v, i, t, n); err != nil {
		return err
	}
	if responsible == nil {
		return nil
	}
	u, ok := tc.users[*responsible]
	if !ok {
		v.add(i, "responsible_user_id", ViolationChoice, "responsible_user_id is not a user of this account.")
		return nil
	}
	if u.Role == RoleAdmin {
		t.Assignee, t.UserID = TaskAssignee{}, u.ID
		return nil
	}
	t.Assignee = TaskAssignee{EmployeeID: u.ID}
	// A member's task is kept under an administrator, as Envybox's are: a
	// deal task under the deal's, else the task's own, else the account's
	// first.
	if t.EntityType == EntityDeal {
		d, err := tx.Deal(ctx, t.EntityID)
		if err != nil && KindOf(err) != KindNotFound {
			return err
		}
		if err == nil && tc.users[d.UserID].Role == RoleAdmin {
			t.UserID = d.UserID
		}
	}
	if tc.users[t.UserID].Role != RoleAdmin {
		t.UserID = tc.firstAdmin
	}
	return nil
}

// owner validates and sets what the task belongs to.
func (tc *taskContext) owner(ctx context.Context, tx Tx, v *violations, i int, t *Task, n TaskInput) error {
	if n.EntityType == nil && n.EntityID == nil {
		return nil
	}
	entity, id := t.EntityType, t.EntityID
	if n.EntityType != nil {
		entity = *n.EntityType
	}
	if n.EntityID != nil {
		id = *n.EntityID
	}
	known := entity == ""
	for _, e := range TaskEntities {
		known = known || e == entity
	}
	switch {
	case !known:
		v.add(i, "entity_type", ViolationChoice, "entity_type: leads, contacts, companies or customers.")
		return nil
	case entity == "" && id != 0:
		v.add(i, "entity_type", ViolationRequired, "entity_type is required with entity_id.")
		return nil
	case entity != "" && id <= 0:
		v.add(i, "entity_id", ViolationRequired, "entity_id is required with entity_type.")
		return nil
	}
	var err error
	switch entity {
	case EntityDeal:
		_, err = tx.Deal(ctx, id)
	case EntityContact:
		_, err = tx.Contact(ctx, id)
	case EntityCompany:
		_, err = tx.Company(ctx, id)
	case EntityCustomer:
		_, err = tx.Customer(ctx, id)
	}
	if KindOf(err) == KindNotFound {
		v.add(i, "entity_id", ViolationChoice, "No "+string(entity)+" entity has this id.")
		return nil
	}
	if err != nil {
		return err
	}
	t.EntityType, t.EntityID, t.DealID = entity, id, 0
	if entity == EntityDeal {
		t.DealID = id
	}
	return nil
}

// taskChanges lists what a task update changed that amoCRM has events
// for: text, deadline, type and responsible.
func taskChanges(old, t Task) []FieldChange {
	var out []FieldChange
	if t.Text != old.Text {
		out = append(out, NewFieldChange("text", old.Text, t.Text))
	}
	if !t.Time.Equal(old.Time) {
		out = append(out, NewFieldChange("deadline", old.Time.Unix(), t.Time.Unix()))
	}
	if t.TypeID != old.TypeID {
		out = append(out, NewFieldChange("task_type", old.TypeID, t.TypeID))
	}
	if t.ResponsibleUserID() != old.ResponsibleUserID() {
		out = append(out, NewFieldChange("responsible_user_id", old.ResponsibleUserID(), t.ResponsibleUserID()))
	}
	return out
}

// taskOutcome writes the completion and result entries a write made: the
// task became completed, or got a new result.
func taskOutcome(ctx context.Context, tx Tx, t, old Task, by Responsible) error {
	if t.Success && !old.Success {
		if err := recordHistory(ctx, tx, EntityTask, t.ID, LogTaskCompleted, HistoryData{Text: "Задача выполнена"}, by); err != nil {
			return err
		}
	}
	if t.Result != "" && t.Result != old.Result {
		return recordHistory(ctx, tx, EntityTask, t.ID, LogTaskResultAdded, HistoryData{Text: t.Result}, by)
	}
	return nil
}

// syncTaskOwners updates the nearest-task fields of the deals and
// customers a task belongs and belonged to.
func syncTaskOwners(ctx context.Context, tx Tx, t, old Task) error {
	for _, o := range []Task{t, old} {
		var err error
		switch o.EntityType {
		case EntityDeal:
			err = tx.SyncDealTasks(ctx, o.EntityID)
		case EntityCustomer:
			err = tx.SyncCustomerTasks(ctx, o.EntityID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
