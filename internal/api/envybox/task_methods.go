package envybox

import (
	"context"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// taskRoutes serve the task methods: E23 deal/updatetask (lower-case, as
// documented), E24 deal/getTask, E25 deal/getTasks and E40 task/list.
func (h *handler) taskRoutes() []route {
	return []route{
		{"POST /openapi/v1/deal/updatetask/", h.dealUpdateTask},
		{"POST /openapi/v1/deal/getTask/", h.dealGetTask},
		{"POST /openapi/v1/deal/getTasks/", h.dealGetTasks},
		{"POST /openapi/v1/task/list/", h.taskList},
	}
}

// taskMaxUnix is the last second of year 9999: a larger time is not Unix
// seconds (milliseconds, most likely).
const taskMaxUnix = 253402300799

// dealUpdateTask is E23 deal/updatetask: the open task of the assignee
// (employee_id, else department_id, else the deal's responsible; an
// explicit "employee_id": 0 is the administrator) gets the new time (Unix
// seconds) and/or comment, or is created. Neither a time nor a comment is
// the document's 500 "Неверный request". The reply is result.task, the
// full task in numbers.
func (h *handler) dealUpdateTask(ctx context.Context, c *call) (map[string]any, error) {
	dealID, err := c.req.required("deal_id")
	if err != nil {
		return nil, err
	}
	u := crm.DealTaskUpdate{DealID: dealID}
	ts, err := c.req.int("time")
	if err != nil {
		return nil, err
	}
	if ts < 0 || ts > taskMaxUnix {
		return nil, badRequest("Параметр time должен быть меткой времени Unix в секундах")
	}
	if ts > 0 {
		u.Time = time.Unix(ts, 0)
	}
	if c.req.has("comment") {
		comment, err := c.req.str("comment")
		if err != nil {
			return nil, err
		}
		u.Comment = &comment
	}
	employeeID, err := c.req.int("employee_id")
	if err != nil {
		return nil, err
	}
	departmentID, err := c.req.int("department_id")
	if err != nil {
		return nil, err
	}
	if employeeID < 0 || departmentID < 0 {
		return nil, badRequest("employee_id и department_id не могут быть отрицательными")
	}
	switch {
	case employeeID != 0:
		u.Assignee = &crm.TaskAssignee{EmployeeID: employeeID}
	case departmentID != 0:
		u.Assignee = &crm.TaskAssignee{DepartmentID: departmentID}
	case taskGiven(c.req, "employee_id"):
		u.Assignee = &crm.TaskAssignee{}
	}
	t, err := h.svc.UpdateDealTask(ctx, c.actor, u)
	if err != nil {
		return nil, err
	}
	return map[string]any{"result": map[string]any{"task": taskView(c, t)}}, nil
}

// dealGetTask is E24 deal/getTask: result.task is the active task of the
// deal's responsible in the document's twelve members, or null.
func (h *handler) dealGetTask(ctx context.Context, c *call) (map[string]any, error) {
	dealID, err := c.req.required("deal_id")
	if err != nil {
		return nil, err
	}
	t, ok, err := h.svc.DealActiveTask(ctx, c.actor, dealID)
	if err != nil {
		return nil, err
	}
	var task any
	if ok {
		task = taskActiveView(c, t)
	}
	return map[string]any{"result": map[string]any{"task": task}}, nil
}

// dealGetTasks is E25 deal/getTasks: result is the deal's open tasks, the
// earliest due first ([] when none).
func (h *handler) dealGetTasks(ctx context.Context, c *call) (map[string]any, error) {
	dealID, err := c.req.required("deal_id")
	if err != nil {
		return nil, err
	}
	list, err := h.svc.DealTasks(ctx, c.actor, dealID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"result": taskViews(c, list)}, nil
}

// taskList is E40 task/list: limit 0–50 (0: 50), offset, datetime_start /
// datetime_end bounding the task time (account time zone, inclusive; a
// bare date is its whole day), success 0 open / 1 closed, employee_id (0:
// the administrator's tasks). Tasks come earliest due first; count, limit
// and offset (the next one, -1 at the end) are at top level.
func (h *handler) taskList(ctx context.Context, c *call) (map[string]any, error) {
	limit, err := c.req.int("limit")
	if err != nil {
		return nil, err
	}
	if limit < 0 || limit > 50 {
		return nil, badRequest("Параметр limit: допустимые значения 0 - 50")
	}
	if limit == 0 {
		limit = 50
	}
	offset, err := c.req.int("offset")
	if err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, badRequest("Параметр offset не может быть отрицательным")
	}
	q := crm.TaskQuery{Limit: int(limit), Offset: int(offset)}
	if q.Time, err = taskDateRange(c.req, c.loc); err != nil {
		return nil, err
	}
	if taskGiven(c.req, "success") {
		n, err := c.req.int("success")
		if err != nil {
			return nil, err
		}
		if n != 0 && n != 1 {
			return nil, badRequest("Параметр success: допустимые значения 0 (открыта), 1 (закрыта)")
		}
		success := n == 1
		q.Success = &success
	}
	if taskGiven(c.req, "employee_id") {
		n, err := c.req.int("employee_id")
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, badRequest("Параметр employee_id не может быть отрицательным")
		}
		q.Assignee = &crm.TaskAssignee{EmployeeID: n}
	}
	list, total, err := h.svc.Tasks(ctx, c.actor, q)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"result": taskViews(c, list),
		"count":  total,
		"limit":  q.Limit,
		"offset": nextOffset(q.Offset, q.Limit, total),
	}, nil
}

// taskGiven reports whether a parameter was sent with a value (not null, not "").
func taskGiven(p params, key string) bool {
	if !p.has(key) {
		return false
	}
	s, ok := p[key].(string)
	return !ok || strings.TrimSpace(s) != ""
}

// taskDateRange reads datetime_start/datetime_end ("YYYY-MM-DD HH:MM:SS",
// or "YYYY-MM-DD" for the whole day) in the account's time zone.
func taskDateRange(p params, loc *time.Location) (crm.Range, error) {
	var r crm.Range
	for _, side := range []struct {
		key string
		end bool
		dst **int64
	}{{"datetime_start", false, &r.From}, {"datetime_end", true, &r.To}} {
		v, err := p.str(side.key)
		if err != nil {
			return r, err
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		var n int64
		if t, err := time.ParseInLocation(time.DateTime, v, loc); err == nil {
			n = t.Unix()
		} else if n, err = day(v, loc, side.end); err != nil {
			return r, badRequest("Параметр " + side.key + " должен быть в формате YYYY-MM-DD HH:MM:SS")
		}
		*side.dst = &n
	}
	return r, nil
}
