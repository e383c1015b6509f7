package store

import (
	"context"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// InsertServiceValues writes every value in one multi-row INSERT: recording
// an Envybox lead wrote its seven values with SetServiceValue, an UPDATE
// that found nothing then an INSERT each, and on SQLite, whose planner
// statistics (sqlite_stat4) make it re-plan that UPDATE at every new
// binding, those fourteen statements were a third of the request.
func (t *tenantTx) InsertServiceValues(ctx context.Context, entity crm.EntityType, id int64, values []crm.ServiceValue) error {
	if len(values) == 0 {
		return nil
	}
	t.dirtyEntity(string(entity), id)
	var q strings.Builder
	q.WriteString(`INSERT INTO service_values (account_id, entity_type, entity_id, field_id, value, created_at) VALUES `)
	args := make([]any, 0, 6*len(values))
	for i := range values {
		v := &values[i]
		if i > 0 {
			q.WriteString(`, `)
		}
		q.WriteString(`(?, ?, ?, ?, ?, ?)`)
		args = append(args, t.accountID, string(entity), id, v.FieldID, v.Value, unix(t.now))
		v.EntityID, v.CreatedAt, v.UpdatedAt = id, t.now, time.Time{}
	}
	if t.db.dialect.name() == "sqlite" {
		// RETURNING cost SQLite about 45 µs per lead (its rows are
		// buffered, and through database/sql); the rows of one INSERT get
		// consecutive ids in VALUES order (AUTOINCREMENT, and nobody else
		// writes while this transaction holds the write connection), so
		// the last one gives them all.
		res, err := t.exec(ctx, q.String(), args...)
		if err != nil {
			return err
		}
		last, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for i := range values {
			values[i].ID = last - int64(len(values)-1-i)
		}
		return nil
	}
	// PostgreSQL's sequence promises no such run of ids, nor RETURNING
	// rows in VALUES order: each id comes with its field.
	q.WriteString(` RETURNING id, field_id`)
	rows, err := t.query(ctx, q.String(), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	index := make(map[int64]int, len(values))
	for i := range values {
		index[values[i].FieldID] = i
	}
	for rows.Next() {
		var rowID, fieldID int64
		if err := rows.Scan(&rowID, &fieldID); err != nil {
			return err
		}
		values[index[fieldID]].ID = rowID
	}
	return rows.Err()
}
