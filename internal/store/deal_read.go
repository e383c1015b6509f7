package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

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
		return `(SELECT ` + jsonAgg(d, `contact_id`, `position`) + ` FROM deal_contacts
			WHERE account_id = d.account_id AND deal_id = d.id)`
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
var dealPartOrder = [...]crm.DealPart{crm.DealPartInbounds, crm.DealPartServiceValues, crm.DealPartFields, crm.DealPartTags, crm.DealPartContacts}

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
// statement; with crm.DealPartContacts it also returns the ids of the
// deal's contacts other than its main one, in their order.
func (t *tenantTx) DealWithParts(ctx context.Context, id int64, parts crm.DealPart) (crm.Deal, []int64, error) {
	var raw [len(dealPartOrder)][]byte
	row := t.queryRow(ctx, dealReadQuery(t.db.dialect, parts), t.accountID, id)
	d, err := scanDeal(extraColumns{row, []any{&raw[0], &raw[1], &raw[2], &raw[3], &raw[4]}})
	if err != nil {
		return d, nil, notFound(err, "Deal")
	}
	var contacts []int64
	for i, p := range dealPartOrder {
		if parts&p == 0 || len(raw[i]) == 0 {
			continue
		}
		if err := decodeDealPart(&d, &contacts, p, raw[i]); err != nil {
			return d, nil, fmt.Errorf("decode deal %d: %w", id, err)
		}
	}
	return d, contacts, nil
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
)

// decodeDealPart fills one part of d (or contacts) from its JSON array,
// as the separate reads (ServiceValues, FieldValues, EntityTags,
// DealInbounds, DealContacts) fill them: nil when there are no rows.
func decodeDealPart(d *crm.Deal, contacts *[]int64, part crm.DealPart, raw []byte) error {
	switch part {
	case crm.DealPartInbounds:
		return decodeIDs(raw, &d.InboundIDs)
	case crm.DealPartContacts:
		return decodeIDs(raw, contacts)
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
