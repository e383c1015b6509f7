package envybox

import "github.com/crmd/crmd/internal/crm"

// Tasks are rendered in numbers, as every task example shows them, with
// times as "YYYY-MM-DD HH:MM:SS" in the account's time zone. crm_element_id
// is 3 (deal) and element_id the deal id; a task made through amoCRM on a
// contact is crm_element_id 2 (client), and on what Envybox has no element
// for (a company, a customer, nothing) both are 0.

// taskView is the full task of E23, E25 and E40.
func taskView(c *call, t crm.Task) map[string]any {
	return map[string]any{
		"id":               t.ID,
		"crm_element_id":   elementIDs[t.EntityType],
		"element_id":       taskElement(t),
		"crm_id":           c.actor.AccountID,
		"type_id":          t.TypeID,
		"priority":         t.Priority,
		"time":             at(t.Time, c.loc),
		"end_time":         at(t.EndTime, c.loc),
		"duration":         nullableN(t.Duration),
		"user_id":          t.UserID,
		"from_employee_id": t.FromEmployeeID,
		"to_employee_id":   t.Assignee.EmployeeID,
		"to_department_id": t.Assignee.DepartmentID,
		"comment":          t.Text,
		"success":          flagN(t.Success),
		"required":         flagN(t.Required),
		"no_time":          flagN(t.NoTime),
		"it_reaction":      flagN(t.ItReaction),
		"is_overdue":       flagN(t.Overdue),
		"created_at":       at(t.CreatedAt, c.loc),
		"updated_at":       at(t.UpdatedAt, c.loc),
		"deleted_at":       nil,
	}
}

// taskViews renders a list of tasks ([] when none).
func taskViews(c *call, list []crm.Task) []any {
	out := make([]any, 0, len(list))
	for _, t := range list {
		out = append(out, taskView(c, t))
	}
	return out
}

// taskActiveViewKeys are the twelve members E24 deal/getTask shows.
var taskActiveViewKeys = []string{"crm_id", "crm_element_id", "element_id", "user_id", "from_employee_id", "to_employee_id",
	"to_department_id", "comment", "time", "updated_at", "created_at", "id"}

// taskActiveView is E24's task: the members its example shows.
func taskActiveView(c *call, t crm.Task) map[string]any {
	full := taskView(c, t)
	out := make(map[string]any, len(taskActiveViewKeys))
	for _, k := range taskActiveViewKeys {
		out[k] = full[k]
	}
	return out
}

// taskElement is the id of the element a task belongs to, 0 when Envybox
// has no element for it.
func taskElement(t crm.Task) int64 {
	if _, ok := elementIDs[t.EntityType]; !ok {
		return 0
	}
	return t.EntityID
}
