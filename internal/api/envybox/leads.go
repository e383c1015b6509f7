package envybox

import (
	"context"

	"github.com/crmd/crmd/internal/crm"
)

// leadRoutes serve the lead methods. An Envybox lead is a crm.Inbound; the
// de-duplication, take-to-work and responsibility rules live in crm.
func (h *handler) leadRoutes() []route {
	return []route{
		{"POST /openapi/v1/lead/set/", h.leadSet},
		{"POST /openapi/v1/lead/workset/", h.leadWorkset},
		{"POST /openapi/v1/lead/get/", h.leadGet},
		{"POST /openapi/v1/lead/search/", h.leadSearch},
		{"POST /openapi/v1/lead/list/", h.leadList},
		{"POST /openapi/v1/lead/start/", h.leadStart},
		{"POST /openapi/v1/lead/updateLeadValue/", h.leadUpdateValue},
		{"POST /openapi/v1/lead/update_employee/", h.leadUpdateEmployee},
	}
}

// leadSet is E02, the synchronous creation: the reply carries the new
// lead's id and parent_id at top level. parent_id is always present, 0
// when the lead is the first of its contact (callers test isset).
func (h *handler) leadSet(ctx context.Context, c *call) (map[string]any, error) {
	n, err := newInbound(c)
	if err != nil {
		return nil, err
	}
	l, err := h.svc.CreateInbound(ctx, c.actor, n)
	if err != nil {
		return nil, err
	}
	return map[string]any{"id": l.ID, "parent_id": l.ParentID}, nil
}

// leadWorkset is E03, the "queued" creation: same body, and a reply without
// the lead id. Envybox queues these to guarantee no duplicates; crmd
// records the lead synchronously instead, under the account's write lock
// (crm.Service.CreateInbound), which is what guarantees that concurrent
// submissions of one contact find exactly one parent. Validation errors
// are therefore answered at once rather than lost in a queue.
func (h *handler) leadWorkset(ctx context.Context, c *call) (map[string]any, error) {
	n, err := newInbound(c)
	if err != nil {
		return nil, err
	}
	_, err = h.svc.CreateInbound(ctx, c.actor, n)
	return nil, err
}

// leadGet is E04.
func (h *handler) leadGet(ctx context.Context, c *call) (map[string]any, error) {
	id, err := c.req.required("lead_id")
	if err != nil {
		return nil, err
	}
	l, err := h.svc.Inbound(ctx, c.actor, id)
	if err != nil {
		return nil, err
	}
	return map[string]any{"result": leadFull(l, c.loc)}, nil
}

// leadSearch is E05: the lead of a phone and/or email (either may match)
// that is not yet taken to work, at top level as "leads", or null.
func (h *handler) leadSearch(ctx context.Context, c *call) (map[string]any, error) {
	phone, err := c.req.str("phone")
	if err != nil {
		return nil, err
	}
	email, err := c.req.str("email")
	if err != nil {
		return nil, err
	}
	l, ok, err := h.svc.FindInbound(ctx, c.actor, phone, email)
	if err != nil {
		return nil, err
	}
	if !ok {
		return map[string]any{"leads": nil}, nil
	}
	m := leadBase(l, c.loc)
	m["lead_id"] = s(l.ID)
	return map[string]any{"leads": m}, nil
}

// leadList is E06: a page of leads, newest first, under a top-level
// "leads" object with the echoed filter, the next offset (-1 at the end)
// and the total as a string.
func (h *handler) leadList(ctx context.Context, c *call) (map[string]any, error) {
	keyword, err := c.req.str("keyword")
	if err != nil {
		return nil, err
	}
	limit, offset, err := c.req.page()
	if err != nil {
		return nil, err
	}
	dateType, err := c.req.str("date_type")
	if err != nil {
		return nil, err
	}
	dates, err := c.req.dateRange(c.loc)
	if err != nil {
		return nil, err
	}
	stages, err := c.req.ints("stage_id")
	if err != nil {
		return nil, err
	}
	list, total, err := h.svc.Inbounds(ctx, c.actor, crm.InboundQuery{
		Keyword: keyword, StageIDs: stages, DateField: dateType, Dates: dates, Limit: limit, Offset: offset,
	})
	if err != nil {
		return nil, err
	}
	if dateType == "" {
		dateType = "created"
	}
	result := make([]any, 0, len(list))
	for _, l := range list {
		result = append(result, leadListItem(l, c.loc))
	}
	return map[string]any{"leads": map[string]any{
		"keyword": emptyNull(keyword), "dateType": "period", "dateSelectType": dateType,
		"offset": nextOffset(offset, limit, total), "limit": limit, "result": result, "count": s(int64(total)),
	}}, nil
}

// leadStart is E07: take a lead to work. The domain makes the client and
// the deal in one transaction; an employee_id without user_id is accepted
// (the domain implies the administrator). The reply echoes lead_id,
// user_id and employee_id as given.
func (h *handler) leadStart(ctx context.Context, c *call) (map[string]any, error) {
	id, err := c.req.required("lead_id")
	if err != nil {
		return nil, err
	}
	userID, err := c.req.int("user_id")
	if err != nil {
		return nil, err
	}
	employeeID, err := c.req.int("employee_id")
	if err != nil {
		return nil, err
	}
	res, err := h.svc.StartInbound(ctx, c.actor, id, crm.Responsible{UserID: userID, EmployeeID: employeeID})
	if err != nil {
		return nil, err
	}
	return map[string]any{"result": map[string]any{
		"lead_id": id, "user_id": userID, "employee_id": employeeID, "client_id": res.ClientID, "deal_id": res.DealID,
	}}, nil
}

// leadUpdateValue is E10; its reply has no result. An unknown lead is
// "Неверный request" with 500, as the document prints.
func (h *handler) leadUpdateValue(ctx context.Context, c *call) (map[string]any, error) {
	id, err := c.req.required("lead_id")
	if err != nil {
		return nil, err
	}
	writes, err := fieldWrites(c)
	if err != nil {
		return nil, err
	}
	return nil, h.svc.UpdateInboundValues(ctx, c.actor, id, writes)
}

// leadUpdateEmployee is E11: make an employee or a department responsible.
// The flat reply echoes lead_id, the employee_id or department_id given,
// and crm_id, as numbers.
func (h *handler) leadUpdateEmployee(ctx context.Context, c *call) (map[string]any, error) {
	id, err := c.req.required("lead_id")
	if err != nil {
		return nil, err
	}
	employeeID, err := c.req.int("employee_id")
	if err != nil {
		return nil, err
	}
	departmentID, err := c.req.int("department_id")
	if err != nil {
		return nil, err
	}
	l, err := h.svc.SetInboundResponsible(ctx, c.actor, id, crm.Responsible{EmployeeID: employeeID, DepartmentID: departmentID})
	if err != nil {
		return nil, err
	}
	out := map[string]any{"lead_id": l.ID, "crm_id": l.AccountID}
	if departmentID == 0 || employeeID != 0 {
		out["employee_id"] = employeeID
	}
	if departmentID != 0 {
		out["department_id"] = departmentID
	}
	return out, nil
}
