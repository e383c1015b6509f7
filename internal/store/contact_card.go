package store

import (
	"context"
)

// The links of contacts and companies read from either side, for contact
// and company cards: Envybox client companies (client_companies), customer
// contacts (customer_contacts) and customer companies (customers.company_id).

// idPairs runs a query selecting (key, value) id pairs for the keys into a
// map of lists, in the order order names. The query takes the account id
// and ends in "IN", before the keys' list.
func (t *tenantTx) idPairs(ctx context.Context, query, order string, keys []int64) (map[int64][]int64, error) {
	out := make(map[int64][]int64, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	args := []any{t.accountID}
	for _, id := range keys {
		args = append(args, id)
	}
	rows, err := t.query(ctx, query+` (`+placeholders(len(keys))+`) ORDER BY `+order, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var key, value int64
		if err := rows.Scan(&key, &value); err != nil {
			return nil, err
		}
		out[key] = append(out[key], value)
	}
	return out, rows.Err()
}

func (t *tenantTx) ContactCompanyIDs(ctx context.Context, contactIDs []int64) (map[int64]int64, error) {
	all, err := t.idPairs(ctx, `SELECT client_id, company_id FROM client_companies WHERE account_id = ? AND client_id IN`,
		`client_id, is_primary DESC, id`, contactIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int64, len(all))
	for contact, companies := range all {
		out[contact] = companies[0] // the primary one, or the first attached
	}
	return out, nil
}

func (t *tenantTx) ContactCustomerIDs(ctx context.Context, contactIDs []int64) (map[int64][]int64, error) {
	return t.idPairs(ctx, `SELECT contact_id, customer_id FROM customer_contacts WHERE account_id = ? AND contact_id IN`,
		`contact_id, customer_id`, contactIDs)
}

func (t *tenantTx) CompanyContactIDs(ctx context.Context, companyIDs []int64) (map[int64][]int64, error) {
	return t.idPairs(ctx, `SELECT company_id, client_id FROM client_companies WHERE account_id = ? AND company_id IN`,
		`company_id, client_id`, companyIDs)
}

func (t *tenantTx) CompanyCustomerIDs(ctx context.Context, companyIDs []int64) (map[int64][]int64, error) {
	return t.idPairs(ctx, `SELECT company_id, id FROM customers WHERE account_id = ? AND company_id IN`,
		`company_id, id`, companyIDs)
}
