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
	out, err := t.scanLogEntries(ctx, `SELECT `+logColumns+` FROM logs WHERE `+f.sql()+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(f.args, limit, q.Offset)...)
	return out, total, err
}
