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
		a := ltNewAccount(t, env, "Leads")
		budget := ltField(t, env, a, crm.EntityInbound, "Бюджет", crm.FieldNumeric)
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
		obj := ltOK(t, ltPost(t, env, a.key, "lead/set/", example))
		ltKeys(t, obj, "id", "parent_id", "status_code", "message")
		id, parent := ltNum(t, obj, "id"), ltNum(t, obj, "parent_id")
		if id == 0 || parent != 0 {
			t.Fatalf("id %d parent_id %d, want a new id and 0", id, parent)
		}

		l := ltGet(t, env, a.key, id)
		ltKeys(t, l, ltLeadKeys...)
		ltStrings(t, l, ltStringIDs...)
		ltStrings(t, l, "stage", "stage_color", "name", "phone", "mask", "email")
		ltNulls(t, l, "old_employee_id", "link_client_id", "deleted_at")
		stages := ltLeadStages(t, env, a.key)
		if l["id"] != fmt.Sprint(id) || l["parent_id"] != "0" || l["crm_id"] != fmt.Sprint(a.id) ||
			l["stage"] != "Новый" || l["stage_id"] != stages["Новый"] || l["status"] != "2" ||
			l["user_id"] != "0" || l["employee_id"] != "0" || l["department_id"] != "0" || l["deal_stage_id"] != "0" {
			t.Errorf("lead %v", l)
		}
		if l["name"] != "Test" || l["phone"] != "74993229710" || l["email"] != "team@callbackkiller.com" || l["mask"] != "" {
			t.Errorf("name/phone/email/mask %v/%v/%v/%v", l["name"], l["phone"], l["email"], l["mask"])
		}
		if !ltDateTime.MatchString(l["created_at"].(string)) {
			t.Errorf("created_at %q", l["created_at"])
		}
		if d := ltList(t, l, "deals"); len(d) != 0 {
			t.Errorf("deals %v, want []", d)
		}
		values := ltObj(t, l, "values")
		ltKeys(t, values, "service", "custom")
		service := ltObj(t, values, "service")
		for nameID, want := range map[string]string{"name": "Test", "phone": "74993229710", "email": "team@callbackkiller.com",
			"comment": "информация", "ip_place_id": "Свердловская область", "timezone": "UTC+03:00"} {
			v, ok := service[nameID].(map[string]any)
			if !ok {
				t.Errorf("values.service.%s missing: %v", nameID, service)
				continue
			}
			ltKeys(t, v, ltValueKeys...)
			ltStrings(t, v, "id", "crm_id", "lead_id", "input_id", "type_id", "value", "generated", "created_at", "name", "name_id")
			if v["value"] != want || v["name_id"] != nameID || v["type_id"] != "1" || v["lead_id"] != fmt.Sprint(id) {
				t.Errorf("values.service.%s = %v, want value %q", nameID, v, want)
			}
		}
		for nameID, inputID := range map[string]string{"name": "1", "phone": "2", "comment": "4", "ip_place_id": "10"} {
			if v, _ := service[nameID].(map[string]any); v != nil && v["input_id"] != inputID {
				t.Errorf("values.service.%s input_id %v, want %s", nameID, v["input_id"], inputID)
			}
		}
		if v, _ := service["name"].(map[string]any); v != nil && v["mask"] != nil {
			t.Errorf("name mask %v, want null as in the example", v["mask"])
		}
		if _, ok := service["utm_source"]; ok {
			t.Errorf("empty utm_source stored: %v", service["utm_source"])
		}
		custom := ltList(t, values, "custom")
		if len(custom) != 1 {
			t.Fatalf("values.custom %v, want one value", custom)
		}
		cv := custom[0].(map[string]any)
		ltStrings(t, cv, "input_id", "type_id", "value", "name", "name_id", "lead_id", "crm_id")
		if cv["input_id"] != fmt.Sprint(budget) || cv["value"] != "5000" || cv["type_id"] != "2" || cv["name_id"] != fmt.Sprintf("crm_%d", budget) {
			t.Errorf("custom value %v", cv)
		}

		// The contact data are searchable; the record link is on the log.
		list := ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/list/", `{"keyword": "556688"}`)), "leads")
		if list["count"] != "1" {
			t.Errorf("keyword over contact data: count %v", list["count"])
		}

		// lead/workset: the same body, a reply without the id; it is the
		// second lead of the contact, so its parent is the first.
		obj = ltOK(t, ltPost(t, env, a.key, "lead/workset/", example))
		ltKeys(t, obj, "status_code", "message")
		list = ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/list/", `{}`)), "leads")
		items := ltList(t, list, "result")
		if len(items) != 2 || items[0].(map[string]any)["parent_id"] != fmt.Sprint(id) {
			t.Errorf("after workset: %v", items)
		}
	})
}

// TestLeadSetDeduplication: one phone in three spellings, and an email in
// another case, all find the first lead as parent.
func TestLeadSetDeduplication(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Dedup")
		first, parent := ltCreate(t, env, a.key, `{"method": "create", "values": {"name": "Первый", "phone": "+7 (499) 322-97-10"}}`)
		if parent != 0 {
			t.Fatalf("first lead has parent %d", parent)
		}
		for _, phone := range []string{"84993229710", "74993229710", "+7 (499) 322-97-10"} {
			_, parent := ltCreate(t, env, a.key, fmt.Sprintf(`{"method": "create", "values": {"phone": %q}}`, phone))
			if parent != first {
				t.Errorf("phone %q: parent_id %d, want %d", phone, parent, first)
			}
		}
		// A phone given as a JSON number is the same phone.
		if _, parent := ltCreate(t, env, a.key, `{"method": "create", "values": {"phone": 74993229710}}`); parent != first {
			t.Errorf("numeric phone: parent_id %d, want %d", parent, first)
		}
		if l := ltGet(t, env, a.key, first); l["phone"] != "74993229710" {
			t.Errorf("phone stored as %v", l["phone"])
		}

		byMail, _ := ltCreate(t, env, a.key, `{"method": "create", "values": {"email": "Team@CallbackKiller.com"}}`)
		if _, parent := ltCreate(t, env, a.key, `{"method": "create", "values": {"email": "team@callbackkiller.COM"}}`); parent != byMail {
			t.Errorf("email in another case: parent_id %d, want %d", parent, byMail)
		}
		if l := ltGet(t, env, a.key, byMail); l["email"] != "team@callbackkiller.com" {
			t.Errorf("email stored as %v", l["email"])
		}
		// Another contact is its own parent.
		if _, parent := ltCreate(t, env, a.key, `{"method": "create", "values": {"phone": "74950000000"}}`); parent != 0 {
			t.Errorf("another contact: parent_id %d, want 0", parent)
		}
	})
}

// TestLeadSetErrors covers the method, malformed bodies and bad values.
func TestLeadSetErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Errors")
		for _, path := range []string{"lead/set/", "lead/workset/"} {
			ltFail(t, ltPost(t, env, a.key, path, `{"method": "update", "values": {"phone": "74993229710"}}`),
				http.StatusInternalServerError, "Неверный request")
			ltFail(t, ltPost(t, env, a.key, path, `{"values": {"phone": "74993229710"}}`),
				http.StatusInternalServerError, "Неверный request")
			ltFail(t, ltCall(t, env, http.MethodPost, a.key, path, `{"request": {"method": "create"`),
				http.StatusBadRequest, "Неверный JSON в теле запроса")
			ltFailPrefix(t, ltCall(t, env, http.MethodPost, a.key, path, `{"method": "create"}`), http.StatusBadRequest, "Параметры")
			// Neither phone nor email.
			ltFailPrefix(t, ltPost(t, env, a.key, path, `{"method": "create", "values": {"name": "Нет контакта"}}`),
				http.StatusBadRequest, "Неверный request")
			// Unknown employee, pipeline, inbox type, contact type, time zone.
			for _, bad := range []string{
				`"employee_id": 999999`, `"pipeline_id": 999999`, `"inbox_type_id": 999999`, `"timezone": "MSK"`,
				`"contact_data": [{"type": "fax", "value": "1"}]`, `"values": {"phone": "74993229710", "nickname": "x"}`,
			} {
				ltFailPrefix(t, ltPost(t, env, a.key, path, `{"method": "create", "values": {"phone": "74993229710"}, `+bad+`}`),
					http.StatusBadRequest, "Неверный request")
			}
			ltFailPrefix(t, ltPost(t, env, a.key, path, `{"method": "create", "pipeline_id": "abc", "values": {"phone": "1"}}`),
				http.StatusBadRequest, "Параметр pipeline_id")
		}
		// Nothing was recorded.
		if list := ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/list/", `{}`)), "leads"); list["count"] != "0" {
			t.Errorf("count %v after failed creations", list["count"])
		}
	})
}

// TestLeadSetResponsible: an employee given on creation is the lead's
// employee, with the administrator as user_id.
func TestLeadSetResponsible(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Responsible")
		member := env.NewUser(t, a.id, crm.RoleMember)
		id, _ := ltCreate(t, env, a.key, fmt.Sprintf(`{"method": "create", "employee_id": "%d", "values": {"phone": "74993229710"}}`, member.UserID))
		l := ltGet(t, env, a.key, id)
		if l["employee_id"] != fmt.Sprint(member.UserID) || l["user_id"] != fmt.Sprint(a.admin) {
			t.Errorf("employee_id/user_id %v/%v, want %d/%d", l["employee_id"], l["user_id"], member.UserID, a.admin)
		}
	})
}

// TestLeadGetErrors: missing and unknown lead ids.
func TestLeadGetErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Get")
		ltFail(t, ltPost(t, env, a.key, "lead/get/", `{}`), http.StatusBadRequest, "Не указан lead_id")
		ltFail(t, ltPost(t, env, a.key, "lead/get/", `{"lead_id": 999999}`), http.StatusNotFound, "Лид с данным id не найден")
		ltFail(t, ltPost(t, env, a.key, "lead/get/", `{"lead_id": "x"}`), http.StatusBadRequest, "Параметр lead_id должен быть числом")
		// Another account's lead is not found either.
		b := ltNewAccount(t, env, "Other")
		other := ltLead(t, env, b.key, "Чужой", "74990000001", "")
		ltFail(t, ltPost(t, env, a.key, "lead/get/", fmt.Sprintf(`{"lead_id": %d}`, other)), http.StatusNotFound, "Лид с данным id не найден")
		// The id may be a string, as old examples send ids.
		own := ltLead(t, env, a.key, "Свой", "74990000002", "")
		if l := ltGet(t, env, a.key, own); l["id"] != fmt.Sprint(own) {
			t.Errorf("lead %v", l)
		}
		ltOK(t, ltPost(t, env, a.key, "lead/get/", fmt.Sprintf(`{"lead_id": "%d"}`, own)))
	})
}

// TestLeadSearch replays E05: the lead of a phone or email not yet taken to
// work, or null.
func TestLeadSearch(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Search")
		first := ltLead(t, env, a.key, "Анна", "74993229710", "info@callbackkiller.com")
		second := ltLead(t, env, a.key, "Анна", "84993229710", "")

		obj := ltOK(t, ltPost(t, env, a.key, "lead/search/", `{"email": "info@callbackkiller.com", "phone": "74993229710"}`))
		ltKeys(t, obj, "leads", "status_code", "message")
		found := ltObj(t, obj, "leads")
		ltKeys(t, found, ltSearchKeys...)
		ltStrings(t, found, ltStringIDs...)
		ltStrings(t, found, "lead_id")
		ltNulls(t, found, "old_employee_id", "link_client_id", "deleted_at")
		if found["id"] != fmt.Sprint(first) || found["lead_id"] != fmt.Sprint(first) || found["status"] != "2" || found["parent_id"] != "0" {
			t.Errorf("found %v, want the parent lead %d", found, first)
		}
		// Phone alone, in another spelling; email alone, in another case.
		for _, req := range []string{`{"phone": "+7 (499) 322-97-10"}`, `{"email": "INFO@callbackkiller.com"}`} {
			if f := ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/search/", req)), "leads"); f["id"] != fmt.Sprint(first) {
				t.Errorf("%s found %v, want %d", req, f["id"], first)
			}
		}

		// Once the parent is taken to work, the open child is found; once
		// both are, nothing.
		ltOK(t, ltPost(t, env, a.key, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": %d, "employee_id": 0}`, first, a.admin)))
		if f := ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/search/", `{"phone": "74993229710"}`)), "leads"); f["id"] != fmt.Sprint(second) {
			t.Errorf("after start found %v, want %d", f["id"], second)
		}
		ltOK(t, ltPost(t, env, a.key, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": 0, "employee_id": 0}`, second)))
		obj = ltOK(t, ltPost(t, env, a.key, "lead/search/", `{"email": "info@callbackkiller.com", "phone": "74993229710"}`))
		ltKeys(t, obj, "leads", "status_code", "message")
		ltNulls(t, obj, "leads")
		// An unknown contact is no match either.
		ltNulls(t, ltOK(t, ltPost(t, env, a.key, "lead/search/", `{"phone": "70000000000"}`)), "leads")
		// Neither phone nor email.
		ltFail(t, ltPost(t, env, a.key, "lead/search/", `{}`), http.StatusInternalServerError, "Неверный request")
	})
}

// TestLeadStart replays E07 and checks what taking to work made.
func TestLeadStart(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		a := ltNewAccount(t, env, "Start")
		first := ltLead(t, env, a.key, "Денис", "79674402685", "denis@example.com")
		second := ltLead(t, env, a.key, "Денис", "89674402685", "")

		obj := ltOK(t, ltPost(t, env, a.key, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": %d, "employee_id": 0}`, first, a.admin)))
		ltKeys(t, obj, "result", "status_code", "message")
		res := ltObj(t, obj, "result")
		ltKeys(t, res, "lead_id", "user_id", "employee_id", "client_id", "deal_id")
		if ltNum(t, res, "lead_id") != first || ltNum(t, res, "user_id") != a.admin || ltNum(t, res, "employee_id") != 0 {
			t.Errorf("echo %v", res)
		}
		client, dealID := ltNum(t, res, "client_id"), ltNum(t, res, "deal_id")
		if client == 0 || dealID == 0 {
			t.Fatalf("client %d deal %d", client, dealID)
		}
		l := ltGet(t, env, a.key, first)
		if l["stage"] != "Новый клиент" || l["status"] != "1" || l["link_client_id"] != fmt.Sprint(client) {
			t.Errorf("started lead: stage %v status %v link_client_id %v", l["stage"], l["status"], l["link_client_id"])
		}
		deals := ltList(t, l, "deals")
		if len(deals) != 1 || deals[0] != fmt.Sprint(dealID) {
			t.Errorf("deals %v, want [%q]", deals, fmt.Sprint(dealID))
		}
		d, err := env.Server.Service.Deal(ctx, a.actor, dealID, false)
		if err != nil {
			t.Fatal(err)
		}
		if d.Deal.ClientID != client || d.Deal.UserID != a.admin {
			t.Errorf("deal %+v, want client %d and user %d", d.Deal, client, a.admin)
		}

		// A second start is refused; an unknown lead is not found.
		ltFail(t, ltPost(t, env, a.key, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": %d, "employee_id": 0}`, first, a.admin)),
			http.StatusConflict, "Лид уже взят в работу")
		ltFail(t, ltPost(t, env, a.key, "lead/start/", `{"lead_id": 999999, "user_id": 0, "employee_id": 0}`),
			http.StatusNotFound, "Лид с данным id не найден")
		ltFail(t, ltPost(t, env, a.key, "lead/start/", `{"user_id": 0}`), http.StatusBadRequest, "Не указан lead_id")

		// The second lead of the contact joins the existing client, with
		// a new deal; its responsible is an employee given without user_id
		// (the domain accepts it).
		member := env.NewUser(t, a.id, crm.RoleMember)
		obj = ltOK(t, ltPost(t, env, a.key, "lead/start/", fmt.Sprintf(`{"lead_id": "%d", "employee_id": %d}`, second, member.UserID)))
		res = ltObj(t, obj, "result")
		if ltNum(t, res, "client_id") != client || ltNum(t, res, "deal_id") == dealID || ltNum(t, res, "employee_id") != member.UserID ||
			ltNum(t, res, "user_id") != 0 {
			t.Errorf("second start %v, want client %d and a new deal", res, client)
		}
		if l := ltGet(t, env, a.key, second); l["stage"] != "Существующий клиент" || l["status"] != "1" {
			t.Errorf("second lead stage %v status %v", l["stage"], l["status"])
		}

		// A user_id that is not an administrator is refused.
		third := ltLead(t, env, a.key, "Ещё", "74950000003", "")
		ltFailPrefix(t, ltPost(t, env, a.key, "lead/start/", fmt.Sprintf(`{"lead_id": %d, "user_id": %d}`, third, member.UserID)),
			http.StatusBadRequest, "Неверный request")
	})
}

// TestLeadUpdateLeadValue replays E10.
func TestLeadUpdateLeadValue(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Values")
		budget := ltField(t, env, a, crm.EntityInbound, "Бюджет", crm.FieldNumeric)
		visit := ltField(t, env, a, crm.EntityInbound, "Дата визита", crm.FieldDate)
		id := ltLead(t, env, a.key, "Старое имя", "74993229710", "")

		// The example: a client-level service id (1011, time zone) on a lead.
		obj := ltOK(t, ltPost(t, env, a.key, "lead/updateLeadValue/",
			fmt.Sprintf(`{"lead_id": %d, "fields": [{"input_id": 1011, "value": "753453", "value_type_id": 1}]}`, id)))
		ltKeys(t, obj, "status_code", "message")
		// Name and phone (input 1 and 2) as callers do; custom fields by id.
		ltOK(t, ltPost(t, env, a.key, "lead/updateLeadValue/", fmt.Sprintf(`{"lead_id": "%d", "fields": [
			{"input_id": 1, "value": "Новое имя", "value_type_id": 1},
			{"input_id": 2, "value": "8 (495) 111-22-33", "value_type_id": 1},
			{"input_id": %d, "value": "12500", "value_type_id": 2},
			{"input_id": %d, "value": "2017-07-10", "value_type_id": "2"}]}`, id, budget, visit)))
		l := ltGet(t, env, a.key, id)
		service := ltObj(t, ltObj(t, l, "values"), "service")
		if l["name"] != "Новое имя" || l["phone"] != "74951112233" {
			t.Errorf("name/phone %v/%v", l["name"], l["phone"])
		}
		if tz := service["timezone"].(map[string]any); tz["value"] != "753453" || tz["input_id"] != "11" {
			t.Errorf("timezone value %v", tz)
		}
		got := map[string]string{}
		for _, v := range ltList(t, ltObj(t, l, "values"), "custom") {
			m := v.(map[string]any)
			got[m["input_id"].(string)], _ = m["value"].(string)
		}
		if got[fmt.Sprint(budget)] != "12500" || got[fmt.Sprint(visit)] != "2017-07-10" {
			t.Errorf("custom values %v", got)
		}
		// The new phone is the lead's contact now.
		if f := ltObj(t, ltOK(t, ltPost(t, env, a.key, "lead/search/", `{"phone": "74951112233"}`)), "leads"); f["id"] != fmt.Sprint(id) {
			t.Errorf("search by the new phone found %v", f["id"])
		}

		// The documented error: an unknown lead_id.
		ltFail(t, ltPost(t, env, a.key, "lead/updateLeadValue/",
			`{"lead_id": 21371, "fields": [{"input_id": 1011, "value": "753453", "value_type_id": 1}]}`),
			http.StatusInternalServerError, "Неверный request")
		// Unknown service field, unknown value kind, no fields, bad items.
		for _, fields := range []string{
			`[{"input_id": 999, "value": "x", "value_type_id": 1}]`,
			`[{"input_id": 1, "value": "x", "value_type_id": 3}]`,
			`[]`,
			`["x"]`,
			`[{"value": "x", "value_type_id": 1}]`,
		} {
			ltFail(t, ltPost(t, env, a.key, "lead/updateLeadValue/", fmt.Sprintf(`{"lead_id": %d, "fields": %s}`, id, fields)),
				http.StatusInternalServerError, "Неверный request")
		}
		// An unknown custom field and a bad number are invalid requests too.
		ltFailPrefix(t, ltPost(t, env, a.key, "lead/updateLeadValue/",
			fmt.Sprintf(`{"lead_id": %d, "fields": [{"input_id": 999999, "value": "x", "value_type_id": 2}]}`, id)),
			http.StatusBadRequest, "Неверный request")
		ltFailPrefix(t, ltPost(t, env, a.key, "lead/updateLeadValue/",
			fmt.Sprintf(`{"lead_id": %d, "fields": [{"input_id": %d, "value": "много", "value_type_id": 2}]}`, id, budget)),
			http.StatusBadRequest, "Неверный request")
		ltFail(t, ltPost(t, env, a.key, "lead/updateLeadValue/", `{"fields": []}`), http.StatusBadRequest, "Не указан lead_id")
	})
}

// TestLeadUpdateEmployee replays E11.
func TestLeadUpdateEmployee(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := ltNewAccount(t, env, "Employee")
		first := env.NewUser(t, a.id, crm.RoleMember)
		second := env.NewUser(t, a.id, crm.RoleMember)
		dep, err := env.Server.Service.AddDepartment(context.Background(), a.actor, "Продажи")
		if err != nil {
			t.Fatal(err)
		}
		id := ltLead(t, env, a.key, "Лид", "74993229710", "")

		obj := ltOK(t, ltPost(t, env, a.key, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d, "employee_id": %d}`, id, first.UserID)))
		ltKeys(t, obj, "lead_id", "employee_id", "crm_id", "message", "status_code")
		if ltNum(t, obj, "lead_id") != id || ltNum(t, obj, "employee_id") != first.UserID || ltNum(t, obj, "crm_id") != a.id {
			t.Errorf("reply %v", obj)
		}
		ltOK(t, ltPost(t, env, a.key, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d, "employee_id": %d}`, id, second.UserID)))
		l := ltGet(t, env, a.key, id)
		if l["employee_id"] != fmt.Sprint(second.UserID) || l["old_employee_id"] != fmt.Sprint(first.UserID) {
			t.Errorf("employee_id/old_employee_id %v/%v", l["employee_id"], l["old_employee_id"])
		}

		// A department instead of an employee.
		obj = ltOK(t, ltPost(t, env, a.key, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d, "department_id": %d}`, id, dep.ID)))
		ltKeys(t, obj, "lead_id", "department_id", "crm_id", "message", "status_code")
		if ltNum(t, obj, "department_id") != dep.ID {
			t.Errorf("reply %v", obj)
		}
		if l := ltGet(t, env, a.key, id); l["department_id"] != fmt.Sprint(dep.ID) || l["employee_id"] != "0" {
			t.Errorf("department_id/employee_id %v/%v", l["department_id"], l["employee_id"])
		}

		// Unknown employee or department, neither, unknown or missing lead.
		ltFailPrefix(t, ltPost(t, env, a.key, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d, "employee_id": 999999}`, id)),
			http.StatusBadRequest, "Неверный request")
		ltFailPrefix(t, ltPost(t, env, a.key, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d, "department_id": 999999}`, id)),
			http.StatusBadRequest, "Неверный request")
		ltFail(t, ltPost(t, env, a.key, "lead/update_employee/", fmt.Sprintf(`{"lead_id": %d}`, id)),
			http.StatusInternalServerError, "Неверный request")
		ltFail(t, ltPost(t, env, a.key, "lead/update_employee/", fmt.Sprintf(`{"lead_id": 96364859, "employee_id": %d}`, first.UserID)),
			http.StatusNotFound, "Лид с данным id не найден")
		ltFail(t, ltPost(t, env, a.key, "lead/update_employee/", fmt.Sprintf(`{"employee_id": %d}`, first.UserID)),
			http.StatusBadRequest, "Не указан lead_id")
	})
}
