package store

import (
	"context"

	"github.com/crmd/crmd/internal/crm"
)

const contactColumns = `id, account_id, name, first_name, last_name, responsible_user_id, created_by, updated_by, created_at, updated_at`

func scanContact(row scanner) (crm.Contact, error) {
	var c crm.Contact
	var created, updated int64
	err := row.Scan(&c.ID, &c.AccountID, &c.Name, &c.FirstName, &c.LastName, &c.ResponsibleUserID, &c.CreatedBy, &c.UpdatedBy, &created, &updated)
	c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
	return c, err
}

// contactInsertColumns are the columns contactArgs fills, in its order.
const contactInsertColumns = `name, first_name, last_name, responsible_user_id, created_by, updated_by, created_at, updated_at`

func contactArgs(c *crm.Contact) []any {
	return []any{c.Name, c.FirstName, c.LastName, c.ResponsibleUserID, c.CreatedBy, c.UpdatedBy, unix(c.CreatedAt), unix(c.UpdatedAt)}
}

func (t *tenantTx) InsertContact(ctx context.Context, c *crm.Contact) error {
	c.AccountID, c.CreatedAt, c.UpdatedAt = t.accountID, t.now, t.now
	id, err := t.insert(ctx, `INSERT INTO contacts (`+contactInsertColumns+`, account_id) VALUES (`+placeholders(columnCount(contactInsertColumns)+1)+`)`,
		append(contactArgs(c), t.accountID)...)
	c.ID = id
	return err
}

func (t *tenantTx) Contact(ctx context.Context, id int64) (crm.Contact, error) {
	c, err := scanContact(t.queryRow(ctx, `SELECT `+contactColumns+` FROM contacts WHERE account_id = ? AND id = ?`, t.accountID, id))
	return c, notFound(err, "Contact")
}

// listWhere builds the WHERE clause of a ListQuery on an account-owned table.
func (t *tenantTx) listWhere(q crm.ListQuery) (string, []any) {
	where := `account_id = ?`
	args := []any{t.accountID}
	if len(q.IDs) > 0 {
		where += ` AND id IN (` + placeholders(len(q.IDs)) + `)`
		for _, id := range q.IDs {
			args = append(args, id)
		}
	}
	return where, args
}

func (t *tenantTx) Contacts(ctx context.Context, q crm.ListQuery) ([]crm.Contact, int, error) {
	where, args := t.listWhere(q)
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM contacts WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := t.query(ctx, `SELECT `+contactColumns+` FROM contacts WHERE `+where+` ORDER BY id LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []crm.Contact{}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

const companyColumns = `id, account_id, name, responsible_user_id, created_by, updated_by, created_at, updated_at`

func scanCompany(row scanner) (crm.Company, error) {
	var c crm.Company
	var created, updated int64
	err := row.Scan(&c.ID, &c.AccountID, &c.Name, &c.ResponsibleUserID, &c.CreatedBy, &c.UpdatedBy, &created, &updated)
	c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
	return c, err
}

func (t *tenantTx) InsertCompany(ctx context.Context, c *crm.Company) error {
	c.AccountID, c.CreatedAt, c.UpdatedAt = t.accountID, t.now, t.now
	id, err := t.insert(ctx, `INSERT INTO companies (account_id, name, responsible_user_id, created_by, updated_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, t.accountID, c.Name, c.ResponsibleUserID, c.CreatedBy, c.UpdatedBy, unix(t.now), unix(t.now))
	c.ID = id
	return err
}

func (t *tenantTx) Company(ctx context.Context, id int64) (crm.Company, error) {
	c, err := scanCompany(t.queryRow(ctx, `SELECT `+companyColumns+` FROM companies WHERE account_id = ? AND id = ?`, t.accountID, id))
	return c, notFound(err, "Company")
}

func (t *tenantTx) Companies(ctx context.Context, q crm.ListQuery) ([]crm.Company, int, error) {
	where, args := t.listWhere(q)
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM companies WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := t.query(ctx, `SELECT `+companyColumns+` FROM companies WHERE `+where+` ORDER BY id LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []crm.Company{}
	for rows.Next() {
		c, err := scanCompany(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}
