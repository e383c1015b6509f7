package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/crmd/crmd/internal/crm"
)

// A deal by id with its parts was five queries: the deal, then its leads,
// service values, custom values and tags, one statement each. On SQLite
// each statement costs a trip through database/sql and the driver (the
// profile of deal/get showed about half of its store time there, the
// other half in SQLite's engine), on PostgreSQL a round trip. DealWithParts reads the deal
// and every part asked for in one statement: each part is a correlated
// subquery that aggregates its rows, in the order the separate reads
// returned them, into one JSON array, which is decoded here. JSON is what
// both databases can aggregate rows of mixed columns into.

// dealPartQuery is the subquery of one part: a JSON array of its rows.
func dealPartQuery(d dialect, part crm.DealPart) string {
	switch part {
	case crm.DealPartInbounds:
		return `(SELECT ` + jsonAgg(d, `inbound_id`, `inbound_id`) + ` FROM inbound_deals
			WHERE account_id = d.account_id AND deal_id = d.id)`
	case crm.DealPartServiceValues:
		return `(SELECT ` + jsonAgg(d, jsonObject(d, `'i', id, 'f', field_id, 'v', value, 'c', created_at, 'u', updated_at`), `field_id`) +
			` FROM service_values WHERE account_id = d.account_id AND entity_type = '` + string(crm.EntityDeal) + `' AND entity_id = d.id)`
	case crm.DealPartFields:
		return fieldValuesPart(d, crm.EntityDeal, "d.account_id", "d.id")
	case crm.DealPartTags:
		return tagsPart(d, crm.EntityDeal, "d.account_id", "d.id")
	case crm.DealPartContacts:
		// +account_id: without it SQLite answered the subquery through
		// deal_contacts_contact (account_id, contact_id), walking every
		// contact link of the account per read, rather than through the
		// primary key (deal_id, contact_id). The unary plus only keeps the
		// column from choosing an index, on both databases.
		return `(SELECT ` + jsonAgg(d, `contact_id`, `position`) + ` FROM deal_contacts
			WHERE +account_id = d.account_id AND deal_id = d.id)`
	case crm.DealPartLossReason:
		// An object, not an array: a deal has at most one.
		return `(SELECT ` + jsonObject(d, `'i', lr.id, 'a', lr.account_id, 'n', lr.name, 's', lr.sort, 'c', lr.created_at, 'u', lr.updated_at`) +
			` FROM loss_reasons lr WHERE lr.account_id = d.account_id AND lr.id = d.loss_reason_id)`
	}
	panic(fmt.Sprintf("store: unknown deal part %d", part))
}

// fieldValuesPart is the subquery of an entity's custom values, in
// FieldValues' order, its rows decoded by decodeFieldValues.
func fieldValuesPart(d dialect, entity crm.EntityType, account, id string) string {
	return `(SELECT ` + jsonAgg(d, jsonObject(d, `'f', f.id, 'n', f.name, 'c', f.code, 't', f.type, 'v', v.value,
		'e', COALESCE(v.enum_id, 0), 'ec', COALESCE(e.code, ''), 's', v.subtype`), `f.sort, f.id, v.position`) + `
		FROM field_values v
		JOIN custom_fields f ON f.id = v.field_id AND f.account_id = v.account_id
		LEFT JOIN custom_field_enums e ON e.id = v.enum_id AND e.account_id = v.account_id
		WHERE v.account_id = ` + account + ` AND v.entity_type = '` + string(entity) + `' AND v.entity_id = ` + id + `)`
}

// tagsPart is the subquery of an entity's tags, in EntityTags' order.
func tagsPart(d dialect, entity crm.EntityType, account, id string) string {
	return `(SELECT ` + jsonAgg(d, jsonObject(d, `'i', tg.id, 'n', tg.name`), `et.position`) + ` FROM entity_tags et
		JOIN tags tg ON tg.id = et.tag_id AND tg.account_id = et.account_id
		WHERE et.account_id = ` + account + ` AND et.entity_type = '` + string(entity) + `' AND et.entity_id = ` + id + `)`
}

// jsonAgg aggregates value over a subquery's rows, ordered by orderBy,
// into a JSON array. PostgreSQL's json_agg of no rows is NULL, which
// decodes as no rows too.
func jsonAgg(d dialect, value, orderBy string) string {
	if d.name() == "postgres" {
		return `json_agg(` + value + ` ORDER BY ` + orderBy + `)`
	}
	return `json_group_array(` + value + ` ORDER BY ` + orderBy + `)`
}

// jsonObject builds a JSON object of alternating keys and values.
func jsonObject(d dialect, pairs string) string {
	if d.name() == "postgres" {
		return `json_build_object(` + pairs + `)`
	}
	return `json_object(` + pairs + `)`
}

// dealPartOrder is the order of the parts' columns after dealColumns.
var dealPartOrder = [...]crm.DealPart{crm.DealPartInbounds, crm.DealPartServiceValues, crm.DealPartFields, crm.DealPartTags,
	crm.DealPartContacts, crm.DealPartLossReason}

// dealReadQueries keeps the statement of each set of parts per dialect:
// built on every read, its 1.5 KB of text were a tenth of a lead read's
// allocated bytes, and the statement cache hashes the text anyway.
var dealReadQueries sync.Map // dealReadKey → string

type dealReadKey struct {
	dialect string
	parts   crm.DealPart
}

// dealReadStatement is dealReadQuery's text, rebound, built once.
func dealReadStatement(d dialect, parts crm.DealPart) string {
	key := dealReadKey{d.name(), parts}
	if q, ok := dealReadQueries.Load(key); ok {
		return q.(string)
	}
	q := d.rebind(dealReadQuery(d, parts))
	dealReadQueries.Store(key, q)
	return q
}

// dealReadQuery is the statement of DealWithParts for a set of parts; a
// part not asked for is a NULL column, so the columns stay in place.
func dealReadQuery(d dialect, parts crm.DealPart) string {
	var b strings.Builder
	b.WriteString(`SELECT ` + dealColumns)
	for _, p := range dealPartOrder {
		if parts&p != 0 {
			b.WriteString(", " + dealPartQuery(d, p))
		} else {
			b.WriteString(", NULL")
		}
	}
	b.WriteString(dealFrom + ` WHERE d.account_id = ? AND d.id = ?`)
	return b.String()
}

// DealWithParts is Deal with the parts named in parts filled, in one
// statement; the contacts and the loss reason come in crm.DealLinks.
func (t *tenantTx) DealWithParts(ctx context.Context, id int64, parts crm.DealPart) (crm.Deal, crm.DealLinks, error) {
	var raw [len(dealPartOrder)][]byte
	var links crm.DealLinks
	row := t.tx.QueryRowContext(ctx, dealReadStatement(t.db.dialect, parts), t.accountID, id)
	d, err := scanDeal(extraColumns{row, []any{&raw[0], &raw[1], &raw[2], &raw[3], &raw[4], &raw[5]}})
	if err != nil {
		return d, links, notFound(err, "Deal")
	}
	for i, p := range dealPartOrder {
		if parts&p == 0 || len(raw[i]) == 0 {
			continue
		}
		if err := decodeDealPart(&d, &links, p, raw[i]); err != nil {
			return d, links, fmt.Errorf("decode deal %d: %w", id, err)
		}
	}
	return d, links, nil
}

// extraColumns scans a row that has columns after the ones its scanner
// asks for into extra.
type extraColumns struct {
	row   scanner
	extra []any
}

func (e extraColumns) Scan(dest ...any) error { return e.row.Scan(append(dest, e.extra...)...) }

// The rows of the parts, as jsonObject builds them.
type (
	serviceValueJSON struct {
		ID        int64  `json:"i"`
		FieldID   int64  `json:"f"`
		Value     string `json:"v"`
		CreatedAt int64  `json:"c"`
		UpdatedAt *int64 `json:"u"`
	}
	fieldValueJSON struct {
		FieldID   int64  `json:"f"`
		FieldName string `json:"n"`
		FieldCode string `json:"c"`
		FieldType string `json:"t"`
		Text      string `json:"v"`
		EnumID    int64  `json:"e"`
		EnumCode  string `json:"ec"`
		Subtype   string `json:"s"`
	}
	tagJSON struct {
		ID   int64  `json:"i"`
		Name string `json:"n"`
	}
	lossReasonJSON struct {
		ID        int64  `json:"i"`
		AccountID int64  `json:"a"`
		Name      string `json:"n"`
		Sort      int    `json:"s"`
		CreatedAt int64  `json:"c"`
		UpdatedAt int64  `json:"u"`
	}
)

// decodeDealPart fills one part of d (or links) from its JSON, as the
// separate reads (ServiceValues, FieldValues, EntityTags, DealInbounds,
// DealContacts, LossReason) fill them: nil when there are no rows.
func decodeDealPart(d *crm.Deal, links *crm.DealLinks, part crm.DealPart, raw []byte) error {
	switch part {
	case crm.DealPartInbounds:
		return decodeIDs(raw, &d.InboundIDs)
	case crm.DealPartContacts:
		return decodeIDs(raw, &links.Contacts)
	case crm.DealPartLossReason:
		var r lossReasonJSON
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		links.LossReason = &crm.LossReason{ID: r.ID, AccountID: r.AccountID, Name: r.Name, Sort: r.Sort,
			CreatedAt: fromUnix(r.CreatedAt), UpdatedAt: fromUnix(r.UpdatedAt)}
	case crm.DealPartServiceValues:
		var rows []serviceValueJSON
		if err := json.Unmarshal(raw, &rows); err != nil {
			return err
		}
		for _, r := range rows {
			v := crm.ServiceValue{ID: r.ID, EntityID: d.ID, FieldID: r.FieldID, Value: r.Value, CreatedAt: fromUnix(r.CreatedAt)}
			if r.UpdatedAt != nil {
				v.UpdatedAt = fromUnix(*r.UpdatedAt)
			}
			d.Values = append(d.Values, v)
		}
	case crm.DealPartFields:
		return decodeFieldValues(raw, &d.Fields)
	case crm.DealPartTags:
		return decodeTags(raw, &d.Tags)
	}
	return nil
}

// decodeFieldValues decodes fieldValuesPart's rows as FieldValues groups
// them: one FieldValue a field, its values in order.
func decodeFieldValues(raw []byte, out *[]crm.FieldValue) error {
	var rows []fieldValueJSON
	if err := json.Unmarshal(raw, &rows); err != nil {
		return err
	}
	list := *out
	for _, r := range rows {
		v := crm.Value{Text: r.Text, EnumID: r.EnumID, EnumCode: r.EnumCode, Subtype: r.Subtype}
		if n := len(list); n > 0 && list[n-1].FieldID == r.FieldID {
			list[n-1].Values = append(list[n-1].Values, v)
			continue
		}
		list = append(list, crm.FieldValue{FieldID: r.FieldID, FieldName: r.FieldName, FieldCode: r.FieldCode,
			FieldType: crm.FieldType(r.FieldType), Values: []crm.Value{v}})
	}
	*out = list
	return nil
}

// decodeTags decodes tagsPart's rows.
func decodeTags(raw []byte, out *[]crm.Tag) error {
	var rows []tagJSON
	if err := json.Unmarshal(raw, &rows); err != nil {
		return err
	}
	for _, r := range rows {
		*out = append(*out, crm.Tag{ID: r.ID, Name: r.Name})
	}
	return nil
}

// decodeIDs decodes a JSON array of ids, leaving *ids nil when it is empty.
func decodeIDs(raw []byte, ids *[]int64) error {
	var out []int64
	if err := json.Unmarshal(raw, &out); err != nil {
		return err
	}
	if len(out) > 0 {
		*ids = out
	}
	return nil
}
