package envybox

import (
	"context"
	"fmt"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// dealRoutes serve the deal methods, and the field definitions of deals
// and clients (one renderer for both, in inputs.go).
func (h *handler) dealRoutes() []route {
	routes := []route{
		{"POST /openapi/v1/deal/get/", h.dealGet},
		{"POST /openapi/v1/deal/create/", h.dealCreate},
		{"POST /openapi/v1/deal/search/", h.dealSearch},
		{"POST /openapi/v1/deal/updateDealStage/", h.dealUpdateStage},
		{"POST /openapi/v1/deal/updateEmployee/", h.dealUpdateEmployee},
		{"POST /openapi/v1/deal/toInbox/", h.dealToInbox},
		{"POST /openapi/v1/deal/list/", h.dealList},
		{"POST /openapi/v1/deal/updateDealValue/", h.dealUpdateValue},
	}
	return append(routes, h.inputRoutes()...)
}

// dealGet is E12 deal/get: the deal in old-style strings; with
// ["parent_deal", "child_deals"] adds the deal it was made from (or null)
// and the deals made from it.
func (h *handler) dealGet(ctx context.Context, c *call) (map[string]any, error) {
	id, err := c.req.required("deal_id")
	if err != nil {
		return nil, err
	}
	with, err := c.req.list("with")
	if err != nil {
		return nil, err
	}
	var parent, children bool
	for _, w := range with {
		switch w {
		case "parent_deal":
			parent = true
		case "child_deals":
			children = true
		default:
			return nil, badRequest("Параметр with может содержать только \"parent_deal\" и \"child_deals\"")
		}
	}
	fam, err := h.svc.Deal(ctx, c.actor, id, parent || children)
	if err != nil {
		return nil, err
	}
	result := dealGetView(c, fam.Deal)
	if parent {
		// A typed nil is not omitted: it is null.
		var p *dealGetJSON
		if fam.Parent != nil {
			p = dealGetView(c, *fam.Parent)
		}
		result.ParentDeal = p
	}
	if children {
		list := make([]*dealGetJSON, 0, len(fam.Children))
		for _, d := range fam.Children {
			list = append(list, dealGetView(c, d))
		}
		result.ChildDeals = list
	}
	return map[string]any{"result": result}, nil
}

// dealCreate is E13 deal/create: result.deal in new-style numbers.
func (h *handler) dealCreate(ctx context.Context, c *call) (map[string]any, error) {
	clientID, err := c.req.required("client_id")
	if err != nil {
		return nil, err
	}
	n := crm.NewDeal{ClientID: clientID}
	if n.Name, err = c.req.str("name"); err != nil {
		return nil, err
	}
	if n.PipelineID, err = c.req.int("pipeline_id"); err != nil {
		return nil, err
	}
	// The document requires employee_id or department_id, yet its own
	// example sends only "employee_id": "0": neither (or zeros) means no
	// responsible employee or department, and no department is invented.
	if n.Responsible, err = dealResponsible(c.req); err != nil {
		return nil, err
	}
	task, err := c.req.object("task")
	if err != nil {
		return nil, err
	}
	if task != nil {
		// An empty object is the default task.
		n.Task = &crm.NewTask{}
		if n.Task.Text, err = task.str("text"); err != nil {
			return nil, err
		}
		ts, err := task.int("time")
		if err != nil {
			return nil, err
		}
		if ts != 0 {
			n.Task.Time = time.Unix(ts, 0)
		}
	}
	if n.Values, _, err = dealFieldWrites(c.req, "values", "type_id", "value_type_id"); err != nil {
		return nil, err
	}
	d, err := h.svc.CreateDeal(ctx, c.actor, n)
	if err != nil {
		return nil, err
	}
	return map[string]any{"result": map[string]any{"deal": dealCore(c, d, false)}}, nil
}

// dealResponsible reads user_id, employee_id and department_id.
func dealResponsible(p params) (crm.Responsible, error) {
	var r crm.Responsible
	var err error
	if r.UserID, err = p.int("user_id"); err != nil {
		return r, err
	}
	if r.EmployeeID, err = p.int("employee_id"); err != nil {
		return r, err
	}
	r.DepartmentID, err = p.int("department_id")
	return r, err
}

// dealFieldWrites reads an array of {input_id, value, <type key>} field
// writes (type 1 service, 2 custom). typeKey is the documented name of the
// type member (values[].type_id of deal/create, fields[].value_type_id of
// the update methods); altKey, the other spelling, is accepted too. It
// also returns the echo of the writes, as deal/updateDealValue shows it.
func dealFieldWrites(p params, key, typeKey, altKey string) ([]crm.FieldWrite, []any, error) {
	list, err := p.list(key)
	if err != nil {
		return nil, nil, err
	}
	writes := make([]crm.FieldWrite, 0, len(list))
	echo := make([]any, 0, len(list))
	for i, raw := range list {
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, nil, badRequest(fmt.Sprintf("%s[%d] должен быть объектом", key, i))
		}
		item := params(m)
		inputID, err := item.int("input_id")
		if err == nil && inputID == 0 {
			err = badRequest(fmt.Sprintf("Не указан %s[%d].input_id", key, i))
		}
		if err != nil {
			return nil, nil, err
		}
		tk := typeKey
		if !item.has(tk) {
			tk = altKey
		}
		kind, err := item.int(tk)
		if err != nil {
			return nil, nil, err
		}
		if kind != 1 && kind != 2 {
			return nil, nil, badRequest(fmt.Sprintf("%s[%d].%s должен быть 1 (сервисное поле) или 2 (пользовательское)", key, i, typeKey))
		}
		if _, ok := m["value"]; !ok {
			return nil, nil, badRequest(fmt.Sprintf("Не указан %s[%d].value", key, i))
		}
		writes = append(writes, crm.FieldWrite{FieldID: inputID, Service: kind == 1, Value: plain(m["value"])})
		echo = append(echo, map[string]any{"input_id": inputID, "value": m["value"], typeKey: kind})
	}
	return writes, echo, nil
}

// dealSearch is E14 deal/search: the clients with the phone or email and
// their deals, at top level under "clients" ([] when none).
func (h *handler) dealSearch(ctx context.Context, c *call) (map[string]any, error) {
	phone, err := c.req.str("phone")
	if err != nil {
		return nil, err
	}
	email, err := c.req.str("email")
	if err != nil {
		return nil, err
	}
	if phone == "" && email == "" {
		return nil, badRequest("Не указан phone или email")
	}
	found, err := h.svc.SearchDeals(ctx, c.actor, phone, email)
	if err != nil {
		return nil, err
	}
	clients := make([]any, 0, len(found))
	for _, cd := range found {
		deals := make([]any, 0, len(cd.Deals))
		for _, d := range cd.Deals {
			deals = append(deals, dealCore(c, d, true))
		}
		clients = append(clients, map[string]any{
			"id":              s(cd.Client.ID),
			"crm_id":          s(c.actor.AccountID),
			"created_at":      at(cd.Client.CreatedAt, c.loc),
			"updated_at":      at(cd.Client.UpdatedAt, c.loc),
			"deleted_at":      nil,
			"name":            cd.Client.Name,
			"deals_for_event": deals,
		})
	}
	return map[string]any{"clients": clients}, nil
}

// dealUpdateStage is E16 deal/updateDealStage. The stage must be one of
// the deal's pipeline (400 otherwise) and the pipeline must allow manual
// changes (403). A client_id, when sent, must be the deal's ("Сделка не
// найдена" otherwise, the document's second error case).
func (h *handler) dealUpdateStage(ctx context.Context, c *call) (map[string]any, error) {
	dealID, err := c.req.required("deal_id")
	if err != nil {
		return nil, err
	}
	stageID, err := c.req.required("stage_id")
	if err != nil {
		return nil, err
	}
	clientID, err := c.req.int("client_id")
	if err != nil {
		return nil, err
	}
	employeeID, err := c.req.int("employee_id")
	if err != nil {
		return nil, err
	}
	// The change is made on behalf of the employee, or the administrator
	// (the key's owner) when none is given.
	by := crm.Responsible{UserID: c.actor.UserID}
	if employeeID != 0 {
		by = crm.Responsible{EmployeeID: employeeID}
	}
	if err := h.svc.ChangeDealStage(ctx, c.actor, dealID, clientID, stageID, by); err != nil {
		return nil, err
	}
	return map[string]any{"result": map[string]any{"stage_id": stageID}}, nil
}

// dealUpdateEmployee is E17 deal/updateEmployee: result.deal in numbers,
// the previous employee in old_employee_id.
func (h *handler) dealUpdateEmployee(ctx context.Context, c *call) (map[string]any, error) {
	dealID, err := c.req.required("deal_id")
	if err != nil {
		return nil, err
	}
	if !c.req.has("employee_id") && !c.req.has("department_id") && !c.req.has("user_id") {
		return nil, badRequest("Не указан employee_id или department_id")
	}
	who, err := dealResponsible(c.req)
	if err != nil {
		return nil, err
	}
	// The document's example sends "employee_id": 0 alone. Per its
	// responsibility model, user_id with employee_id 0 makes the
	// administrator responsible; the key's owner is that administrator.
	if who == (crm.Responsible{}) && c.actor.IsAdmin() {
		who.UserID = c.actor.UserID
	}
	d, err := h.svc.SetDealResponsible(ctx, c.actor, dealID, who)
	if err != nil {
		return nil, err
	}
	return map[string]any{"result": map[string]any{"deal": dealCore(c, d, false)}}, nil
}

// dealToInbox is E18 deal/toInbox: no result.
func (h *handler) dealToInbox(ctx context.Context, c *call) (map[string]any, error) {
	dealID, err := c.req.required("deal_id")
	if err != nil {
		return nil, err
	}
	return nil, h.svc.DealToInbox(ctx, c.actor, dealID)
}

// dealUpdateValue is E37 deal/updateDealValue. An unknown deal, or a deal
// of another client, is the document's 500 "Неверный request". The reply
// echoes the request as the example does: ids as strings, the fields as
// sent.
func (h *handler) dealUpdateValue(ctx context.Context, c *call) (map[string]any, error) {
	dealID, err := c.req.required("deal_id")
	if err != nil {
		return nil, err
	}
	clientID, err := c.req.int("client_id")
	if err != nil {
		return nil, err
	}
	who, err := dealResponsible(c.req)
	if err != nil {
		return nil, err
	}
	writes, echo, err := dealFieldWrites(c.req, "fields", "value_type_id", "type_id")
	if err != nil {
		return nil, err
	}
	if len(writes) == 0 {
		return nil, badRequest("Не указан fields")
	}
	if err := h.svc.UpdateDealValues(ctx, c.actor, dealID, clientID, writes); err != nil {
		return nil, err
	}
	return map[string]any{"result": map[string]any{
		"deal_id":     s(dealID),
		"client_id":   s(clientID),
		"employee_id": s(who.EmployeeID),
		"user_id":     s(who.UserID),
		"fields":      echo,
	}}, nil
}
