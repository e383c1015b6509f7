package store

import (
	"context"
	"database/sql"

	"github.com/crmd/crmd/internal/crm"
)

// Tasks (migrations 0003, 0008 and 0016). The columns of version 3 keep
// their names: text is the comment, due_at the time, employee_id/
// department_id the assignee. entity_type/entity_id say what the task
// belongs to; deal_id repeats entity_id for deal tasks (NULL otherwise) so
// that they go with their deal.

const taskColumns = `id, account_id, deal_id, entity_type, entity_id, type_id, priority, text, due_at, end_at, duration, user_id,
	from_employee_id, employee_id, department_id, success, required, no_time, it_reaction, completed_at, created_at, updated_at,
	updated_by, result_text`

func scanTask(row scanner) (crm.Task, error) {
	var t crm.Task
	var end, duration, completed, deal sql.NullInt64
	var due, created, updated int64
	var entity string
	err := row.Scan(&t.ID, &t.AccountID, &deal, &entity, &t.EntityID, &t.TypeID, &t.Priority, &t.Text, &due, &end, &duration, &t.UserID,
		&t.FromEmployeeID, &t.Assignee.EmployeeID, &t.Assignee.DepartmentID, &t.Success, &t.Required, &t.NoTime, &t.ItReaction, &completed,
		&created, &updated, &t.UpdatedBy, &t.Result)
	t.DealID, t.EntityType = deal.Int64, crm.EntityType(entity)
	t.Time, t.EndTime, t.CompletedAt = fromUnix(due), timeOf(end), timeOf(completed)
	t.Duration = duration.Int64
	t.CreatedAt, t.UpdatedAt = fromUnix(created), fromUnix(updated)
	return t, err
}

// taskInsertColumns are the columns taskArgs fills, in its order.
const taskInsertColumns = `deal_id, entity_type, entity_id, type_id, priority, text, due_at, end_at, duration, user_id,
	from_employee_id, employee_id, department_id, success, required, no_time, it_reaction, completed_at, created_at, updated_at,
	updated_by, result_text`

var taskInsertCount = columnCount(taskInsertColumns)

// taskOwner settles a task's owner columns: a task given only a DealID is
// the deal's, and a deal task's deal_id is its entity_id.
func taskOwner(t *crm.Task) {
	if t.EntityType == "" && t.DealID != 0 {
		t.EntityType, t.EntityID = crm.EntityDeal, t.DealID
	}
	t.DealID = 0
	if t.EntityType == crm.EntityDeal {
		t.DealID = t.EntityID
	}
}

func taskArgs(t *crm.Task) []any {
	taskOwner(t)
	duration := sql.NullInt64{Int64: t.Duration, Valid: t.Duration != 0}
	deal := sql.NullInt64{Int64: t.DealID, Valid: t.DealID != 0}
	return []any{deal, string(t.EntityType), t.EntityID, t.TypeID, t.Priority, t.Text, unix(t.Time), nullTime(t.EndTime), duration,
		t.UserID, t.FromEmployeeID, t.Assignee.EmployeeID, t.Assignee.DepartmentID, t.Success, t.Required, t.NoTime, t.ItReaction,
		nullTime(t.CompletedAt), unix(t.CreatedAt), unix(t.UpdatedAt), t.UpdatedBy, t.Result}
}

func (t *tenantTx) InsertTask(ctx context.Context, task *crm.Task) error {
	task.AccountID, task.CreatedAt, task.UpdatedAt = t.accountID, t.now, t.now
	id, err := t.insert(ctx, `INSERT INTO tasks (`+taskInsertColumns+`, account_id) VALUES (`+placeholders(taskInsertCount+1)+`)`,
		append(taskArgs(task), t.accountID)...)
	task.ID = id
	return err
}

func (t *tenantTx) UpdateTask(ctx context.Context, task *crm.Task) error {
	task.UpdatedAt = t.now
	res, err := t.exec(ctx, `UPDATE tasks SET deal_id = ?, entity_type = ?, entity_id = ?, type_id = ?, priority = ?, text = ?,
		due_at = ?, end_at = ?, duration = ?, user_id = ?, from_employee_id = ?, employee_id = ?, department_id = ?, success = ?,
		required = ?, no_time = ?, it_reaction = ?, completed_at = ?, created_at = ?, updated_at = ?, updated_by = ?, result_text = ?
		WHERE account_id = ? AND id = ?`, append(taskArgs(task), t.accountID, task.ID)...)
	return affected(res, err, "Task")
}

func (t *tenantTx) Task(ctx context.Context, id int64) (crm.Task, error) {
	task, err := scanTask(t.queryRow(ctx, `SELECT `+taskColumns+` FROM tasks WHERE account_id = ? AND id = ?`, t.accountID, id))
	return task, notFound(err, "Task")
}

func (t *tenantTx) Tasks(ctx context.Context, q crm.TaskQuery) ([]crm.Task, int, error) {
	f := &filter{}
	f.add(`account_id = ?`, t.accountID)
	f.in(`deal_id`, q.DealIDs)
	f.in(`id`, q.IDs)
	if q.EntityType != "" {
		f.add(`entity_type = ?`, string(q.EntityType))
	}
	f.in(`entity_id`, q.EntityIDs)
	f.in(`type_id`, q.TypeIDs)
	f.in(`CASE WHEN employee_id <> 0 THEN employee_id ELSE user_id END`, q.Responsibles)
	f.in(`CASE WHEN from_employee_id <> 0 THEN from_employee_id ELSE user_id END`, q.CreatedBy)
	f.between(`updated_at`, q.UpdatedAt)
	if q.DealStages != nil {
		stages := append([]int64{-1}, q.DealStages...) // -1: no stage, so an empty list selects none
		args := []any{t.accountID}
		for _, id := range stages {
			args = append(args, id)
		}
		f.add(`deal_id IN (SELECT id FROM deals WHERE account_id = ? AND stage_id IN (`+placeholders(len(stages))+`))`, args...)
	}
	if q.Success != nil {
		f.add(`success = ?`, *q.Success)
	}
	if q.Assignee != nil {
		f.add(`employee_id = ? AND department_id = ?`, q.Assignee.EmployeeID, q.Assignee.DepartmentID)
	}
	f.between(`due_at`, q.Time)
	from := `tasks`
	if len(q.DealIDs) > 0 && t.db.dialect.name() == "sqlite" {
		// A deal's tasks are a few entries of tasks_deal. SQLite, without
		// statistics, took tasks_due for "success = ? ORDER BY due_at"
		// instead and walked every open task of the account: 10 ms of a
		// 12 ms deal card at 100,000 deals.
		from += ` INDEXED BY tasks_deal`
	}
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM `+from+` WHERE `+f.sql(), f.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = crm.DefaultPageLimit
	}
	order := `due_at, id`
	dir := ` ASC`
	if q.Desc {
		dir = ` DESC`
	}
	switch q.OrderBy {
	case "id":
		order = `id` + dir
	case "created_at":
		order = `created_at` + dir + `, id` + dir
	case "complete_till":
		order = `due_at` + dir + `, id` + dir
	}
	rows, err := t.query(ctx, `SELECT `+taskColumns+` FROM `+from+` WHERE `+f.sql()+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(f.args, limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []crm.Task{}
	for rows.Next() {
		task, err := scanTask(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, task)
	}
	return out, total, rows.Err()
}

func (t *tenantTx) SyncDealTasks(ctx context.Context, dealID int64) error {
	var closest sql.NullInt64
	if err := t.queryRow(ctx, `SELECT MIN(due_at) FROM tasks WHERE account_id = ? AND deal_id = ? AND success = ?`,
		t.accountID, dealID, false).Scan(&closest); err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE deals SET with_event = ?, closest_task_at = ? WHERE account_id = ? AND id = ?`,
		closest.Valid, closest, t.accountID, dealID)
	return affected(res, err, "Deal")
}

func (t *tenantTx) SyncCustomerTasks(ctx context.Context, customerID int64) error {
	var closest sql.NullInt64
	if err := t.queryRow(ctx, `SELECT MIN(due_at) FROM tasks WHERE account_id = ? AND entity_type = ? AND entity_id = ? AND success = ?`,
		t.accountID, string(crm.EntityCustomer), customerID, false).Scan(&closest); err != nil {
		return err
	}
	res, err := t.exec(ctx, `UPDATE customers SET closest_task_at = ? WHERE account_id = ? AND id = ?`, closest, t.accountID, customerID)
	return affected(res, err, "Customer")
}
