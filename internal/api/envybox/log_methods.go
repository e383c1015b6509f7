package envybox

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/crmd/crmd/internal/crm"
)

// History methods: the log lists and log creation of leads (E08, E09) and
// deals (E20, E21), deal comments (E22) and deal tags (E26). What each log
// type means is in docs/envybox-history.md; the domain side is
// crm/log_service.go.

// logRoutes serve the history and tag methods.
func (h *handler) logRoutes() []route {
	return []route{
		{"GET /openapi/v1/lead/log/list/", h.leadLogList},
		{"POST /openapi/v1/lead/log/create/", h.leadLogCreate},
		{"GET /openapi/v1/deal/log/list/", h.dealLogList},
		{"POST /openapi/v1/deal/log/create/", h.dealLogCreate},
		{"POST /openapi/v1/deal/createComment/", h.dealCreateComment},
		{"POST /openapi/v1/deal/tag/addDealTags/", h.dealAddTags},
	}
}

// leadLogList is E08: GET with lead_id, limit and offset in the query.
func (h *handler) leadLogList(ctx context.Context, c *call) (map[string]any, error) {
	return h.logList(ctx, c, crm.EntityInbound, "lead_id")
}

// dealLogList is E20, as E08 for a deal.
func (h *handler) dealLogList(ctx context.Context, c *call) (map[string]any, error) {
	return h.logList(ctx, c, crm.EntityDeal, "deal_id")
}

// logList answers one page of an entity's history, newest first: the
// entries under result, and count, limit and the next offset (-1 at the
// end) at top level, all numbers. limit 0 or absent is 50 and more than
// 50 is cut to 50 ("максимум 50").
func (h *handler) logList(ctx context.Context, c *call, entity crm.EntityType, key string) (map[string]any, error) {
	id, err := c.req.required(key)
	if err != nil {
		return nil, err
	}
	limit, offset, err := c.req.page()
	if err != nil {
		return nil, err
	}
	lines, total, err := h.svc.Logs(ctx, c.actor, crm.LogQuery{EntityType: entity, EntityID: id, Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	result := make([]any, 0, len(lines))
	for _, l := range lines {
		result = append(result, logEntry(c, l, true))
	}
	return map[string]any{"result": result, "count": total, "limit": limit, "offset": nextOffset(offset, limit, total)}, nil
}

// leadLogCreate is E09: a call (9) or comment (10) entry; the reply is
// result.log as the example shows it (no deleted_at).
func (h *handler) leadLogCreate(ctx context.Context, c *call) (map[string]any, error) {
	l, err := h.logCreate(ctx, c, crm.EntityInbound, "lead_id")
	if err != nil {
		return nil, err
	}
	return map[string]any{"result": map[string]any{"log": logEntry(c, l, false)}}, nil
}

// dealLogCreate is E21: a call (2009) or comment (2010) entry. The
// document prints two replies, result.log (as E09) and a newer top-level
// log with deleted_at; crmd sends both members, so a client reading
// either finds the entry.
func (h *handler) dealLogCreate(ctx context.Context, c *call) (map[string]any, error) {
	l, err := h.logCreate(ctx, c, crm.EntityDeal, "deal_id")
	if err != nil {
		return nil, err
	}
	return map[string]any{"result": map[string]any{"log": logEntry(c, l, false)}, "log": logEntry(c, l, true)}, nil
}

// logCreate reads E09/E21's request: the entity id, type_id, the author
// (user_id, employee_id) and data. A call needs data.direction,
// data.status, data.from and data.to; the domain checks their values and
// which types the entity takes.
func (h *handler) logCreate(ctx context.Context, c *call, entity crm.EntityType, key string) (crm.LogLine, error) {
	id, err := c.req.required(key)
	if err != nil {
		return crm.LogLine{}, err
	}
	typeID, err := c.req.required("type_id")
	if err != nil {
		return crm.LogLine{}, err
	}
	n := crm.NewLog{TypeID: int(typeID)}
	if n.Author.UserID, err = c.req.int("user_id"); err != nil {
		return crm.LogLine{}, err
	}
	if n.Author.EmployeeID, err = c.req.int("employee_id"); err != nil {
		return crm.LogLine{}, err
	}
	data, err := c.req.object("data")
	if err != nil {
		return crm.LogLine{}, err
	}
	if data == nil {
		return crm.LogLine{}, badRequest("Не указан data")
	}
	switch typeID {
	case crm.LogInboundCall, crm.LogDealCall:
		if n.Call, err = callLog(data); err != nil {
			return crm.LogLine{}, err
		}
	case crm.LogInboundComment, crm.LogDealComment:
		if !data.has("comment") {
			return crm.LogLine{}, badRequest("Не указан data.comment")
		}
		if n.Comment, err = data.str("comment"); err != nil {
			return crm.LogLine{}, err
		}
	}
	return h.svc.AddLog(ctx, c.actor, entity, id, n)
}

// callLog reads the data of a call entry.
func callLog(data params) (crm.CallLog, error) {
	var out crm.CallLog
	for _, k := range []string{"direction", "status", "from", "to"} {
		if !data.has(k) {
			return out, badRequest("Не указан data." + k)
		}
	}
	direction, err := data.int("direction")
	if err != nil {
		return out, err
	}
	status, err := data.int("status")
	if err != nil {
		return out, err
	}
	out.Direction, out.Status = clampInt(direction), clampInt(status)
	for _, f := range []struct {
		key string
		dst *string
	}{{"from", &out.From}, {"to", &out.To}, {"record_link", &out.RecordLink}, {"comment", &out.Comment}} {
		if *f.dst, err = data.str(f.key); err != nil {
			return out, err
		}
	}
	if data.has("duration_bill") {
		d, err := data.int("duration_bill")
		if err != nil {
			return out, err
		}
		out.DurationBill = &d
	}
	return out, nil
}

// clampInt narrows an int64 to an int that stays out of range when it was
// (so the domain's range checks see it).
func clampInt(n int64) int {
	const limit = 1 << 30
	switch {
	case n > limit:
		return limit
	case n < -limit:
		return -limit
	}
	return int(n)
}

// dealCreateComment is E22: a comment entry (2010) on the deal, written
// by the key's administrator. An unknown deal is "Сделка не найдена"; an
// empty comment "Неверный request".
func (h *handler) dealCreateComment(ctx context.Context, c *call) (map[string]any, error) {
	id, err := c.req.required("deal_id")
	if err != nil {
		return nil, err
	}
	text, err := c.req.str("comment")
	if err != nil {
		return nil, err
	}
	return nil, h.svc.CommentDeal(ctx, c.actor, id, text)
}

// noPhoto is the avatar path of users without a photo (crmd keeps none).
const noPhoto = "/img/avatars/nophoto.png"

// logEntry renders a history entry. data is the stored object with the
// author's card added as data.user; system entries have no author: no
// card, and null user_id and employee_id. Entries made through the API
// have updated_at = created_at (as the create replies show), the ones the
// system writes null (as the list examples show). withDeleted adds
// deleted_at (null), which the lists and deal/log/create's second reply
// carry and E09's reply does not.
func logEntry(c *call, l crm.LogLine, withDeleted bool) map[string]any {
	data := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(l.Data))
	dec.UseNumber()
	if err := dec.Decode(&data); err != nil || data == nil {
		data = map[string]any{}
	}
	var userID, employeeID any
	if l.UserID != 0 || l.EmployeeID != 0 {
		userID, employeeID = l.UserID, l.EmployeeID
	}
	if l.Author != nil {
		data["user"] = map[string]any{"img": noPhoto, "name": l.Author.Name, "profession": l.Author.Profession}
	}
	var updated any
	switch l.TypeID {
	case crm.LogInboundCall, crm.LogInboundComment, crm.LogDealCall, crm.LogDealComment:
		// An entry edited through amoCRM's notes carries its edit time.
		updated = at(l.UpdatedAtOrCreated(), c.loc)
	}
	m := map[string]any{
		"id":             l.ID,
		"crm_id":         l.AccountID,
		"crm_element_id": elementIDs[l.EntityType],
		"element_id":     l.EntityID,
		"type_id":        l.TypeID,
		"data":           data,
		"user_id":        userID,
		"employee_id":    employeeID,
		"level":          1,
		"created_at":     at(l.CreatedAt, c.loc),
		"updated_at":     updated,
	}
	if withDeleted {
		m["deleted_at"] = nil
	}
	return m
}
