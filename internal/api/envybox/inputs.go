package envybox

import (
	"context"

	"github.com/crmd/crmd/internal/crm"
)

// The field definitions ("inputs") of deals and clients: E31/E38
// getListInputs and E33/E39 getInput. They are documented as GET with a
// {"request": {...}} object; callers send the parameters in the query
// string, so both are read (readParams merges them).

// inputRoutes serve the field-definition GETs of both entity kinds.
func (h *handler) inputRoutes() []route {
	return []route{
		{"GET /openapi/v1/deal/getListInputs/", h.inputList(crm.EntityDeal)},
		{"GET /openapi/v1/deal/getInput/", h.inputGet(crm.EntityDeal)},
		{"GET /openapi/v1/client/getListInputs/", h.inputList(crm.EntityContact)},
		{"GET /openapi/v1/client/getInput/", h.inputGet(crm.EntityContact)},
	}
}

// inputKind reads type: "custom" or "service".
func inputKind(p params) (string, error) {
	kind, err := p.str("type")
	if err != nil {
		return "", err
	}
	if kind != "custom" && kind != "service" {
		return "", badRequest("Параметр type должен быть \"custom\" или \"service\"")
	}
	return kind, nil
}

// inputList lists custom definitions a page at a time (limit at most 50,
// 50 by default), or all service definitions. The service list is not
// paginated; it carries count, limit and offset all the same (offset -1),
// so that callers read one shape.
func (h *handler) inputList(entity crm.EntityType) endpoint {
	return func(ctx context.Context, c *call) (map[string]any, error) {
		kind, err := inputKind(c.req)
		if err != nil {
			return nil, err
		}
		if kind == "service" {
			fields := crm.ServiceFieldsOf(entity)
			list := make([]any, 0, len(fields))
			for i, f := range fields {
				list = append(list, serviceInputView(f, i))
			}
			return map[string]any{"result": list, "count": len(list), "limit": len(list), "offset": -1}, nil
		}
		limit, offset, err := c.req.page()
		if err != nil {
			return nil, err
		}
		fields, total, err := h.customInputs(ctx, c.actor, entity, limit, offset)
		if err != nil {
			return nil, err
		}
		list := make([]any, 0, len(fields))
		for _, f := range fields {
			list = append(list, customInputView(c, f))
		}
		return map[string]any{"result": list, "count": total, "limit": limit, "offset": nextOffset(offset, limit, total)}, nil
	}
}

// customInputs reads limit definitions from offset. The domain pages by
// page number, so the window is cut from the two pages of size limit that
// cover it.
func (h *handler) customInputs(ctx context.Context, actor crm.Actor, entity crm.EntityType, limit, offset int) ([]crm.CustomField, int, error) {
	first := offset/limit + 1
	var all []crm.CustomField
	var total int
	for page := first; page <= first+1; page++ {
		fields, n, _, err := h.svc.CustomFields(ctx, actor, entity, crm.FieldQuery{Page: crm.Page{Number: page, Limit: limit}})
		if err != nil {
			return nil, 0, err
		}
		all, total = append(all, fields...), n
		if offset%limit == 0 || len(fields) < limit {
			break
		}
	}
	skip := offset % limit
	if skip >= len(all) {
		return nil, total, nil
	}
	all = all[skip:]
	if len(all) > limit {
		all = all[:limit]
	}
	return all, total, nil
}

// inputGet returns one definition; an unknown one is "Поле не найдено".
func (h *handler) inputGet(entity crm.EntityType) endpoint {
	return func(ctx context.Context, c *call) (map[string]any, error) {
		id, err := c.req.required("input_id")
		if err != nil {
			return nil, err
		}
		kind, err := inputKind(c.req)
		if err != nil {
			return nil, err
		}
		notFound := crm.Fail(crm.CodeFieldNotFound)
		if kind == "service" {
			f, ok := crm.ServiceFieldByID(entity, id)
			if !ok {
				return nil, notFound
			}
			for i, sf := range crm.ServiceFieldsOf(entity) {
				if sf.ID == f.ID {
					return map[string]any{"result": serviceInputView(f, i)}, nil
				}
			}
			return nil, notFound
		}
		f, err := h.svc.CustomField(ctx, c.actor, entity, id)
		if crm.KindOf(err) == crm.KindNotFound {
			return nil, notFound
		}
		if err != nil {
			return nil, err
		}
		return map[string]any{"result": customInputView(c, f)}, nil
	}
}

// inputGroupID is the group of every definition: crmd has no field groups,
// and Envybox's examples show group 1.
const inputGroupID = 1

// serviceInputView is a service definition in the reduced shape of
// E33/E39. Service fields are built in, with no dates of their own.
func serviceInputView(f crm.ServiceField, position int) map[string]any {
	return map[string]any{
		"id":             f.ID,
		"crm_element_id": elementIDs[f.Entity],
		"group_id":       inputGroupID,
		"name":           f.Name,
		"name_id":        f.NameID,
		"type_id":        serviceTypeID,
		"required":       0,
		"value":          nil,
		"addon":          nil,
		"description":    nil,
		"position":       position,
		"created_at":     nil,
		"updated_at":     nil,
		"deleted_at":     nil,
	}
}

// customInputView is a custom definition in the full shape of E31/E38.
// crmd keeps no display settings, so the flags are Envybox's defaults for
// a field shown everywhere, required nowhere.
func customInputView(c *call, f crm.CustomField) map[string]any {
	return map[string]any{
		"id":                 f.ID,
		"crm_id":             c.actor.AccountID,
		"crm_element_id":     elementIDs[f.EntityType],
		"pipeline_id":        nil,
		"group_id":           inputGroupID,
		"name":               f.Name,
		"name_id":            "crm_" + s(f.ID),
		"type_id":            fieldTypeIDs[f.Type],
		"required":           0,
		"required_stage_id":  0,
		"show_in_card":       0,
		"show_in_element":    0,
		"show_in_create":     0,
		"show_all_pipelines": 1,
		"use_in_pipeline":    0,
		"value":              "",
		"addon":              "",
		"description":        "",
		"position":           f.Sort,
		"transfer_type_id":   nil,
		"transfer_input_id":  nil,
		"created_at":         nil,
		"updated_at":         nil,
		"deleted_at":         nil,
		"show_in_inbox":      nil,
	}
}
