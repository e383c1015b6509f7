package store

import (
	"context"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// foldExpr lower-cases a text expression for a case-insensitive LIKE.
func (t *tenantTx) foldExpr(expr string) string { return t.db.dialect.fold(expr) }

func (t *tenantTx) ClientIDs(ctx context.Context, q crm.ClientQuery) ([]int64, error) {
	f := &filter{}
	f.add(`c.account_id = ?`, t.accountID)
	f.between(`c.created_at`, q.Created)
	if kw := strings.ToLower(strings.TrimSpace(q.Keyword)); kw != "" {
		pat := containsPattern(kw)
		data := like(t.foldExpr("cd.value"))
		args := []any{pat}
		// A phone keyword matches stored digits however it is written.
		if digits := crm.PhoneSearch(kw); digits != "" {
			data += ` OR ` + like("cd.value")
			args = append(args, containsPattern(digits))
		}
		cond := `(` + like(t.foldExpr("c.name")) + `
			OR EXISTS (SELECT 1 FROM service_values sv WHERE sv.account_id = c.account_id AND sv.entity_type = 'contacts'
				AND sv.entity_id = c.id AND ` + like(t.foldExpr("sv.value")) + `)
			OR EXISTS (SELECT 1 FROM field_values fv WHERE fv.account_id = c.account_id AND fv.entity_type = 'contacts'
				AND fv.entity_id = c.id AND ` + like(t.foldExpr("fv.value")) + `)
			OR EXISTS (SELECT 1 FROM contact_data cd WHERE cd.account_id = c.account_id AND cd.owner_type = 'contacts'
				AND cd.owner_id = c.id AND (` + data + `))
			OR EXISTS (SELECT 1 FROM contact_persons p WHERE p.account_id = c.account_id AND p.client_id = c.id
				AND ` + like(t.foldExpr("p.name")) + `)
			OR EXISTS (SELECT 1 FROM deals d WHERE d.account_id = c.account_id AND d.client_id = c.id
				AND ` + like(t.foldExpr("d.name")) + `))`
		all := []any{pat, pat, pat}
		all = append(all, args...)
		all = append(all, pat, pat)
		f.add(cond, all...)
	}
	if q.BeforeID > 0 {
		f.add(`c.id < ?`, q.BeforeID)
	}
	query, args := `SELECT c.id FROM contacts c WHERE `+f.sql()+` ORDER BY c.id DESC`, f.args
	if q.PageOnly {
		query, args = query+` LIMIT ?`, append(args, max(q.Limit, 1))
	}
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (t *tenantTx) UpdateClientName(ctx context.Context, id int64, name string, by int64) error {
	t.dirtyClient(id)
	res, err := t.exec(ctx, `UPDATE contacts SET name = ?, updated_by = ?, updated_at = ? WHERE account_id = ? AND id = ?`,
		name, by, unix(t.now), t.accountID, id)
	return affected(res, err, "Contact")
}

func (t *tenantTx) InsertContactPerson(ctx context.Context, p *crm.ContactPerson) error {
	p.AccountID, p.CreatedAt, p.UpdatedAt = t.accountID, t.now, t.now
	id, err := t.insert(ctx, `INSERT INTO contact_persons (account_id, client_id, name, birthday, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.accountID, p.ClientID, p.Name, p.Birthday, unix(t.now), unix(t.now))
	p.ID = id
	return err
}

func (t *tenantTx) ContactPersons(ctx context.Context, clientIDs []int64) (map[int64][]crm.ContactPerson, error) {
	out := map[int64][]crm.ContactPerson{}
	if len(clientIDs) == 0 {
		return out, nil
	}
	rows, err := t.query(ctx, `SELECT id, account_id, client_id, name, birthday, created_at, updated_at FROM contact_persons
		WHERE account_id = ? AND client_id IN (`+placeholders(len(clientIDs))+`) ORDER BY client_id, id`, t.idArgs(clientIDs)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p crm.ContactPerson
		var created, updated int64
		if err := rows.Scan(&p.ID, &p.AccountID, &p.ClientID, &p.Name, &p.Birthday, &created, &updated); err != nil {
			return nil, err
		}
		p.CreatedAt, p.UpdatedAt = fromUnix(created), fromUnix(updated)
		out[p.ClientID] = append(out[p.ClientID], p)
	}
	return out, rows.Err()
}

func (t *tenantTx) SetCompanyLegal(ctx context.Context, companyID int64, d crm.LegalDetails) error {
	res, err := t.exec(ctx, `UPDATE companies SET full_name = ?, inn = ?, kpp = ?, ogrn = ?, legal_address = ?, postal_address = ?,
		general_manager = ?, bank_name = ?, bik = ?, payment_account = ?, correspondent_account = ?, updated_at = ?
		WHERE account_id = ? AND id = ?`,
		d.FullName, d.INN, d.KPP, d.OGRN, d.LegalAddress, d.PostalAddress, d.GeneralManager, d.BankName, d.BIK,
		d.PaymentAccount, d.CorrespondentAccount, unix(t.now), t.accountID, companyID)
	return affected(res, err, "Company")
}

func (t *tenantTx) LinkClientCompany(ctx context.Context, clientID, companyID int64, primary bool) error {
	_, err := t.exec(ctx, `INSERT INTO client_companies (account_id, client_id, company_id, is_primary, created_at) VALUES (?, ?, ?, ?, ?)`,
		t.accountID, clientID, companyID, primary, unix(t.now))
	return err
}

func (t *tenantTx) ClientCompanies(ctx context.Context, clientID int64) ([]crm.ClientCompany, error) {
	rows, err := t.query(ctx, `SELECT co.id, co.account_id, co.name, co.responsible_user_id, co.created_by, co.updated_by, co.created_at,
		co.updated_at, co.full_name, co.inn, co.kpp, co.ogrn, co.legal_address, co.postal_address, co.general_manager, co.bank_name,
		co.bik, co.payment_account, co.correspondent_account, l.client_id, l.is_primary
		FROM client_companies l JOIN companies co ON co.id = l.company_id AND co.account_id = l.account_id
		WHERE l.account_id = ? AND l.client_id = ? ORDER BY l.is_primary DESC, l.id`, t.accountID, clientID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []crm.ClientCompany{}
	for rows.Next() {
		var c crm.ClientCompany
		var created, updated int64
		d := &c.LegalDetails
		if err := rows.Scan(&c.ID, &c.AccountID, &c.Name, &c.ResponsibleUserID, &c.CreatedBy, &c.UpdatedBy, &created, &updated,
			&d.FullName, &d.INN, &d.KPP, &d.OGRN, &d.LegalAddress, &d.PostalAddress, &d.GeneralManager, &d.BankName,
			&d.BIK, &d.PaymentAccount, &d.CorrespondentAccount, &c.ClientID, &c.Primary); err != nil {
			return nil, err
		}
		c.CreatedAt, c.UpdatedAt = fromUnix(created), fromUnix(updated)
		out = append(out, c)
	}
	return out, rows.Err()
}
