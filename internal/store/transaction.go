package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

const transactionColumns = `id, account_id, customer_id, price, comment, completed_at, created_by, updated_by, created_at, updated_at`

func scanTransaction(row scanner) (crm.Transaction, error) {
	var tr crm.Transaction
	var completed, created, updated int64
	err := row.Scan(&tr.ID, &tr.AccountID, &tr.CustomerID, &tr.Price, &tr.Comment, &completed, &tr.CreatedBy, &tr.UpdatedBy, &created, &updated)
	tr.CompletedAt, tr.CreatedAt, tr.UpdatedAt = fromUnix(completed), fromUnix(created), fromUnix(updated)
	return tr, err
}

// transactionInsertColumns are the columns transactionArgs fills, in its order.
const transactionInsertColumns = `customer_id, price, comment, completed_at, created_by, updated_by, created_at, updated_at`

func transactionArgs(tr *crm.Transaction) []any {
	return []any{tr.CustomerID, tr.Price, tr.Comment, unix(tr.CompletedAt), tr.CreatedBy, tr.UpdatedBy, unix(tr.CreatedAt), unix(tr.UpdatedAt)}
}

func (t *tenantTx) InsertTransaction(ctx context.Context, tr *crm.Transaction) error {
	tr.AccountID, tr.CreatedAt, tr.UpdatedAt = t.accountID, t.now, t.now
	id, err := t.insert(ctx, `INSERT INTO transactions (`+transactionInsertColumns+`, account_id) VALUES (`+
		placeholders(columnCount(transactionInsertColumns)+1)+`)`, append(transactionArgs(tr), t.accountID)...)
	tr.ID = id
	return err
}

func (t *tenantTx) Transaction(ctx context.Context, id int64) (crm.Transaction, error) {
	tr, err := scanTransaction(t.queryRow(ctx, `SELECT `+transactionColumns+` FROM transactions WHERE account_id = ? AND id = ?`, t.accountID, id))
	return tr, notFound(err, "Transaction")
}

func (t *tenantTx) Transactions(ctx context.Context, q crm.TransactionQuery) ([]crm.Transaction, int, error) {
	f := &filter{}
	f.add(`account_id = ?`, t.accountID)
	f.in(`id`, q.IDs)
	f.in(`customer_id`, q.CustomerIDs)
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM transactions WHERE `+f.sql(), f.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = crm.DefaultPageLimit
	}
	// Newest first, as amoCRM's v2 example lists them.
	rows, err := t.query(ctx, `SELECT `+transactionColumns+` FROM transactions WHERE `+f.sql()+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(f.args, limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []crm.Transaction{}
	for rows.Next() {
		tr, err := scanTransaction(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, tr)
	}
	return out, total, rows.Err()
}

func (t *tenantTx) DeleteTransaction(ctx context.Context, id int64) error {
	res, err := t.exec(ctx, `DELETE FROM transactions WHERE account_id = ? AND id = ?`, t.accountID, id)
	return affected(res, err, "Transaction")
}

func (t *tenantTx) SetTransactionComment(ctx context.Context, id int64, comment string) error {
	res, err := t.exec(ctx, `UPDATE transactions SET comment = ? WHERE account_id = ? AND id = ?`, comment, t.accountID, id)
	return affected(res, err, "Transaction")
}

func (t *tenantTx) PurchaseTotals(ctx context.Context, customerID int64) (sum, count int64, last time.Time, err error) {
	var lastUnix sql.NullInt64
	err = t.queryRow(ctx, `SELECT COALESCE(SUM(price), 0), COUNT(*), MAX(completed_at) FROM transactions WHERE account_id = ? AND customer_id = ?`,
		t.accountID, customerID).Scan(&sum, &count, &lastUnix)
	return sum, count, timeOf(lastUnix), err
}
