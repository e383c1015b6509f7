package store

import (
	"context"
	"strings"

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

// listWhere builds the WHERE clause of a ListQuery on contacts or companies
// (entity) and its ORDER BY.
func (t *tenantTx) listWhere(entity crm.EntityType, q crm.ListQuery) (where string, args []any, order string) {
	f := &filter{}
	f.add(`account_id = ?`, t.accountID)
	f.in(`id`, q.IDs)
	f.in(`responsible_user_id`, q.ResponsibleUserIDs)
	f.in(`created_by`, q.CreatedBy)
	f.in(`updated_by`, q.UpdatedBy)
	f.between(`created_at`, q.CreatedAt)
	f.between(`updated_at`, q.UpdatedAt)
	if len(q.Names) > 0 {
		names := make([]any, len(q.Names))
		for i, n := range q.Names {
			names[i] = n
		}
		f.add(`name IN (`+placeholders(len(names))+`)`, names...)
	}
	if kw := strings.ToLower(strings.TrimSpace(q.Search)); kw != "" {
		if entity == crm.EntityCompany {
			t.companySearch(f, kw)
		} else {
			t.contactSearch(f, kw)
		}
	}
	dir := ` ASC`
	if q.Desc {
		dir = ` DESC`
	}
	order = `id` + dir
	if q.OrderBy == "updated_at" {
		order = `updated_at` + dir + `, id` + dir
	}
	return f.sql(), f.args, order
}

// contactSearch adds amoCRM's query on contacts (crm.ListQuery.Search): the
// contact's names, its service and custom field values and its contact
// data, phones also by their digits (crm.PhoneSearch). Unlike the Envybox
// client keyword (ClientIDs) it leaves out the names of contact persons and
// deals: those are other records in amoCRM, found through their own lists.
func (t *tenantTx) contactSearch(f *filter, kw string) {
	pat := containsPattern(kw)
	data, dataArgs := like(t.foldExpr("cd.value")), []any{pat}
	if digits := crm.PhoneSearch(kw); digits != "" {
		// Stored phones are digits, so they need no folding.
		data += ` OR ` + like("cd.value")
		dataArgs = append(dataArgs, containsPattern(digits))
	}
	args := []any{pat, pat, pat, pat, pat}
	f.add(`(`+like(t.foldExpr("name"))+` OR `+like(t.foldExpr("first_name"))+` OR `+like(t.foldExpr("last_name"))+`
		OR EXISTS (SELECT 1 FROM service_values sv WHERE sv.account_id = contacts.account_id AND sv.entity_type = 'contacts'
			AND sv.entity_id = contacts.id AND `+like(t.foldExpr("sv.value"))+`)
		OR EXISTS (SELECT 1 FROM field_values fv WHERE fv.account_id = contacts.account_id AND fv.entity_type = 'contacts'
			AND fv.entity_id = contacts.id AND `+like(t.foldExpr("fv.value"))+`)
		OR EXISTS (SELECT 1 FROM contact_data cd WHERE cd.account_id = contacts.account_id AND cd.owner_type = 'contacts'
			AND cd.owner_id = contacts.id AND (`+data+`)))`, append(args, dataArgs...)...)
}

// companySearch adds amoCRM's query on companies: the name, the legal
// details, the custom field values and the company's own contact data
// (amoCRM's PHONE, EMAIL, WEB and ADDRESS, written through v4), phones also
// by their digits.
func (t *tenantTx) companySearch(f *filter, kw string) {
	pat := containsPattern(kw)
	var cols []string
	var args []any
	for _, c := range []string{"name", "full_name", "inn", "kpp", "ogrn", "legal_address", "postal_address", "general_manager",
		"bank_name", "bik", "payment_account", "correspondent_account"} {
		cols = append(cols, like(t.foldExpr(c)))
		args = append(args, pat)
	}
	data, dataArgs := like(t.foldExpr("cd.value")), []any{pat}
	if digits := crm.PhoneSearch(kw); digits != "" {
		data += ` OR ` + like("cd.value")
		dataArgs = append(dataArgs, containsPattern(digits))
	}
	args = append(args, pat)
	f.add(`(`+strings.Join(cols, ` OR `)+`
		OR EXISTS (SELECT 1 FROM field_values fv WHERE fv.account_id = companies.account_id AND fv.entity_type = 'companies'
			AND fv.entity_id = companies.id AND `+like(t.foldExpr("fv.value"))+`)
		OR EXISTS (SELECT 1 FROM contact_data cd WHERE cd.account_id = companies.account_id AND cd.owner_type = 'companies'
			AND cd.owner_id = companies.id AND (`+data+`)))`, append(args, dataArgs...)...)
}

func (t *tenantTx) Contacts(ctx context.Context, q crm.ListQuery) ([]crm.Contact, int, error) {
	where, args, order := t.listWhere(crm.EntityContact, q)
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM contacts WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := t.query(ctx, `SELECT `+contactColumns+` FROM contacts WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
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
	where, args, order := t.listWhere(crm.EntityCompany, q)
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM companies WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := t.query(ctx, `SELECT `+companyColumns+` FROM companies WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
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
