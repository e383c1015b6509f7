package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/crmd/crmd/internal/crm"
)

// customerReadQuery reads a customer with its contacts, segments, tags and
// custom values in one statement (the parts as JSON arrays, like
// DealWithParts): a customer by id was five statements, one per part. The
// last column is the account's customers mode, which the service checks
// (it was a statement of its own).
func customerReadQuery(d dialect) string {
	return `SELECT ` + customerColumns + `,
		(SELECT ` + jsonAgg(d, jsonObject(d, `'i', contact_id, 'm', is_main`), `position`) + ` FROM customer_contacts
			WHERE account_id = c.account_id AND customer_id = c.id),
		(SELECT ` + jsonAgg(d, `segment_id`, `segment_id`) + ` FROM customer_segments
			WHERE account_id = c.account_id AND customer_id = c.id),
		` + tagsPart(d, crm.EntityCustomer, "c.account_id", "c.id") + `,
		` + fieldValuesPart(d, crm.EntityCustomer, "c.account_id", "c.id") + `,
		(SELECT customers_mode FROM accounts WHERE id = c.account_id)
		FROM customers c WHERE c.account_id = ? AND c.id = ?`
}

// customerReadStatements is customerReadQuery's text per dialect, built
// once rather than on every read.
var customerReadStatements sync.Map // dialect name → string

func customerReadStatement(d dialect) string {
	if q, ok := customerReadStatements.Load(d.name()); ok {
		return q.(string)
	}
	q := d.rebind(customerReadQuery(d))
	customerReadStatements.Store(d.name(), q)
	return q
}

// contactLinkJSON is a row of customerReadQuery's contacts. is_main is a
// boolean on PostgreSQL and 0 or 1 on SQLite.
type contactLinkJSON struct {
	ContactID int64           `json:"i"`
	IsMain    json.RawMessage `json:"m"`
}

// CustomerWithParts is Customer with its contacts, segments, tags and
// custom values, and the account's customers mode, in one statement.
func (t *tenantTx) CustomerWithParts(ctx context.Context, id int64) (crm.Customer, crm.CustomersMode, error) {
	var contacts, segments, tags, fields []byte
	var mode string
	c, err := scanCustomer(extraColumns{t.tx.QueryRowContext(ctx, customerReadStatement(t.db.dialect), t.accountID, id),
		[]any{&contacts, &segments, &tags, &fields, &mode}})
	if err != nil {
		return c, "", notFound(err, "Customer")
	}
	c, err = decodeCustomerParts(c, id, contacts, segments, tags, fields)
	return c, crm.CustomersMode(mode), err
}

// decodeCustomerParts fills c's parts from customerReadQuery's JSON.
func decodeCustomerParts(c crm.Customer, id int64, contacts, segments, tags, fields []byte) (crm.Customer, error) {
	if len(contacts) > 0 {
		var rows []contactLinkJSON
		if err := json.Unmarshal(contacts, &rows); err != nil {
			return c, fmt.Errorf("decode customer %d: %w", id, err)
		}
		for _, r := range rows {
			m := string(r.IsMain)
			c.Contacts = append(c.Contacts, crm.ContactLink{ContactID: r.ContactID, IsMain: m == "true" || m == "1"})
		}
	}
	if len(segments) > 0 {
		if err := decodeIDs(segments, &c.SegmentIDs); err != nil {
			return c, fmt.Errorf("decode customer %d: %w", id, err)
		}
	}
	if len(tags) > 0 {
		if err := decodeTags(tags, &c.Tags); err != nil {
			return c, fmt.Errorf("decode customer %d: %w", id, err)
		}
	}
	if len(fields) > 0 {
		if err := decodeFieldValues(fields, &c.Fields); err != nil {
			return c, fmt.Errorf("decode customer %d: %w", id, err)
		}
	}
	return c, nil
}
