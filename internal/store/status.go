package store

import (
	"context"

	"github.com/crmd/crmd/internal/crm"
)

const statusColumns = `id, account_id, name, sort, is_default, color, type, conditions, period_days, created_at, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanStatus(row scanner) (crm.CustomerStatus, error) {
	var s crm.CustomerStatus
	var conditions string
	var created, updated int64
	err := row.Scan(&s.ID, &s.AccountID, &s.Name, &s.Sort, &s.IsDefault, &s.Color, &s.Type, &conditions, &s.PeriodDays, &created, &updated)
	s.Conditions = []byte(conditions)
	s.CreatedAt, s.UpdatedAt = fromUnix(created), fromUnix(updated)
	return s, err
}

func (t *tenantTx) CustomerStatuses(ctx context.Context) ([]crm.CustomerStatus, error) {
	rows, err := t.query(ctx, `SELECT `+statusColumns+` FROM customer_statuses WHERE account_id = ? ORDER BY sort, id`, t.accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []crm.CustomerStatus{}
	for rows.Next() {
		s, err := scanStatus(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (t *tenantTx) CustomerStatus(ctx context.Context, id int64) (crm.CustomerStatus, error) {
	s, err := scanStatus(t.queryRow(ctx, `SELECT `+statusColumns+` FROM customer_statuses WHERE account_id = ? AND id = ?`, t.accountID, id))
	return s, notFound(err, "Customer status")
}

func (t *tenantTx) CountCustomerStatuses(ctx context.Context) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM customer_statuses WHERE account_id = ?`, t.accountID).Scan(&n)
	return n, err
}

func (t *tenantTx) InsertCustomerStatus(ctx context.Context, s *crm.CustomerStatus) error {
	s.AccountID, s.CreatedAt, s.UpdatedAt = t.accountID, t.now, t.now
	if len(s.Conditions) == 0 {
		s.Conditions = []byte(`[]`)
	}
	id, err := t.insert(ctx, `INSERT INTO customer_statuses (account_id, name, sort, is_default, color, type, conditions, period_days, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.accountID, s.Name, s.Sort, s.IsDefault, s.Color, int(s.Type), string(s.Conditions), s.PeriodDays, unix(t.now), unix(t.now))
	s.ID = id
	return err
}

func (t *tenantTx) UpdateCustomerStatus(ctx context.Context, s *crm.CustomerStatus) error {
	s.UpdatedAt = t.now
	res, err := t.exec(ctx, `UPDATE customer_statuses SET name = ?, sort = ?, color = ?, period_days = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		s.Name, s.Sort, s.Color, s.PeriodDays, unix(t.now), t.accountID, s.ID)
	return affected(res, err, "Customer status")
}

func (t *tenantTx) DeleteCustomerStatus(ctx context.Context, id int64) error {
	res, err := t.exec(ctx, `DELETE FROM customer_statuses WHERE account_id = ? AND id = ?`, t.accountID, id)
	return affected(res, err, "Customer status")
}
