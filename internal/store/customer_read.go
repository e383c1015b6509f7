package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/crmd/crmd/internal/crm"
)

// customerReadQuery reads a customer with its contacts, segments, tags and
// custom values in one statement (the parts as JSON arrays, like
// DealWithParts): a customer by id was five statements, one per part.
func customerReadQuery(d dialect) string {
	return `SELECT ` + customerColumns + `,
		(SELECT ` + jsonAgg(d, jsonObject(d, `'i', contact_id, 'm', is_main`), `position`) + ` FROM customer_contacts
			WHERE account_id = c.account_id AND customer_id = c.id),
		(SELECT ` + jsonAgg(d, `segment_id`, `segment_id`) + ` FROM customer_segments
			WHERE account_id = c.account_id AND customer_id = c.id),
		` + tagsPart(d, crm.EntityCustomer, "c.account_id", "c.id") + `,
		` + fieldValuesPart(d, crm.EntityCustomer, "c.account_id", "c.id") + `
		FROM customers c WHERE c.account_id = ? AND c.id = ?`
}

// contactLinkJSON is a row of customerReadQuery's contacts. is_main is a
// boolean on PostgreSQL and 0 or 1 on SQLite.
type contactLinkJSON struct {
	ContactID int64           `json:"i"`
	IsMain    json.RawMessage `json:"m"`
}

// CustomerWithParts is Customer with its contacts, segments, tags and
// custom values, in one statement.
func (t *tenantTx) CustomerWithParts(ctx context.Context, id int64) (crm.Customer, error) {
	var contacts, segments, tags, fields []byte
	c, err := scanCustomer(extraColumns{t.queryRow(ctx, customerReadQuery(t.db.dialect), t.accountID, id),
		[]any{&contacts, &segments, &tags, &fields}})
	if err != nil {
		return c, notFound(err, "Customer")
	}
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
