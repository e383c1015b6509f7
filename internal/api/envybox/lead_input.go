package envybox

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// newInbound reads the body of lead/set and lead/workset (E02) into the
// request to record. method must be "create", the only method the
// document describes.
//
// visit_id is accepted and ignored: it names a visitor stored by Envybox's
// website widgets (the WhiteCallback_visit cookie), which crmd does not
// have, so there is no region to fill in from it; the time zone falls back
// to the given region/timezone or Moscow time, as without a visit.
//
// Custom values pass as sent: the domain reads them by their field's type
// (a date as a day in the account's time zone, a checkbox as 1/0).
func newInbound(c *call) (crm.NewInbound, error) {
	var n crm.NewInbound
	method, err := c.req.str("method")
	if err != nil {
		return n, err
	}
	if method != "create" {
		return n, invalidRequest()
	}
	if n.DealPipelineID, err = c.req.int("pipeline_id"); err != nil {
		return n, err
	}
	if n.EmployeeID, err = c.req.int("employee_id"); err != nil {
		return n, err
	}
	if n.InboxTypeID, err = c.req.int("inbox_type_id"); err != nil {
		return n, err
	}
	if n.Region, err = c.req.str("region"); err != nil {
		return n, err
	}
	if n.TimeZone, err = c.req.str("timezone"); err != nil {
		return n, err
	}
	if n.RecordLink, err = c.req.str("record_link"); err != nil {
		return n, err
	}
	tags, err := c.req.list("tags")
	if err != nil {
		return n, err
	}
	for i, t := range tags {
		name, err := scalarString(t, fmt.Sprintf("tags[%d]", i))
		if err != nil {
			return n, err
		}
		if strings.TrimSpace(name) != "" {
			n.Tags = append(n.Tags, name)
		}
	}
	values, err := c.req.object("values")
	if err != nil {
		return n, err
	}
	n.Values = map[string]string{}
	for key, v := range values {
		if key == "custom" {
			continue
		}
		text, err := scalarString(v, "values."+key)
		if err != nil {
			return n, err
		}
		if text != "" {
			n.Values[key] = text
		}
	}
	custom, err := values.list("custom")
	if err != nil {
		return n, err
	}
	for i, item := range custom {
		obj, ok := item.(map[string]any)
		if !ok {
			return n, badRequest(fmt.Sprintf("values.custom[%d] должен быть объектом", i))
		}
		p := params(obj)
		id, err := p.required("input_id")
		if err != nil {
			return n, err
		}
		n.Custom = append(n.Custom, crm.CustomValueInput{FieldID: id, Value: plain(p["value"])})
	}
	data, err := c.req.list("contact_data")
	if err != nil {
		return n, err
	}
	for i, item := range data {
		obj, ok := item.(map[string]any)
		if !ok {
			return n, badRequest(fmt.Sprintf("contact_data[%d] должен быть объектом", i))
		}
		p := params(obj)
		var cd crm.ContactData
		if cd.Kind, err = p.str("type"); err != nil {
			return n, err
		}
		if cd.Value, err = p.str("value"); err != nil {
			return n, err
		}
		if cd.Addon, err = p.str("addon"); err != nil {
			return n, err
		}
		n.ContactData = append(n.ContactData, cd)
	}
	return n, nil
}

// fieldWrites reads updateLeadValue's fields (E10): value_type_id 1 is a
// service field, 2 a custom one; anything else is "Неверный request".
// Values pass as sent, as in newInbound.
func fieldWrites(c *call) ([]crm.FieldWrite, error) {
	fields, err := c.req.list("fields")
	if err != nil {
		return nil, err
	}
	out := make([]crm.FieldWrite, 0, len(fields))
	for _, item := range fields {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, invalidRequest()
		}
		p := params(obj)
		id, err := p.int("input_id")
		if err != nil || id == 0 {
			return nil, invalidRequest()
		}
		kind, err := p.int("value_type_id")
		if err != nil {
			return nil, invalidRequest()
		}
		switch kind {
		case 1:
			out = append(out, crm.FieldWrite{FieldID: id, Service: true, Value: plain(p["value"])})
		case 2:
			out = append(out, crm.FieldWrite{FieldID: id, Value: plain(p["value"])})
		default:
			return nil, invalidRequest()
		}
	}
	return out, nil
}

// scalarString reads a string member that may also be sent as a number.
func scalarString(v any, name string) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	}
	return "", badRequest(fmt.Sprintf("Параметр %s должен быть строкой", name))
}
