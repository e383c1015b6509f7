package envybox_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of the lead methods (E02–E07, E10, E11), over real HTTP
// on SQLite and PostgreSQL. Requests replay the document's examples.

// TestLeadSet replays E02's example through lead/set and lead/workset and
// reads the lead back with lead/get (E04).
func TestLeadSet(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Leads")
		budget := a.field(t, crm.EntityInbound, "Бюджет", crm.FieldNumeric).ID
		example := fmt.Sprintf(`{
			"method": "create",
			"pipeline_id": 0,
			"employee_id": 0,
			"inbox_type_id": 0,
			"visit_id": 0,
			"region": "Свердловская область",
			"timezone": "UTC+03:00",
			"tags": ["тег1", "тег2"],
			"record_link": "https://site.ru/upload/record.mp3",
			"values": {
				"name": "Test",
				"phone": "74993229710",
				"email": "team@callbackkiller.com",
				"comment": "информация",
				"utm_source": "", "utm_medium": "", "utm_campaign": "", "utm_content": "", "utm_term": "",
				"google_client_id": "", "yandex_client_id": "",
				"custom": [{"input_id": %d, "value": "5000"}]
			},
			"contact_data": [
				{"type": "work_phone", "value": "556688", "addon": "101"},
				{"type": "instagram", "value": "test"}
			]
		}`, budget)

		// lead/set: id and parent_id at top level, numbers, parent 0.
		r := a.ok(t, "lead/set/", example).Keys("", "id", "parent_id", "status_code", "message").Equal("parent_id", 0)
		id := r.Int("id")
		if id == 0 {
			t.Fatalf("id 0, want a new id")
		}

		// lead/get (E04): old-style typing; the service values (name,
		// phone, email, comment, region, time zone — no empty UTM) with
		// their input ids, the custom value, no deals yet.
		golden(t, "lead_get_e02", a.getLead(t, id), masks(
			maskAs("id", "lead", id), maskAs("**.lead_id", "lead", id), maskAs("**.crm_id", "account", a.id),
			maskAs("stage_id", "stage Новый", a.leadStages(t)["Новый"]),
			maskAs("values.custom.*.input_id", "field Бюджет", budget),
			maskAs("values.custom.*.name_id", "crm_Бюджет", fmt.Sprintf("crm_%d", budget)),
			maskAs("deal_pipeline_id", "primary deal pipeline", a.pipeline.ID), maskIDs("pipeline_id", "inbox_type_id"),
			crmtest.MaskPath("values.*.*.id", "id"),
			maskTimes("created_at", "updated_at", "stage_updated_at"))...)

		// The contact data are searchable; the record link is on the log.
		a.ok(t, "lead/list/", `{"keyword": "556688"}`).Equal("leads.count", "1")

		// lead/workset: the same body, a reply without the id; it is the
		// second lead of the contact, so its parent is the first.
		a.ok(t, "lead/workset/", example).Keys("", "status_code", "message")
		a.ok(t, "lead/list/", `{}`).Equal("leads.result.*.parent_id", []string{fmt.Sprint(id), "0"})
	})
}

// TestLeadSetDeduplication: one phone in three spellings, and an email in
// another case, all find the first lead as parent.
func TestLeadSetDeduplication(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Dedup")
		first, parent := a.createLead(t, `{"method": "create", "values": {"name": "Первый", "phone": "+7 (499) 322-97-10"}}`)
		if parent != 0 {
			t.Fatalf("first lead has parent %d", parent)
		}
		for _, phone := range []string{"84993229710", "74993229710", "+7 (499) 322-97-10"} {
			_, parent := a.createLead(t, fmt.Sprintf(`{"method": "create", "values": {"phone": %q}}`, phone))
			crmtest.Equal(t, "parent_id of "+phone, parent, first)
		}
		// A phone given as a JSON number is the same phone.
		_, parent = a.createLead(t, `{"method": "create", "values": {"phone": 74993229710}}`)
		crmtest.Equal(t, "parent_id of a numeric phone", parent, first)
		a.getLead(t, first).Equal("phone", "74993229710")

		byMail, _ := a.createLead(t, `{"method": "create", "values": {"email": "Team@CallbackKiller.com"}}`)
		_, parent = a.createLead(t, `{"method": "create", "values": {"email": "team@callbackkiller.COM"}}`)
		crmtest.Equal(t, "parent_id of the email in another case", parent, byMail)
		a.getLead(t, byMail).Equal("email", "team@callbackkiller.com")
		// Another contact is its own parent.
		_, parent = a.createLead(t, `{"method": "create", "values": {"phone": "74950000000"}}`)
		crmtest.Equal(t, "parent_id of another contact", parent, 0)
	})
}

// TestLeadSetErrors covers the method, malformed bodies and bad values.
func TestLeadSetErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Errors")
		for _, path := range []string{"lead/set/", "lead/workset/"} {
			a.fail(t, path, `{"method": "update", "values": {"phone": "74993229710"}}`, http.StatusInternalServerError, "Неверный request")
			a.fail(t, path, `{"values": {"phone": "74993229710"}}`, http.StatusInternalServerError, "Неверный request")
			refused(t, a.call(t, http.MethodPost, path, `{"request": {"method": "create"`), http.StatusBadRequest, "Неверный JSON в теле запроса")
			refusedPrefix(t, a.call(t, http.MethodPost, path, `{"method": "create"}`), http.StatusBadRequest, "Параметры")
			// Neither phone nor email.
			a.failPrefix(t, path, `{"method": "create", "values": {"name": "Нет контакта"}}`, http.StatusBadRequest, "Неверный request")
			// Unknown employee, pipeline, inbox type, contact type, time zone.
			for _, bad := range []string{
				`"employee_id": 999999`, `"pipeline_id": 999999`, `"inbox_type_id": 999999`, `"timezone": "MSK"`,
				`"contact_data": [{"type": "fax", "value": "1"}]`, `"values": {"phone": "74993229710", "nickname": "x"}`,
			} {
				a.failPrefix(t, path, `{"method": "create", "values": {"phone": "74993229710"}, `+bad+`}`, http.StatusBadRequest, "Неверный request")
			}
			a.failPrefix(t, path, `{"method": "create", "pipeline_id": "abc", "values": {"phone": "1"}}`, http.StatusBadRequest, "Параметр pipeline_id")
		}
		// Nothing was recorded.
		a.ok(t, "lead/list/", `{}`).Equal("leads.count", "0")
	})
}

// TestLeadSetResponsible: an employee given on creation is the lead's
// employee, with the administrator as user_id.
func TestLeadSetResponsible(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Responsible")
		member := env.NewUser(t, a.id, crm.RoleMember)
		id, _ := a.createLead(t, fmt.Sprintf(`{"method": "create", "employee_id": "%d", "values": {"phone": "74993229710"}}`, member.UserID))
		has(t, "lead", a.getLead(t, id), map[string]any{"employee_id": fmt.Sprint(member.UserID), "user_id": fmt.Sprint(a.admin)})
	})
}

// TestLeadGetErrors: missing and unknown lead ids.
func TestLeadGetErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Get")
		a.fail(t, "lead/get/", `{}`, http.StatusBadRequest, "Не указан lead_id")
		a.fail(t, "lead/get/", `{"lead_id": 999999}`, http.StatusNotFound, "Лид с данным id не найден")
		a.fail(t, "lead/get/", `{"lead_id": "x"}`, http.StatusBadRequest, "Параметр lead_id должен быть числом")
		// Another account's lead is not found either.
		b := newAccount(t, env, "Other")
		other := b.lead(t, "Чужой", "74990000001", "")
		a.fail(t, "lead/get/", fmt.Sprintf(`{"lead_id": %d}`, other), http.StatusNotFound, "Лид с данным id не найден")
		// The id may be a string, as old examples send ids.
		own := a.lead(t, "Свой", "74990000002", "")
		a.getLead(t, own).Equal("id", fmt.Sprint(own))
		a.ok(t, "lead/get/", fmt.Sprintf(`{"lead_id": "%d"}`, own)).Equal("result.id", fmt.Sprint(own))
	})
}

// TestLeadSearch replays E05: the lead of a phone or email not yet taken to
// work, or null.
func TestLeadSearch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Search")
		first := a.lead(t, "Анна", "74993229710", "info@callbackkiller.com")
		second := a.lead(t, "Анна", "84993229710", "")

		// The parent lead, old-style typing, without the lead/get extras.
		a.ok(t, "lead/search/", `{"email": "info@callbackkiller.com", "phone": "74993229710"}`).Golden("lead_search_e05", masks(
			maskAs("leads.id", "first lead", first), maskAs("leads.lead_id", "first lead", first), maskAs("leads.crm_id", "account", a.id),
			maskAs("leads.stage_id", "stage Новый", a.leadStages(t)["Новый"]),
			maskAs("leads.deal_pipeline_id", "primary deal pipeline", a.pipeline.ID), maskIDs("pipeline_id", "inbox_type_id"),
			maskTimes("created_at", "updated_at", "stage_updated_at"))...)
		// Phone alone, in another spelling; email alone, in another case.
		for _, req := range []string{`{"phone": "+7 (499) 322-97-10"}`, `{"email": "INFO@callbackkiller.com"}`} {
			a.ok(t, "lead/search/", req).Equal("leads.id", fmt.Sprint(first))
		}

		// Once the parent is taken to work, the open child is found; once
		// both are, nothing.
		a.ok(t, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": %d, "employee_id": 0}`, first, a.admin))
		a.ok(t, "lead/search/", `{"phone": "74993229710"}`).Equal("leads.id", fmt.Sprint(second))
		a.ok(t, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": 0, "employee_id": 0}`, second))
		a.ok(t, "lead/search/", `{"email": "info@callbackkiller.com", "phone": "74993229710"}`).
			Keys("", "leads", "status_code", "message").Equal("leads", nil)
		// An unknown contact is no match either.
		a.ok(t, "lead/search/", `{"phone": "70000000000"}`).Equal("leads", nil)
		// Neither phone nor email.
		a.fail(t, "lead/search/", `{}`, http.StatusInternalServerError, "Неверный request")
	})
}

// TestLeadStart replays E07 and checks what taking to work made.
func TestLeadStart(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		a := newAccount(t, env, "Start")
		first := a.lead(t, "Денис", "79674402685", "denis@example.com")
		second := a.lead(t, "Денис", "89674402685", "")

		r := a.ok(t, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": %d, "employee_id": 0}`, first, a.admin)).
			Keys("", "result", "status_code", "message").Keys("result", "lead_id", "user_id", "employee_id", "client_id", "deal_id").
			Equal("result.lead_id", first).Equal("result.user_id", a.admin).Equal("result.employee_id", 0)
		client, dealID := r.Int("result.client_id"), r.Int("result.deal_id")
		if client == 0 || dealID == 0 {
			t.Fatalf("client %d deal %d", client, dealID)
		}
		has(t, "started lead", a.getLead(t, first), map[string]any{"stage": "Новый клиент", "status": "1",
			"link_client_id": fmt.Sprint(client), "deals": ids(dealID)})
		d, err := env.Server.Service.Deal(ctx, a.actor, dealID, false)
		if err != nil {
			t.Fatal(err)
		}
		if d.Deal.ClientID != client || d.Deal.UserID != a.admin {
			t.Errorf("deal %+v, want client %d and user %d", d.Deal, client, a.admin)
		}

		// A second start is refused; an unknown lead is not found.
		a.fail(t, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": %d, "employee_id": 0}`, first, a.admin),
			http.StatusConflict, "Лид уже взят в работу")
		a.fail(t, "lead/start/", `{"lead_id": 999999, "user_id": 0, "employee_id": 0}`, http.StatusNotFound, "Лид с данным id не найден")
		a.fail(t, "lead/start/", `{"user_id": 0}`, http.StatusBadRequest, "Не указан lead_id")

		// The second lead of the contact joins the existing client, with
		// a new deal; its responsible is an employee given without user_id
		// (the domain accepts it).
		member := env.NewUser(t, a.id, crm.RoleMember)
		r = a.ok(t, "lead/start/", fmt.Sprintf(`{"lead_id": "%d", "employee_id": %d}`, second, member.UserID)).
			Equal("result.client_id", client).Equal("result.employee_id", member.UserID).Equal("result.user_id", 0)
		if r.Int("result.deal_id") == dealID {
			t.Errorf("second start %v, want a new deal", r.At("result"))
		}
		has(t, "second lead", a.getLead(t, second), map[string]any{"stage": "Существующий клиент", "status": "1"})

		// A user_id that is not an administrator is refused.
		third := a.lead(t, "Ещё", "74950000003", "")
		a.failPrefix(t, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": %d}`, third, member.UserID), http.StatusBadRequest, "Неверный request")
	})
}

// TestLeadUpdateLeadValue replays E10.
func TestLeadUpdateLeadValue(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Values")
		budget := a.field(t, crm.EntityInbound, "Бюджет", crm.FieldNumeric).ID
		visit := a.field(t, crm.EntityInbound, "Дата визита", crm.FieldDate).ID
		id := a.lead(t, "Старое имя", "74993229710", "")

		// The example: a client-level service id (1011, time zone) on a lead.
		a.ok(t, "lead/updateLeadValue/", fmt.Sprintf(`{"lead_id": %d, "fields": [{"input_id": 1011, "value": "753453", "value_type_id": 1}]}`, id)).
			Keys("", "status_code", "message")
		// Name and phone (input 1 and 2) as callers do; custom fields by id.
		a.ok(t, "lead/updateLeadValue/", fmt.Sprintf(`{"lead_id": "%d", "fields": [
			{"input_id": 1, "value": "Новое имя", "value_type_id": 1},
			{"input_id": 2, "value": "8 (495) 111-22-33", "value_type_id": 1},
			{"input_id": %d, "value": "12500", "value_type_id": 2},
			{"input_id": %d, "value": "2017-07-10", "value_type_id": "2"}]}`, id, budget, visit))
		l := a.getLead(t, id)
		has(t, "lead", l, map[string]any{"name": "Новое имя", "phone": "74951112233"})
		has(t, "timezone value", l.Sub("values.service.timezone"), map[string]any{"value": "753453", "input_id": "11"})
		l.Equal(fmt.Sprintf("values.custom.input_id=%d.value", budget), "12500")
		l.Equal(fmt.Sprintf("values.custom.input_id=%d.value", visit), "2017-07-10")
		// The new phone is the lead's contact now.
		a.ok(t, "lead/search/", `{"phone": "74951112233"}`).Equal("leads.id", fmt.Sprint(id))

		// The documented error: an unknown lead_id.
		a.fail(t, "lead/updateLeadValue/", `{"lead_id": 21371, "fields": [{"input_id": 1011, "value": "753453", "value_type_id": 1}]}`,
			http.StatusInternalServerError, "Неверный request")
		// Unknown service field, unknown value kind, no fields, bad items.
		for _, fields := range []string{
			`[{"input_id": 999, "value": "x", "value_type_id": 1}]`,
			`[{"input_id": 1, "value": "x", "value_type_id": 3}]`,
			`[]`,
			`["x"]`,
			`[{"value": "x", "value_type_id": 1}]`,
		} {
			a.fail(t, "lead/updateLeadValue/", fmt.Sprintf(`{"lead_id": %d, "fields": %s}`, id, fields), http.StatusInternalServerError, "Неверный request")
		}
		// An unknown custom field and a bad number are invalid requests too.
		a.failPrefix(t, "lead/updateLeadValue/", fmt.Sprintf(`{"lead_id": %d, "fields": [{"input_id": 999999, "value": "x", "value_type_id": 2}]}`, id),
			http.StatusBadRequest, "Неверный request")
		a.failPrefix(t, "lead/updateLeadValue/", fmt.Sprintf(`{"lead_id": %d, "fields": [{"input_id": %d, "value": "много", "value_type_id": 2}]}`, id, budget),
			http.StatusBadRequest, "Неверный request")
		a.fail(t, "lead/updateLeadValue/", `{"fields": []}`, http.StatusBadRequest, "Не указан lead_id")
	})
}

// TestLeadUpdateEmployee replays E11.
func TestLeadUpdateEmployee(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Employee")
		first := env.NewUser(t, a.id, crm.RoleMember)
		second := env.NewUser(t, a.id, crm.RoleMember)
		dep := a.department(t, "Продажи")
		id := a.lead(t, "Лид", "74993229710", "")

		a.ok(t, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d, "employee_id": %d}`, id, first.UserID)).
			Keys("", "lead_id", "employee_id", "crm_id", "message", "status_code").
			Equal("lead_id", id).Equal("employee_id", first.UserID).Equal("crm_id", a.id)
		a.ok(t, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d, "employee_id": %d}`, id, second.UserID))
		has(t, "lead", a.getLead(t, id), map[string]any{"employee_id": fmt.Sprint(second.UserID), "old_employee_id": fmt.Sprint(first.UserID)})

		// A department instead of an employee.
		a.ok(t, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d, "department_id": %d}`, id, dep)).
			Keys("", "lead_id", "department_id", "crm_id", "message", "status_code").Equal("department_id", dep)
		has(t, "lead", a.getLead(t, id), map[string]any{"department_id": fmt.Sprint(dep), "employee_id": "0"})

		// Unknown employee or department, neither, unknown or missing lead.
		a.failPrefix(t, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d, "employee_id": 999999}`, id), http.StatusBadRequest, "Неверный request")
		a.failPrefix(t, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d, "department_id": 999999}`, id), http.StatusBadRequest, "Неверный request")
		a.fail(t, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d}`, id), http.StatusInternalServerError, "Неверный request")
		a.fail(t, "lead/update_employee/", fmt.Sprintf(`{"lead_id": 96364859, "employee_id": %d}`, first.UserID),
			http.StatusNotFound, "Лид с данным id не найден")
		a.fail(t, "lead/update_employee/", fmt.Sprintf(`{"employee_id": %d}`, first.UserID), http.StatusBadRequest, "Не указан lead_id")
	})
}
