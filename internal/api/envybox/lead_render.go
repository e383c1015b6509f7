package envybox

import (
	"strconv"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Leads are rendered as the 2017 examples show them: every number and flag
// a string, dates "YYYY-MM-DD HH:MM:SS" in the account's time zone.

// Envybox's lead status: "1" once taken to work, "2" before (§1.6).
const (
	leadStatusTaken = "1"
	leadStatusOpen  = "2"
)

// leadBase is the lead object of lead/search (E05) without lead_id: the
// members every lead rendering shares.
func leadBase(l crm.Inbound, loc *time.Location) map[string]any {
	status := leadStatusOpen
	if l.TakenToWork() {
		status = leadStatusTaken
	}
	return map[string]any{
		"id": s(l.ID), "parent_id": s(l.ParentID), "crm_id": s(l.AccountID), "stage_id": s(l.StageID),
		"user_id": s(l.UserID), "employee_id": s(l.EmployeeID), "old_employee_id": nullableS(l.OldEmployeeID),
		"department_id": s(l.DepartmentID), "pipeline_id": s(l.PipelineID), "deal_pipeline_id": s(l.DealPipelineID),
		"deal_stage_id": s(l.DealStageID), "status": status, "inbox_type_id": s(l.InboxTypeID),
		"it_reaction": "0", "in_call": "0", "link_client_id": nullableS(l.ClientID),
		"stage_updated_at": at(l.StageUpdatedAt, loc), "created_at": at(l.CreatedAt, loc),
		"updated_at": at(l.UpdatedAt, loc), "deleted_at": nil,
	}
}

// leadFull is the lead object of lead/get (E04): the base plus the stage's
// name and colour, the denormalised name/phone/email, the field values and
// the linked deals. lead/list (E06) adds status_id.
func leadFull(l crm.Inbound, loc *time.Location) map[string]any {
	m := leadBase(l, loc)
	m["stage"] = l.Stage.Name
	m["stage_color"] = l.Stage.Color
	m["name"] = emptyNull(l.Name)
	m["phone"] = emptyNull(l.Phone)
	// The examples show mask "" beside a phone and null without one.
	m["mask"] = nil
	if l.Phone != "" {
		m["mask"] = ""
	}
	m["email"] = emptyNull(l.Email)
	m["values"] = map[string]any{"service": serviceValuesOut(l, loc), "custom": customValuesOut(l, loc)}
	deals := make([]string, 0, len(l.DealIDs))
	for _, id := range l.DealIDs {
		deals = append(deals, s(id))
	}
	m["deals"] = deals
	return m
}

// leadListItem is one item of lead/list's result (E06).
func leadListItem(l crm.Inbound, loc *time.Location) map[string]any {
	m := leadFull(l, loc)
	m["status_id"] = s(int64(l.Stage.Status))
	return m
}

// serviceValuesOut is values.service: the value objects keyed by name_id
// (always an object; a lead always has at least its time zone).
func serviceValuesOut(l crm.Inbound, loc *time.Location) map[string]any {
	out := map[string]any{}
	for _, v := range l.Values {
		f, ok := crm.ServiceFieldByID(crm.EntityInbound, v.FieldID)
		if !ok {
			continue
		}
		// The examples: the name's mask is null, the others' "".
		var mask any = ""
		if f.NameID == "name" {
			mask = nil
		}
		out[f.NameID] = map[string]any{
			"id": s(v.ID), "crm_id": s(l.AccountID), "lead_id": s(l.ID), "input_id": s(f.ID),
			"type_id": "1", "value": v.Value, "mask": mask, "generated": "0",
			"created_at": at(v.CreatedAt, loc), "updated_at": at(v.UpdatedAt, loc), "deleted_at": nil,
			"name": f.Name, "name_id": f.NameID,
		}
	}
	return out
}

// customValuesOut is values.custom: a list of value objects like the
// service ones, with type_id "2" and name_id crm_<id>. crmd keeps no row id
// or timestamps per custom value, so those members are left out. A list
// value is its option's text (lead/set and updateLeadValue accept the text
// or the option id); dates are "YYYY-MM-DD" (date and time for date_time);
// a field with several values gives a list.
func customValuesOut(l crm.Inbound, loc *time.Location) []any {
	out := []any{}
	for _, fv := range l.Fields {
		texts := make([]string, 0, len(fv.Values))
		for _, v := range fv.Values {
			texts = append(texts, customText(fv.FieldType, v, loc))
		}
		var value any
		switch len(texts) {
		case 0:
			continue
		case 1:
			value = texts[0]
		default:
			value = texts
		}
		out = append(out, map[string]any{
			"crm_id": s(l.AccountID), "lead_id": s(l.ID), "input_id": s(fv.FieldID), "type_id": "2",
			"value": value, "mask": nil, "generated": "0", "name": fv.FieldName, "name_id": customNameID(fv.FieldID),
		})
	}
	return out
}

func customText(t crm.FieldType, v crm.Value, loc *time.Location) string {
	switch t {
	case crm.FieldDate, crm.FieldDateTime:
		n, err := strconv.ParseInt(v.Text, 10, 64)
		if err != nil {
			return v.Text
		}
		if t == crm.FieldDate {
			return time.Unix(n, 0).In(loc).Format(time.DateOnly)
		}
		return time.Unix(n, 0).In(loc).Format(time.DateTime)
	}
	return v.Text
}
