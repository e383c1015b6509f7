package envybox

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Client responses follow their examples: client/list, client/get and
// client/getContacts are old-style (every number a string), companies and
// client/create new-style (numbers).

// clientContactTypes are the contact rows' type_id and group_id. Envybox
// shows only phone (type 1, group 1) and email (type 4, group 2); the rest
// is crmd's numbering (docs/envybox.md): group 1 phones, 2 emails,
// 3 messengers, 4 other details.
var clientContactTypes = map[string][2]int{
	"phone":        {1, 1},
	"work_phone":   {2, 1},
	"home_phone":   {3, 1},
	"email":        {4, 2},
	"mobile_phone": {5, 1},
	"viber":        {6, 3},
	"whatsapp":     {7, 3},
	"telegram":     {8, 3},
	"instagram":    {9, 3},
	"vkontakte":    {10, 3},
	"facebook":     {11, 3},
	"skype":        {12, 3},
	"position":     {13, 4},
	"note":         {14, 4},
	// amoCRM's FAX and OTHER phones and PRIV and OTHER emails (crm's
	// contact_card.go), written through /api/v4/contacts.
	"fax":           {15, 1},
	"other_phone":   {16, 1},
	"private_email": {17, 2},
	"other_email":   {18, 2},
}

// clientUpdated is a client's updated_at: null while it was never changed
// after its creation ("если null — значит отсутствует").
func clientUpdated(c crm.Contact, loc *time.Location) any {
	if !c.UpdatedAt.After(c.CreatedAt) {
		return nil
	}
	return at(c.UpdatedAt, loc)
}

// clientContactRow renders one contact data row. The client/getContacts
// example writes addon and element_note as "" and carries birthday;
// client/get and client/list write null and have no birthday (full).
// Rows of a contact person also name it (contact_id, contact_name).
func clientContactRow(cl crm.Client, d crm.ContactData, accountID int64, loc *time.Location, withBirthday bool) map[string]any {
	kind := clientContactTypes[d.Kind]
	row := map[string]any{
		"id": s(d.ID), "crm_id": s(accountID), "client_id": s(cl.ID), "primary": flag(d.Primary),
		"created_at": at(d.CreatedAt, loc), "updated_at": nil, "deleted_at": nil,
		"type_id": s(int64(kind[0])), "value": d.Value, "group_id": s(int64(kind[1])),
	}
	if d.UpdatedAt.After(d.CreatedAt) {
		row["updated_at"] = at(d.UpdatedAt, loc)
	}
	if withBirthday {
		row["birthday"] = emptyNull(d.Birthday)
		row["addon"], row["element_note"] = d.Addon, d.Note
	} else {
		row["addon"], row["element_note"] = emptyNull(d.Addon), emptyNull(d.Note)
	}
	if d.Group != 0 {
		row["contact_id"] = s(d.Group)
		if p, ok := cl.Person(d.Group); ok {
			row["contact_name"] = p.Name
		}
	}
	return row
}

func clientContactRows(cl crm.Client, accountID int64, loc *time.Location, withBirthday bool) []map[string]any {
	out := make([]map[string]any, 0, len(cl.ContactData))
	for _, d := range cl.ContactData {
		out = append(out, clientContactRow(cl, d, accountID, loc, withBirthday))
	}
	return out
}

// clientValues renders values: service values keyed by name_id, custom
// values as a list of value objects.
func clientValues(cl crm.Client, accountID int64, loc *time.Location) map[string]any {
	service := map[string]any{}
	for _, v := range cl.Values {
		f, ok := crm.ServiceFieldByID(crm.EntityContact, v.FieldID)
		if !ok {
			continue
		}
		service[f.NameID] = map[string]any{
			"id": s(v.ID), "crm_id": s(accountID), "client_id": s(cl.ID), "input_id": s(f.ID), "type_id": "1",
			"value": v.Value, "mask": nil, "created_at": at(v.CreatedAt, loc), "updated_at": at(v.UpdatedAt, loc),
			"deleted_at": nil, "name": f.Name, "name_id": f.NameID,
		}
	}
	custom := []map[string]any{}
	for _, fv := range cl.Fields {
		if len(fv.Values) == 0 {
			continue
		}
		custom = append(custom, map[string]any{
			"crm_id": s(accountID), "client_id": s(cl.ID), "input_id": s(fv.FieldID), "type_id": "2",
			"value": clientCustomText(fv, loc), "mask": nil, "name": fv.FieldName, "name_id": "crm_" + s(fv.FieldID),
		})
	}
	return map[string]any{"service": service, "custom": custom}
}

// clientCustomText is a custom value as Envybox text: list options by id,
// dates in the account's time zone.
func clientCustomText(fv crm.FieldValue, loc *time.Location) string {
	parts := make([]string, 0, len(fv.Values))
	for _, v := range fv.Values {
		switch {
		case v.EnumID != 0:
			parts = append(parts, s(v.EnumID))
		case fv.FieldType == crm.FieldDate:
			parts = append(parts, time.Unix(v.Unix(), 0).In(loc).Format(time.DateOnly))
		case fv.FieldType == crm.FieldDateTime:
			parts = append(parts, time.Unix(v.Unix(), 0).In(loc).Format(time.DateTime))
		default:
			parts = append(parts, v.Text)
		}
	}
	return strings.Join(parts, ",")
}

// clientDealRow renders a deal of a client as client/get and client/list
// show it.
func clientDealRow(d crm.Deal, accountID int64, loc *time.Location) map[string]any {
	return map[string]any{
		"id": s(d.ID), "crm_id": s(accountID), "pipeline_id": s(d.PipelineID), "client_id": s(d.ClientID),
		"stage_id": s(d.StageID), "user_id": s(d.UserID), "employee_id": s(d.EmployeeID),
		"old_employee_id": nullableS(d.OldEmployeeID), "department_id": s(d.DepartmentID),
		"inbox_type_id": s(d.InboxTypeID), "it_reaction": flag(d.ItReaction), "with_event": flag(d.WithEvent),
		"stage_updated_at": at(d.StageUpdatedAt, loc), "created_at": at(d.CreatedAt, loc),
		"updated_at": at(d.UpdatedAt, loc), "deleted_at": nil,
		"name": d.Name, "stage": d.Stage.Name, "stage_color": d.Stage.Color, "status_id": s(int64(d.Stage.Status)),
	}
}

func clientDealRows(cl crm.Client, accountID int64, loc *time.Location) []map[string]any {
	out := make([]map[string]any, 0, len(cl.Deals))
	for _, d := range cl.Deals {
		out = append(out, clientDealRow(d, accountID, loc))
	}
	return out
}

// clientListItem is one client of client/list: denormalised name, phone
// and email, values (with the example's bare "ip_place": null), contact rows
// and the deals keyed by client id.
func clientListItem(cl crm.Client, accountID int64, loc *time.Location) map[string]any {
	values := clientValues(cl, accountID, loc)
	values["service"].(map[string]any)["ip_place"] = nil
	return map[string]any{
		"id": s(cl.ID), "crm_id": s(accountID), "created_at": at(cl.CreatedAt, loc),
		"updated_at": clientUpdated(cl.Contact, loc), "deleted_at": nil,
		"name": emptyNull(cl.Name), "phone": emptyNull(cl.Phone()), "email": emptyNull(cl.Email()),
		"values":   values,
		"contacts": clientContactRows(cl, accountID, loc, false),
		"deals":    map[string]any{s(cl.ID): clientDealRows(cl, accountID, loc)},
	}
}

// clientINN renders an INN as a number, as the examples do, unless a
// leading zero would be lost (regions 01–09), then as a string.
func clientINN(inn string) any {
	if inn == "" {
		return nil
	}
	if _, err := strconv.ParseInt(inn, 10, 64); err != nil || inn[0] == '0' {
		return inn
	}
	return json.Number(inn)
}

// clientCompanyRow renders a company of a client (new-style numbers);
// requisites not given are null.
func clientCompanyRow(cc crm.ClientCompany, loc *time.Location) map[string]any {
	return map[string]any{
		"id": cc.ID, "crm_id": cc.AccountID, "crm_element_id": elementIDs[crm.EntityContact], "element_id": cc.ClientID,
		"primary": flagN(cc.Primary), "short_name": cc.Name, "full_name": emptyNull(cc.FullName),
		"inn": clientINN(cc.INN), "kpp": emptyNull(cc.KPP), "ogrn": emptyNull(cc.OGRN),
		"legal_address": emptyNull(cc.LegalAddress), "postal_address": emptyNull(cc.PostalAddress),
		"general_manager": emptyNull(cc.GeneralManager), "bank_name": emptyNull(cc.BankName),
		"bik": emptyNull(cc.BIK), "payment_account": emptyNull(cc.PaymentAccount),
		"correspondent_account": emptyNull(cc.CorrespondentAccount),
		"created_at":            at(cc.CreatedAt, loc), "updated_at": at(cc.UpdatedAt, loc), "deleted_at": nil,
	}
}
