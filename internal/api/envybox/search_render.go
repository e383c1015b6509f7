package envybox

import (
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// The rows of the deal search by field values (E15), new-style: ids and
// codes are numbers, dates "YYYY-MM-DD HH:MM:SS" in the account's time zone
// or null. Members the document leaves unexplained, crmd's reading:
//
//   - task_time and data: the deal's nearest open task (null when it has
//     none). data is its card: btn {name "", icon "md-call" — or
//     "md-call-missed" with color "danger" when overdue — , color
//     "primary"}, next_time, no_time 0, comment (the task's text) and user
//     {img, name, profession} of its employee, else its administrator.
//   - last_comment: the text of the latest comment entry (2010), or null.
//   - lead_created_at: the latest linked lead's creation, or null.
//   - contact_name, phone, email: the first contact person's name ("" when
//     the client has none) and the client's main phone and email ("" when
//     none); contacts[] lists the client's contact persons, each with their
//     own first phone and email, indexUnqId counting from 0.
//   - short_name, inn: the client's primary company's, or null;
//     companies[] are the client's companies as client/getCompanies shows
//     them.
//   - values: service holds the deal's service values by name_id and the
//     client's region and time zone (their objects carry client_id instead
//     of deal_id; the client's name is client_name); custom lists the
//     deal's custom values, then the client's (with client_id). found_in is
//     always null: crmd does not say where a keyword matched.
//   - max_colls_contacts: the most contacts[] of a row of the page (0 for an
//     empty page).

// searchNoPhoto is the avatar of users without one (crmd keeps none), as
// the log entries' user cards show it.
const searchNoPhoto = "/img/avatars/nophoto.png"

// searchReply is the E15 reply for one page.
func searchReply(c *call, page crm.DealSearchPage, keyword string, limit, offset int) map[string]any {
	rows := make([]any, 0, len(page.Rows))
	maxContacts := 0
	for _, r := range page.Rows {
		row := searchRow(c, r)
		if n := len(row["contacts"].([]any)); n > maxContacts {
			maxContacts = n
		}
		rows = append(rows, row)
	}
	var kw any
	if strings.TrimSpace(keyword) != "" {
		kw = keyword
	}
	return map[string]any{
		"all_ids":            page.AllIDs,
		"count":              page.Total,
		"max_colls_contacts": maxContacts,
		"result":             rows,
		"offset":             nextOffset(offset, limit, page.Total),
		"keyword":            kw,
	}
}

// searchRow is one deal of the page.
func searchRow(c *call, r crm.DealSearchRow) map[string]any {
	d := r.Deal
	row := map[string]any{
		"id":               d.ID,
		"inbox_type_id":    d.InboxTypeID,
		"stage_updated_at": at(d.StageUpdatedAt, c.loc),
		"task_time":        nil,
		"client_id":        nullableN(d.ClientID), // null: a lead made through amoCRM without contacts
		"pipeline_id":      d.PipelineID,
		"stage_id":         d.StageID,
		"stage":            d.Stage.Name,
		"user_id":          d.UserID,
		"old_employee_id":  nullableN(d.OldEmployeeID),
		"employee_id":      d.EmployeeID,
		"department_id":    d.DepartmentID,
		"status_id":        int(d.Stage.Status),
		"stage_color":      d.Stage.Color,
		"closed_at":        at(d.ClosedAt, c.loc),
		"created_at":       at(d.CreatedAt, c.loc),
		"updated_at":       at(d.UpdatedAt, c.loc),
		"deleted_at":       nil,
		"name":             d.Name,
		"client_name":      emptyNull(d.ClientName),
		"lead_created_at":  at(r.LeadCreatedAt, c.loc),
		"contact_name":     "",
		"phone":            r.Client.Phone(),
		"email":            r.Client.Email(),
		"short_name":       nil,
		"inn":              nil,
		"data":             nil,
		"last_comment":     emptyNull(r.LastComment),
		"contacts":         searchContacts(r.Client),
		"companies":        searchCompanies(c, r.Companies),
		"values":           searchValues(c, r),
	}
	if len(r.Client.Persons) > 0 {
		row["contact_name"] = r.Client.Persons[0].Name
	}
	if len(r.Companies) > 0 {
		row["short_name"], row["inn"] = r.Companies[0].Name, clientINN(r.Companies[0].INN)
	}
	if t := r.Task; t != nil {
		row["task_time"] = at(t.Time, c.loc)
		btn := map[string]any{"name": "", "icon": "md-call", "color": "primary"}
		if t.Overdue {
			btn["icon"], btn["color"] = "md-call-missed", "danger"
		}
		var user any
		if u := r.TaskUser; u != nil {
			user = map[string]any{"img": searchNoPhoto, "name": strings.TrimSpace(u.Name + " " + u.Surname), "profession": u.Profession}
		}
		row["data"] = map[string]any{"btn": btn, "next_time": at(t.Time, c.loc), "no_time": 0, "comment": t.Text, "user": user}
	}
	return row
}

// searchContacts lists the client's contact persons with their first phone
// and email.
func searchContacts(cl crm.Client) []any {
	out := make([]any, 0, len(cl.Persons))
	for i, p := range cl.Persons {
		phone, email := "", ""
		for _, d := range cl.ContactData {
			if d.Group != p.ID {
				continue
			}
			switch {
			case crm.IsPhoneKind(d.Kind) && (phone == "" || d.Primary):
				phone = d.Value
			case d.Kind == "email" && (email == "" || d.Primary):
				email = d.Value
			}
		}
		out = append(out, map[string]any{"contact_name": p.Name, "phone": phone, "email": email, "contact_id": p.ID, "indexUnqId": i})
	}
	return out
}

func searchCompanies(c *call, list []crm.ClientCompany) []any {
	out := make([]any, 0, len(list))
	for _, cc := range list {
		out = append(out, clientCompanyRow(cc, c.loc))
	}
	return out
}

// searchValues is the row's values: the deal's, then the client's.
func searchValues(c *call, r crm.DealSearchRow) map[string]any {
	service := map[string]any{}
	value := func(owner string, ownerID int64, f crm.ServiceField, v crm.ServiceValue) map[string]any {
		return map[string]any{
			"id": v.ID, "crm_id": c.actor.AccountID, owner: ownerID, "input_id": f.ID, "type_id": 1, "value": v.Value, "mask": nil,
			"created_at": at(v.CreatedAt, c.loc), "updated_at": at(v.UpdatedAt, c.loc), "deleted_at": nil,
			"name": f.Name, "name_id": f.NameID,
		}
	}
	for _, v := range r.Deal.Values {
		if f, ok := crm.ServiceFieldByID(crm.EntityDeal, v.FieldID); ok {
			service[f.NameID] = value("deal_id", r.Deal.ID, f, v)
		}
	}
	for _, v := range r.Client.Values {
		f, ok := crm.ServiceFieldByID(crm.EntityContact, v.FieldID)
		if !ok || f.NameID == "name" {
			continue
		}
		if _, clash := service[f.NameID]; !clash {
			service[f.NameID] = value("client_id", r.Client.ID, f, v)
		}
	}
	custom := []any{}
	for _, part := range []struct {
		owner   string
		ownerID int64
		fields  []crm.FieldValue
	}{{"deal_id", r.Deal.ID, r.Deal.Fields}, {"client_id", r.Client.ID, r.Client.Fields}} {
		for _, fv := range part.fields {
			if len(fv.Values) == 0 {
				continue
			}
			custom = append(custom, map[string]any{
				"crm_id": c.actor.AccountID, part.owner: part.ownerID, "input_id": fv.FieldID, "type_id": 2,
				"value": customValueText(fv, c.loc), "mask": nil, "deleted_at": nil, "name": fv.FieldName,
				"name_id": "crm_" + s(fv.FieldID),
			})
		}
	}
	return map[string]any{"found_in": nil, "custom": custom, "service": service}
}
