package store

import (
	"context"

	"github.com/crmd/crmd/internal/crm"
)

// Logs reads one entity's history newest first (by id: entries are
// append-only, so ids follow time). The logs_entity index (0003) covers
// the filter and the order.
func (t *tenantTx) Logs(ctx context.Context, q crm.LogQuery) ([]crm.LogEntry, int, error) {
	f := &filter{}
	f.add(`account_id = ?`, t.accountID)
	f.add(`entity_type = ?`, string(q.EntityType))
	f.add(`entity_id = ?`, q.EntityID)
	types := make([]int64, len(q.TypeIDs))
	for i, id := range q.TypeIDs {
		types[i] = int64(id)
	}
	f.in(`type_id`, types)
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM logs WHERE `+f.sql(), f.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = crm.DefaultPageLimit
	}
	rows, err := t.query(ctx, `SELECT id, account_id, entity_type, entity_id, type_id, data, user_id, employee_id, created_at
		FROM logs WHERE `+f.sql()+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(f.args, limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []crm.LogEntry{}
	for rows.Next() {
		var e crm.LogEntry
		var entity, data string
		var created int64
		if err := rows.Scan(&e.ID, &e.AccountID, &entity, &e.EntityID, &e.TypeID, &data, &e.UserID, &e.EmployeeID, &created); err != nil {
			return nil, 0, err
		}
		e.EntityType, e.Data, e.CreatedAt = crm.EntityType(entity), []byte(data), fromUnix(created)
		out = append(out, e)
	}
	return out, total, rows.Err()
}
