package crm

import (
	"context"
	"time"
	"unicode/utf8"
)

// Task is a to-do (Envybox "задача", amoCRM task). Envybox knows tasks on
// deals only; amoCRM's may belong to a deal (lead), contact, company or
// customer, or to nothing. A deal has any number of open tasks; the one
// assigned to the deal's responsible is "the active task". Deal.WithEvent
// and Deal.ClosestTaskAt (and a customer's ClosestTaskAt) follow its open
// tasks.
type Task struct {
	ID        int64
	AccountID int64
	// DealID is the deal of a deal task, 0 otherwise. The store keeps it
	// equal to EntityID when EntityType is EntityDeal.
	DealID int64
	// EntityType and EntityID name what the task belongs to: EntityDeal,
	// EntityContact, EntityCompany or EntityCustomer; "" and 0 for a free
	// task. A task given only a DealID is the deal's.
	EntityType EntityType
	EntityID   int64
	// TypeID is 1 (call, Envybox's only type) or 2 (meeting), amoCRM's two
	// built-in types.
	TypeID   int
	Priority int
	Text     string    // the comment
	Time     time.Time // when it is due
	EndTime  time.Time // zero: none
	Duration int64     // seconds; 0: none
	// UserID is the administrator (the deal's, or the account's).
	UserID int64
	// FromEmployeeID is who set the task: an employee, or 0 for the
	// administrator.
	FromEmployeeID int64
	// Assignee is who the task is for.
	Assignee    TaskAssignee
	Success     bool // closed
	Required    bool
	NoTime      bool
	ItReaction  bool
	CompletedAt time.Time // zero: open
	// Result is the result text a completion wrote ("" when none).
	Result    string
	CreatedAt time.Time
	UpdatedAt time.Time
	// UpdatedBy is the user who changed the task last (0: the API, a robot,
	// or nobody since it was made).
	UpdatedBy int64

	// Overdue is computed on reading: open and due before the store's clock.
	Overdue bool
}

// TaskAssignee is who a task is for: an employee, a department, or (both
// 0) the administrator. At most one of the two is set.
type TaskAssignee struct {
	EmployeeID   int64
	DepartmentID int64
}

// IsAdministrator reports whether the task is the administrator's.
func (a TaskAssignee) IsAdministrator() bool { return a.EmployeeID == 0 && a.DepartmentID == 0 }

// assigneeOf is who a task goes to when it is for a deal's responsible: the
// employee, else the department, else the administrator.
func assigneeOf(r Responsible) TaskAssignee {
	switch {
	case r.EmployeeID != 0:
		return TaskAssignee{EmployeeID: r.EmployeeID}
	case r.DepartmentID != 0:
		return TaskAssignee{DepartmentID: r.DepartmentID}
	}
	return TaskAssignee{}
}

// overdueAt reports whether the task is open and due before now.
func (t Task) overdueAt(now time.Time) bool {
	return !t.Success && !t.Time.IsZero() && t.Time.Before(now)
}

// TaskQuery selects tasks. Empty fields do not filter.
type TaskQuery struct {
	DealIDs []int64
	// IDs selects tasks by id.
	IDs []int64
	// EntityType with EntityIDs selects the tasks of those entities; alone,
	// the tasks of any entity of the type.
	EntityType EntityType
	EntityIDs  []int64
	// TypeIDs selects task types.
	TypeIDs []int64
	// Responsibles selects the tasks whose amoCRM responsible user (the
	// assigned employee, else the administrator) is one of these.
	Responsibles []int64
	// CreatedBy selects the tasks set by these users (the employee who set
	// it, else the administrator).
	CreatedBy []int64
	// UpdatedAt bounds updated_at (Unix seconds, inclusive).
	UpdatedAt Range
	// DealStages, when not nil, selects the tasks of deals in these stages
	// (an empty list selects none).
	DealStages []int64
	// OrderBy is "", "id", "created_at" or "complete_till" ("": the due
	// time, then id, as Envybox lists them); Desc reverses it.
	OrderBy string
	Desc    bool
	// Success selects open (false) or closed (true) tasks.
	Success *bool
	// Assignee selects the tasks of exactly this assignee.
	Assignee *TaskAssignee
	// Time bounds the due time (Unix seconds, inclusive).
	Time   Range
	Limit  int // 0: DefaultPageLimit
	Offset int
}

// DealTaskUpdate changes the task of a deal's assignee, or creates it
// (Envybox deal/updatetask). Time or a non-blank Comment is required.
type DealTaskUpdate struct {
	DealID  int64
	Time    time.Time // zero: keep (a new task: the default due time)
	Comment *string   // nil: keep (a new task: no comment)
	// Assignee is whose task it is; nil: the deal's responsible's.
	Assignee *TaskAssignee
}

// The default task deal/create makes for "task": {}.
const (
	DefaultTaskText = "Связаться с клиентом"
	DefaultTaskIn   = 24 * time.Hour
	// maxTaskText is the longest task comment, in characters.
	maxTaskText = MaxLongText
)

func taskTextTooLong(s string) bool { return utf8.RuneCountInString(s) > maxTaskText }

// TaskStore keeps deals' tasks.
type TaskStore interface {
	// InsertTask stores a deal's task and sets its id, account and times.
	InsertTask(ctx context.Context, t *Task) error
	// UpdateTask stores a task's own columns and sets its updated_at.
	// KindNotFound when there is no such task.
	UpdateTask(ctx context.Context, t *Task) error
	// Task returns one task. KindNotFound when there is none.
	Task(ctx context.Context, id int64) (Task, error)
	// Tasks returns the tasks q selects, the earliest due first (then by
	// id), and the number q selects regardless of Limit and Offset.
	Tasks(ctx context.Context, q TaskQuery) ([]Task, int, error)
	// SyncDealTasks sets a deal's with_event and closest_task_at from its
	// open tasks.
	SyncDealTasks(ctx context.Context, dealID int64) error
	// SyncCustomerTasks sets a customer's closest_task_at from its open
	// tasks.
	SyncCustomerTasks(ctx context.Context, customerID int64) error
}
