package envybox

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// clientList serves client/list (E27): a flat list object. The two
// examples disagree on the members (keyword only in the first, all_ids and
// max_colls_contacts only in the empty one); every reply carries all three.
func (h *handler) clientList(ctx context.Context, c *call) (map[string]any, error) {
	keyword, err := c.req.str("keyword")
	if err != nil {
		return nil, err
	}
	limit, offset, err := c.req.page()
	if err != nil {
		return nil, err
	}
	created, err := c.req.dateRange(c.loc)
	if err != nil {
		return nil, err
	}
	page, err := h.svc.Clients(ctx, c.actor, crm.ClientQuery{Keyword: keyword, Created: created, Limit: limit, Offset: offset})
	if err != nil {
		return nil, err
	}
	result := make([]map[string]any, 0, len(page.Clients))
	maxContacts := 0
	for _, cl := range page.Clients {
		result = append(result, clientListItem(cl, c.actor.AccountID, c.loc))
		maxContacts = max(maxContacts, len(cl.ContactData))
	}
	return map[string]any{
		"keyword": emptyNull(keyword), "offset": nextOffset(offset, limit, page.Total), "limit": limit,
		"result": result, "count": strconv.Itoa(page.Total), "all_ids": page.AllIDs, "max_colls_contacts": maxContacts,
	}, nil
}

// clientGet serves client/get (E28).
func (h *handler) clientGet(ctx context.Context, c *call) (map[string]any, error) {
	id, err := c.req.required("client_id")
	if err != nil {
		return nil, err
	}
	cl, err := h.svc.Client(ctx, c.actor, id)
	if err != nil {
		return nil, err
	}
	acc := c.actor.AccountID
	return map[string]any{"result": map[string]any{
		"id": s(cl.ID), "crm_id": s(acc), "created_at": at(cl.CreatedAt, c.loc),
		"updated_at": clientUpdated(cl.Contact, c.loc), "deleted_at": nil,
		"values":   clientValues(cl, acc, c.loc),
		"contacts": clientContactRows(cl, acc, c.loc, false),
		"deals":    clientDealRows(cl, acc, c.loc),
	}}, nil
}

// clientStrings reads string parameters that may each be one value or an
// array of values (phone, phones, …).
func (c *call) clientStrings(keys ...string) ([]string, error) {
	var out []string
	for _, key := range keys {
		list, isList := c.req[key].([]any)
		if !isList {
			v, err := c.req.str(key)
			if err != nil {
				return nil, err
			}
			if v != "" {
				out = append(out, v)
			}
			continue
		}
		for _, x := range list {
			v, err := params{key: x}.str(key)
			if err != nil {
				return nil, err
			}
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out, nil
}

// clientCreate serves client/create (E29). Besides the documented name,
// phone/phones and email/emails (one value or an array) become the
// client's contact data.
func (h *handler) clientCreate(ctx context.Context, c *call) (map[string]any, error) {
	name, err := c.req.str("name")
	if err != nil {
		return nil, err
	}
	phones, err := c.clientStrings("phone", "phones")
	if err != nil {
		return nil, err
	}
	emails, err := c.clientStrings("email", "emails")
	if err != nil {
		return nil, err
	}
	cl, err := h.svc.CreateClient(ctx, c.actor, crm.NewClient{Name: name, Phones: phones, Emails: emails})
	if err != nil {
		return nil, err
	}
	return map[string]any{"result": map[string]any{"client": map[string]any{
		"crm_id": c.actor.AccountID, "updated_at": at(cl.UpdatedAt, c.loc), "created_at": at(cl.CreatedAt, c.loc), "id": cl.ID,
	}}}, nil
}

// clientGetContacts serves client/getContacts (E30).
func (h *handler) clientGetContacts(ctx context.Context, c *call) (map[string]any, error) {
	id, err := c.req.required("client_id")
	if err != nil {
		return nil, err
	}
	cl, err := h.svc.Client(ctx, c.actor, id)
	if err != nil {
		return nil, err
	}
	return map[string]any{"result": map[string]any{"contacts": clientContactRows(cl, c.actor.AccountID, c.loc, true)}}, nil
}

// clientUpdateValue serves client/updateClientValue (E32). The document
// answers an unknown client with status 500; other failures use the usual
// codes ("Неверный request" is 500 too).
func (h *handler) clientUpdateValue(ctx context.Context, c *call) (map[string]any, error) {
	id, err := c.req.required("client_id")
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
	fields, err := c.req.list("fields")
	if err != nil {
		return nil, err
	}
	writes := make([]crm.FieldWrite, 0, len(fields))
	for _, raw := range fields {
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, invalidRequest()
		}
		f := params(m)
		input, err := f.int("input_id")
		if err != nil || input == 0 {
			return nil, invalidRequest()
		}
		kind, err := f.int("value_type_id")
		if err != nil || (kind != 1 && kind != 2) {
			return nil, invalidRequest()
		}
		writes = append(writes, crm.FieldWrite{FieldID: input, Service: kind == 1, Value: plain(f["value"])})
	}
	err = h.svc.UpdateClientValues(ctx, c.actor, id, crm.Responsible{UserID: userID, EmployeeID: employeeID}, writes)
	if crm.CodeOf(err) == crm.CodeClientNotFound {
		// This method's document answers an unknown client with 500.
		return nil, &apiError{status: http.StatusInternalServerError, message: codeReplies[crm.CodeClientNotFound].text}
	}
	if err != nil {
		return nil, err
	}
	echo := fields
	if echo == nil {
		echo = []any{}
	}
	return map[string]any{"result": map[string]any{
		"client_id": s(id), "user_id": s(userID), "employee_id": s(employeeID), "fields": echo,
	}}, nil
}

// clientAddContact serves client/addContact (E34). work_phone is an object
// {value, addon} (a bare value is accepted too); the reply has no id.
func (h *handler) clientAddContact(ctx context.Context, c *call) (map[string]any, error) {
	id, err := c.req.required("client_id")
	if err != nil {
		return nil, err
	}
	var n crm.NewContactPerson
	for _, f := range []struct {
		key string
		dst *string
	}{{"name", &n.Name}, {"phone", &n.Phone}, {"email", &n.Email}, {"birthday", &n.Birthday},
		{"home_phone", &n.HomePhone}, {"position", &n.Position}, {"note", &n.Note}} {
		if *f.dst, err = c.req.str(f.key); err != nil {
			return nil, err
		}
	}
	if wp, isObject := c.req["work_phone"].(map[string]any); isObject {
		if n.WorkPhone, err = params(wp).str("value"); err != nil {
			return nil, badRequest("Параметр work_phone.value должен быть строкой")
		}
		if n.WorkPhoneAddon, err = params(wp).str("addon"); err != nil {
			return nil, badRequest("Параметр work_phone.addon должен быть строкой")
		}
	} else if n.WorkPhone, err = c.req.str("work_phone"); err != nil {
		return nil, badRequest("Параметр work_phone должен быть объектом {\"value\": …, \"addon\": …}")
	}
	n.Messengers = map[string]string{}
	for _, kind := range crm.MessengerKinds {
		if n.Messengers[kind], err = c.req.str(kind); err != nil {
			return nil, err
		}
	}
	if _, err := h.svc.AddContactPerson(ctx, c.actor, id, n); err != nil {
		return nil, err
	}
	return nil, nil
}

// clientPathID reads the client id of client/{client_id}/…; an id that is
// not a positive integer names no client.
func clientPathID(c *call) (int64, error) {
	raw := c.r.PathValue("client_id")
	id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil || id <= 0 {
		return 0, crm.Fail(crm.CodeClientNotFound)
	}
	return id, nil
}

// clientGetCompanies serves client/{client_id}/getCompanies (E35).
func (h *handler) clientGetCompanies(ctx context.Context, c *call) (map[string]any, error) {
	id, err := clientPathID(c)
	if err != nil {
		return nil, err
	}
	list, err := h.svc.ClientCompanies(ctx, c.actor, id)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(list))
	for _, cc := range list {
		out = append(out, clientCompanyRow(cc, c.loc))
	}
	return map[string]any{"result": map[string]any{"companies": out}}, nil
}

// clientAddCompany serves client/{client_id}/addCompany (E36); the reply's
// result is the company itself.
func (h *handler) clientAddCompany(ctx context.Context, c *call) (map[string]any, error) {
	id, err := clientPathID(c)
	if err != nil {
		return nil, err
	}
	var n crm.NewClientCompany
	d := &n.LegalDetails
	for _, f := range []struct {
		key string
		dst *string
	}{{"short_name", &n.ShortName}, {"full_name", &d.FullName}, {"inn", &d.INN}, {"kpp", &d.KPP}, {"ogrn", &d.OGRN},
		{"legal_address", &d.LegalAddress}, {"postal_address", &d.PostalAddress}, {"general_manager", &d.GeneralManager},
		{"bank_name", &d.BankName}, {"bik", &d.BIK}, {"payment_account", &d.PaymentAccount},
		{"correspondent_account", &d.CorrespondentAccount}} {
		if *f.dst, err = c.req.str(f.key); err != nil {
			return nil, badRequest(fmt.Sprintf("Параметр %s должен быть строкой или числом", f.key))
		}
	}
	cc, err := h.svc.AddClientCompany(ctx, c.actor, id, n)
	if err != nil {
		return nil, err
	}
	return map[string]any{"result": clientCompanyRow(cc, c.loc)}, nil
}
