package store

import (
	"context"

	"github.com/crmd/crmd/internal/crm"
)

// The writes and reverse lookups amoCRM v4's contacts and companies need
// (crm.ContactCardStore).

func (t *tenantTx) UpdateContact(ctx context.Context, c *crm.Contact) error {
	t.dirtyClient(c.ID)
	res, err := t.exec(ctx, `UPDATE contacts SET name = ?, first_name = ?, last_name = ?, responsible_user_id = ?, created_by = ?, updated_by = ?,
		created_at = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		c.Name, c.FirstName, c.LastName, c.ResponsibleUserID, c.CreatedBy, c.UpdatedBy, unix(c.CreatedAt), unix(c.UpdatedAt), t.accountID, c.ID)
	return affected(res, err, "Contact")
}

func (t *tenantTx) UpdateCompany(ctx context.Context, c *crm.Company) error {
	res, err := t.exec(ctx, `UPDATE companies SET name = ?, responsible_user_id = ?, created_by = ?, updated_by = ?, created_at = ?, updated_at = ?
		WHERE account_id = ? AND id = ?`,
		c.Name, c.ResponsibleUserID, c.CreatedBy, c.UpdatedBy, unix(c.CreatedAt), unix(c.UpdatedAt), t.accountID, c.ID)
	return affected(res, err, "Company")
}

func (t *tenantTx) UpdateContactData(ctx context.Context, d *crm.ContactData) error {
	t.dirtyEntity(string(d.OwnerType), d.OwnerID)
	d.UpdatedAt = t.now
	res, err := t.exec(ctx, `UPDATE contact_data SET kind = ?, value = ?, is_primary = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		d.Kind, d.Value, d.Primary, unix(t.now), t.accountID, d.ID)
	return affected(res, err, "Contact data")
}

func (t *tenantTx) DeleteContactData(ctx context.Context, owner crm.EntityType, ownerID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	t.dirtyEntity(string(owner), ownerID)
	args := append([]any{t.accountID, string(owner), ownerID}, t.idArgs(ids)[1:]...)
	_, err := t.exec(ctx, `DELETE FROM contact_data WHERE account_id = ? AND owner_type = ? AND owner_id = ? AND id IN (`+placeholders(len(ids))+`)`, args...)
	return err
}

func (t *tenantTx) ContactCustomerIDs(ctx context.Context, contactIDs []int64) (map[int64][]int64, error) {
	return t.links(ctx, `SELECT contact_id, customer_id FROM customer_contacts WHERE account_id = ? AND contact_id IN`, contactIDs)
}

func (t *tenantTx) CompanyCustomerIDs(ctx context.Context, companyIDs []int64) (map[int64][]int64, error) {
	return t.links(ctx, `SELECT company_id, id FROM customers WHERE account_id = ? AND company_id IN`, companyIDs)
}

func (t *tenantTx) CompanyContactIDs(ctx context.Context, companyIDs []int64) (map[int64][]int64, error) {
	return t.links(ctx, `SELECT company_id, client_id FROM client_companies WHERE account_id = ? AND company_id IN`, companyIDs)
}

func (t *tenantTx) ContactCompanyIDs(ctx context.Context, contactIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(contactIDs) == 0 {
		return out, nil
	}
	rows, err := t.query(ctx, `SELECT client_id, company_id FROM client_companies WHERE account_id = ? AND client_id IN (`+
		placeholders(len(contactIDs))+`) ORDER BY client_id, is_primary DESC, id`, t.idArgs(contactIDs)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return nil, err
		}
		out[a] = append(out[a], b)
	}
	return out, rows.Err()
}
