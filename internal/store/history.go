package store

import (
	"context"
	"database/sql"

	"github.com/crmd/crmd/internal/crm"
)

// The account-wide history (amoCRM's events) and notes, the call and
// comment entries that can be edited (migration 0016: updated_at,
// updated_by, and logs_account for the newest-first read).

const logColumns = `id, account_id, entity_type, entity_id, type_id, data, user_id, employee_id, created_at, updated_at, updated_by`

func scanLogEntry(row scanner) (crm.LogEntry, error) {
	var e crm.LogEntry
	var entity, data string
	var created int64
	var updated, updatedBy sql.NullInt64
	err := row.Scan(&e.ID, &e.AccountID, &entity, &e.EntityID, &e.TypeID, &data, &e.UserID, &e.EmployeeID, &created, &updated, &updatedBy)
	e.EntityType, e.Data, e.CreatedAt = crm.EntityType(entity), []byte(data), fromUnix(created)
	e.UpdatedAt, e.UpdatedBy = timeOf(updated), updatedBy.Int64
	return e, err
}

func (t *tenantTx) scanLogEntries(ctx context.Context, query string, args ...any) ([]crm.LogEntry, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []crm.LogEntry{}
	for rows.Next() {
		e, err := scanLogEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// logAuthor is the entry's author as amoCRM names users.
const logAuthor = `CASE WHEN employee_id <> 0 THEN employee_id ELSE user_id END`

func (t *tenantTx) History(ctx context.Context, q crm.HistoryQuery) ([]crm.LogEntry, error) {
	f := &filter{}
	f.add(`account_id = ?`, t.accountID)
	entities := make([]any, len(q.EntityTypes))
	for i, e := range q.EntityTypes {
		entities[i] = string(e)
	}
	if len(entities) > 0 {
		f.add(`entity_type IN (`+placeholders(len(entities))+`)`, entities...)
	}
	f.in(`id`, q.IDs)
	f.in(`entity_id`, q.EntityIDs)
	f.in(`type_id`, q.TypeIDs)
	f.in(logAuthor, q.Authors)
	f.between(`created_at`, q.CreatedAt)
	if q.BeforeID != 0 {
		f.add(`id < ?`, q.BeforeID)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = crm.DefaultPageLimit
	}
	return t.scanLogEntries(ctx, `SELECT `+logColumns+` FROM logs WHERE `+f.sql()+` ORDER BY id DESC LIMIT ?`, append(f.args, limit)...)
}

func (t *tenantTx) LogEntry(ctx context.Context, id int64) (crm.LogEntry, error) {
	e, err := scanLogEntry(t.queryRow(ctx, `SELECT `+logColumns+` FROM logs WHERE account_id = ? AND id = ?`, t.accountID, id))
	return e, notFound(err, "Log entry")
}

func (t *tenantTx) Notes(ctx context.Context, q crm.NoteQuery) ([]crm.LogEntry, int, error) {
	f := &filter{}
	f.add(`account_id = ?`, t.accountID)
	f.add(`entity_type = ?`, string(q.EntityType))
	f.in(`entity_id`, q.EntityIDs)
	f.in(`id`, q.IDs)
	f.in(`type_id`, q.TypeIDs)
	f.between(`COALESCE(updated_at, created_at)`, q.UpdatedAt)
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM logs WHERE `+f.sql(), f.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	dir := ` ASC`
	if q.Desc {
		dir = ` DESC`
	}
	order := `id` + dir
	if q.OrderBy == "updated_at" {
		order = `COALESCE(updated_at, created_at)` + dir + `, id` + dir
	}
	query := `SELECT ` + logColumns + ` FROM logs WHERE ` + f.sql() + ` ORDER BY ` + order
	args := f.args
	if q.Limit > 0 {
		query += ` LIMIT ? OFFSET ?`
		args = append(args, q.Limit, q.Offset)
	}
	out, err := t.scanLogEntries(ctx, query, args...)
	return out, total, err
}

func (t *tenantTx) UpdateLogData(ctx context.Context, e *crm.LogEntry) error {
	e.UpdatedAt = t.now
	res, err := t.exec(ctx, `UPDATE logs SET data = ?, user_id = ?, employee_id = ?, updated_at = ?, updated_by = ? WHERE account_id = ? AND id = ?`,
		string(e.Data), e.UserID, e.EmployeeID, unix(t.now), e.UpdatedBy, t.accountID, e.ID)
	return affected(res, err, "Log entry")
}
