package amocrm_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of the contacts' and companies' writes (core §3.4, §3.5): custom
// field values with PHONE and EMAIL as contact data, tags, the company
// link, with=…, the custom fields endpoints, the history, and the same
// records through Envybox.

// The predefined fields' ids and the PHONE/EMAIL enum ids (crm's contact_card.go).
const (
	phoneField   = crm.FieldContactPhone
	emailField   = crm.FieldContactEmail
	phoneWork    = 2147483101
	phoneMob     = 2147483103
	emailPriv    = 2147483112
	companyPhone = crm.FieldCompanyPhone
	companyWeb   = crm.FieldCompanyWeb
	companyAddr  = crm.FieldCompanyAddress
)

// addEntityField creates a custom field of entity and returns its id.
func addEntityField(t *testing.T, api *crmtest.Client, entity, body string) int64 {
	t.Helper()
	return api.Post(t, "/api/v4/"+entity+"/custom_fields", body).HAL(201).Int("_embedded.custom_fields.0.id")
}

// historyTypes lists the type ids of an entity's history, oldest first.
func historyTypes(t *testing.T, env *crmtest.Env, a account, entity crm.EntityType, id int64) []int {
	t.Helper()
	var out []int
	err := env.Server.DB.View(context.Background(), a.AccountID, func(tx crm.Tx) error {
		list, _, err := tx.Logs(context.Background(), crm.LogQuery{EntityType: entity, EntityID: id, Limit: 100})
		for i := len(list) - 1; i >= 0; i-- {
			out = append(out, list[i].TypeID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestV4ContactWrites creates and changes contacts with every documented
// body key: custom_fields_values (PHONE and EMAIL included, by id or by
// code, enum_id or enum_code), _embedded.tags, tags_to_add,
// tags_to_delete and _embedded.companies; request_id is echoed; one bad
// item rejects the batch; read-only and unknown keys are ignored.
func TestV4ContactWrites(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Writes", "")
		const path = "/api/v4/contacts"
		position := addEntityField(t, acc.api, "contacts", `[{"name":"Должность","type":"text","code":"POS"}]`)
		company := acc.api.Post(t, "/api/v4/companies", `[{"name":"Acme"}]`).HAL(200).Int("_embedded.companies.0.id")

		// The documented create example, with a phone and e-mails, tags and
		// the Go client's extra keys.
		ids := idsOf(acc.api.Post(t, path, fmt.Sprintf(`[
			{"first_name":"Petr","last_name":"Smirnov","request_id":"petr",
			 "custom_fields_values":[{"field_id":%d,"field_name":"Должность","values":[{"value":"Director"}]},
			   {"field_code":"PHONE","values":[{"value":"+7 (912) 345-67-89","enum_code":"MOB"},{"value":"89123456789"},{"value":"8 499 322 97 10"}]},
			   {"field_id":%d,"values":[{"value":" Petr@Example.com ","enum_id":%d}]}],
			 "_embedded":{"tags":[{"name":"VIP"}],"companies":[{"id":%d}]},"is_main":true,"_links":{"self":{}}},
			{"name":"Vladimir Smirnov","created_by":0,"tags_to_add":[{"name":"Contact tag"}]}]`, position, emailField, emailPriv, company)).
			HAL(200).Equal("_embedded.contacts.*.request_id", []string{"petr", "1"}).List("_embedded.contacts"))
		petr := acc.api.Get(t, fmt.Sprintf("%s/%d", path, ids[0])).HAL(200).
			Golden("contact_card", append(contactMasks, crmtest.MaskPath("_embedded.tags.*.id", "tag"))...).
			Equal("name", "Petr Smirnov").
			Equal("_embedded.companies.*.id", []int64{company}).Equal("_embedded.tags.*.name", []string{"VIP"})
		// One number written three ways is one value; its kind is the first's.
		petr.EqualJSON(valueOf(phoneField), fmt.Sprintf(`{"field_id":%d,"field_name":"Телефон","field_code":"PHONE","field_type":"multitext",
			"values":[{"value":"79123456789","enum_id":%d,"enum":"MOB"},{"value":"74993229710","enum_id":%d,"enum":"WORK"}]}`, phoneField, phoneMob, phoneWork))
		petr.Equal(valueOf(emailField)+".values", []map[string]any{{"value": "petr@example.com", "enum_id": emailPriv, "enum": "PRIV"}})
		petr.Equal(valueOf(position)+".values", []map[string]any{{"value": "Director"}})
		acc.api.Get(t, fmt.Sprintf("%s/%d", path, ids[1])).HAL(200).Equal("created_by", 0).
			Equal("custom_fields_values", nil).Equal("_embedded.tags.*.name", []string{"Contact tag"})

		// PATCH by id: the documented example (field_name is read-only and
		// ignored); PHONE's values are replaced, EMAIL and the other fields
		// stay; tags_to_delete takes VIP off.
		vip := petr.Int("_embedded.tags.0.id")
		acc.api.Patch(t, fmt.Sprintf("%s/%d", path, ids[0]), fmt.Sprintf(`{"id":%d,"first_name":"Ivan","last_name":"Ivanov",
			"custom_fields_values":[{"field_id":%d,"field_name":"Phone","values":[{"value":"79999999999","enum_code":"WORK"},{"value":"+7 912 345 67 89","enum_code":"HOME"}]}],
			"tags_to_delete":[{"id":%d}],"request_id":"0"}`, ids[0], phoneField, vip)).HAL(200).
			Keys("", "id", "name", "updated_at", "request_id", "_links").Equal("name", "Ivan Ivanov").Equal("request_id", "0")
		acc.api.Get(t, fmt.Sprintf("%s/%d", path, ids[0])).HAL(200).Equal("first_name", "Ivan").
			Equal(valueOf(phoneField)+".values.*.value", []string{"79123456789", "79999999999"}).
			Equal(valueOf(phoneField)+".values.*.enum", []string{"HOME", "WORK"}).
			Equal(valueOf(emailField)+".values.*.value", []string{"petr@example.com"}).
			Equal(valueOf(position)+".values.*.value", []string{"Director"}).
			Equal("_embedded.tags", []any{})

		// Batch PATCH: request_id echoed; values null clears a field;
		// _embedded.tags replaces the set.
		acc.api.Patch(t, path, fmt.Sprintf(`[{"id":%d,"request_id":"a","custom_fields_values":[{"field_code":"EMAIL","values":null},{"field_id":%d,"values":[]}]},
			{"id":%d,"_embedded":{"tags":[{"name":"one"},{"name":"two"}]}}]`, ids[0], position, ids[1])).HAL(200).
			Equal("_embedded.contacts.*.request_id", []string{"a", "1"}).Equal("_embedded.contacts.*.id", ids)
		acc.api.Get(t, fmt.Sprintf("%s/%d", path, ids[0])).HAL(200).Equal("custom_fields_values.*.field_id", []int64{phoneField})
		acc.api.Get(t, fmt.Sprintf("%s/%d", path, ids[1])).HAL(200).Equal("_embedded.tags.*.name", []string{"one", "two"})

		// Refusals: nothing of the batch is written.
		v := crmtest.Violated
		for _, tc := range []struct {
			body string
			want []crmtest.Violation
		}{
			{`[{"name":"ok"},{"name":"x","custom_fields_values":[{"field_code":"PHONE","values":[{"value":"no digits"}]}]}]`,
				[]crmtest.Violation{v("1", "InvalidValue", "custom_fields_values.0.values.0.value")}},
			{`[{"name":"x","custom_fields_values":[{"field_id":99999999,"values":[{"value":"x"}]}]}]`,
				[]crmtest.Violation{v("0", "NotSupportedChoice", "custom_fields_values.0.field_id")}},
			{`[{"name":"x","custom_fields_values":[{"field_code":"EMAIL","values":[{"value":"not-an-email"}]}]}]`,
				[]crmtest.Violation{v("0", "InvalidValue", "custom_fields_values.0.values.0.value")}},
			{`[{"name":"x","custom_fields_values":[{"field_code":"PHONE","values":[{"value":"1","enum_code":"PRIV"}]}]}]`,
				[]crmtest.Violation{v("0", "NotSupportedChoice", "custom_fields_values.0.values.0.enum_code")}},
			{`[{"name":"x","custom_fields_values":[{"field_code":"PHONE","values":[{"value":"1","enum_id":5}]}]}]`,
				[]crmtest.Violation{v("0", "NotSupportedChoice", "custom_fields_values.0.values.0.enum_id")}},
			{`[{"name":"x","custom_fields_values":[{"field_code":"PHONE","values":[{"enum_code":"WORK"}]}]}]`,
				[]crmtest.Violation{v("0", "FieldMissing", "custom_fields_values.0.values.0.value")}},
			{`[{"name":"x","_embedded":{"tags":[{"id":99999999}]}}]`, []crmtest.Violation{v("0", "NotSupportedChoice", "_embedded.tags.0.id")}},
			{`[{"name":"x","tags_to_add":[{}]}]`, []crmtest.Violation{v("0", "FieldMissing", "tags_to_add.0")}},
			{`[{"name":"x","_embedded":{"companies":[{"id":99999999}]}}]`, []crmtest.Violation{v("0", "NotSupportedChoice", "_embedded.companies.0.id")}},
			{fmt.Sprintf(`[{"name":"x","_embedded":{"companies":[{"id":%d},{"id":%d}]}}]`, company, company),
				[]crmtest.Violation{v("0", "InvalidValue", "_embedded.companies")}},
			{`[{"name":"x","created_by":99999999}]`, []crmtest.Violation{v("0", "NotSupportedChoice", "created_by")}},
			{`[{"name":"x","custom_fields_values":{"field_id":1}}]`, []crmtest.Violation{v("0", "InvalidType", "custom_fields_values")}},
		} {
			acc.api.Post(t, path, tc.body).WantViolations(tc.want...)
		}
		acc.api.Get(t, path).HAL(200).Equal("_total_items", 2)

		// PATCH refusals: a missing id in a batch is a violation at id, by
		// id a 404; a second company is refused, not moved.
		acc.api.Patch(t, path, fmt.Sprintf(`[{"id":%d,"name":"ok"},{"id":99999999,"name":"x"}]`, ids[1])).
			WantViolations(v("1", "NotSupportedChoice", "id"))
		acc.api.Patch(t, path, `[{"name":"x"}]`).WantViolations(v("0", "FieldMissing", "id"))
		acc.api.Patch(t, path+"/99999999", `{"name":"x"}`).Problem(404)
		other := acc.api.Post(t, "/api/v4/companies", `[{"name":"Other"}]`).HAL(200).Int("_embedded.companies.0.id")
		acc.api.Patch(t, fmt.Sprintf("%s/%d", path, ids[0]), fmt.Sprintf(`{"_embedded":{"companies":[{"id":%d}]}}`, other)).
			WantViolations(v("0", "InvalidValue", "_embedded.companies.0.id"))
		acc.api.Patch(t, fmt.Sprintf("%s/%d", path, ids[1]), fmt.Sprintf(`{"_embedded":{"companies":[{"id":%d}]}}`, other)).HAL(200)
		acc.api.Get(t, fmt.Sprintf("%s/%d", path, ids[1])).HAL(200).Equal("_embedded.companies.*.id", []int64{other}).
			Equal("name", "Vladimir Smirnov")
		acc.api.Get(t, fmt.Sprintf("%s/%d", path, ids[0])).HAL(200).Equal("name", "Ivan Ivanov")
		acc.api.Patch(t, fmt.Sprintf("%s/%d", path, ids[0]), `{"name":" "}`).WantViolations(v("0", "NotBlank", "name"))
		acc.api.Patch(t, path+"/x", `{"name":"x"}`).Problem(404)
		acc.api.Patch(t, path, `{"id":1}`).WantViolations(v("0", "InvalidType", ""))
		acc.api.Post(t, path, "["+strings.Repeat(`{"name":"x"},`, 250)+`{"name":"x"}]`).Problem(400)
		acc.api.Patch(t, path, "["+strings.Repeat(`{"id":1},`, 250)+`{"id":1}]`).Problem(400)
		acc.api.Patch(t, fmt.Sprintf("%s/%d", path, ids[0]), `[]`).WantViolations(v("0", "InvalidType", ""))

		// The history: created, tags added, updated (names, phones),
		// tags deleted, updated (the cleared fields).
		crmtest.Equal(t, "history", historyTypes(t, env, acc, crm.EntityContact, ids[0]), []int{
			crm.LogContactCreated, crm.LogContactTagsAdded, crm.LogContactUpdated, crm.LogContactTagsDeleted, crm.LogContactUpdated})
		crmtest.Equal(t, "history", historyTypes(t, env, acc, crm.EntityContact, ids[1]), []int{
			crm.LogContactCreated, crm.LogContactTagsAdded, crm.LogContactTagsAdded, crm.LogContactTagsDeleted, crm.LogContactLinked})
	})
}

// TestV4CompanyWrites checks companies' writes: PHONE, EMAIL, WEB and
// ADDRESS, a custom field of companies, tags, PATCH, and the reads with
// with=contacts,leads,customers.
func TestV4CompanyWrites(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Companies", "segments")
		const path = "/api/v4/companies"
		inn := addEntityField(t, acc.api, "companies", `[{"name":"ИНН","type":"numeric"}]`)
		id := acc.api.Post(t, path, fmt.Sprintf(`[{"name":"Acme","custom_fields_values":[
			{"field_code":"PHONE","values":[{"value":"+7 495 000-00-00","enum_code":"WORK"}]},
			{"field_code":"EMAIL","values":[{"value":"info@acme.ru"}]},
			{"field_code":"WEB","values":[{"value":"https://acme.ru"}]},
			{"field_code":"ADDRESS","values":[{"value":"Москва, ул. Ленина, 1"}]},
			{"field_id":%d,"values":[{"value":"7707083893"}]}],"tags_to_add":[{"name":"partner"}]}]`, inn)).
			HAL(200).Int("_embedded.companies.0.id")
		c := acc.api.Get(t, fmt.Sprintf("%s/%d", path, id)).HAL(200).
			Equal("custom_fields_values.*.field_code", []any{"PHONE", "EMAIL", "WEB", "ADDRESS", nil}).
			Equal(valueOf(companyWeb)+".values", []map[string]any{{"value": "https://acme.ru"}}).
			Equal(valueOf(companyAddr)+".values.0.value", "Москва, ул. Ленина, 1").
			Equal(valueOf(companyPhone)+".values", []map[string]any{{"value": "74950000000", "enum_id": phoneWork, "enum": "WORK"}}).
			Equal(valueOf(inn)+".values.0.value", "7707083893").
			Equal("_embedded.tags.*.name", []string{"partner"})
		if c.Has("_embedded.contacts") || c.Has("first_name") {
			t.Errorf("company without with: %s", c.Body)
		}
		acc.api.Patch(t, path, fmt.Sprintf(`[{"id":%d,"name":"Acme Ltd","custom_fields_values":[{"field_code":"WEB","values":[{"value":"not a url"}]}]}]`, id)).
			WantViolations(crmtest.Violated("0", "InvalidValue", "custom_fields_values.0.values.0.value"))
		acc.api.Patch(t, fmt.Sprintf("%s/%d", path, id), `{"name":"Acme Ltd","custom_fields_values":[{"field_code":"ADDRESS","values":null}],
			"_embedded":{"tags":null}}`).HAL(200).Keys("", "id", "updated_at", "request_id", "_links")
		acc.api.Get(t, fmt.Sprintf("%s/%d", path, id)).HAL(200).Equal("name", "Acme Ltd").
			Equal("custom_fields_values.*.field_code", []any{"PHONE", "EMAIL", "WEB", nil}).Equal("_embedded.tags", []any{})
		acc.api.Patch(t, path+"/99999999", `{"name":"x"}`).Problem(404)
		nothing(acc.api.Get(t, path+"/99999999?with=contacts"))

		// A contact of the company, its deal and a customer of both.
		contact := acc.api.Post(t, "/api/v4/contacts", fmt.Sprintf(`[{"name":"Ivan","_embedded":{"companies":[{"id":%d}]}}]`, id)).
			HAL(200).Int("_embedded.contacts.0.id")
		deal := envyboxCall(t, env, acc, "deal/create/", fmt.Sprintf(`{"client_id":%d,"name":"Сделка"}`, contact)).Int("result.deal.id")
		// A company's leads are the deals it is the company of (a lead link).
		acc.api.Post(t, fmt.Sprintf("/api/v4/leads/%d/link", deal), fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"companies"}]`, id)).HAL(200)
		customer := addCustomer(t, acc.api, `{"name":"Покупатель"}`)
		acc.api.Post(t, customerPath(customer)+"/link", fmt.Sprintf(`[{"to_entity_id":%d,"to_entity_type":"contacts"},{"to_entity_id":%d,"to_entity_type":"companies"}]`,
			contact, id)).HAL(200)
		acc.api.Get(t, fmt.Sprintf("%s/%d?with=contacts,leads,customers", path, id)).HAL(200).
			Equal("_embedded.contacts.*.id", []int64{contact}).Equal("_embedded.leads.*.id", []int64{deal}).
			Equal("_embedded.customers.*.id", []int64{customer}).
			Equal("_embedded.leads.0._links.self.href", fmt.Sprintf("%s/api/v4/leads/%d", env.URL, deal))
		acc.api.Get(t, fmt.Sprintf("/api/v4/contacts/%d?with=leads,customers", contact)).HAL(200).
			Equal("_embedded.leads.*.id", []int64{deal}).Equal("_embedded.customers.*.id", []int64{customer}).
			Equal("_embedded.companies.*.id", []int64{id})
		acc.api.Get(t, "/api/v4/contacts?with=leads").HAL(200).Equal("_embedded.contacts.0._embedded.leads.*.id", []int64{deal})
		acc.api.Get(t, "/api/v4/contacts?with=customers&query=Ivan").HAL(200).
			Equal("_embedded.contacts.0._embedded.customers.*.id", []int64{customer}).Has("_embedded.contacts.0._embedded.leads")
		acc.api.Get(t, path+"?with=leads,customers").HAL(200).Equal("_embedded.companies.0._embedded.leads.*.id", []int64{deal})
		// Without with, no leads or customers.
		if r := acc.api.Get(t, fmt.Sprintf("/api/v4/contacts/%d", contact)).HAL(200); r.Has("_embedded.leads") || r.Has("_embedded.customers") {
			t.Errorf("embedded without with: %s", r.Body)
		}
		// The company's phone is found by query.
		acc.api.Get(t, path+"?query="+url.QueryEscape("8 (495) 000-00-00")).HAL(200).Equal("_embedded.companies.*.id", []int64{id})
		// The lead link is on both sides' history: the company's too.
		crmtest.Equal(t, "history", historyTypes(t, env, acc, crm.EntityCompany, id), []int{
			crm.LogCompanyCreated, crm.LogCompanyTagsAdded, crm.LogCompanyUpdated, crm.LogCompanyTagsDeleted, crm.LogCompanyLinked})
	})
}

// TestV4ContactsCustomFields checks /api/v4/contacts/custom_fields and
// /api/v4/companies/custom_fields: the predefined fields listed first,
// readable, never changed or deleted, their codes reserved; user fields
// created, changed and deleted like every entity's.
func TestV4ContactsCustomFields(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Fields", "")
		const path = "/api/v4/contacts/custom_fields"
		acc.api.Get(t, path).HAL(200).Equal("_total_items", 2).Equal("_embedded.custom_fields.*.code", []string{"PHONE", "EMAIL"}).
			Equal("_embedded.custom_fields.0.enums.*.value", []string{"WORK", "WORKDD", "MOB", "FAX", "HOME", "OTHER"}).
			Equal("_embedded.custom_fields.1.enums.*.code", []string{"WORK", "PRIV", "OTHER"}).
			Equal("_embedded.custom_fields.*.type", []string{"multitext", "multitext"}).
			Equal("_embedded.custom_fields.0.account_id", acc.AccountID)
		acc.api.Get(t, fmt.Sprintf("%s/%d", path, phoneField)).HAL(200).Equal("code", "PHONE").Equal("id", phoneField).
			Equal("is_predefined", true).Equal("is_deletable", false).
			Equal("_links.self.href", fmt.Sprintf("%s%s/%d", env.URL, path, phoneField))
		id := addEntityField(t, acc.api, "contacts", `[{"name":"Источник","type":"select","enums":[{"value":"Сайт","sort":1},{"value":"Звонок","sort":2}]}]`)
		acc.api.Get(t, path).HAL(200).Equal("_embedded.custom_fields.*.id", []int64{phoneField, emailField, id})
		acc.api.Get(t, path+"?filter[type]=select").HAL(200).Equal("_embedded.custom_fields.*.id", []int64{id})
		acc.api.Get(t, path+"?order[id]=desc&limit=1&page=2").HAL(200).Equal("_embedded.custom_fields.*.id", []int64{phoneField})
		acc.api.Patch(t, fmt.Sprintf("%s/%d", path, id), `{"name":"Канал"}`).HAL(201).Equal("name", "Канал").
			Equal("is_predefined", false).Equal("is_deletable", true)
		acc.api.Patch(t, fmt.Sprintf("%s/%d", path, phoneField), `{"name":"Тел"}`).Problem(403)
		acc.api.Delete(t, fmt.Sprintf("%s/%d", path, emailField)).Problem(403)
		v := crmtest.Violated
		acc.api.Post(t, path, `[{"name":"x","type":"text","code":"phone"}]`).WantViolations(v("0", "InvalidValue", "code"))
		acc.api.Post(t, path, `[{"name":"x","type":"multitext"}]`).WantViolations(v("0", "NotSupportedChoice", "type"))
		acc.api.Patch(t, fmt.Sprintf("%s/%d", path, id), `{"code":"EMAIL"}`).WantViolations(v("0", "InvalidValue", "code"))
		// A select value of a contact, by enum text.
		contact := acc.api.Post(t, "/api/v4/contacts", fmt.Sprintf(`[{"name":"Ivan","custom_fields_values":[{"field_id":%d,"values":[{"value":"Звонок"}]}]}]`, id)).
			HAL(200).Int("_embedded.contacts.0.id")
		acc.api.Get(t, fmt.Sprintf("/api/v4/contacts/%d", contact)).HAL(200).Equal(valueOf(id)+".values.0.value", "Звонок")
		acc.api.Delete(t, fmt.Sprintf("%s/%d", path, id)).Expect(204)
		acc.api.Get(t, fmt.Sprintf("/api/v4/contacts/%d", contact)).HAL(200).Equal("custom_fields_values", nil)

		// Companies: four predefined fields, and their own user fields.
		acc.api.Get(t, "/api/v4/companies/custom_fields").HAL(200).
			Equal("_embedded.custom_fields.*.code", []string{"PHONE", "EMAIL", "WEB", "ADDRESS"}).
			Equal("_embedded.custom_fields.*.type", []string{"multitext", "multitext", "url", "textarea"})
		addEntityField(t, acc.api, "companies", `[{"name":"Адрес","type":"smart_address"}]`)
		acc.api.Get(t, "/api/v4/companies/custom_fields?filter[type]=smart_address").HAL(200).Equal("_total_items", 1)
		acc.member(t, env).Post(t, "/api/v4/companies/custom_fields", `[{"name":"x","type":"text"}]`).Problem(403)
	})
}

// TestV4ContactsCrossDialect checks that a contact is an Envybox client:
// one made through amoCRM with PHONE and EMAIL is read through client/get
// and client/getContacts, changed there and read back through amoCRM; a
// phone added through Envybox and sent again through amoCRM is one row in
// both.
func TestV4ContactsCrossDialect(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Cross", "")
		const path = "/api/v4/contacts"
		id := acc.api.Post(t, path, `[{"name":"Ivan Petrov","custom_fields_values":[
			{"field_code":"PHONE","values":[{"value":"+7 (499) 322-97-10"},{"value":"+7 912 000 11 22","enum_code":"MOB"}]},
			{"field_code":"EMAIL","values":[{"value":"Ivan@Example.com"}]}]}]`).HAL(200).Int("_embedded.contacts.0.id")
		get := envyboxCall(t, env, acc, "client/get/", fmt.Sprintf(`{"client_id":%d}`, id))
		get.Equal("result.values.service.name.value", "Ivan Petrov").
			Equal("result.contacts.*.value", []string{"74993229710", "79120001122", "ivan@example.com"}).
			Equal("result.contacts.*.type_id", []string{"1", "5", "4"}).
			Equal("result.contacts.*.primary", []string{"1", "1", "1"})
		envyboxCall(t, env, acc, "client/getContacts/", fmt.Sprintf(`{"client_id":%d}`, id)).
			Equal("result.contacts.*.value", []string{"74993229710", "79120001122", "ivan@example.com"})
		envyboxCall(t, env, acc, "client/list/", `{"keyword":"74993229710"}`).Equal("result.0.phone", "74993229710").
			Equal("result.0.email", "ivan@example.com")

		// Envybox renames the client and adds a contact person with a phone
		// the client has and a new one.
		envyboxCall(t, env, acc, "client/updateClientValue/", fmt.Sprintf(`{"client_id":%d,"fields":[{"input_id":1001,"value":"Иван Петров","value_type_id":1}]}`, id))
		envyboxCall(t, env, acc, "client/addContact/", fmt.Sprintf(`{"client_id":%d,"name":"Секретарь","phone":"8 (916) 555-44-33"}`, id))
		acc.api.Get(t, fmt.Sprintf("%s/%d", path, id)).HAL(200).Equal("name", "Иван Петров").
			Equal(valueOf(phoneField)+".values.*.value", []string{"74993229710", "79120001122", "79165554433"})

		// amoCRM sends the person's phone again, in another spelling, and
		// drops the mobile: the person's row is not duplicated (nor
		// deleted: it is the person's), the mobile row goes.
		acc.api.Patch(t, fmt.Sprintf("%s/%d", path, id), `{"custom_fields_values":[{"field_code":"PHONE","values":[
			{"value":"84993229710"},{"value":"+7 916 555 44 33","enum_code":"WORK"}]}]}`).HAL(200)
		envyboxCall(t, env, acc, "client/getContacts/", fmt.Sprintf(`{"client_id":%d}`, id)).
			Equal("result.contacts.*.value", []string{"74993229710", "ivan@example.com", "79165554433"})
		acc.api.Get(t, fmt.Sprintf("%s/%d", path, id)).HAL(200).
			Equal(valueOf(phoneField)+".values.*.value", []string{"74993229710", "79165554433"})

		// A client made through Envybox with one number written twice has
		// it once, and amoCRM sees it with its kinds.
		other := envyboxClient(t, env, acc, `{"name":"Анна","phones":["+7 912 345-67-89","89123456789"],"emails":["a@b.ru","A@B.ru"]}`)
		envyboxCall(t, env, acc, "client/getContacts/", fmt.Sprintf(`{"client_id":%d}`, other)).
			Equal("result.contacts.*.value", []string{"79123456789", "a@b.ru"})
		acc.api.Get(t, fmt.Sprintf("%s/%d", path, other)).HAL(200).
			EqualJSON("custom_fields_values", fmt.Sprintf(`[
				{"field_id":%d,"field_name":"Телефон","field_code":"PHONE","field_type":"multitext","values":[{"value":"79123456789","enum_id":%d,"enum":"WORK"}]},
				{"field_id":%d,"field_name":"Email","field_code":"EMAIL","field_type":"multitext","values":[{"value":"a@b.ru","enum_id":2147483111,"enum":"WORK"}]}]`,
				phoneField, phoneWork, emailField))
		// amoCRM adds the same number as a fax: one row, its kind now FAX,
		// which Envybox shows as crmd's type 15.
		acc.api.Patch(t, path, fmt.Sprintf(`[{"id":%d,"custom_fields_values":[{"field_id":%d,"values":[{"value":"8 912 345 67 89","enum_code":"FAX"}]}]}]`,
			other, phoneField)).HAL(200)
		envyboxCall(t, env, acc, "client/getContacts/", fmt.Sprintf(`{"client_id":%d}`, other)).
			Equal("result.contacts.*.value", []string{"79123456789", "a@b.ru"}).Equal("result.contacts.*.type_id", []string{"15", "4"}).
			Equal("result.contacts.0.primary", "1")
		// query finds the client by the number.
		acc.api.Get(t, path+"?query=79123456789").HAL(200).Equal("_embedded.contacts.*.id", []int64{other})

		// Both dialects write the one history: created through amoCRM,
		// renamed through Envybox, phones changed through amoCRM; created
		// through Envybox, the phone's kind changed through amoCRM.
		crmtest.Equal(t, "history", historyTypes(t, env, acc, crm.EntityContact, id), []int{
			crm.LogContactCreated, crm.LogContactUpdated, crm.LogContactUpdated})
		crmtest.Equal(t, "history", historyTypes(t, env, acc, crm.EntityContact, other), []int{crm.LogContactCreated, crm.LogContactUpdated})
		envyboxCall(t, env, acc, fmt.Sprintf("client/%d/addCompany/", other), `{"short_name":"Сбербанк","inn":7707083893}`)
		company := acc.api.Get(t, fmt.Sprintf("%s/%d", path, other)).HAL(200).Int("_embedded.companies.0.id")
		crmtest.Equal(t, "history", historyTypes(t, env, acc, crm.EntityContact, other), []int{
			crm.LogContactCreated, crm.LogContactUpdated, crm.LogContactLinked})
		crmtest.Equal(t, "history", historyTypes(t, env, acc, crm.EntityCompany, company), []int{crm.LogCompanyCreated})
		acc.api.Get(t, fmt.Sprintf("/api/v4/companies/%d?with=contacts", company)).HAL(200).Equal("name", "Сбербанк").
			Equal("_embedded.contacts.*.id", []int64{other})
	})
}

// TestV4ContactWritesIsolation checks that writes reach only the token's
// account: another account's contact, company and tag are unknown.
func TestV4ContactWritesIsolation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "A", "")
		b := newAccount(t, env, "B", "").api
		contact := a.api.Post(t, "/api/v4/contacts", `[{"name":"A person","_embedded":{"tags":[{"name":"mine"}]}}]`).HAL(200).Int("_embedded.contacts.0.id")
		company := a.api.Post(t, "/api/v4/companies", `[{"name":"A firm"}]`).HAL(200).Int("_embedded.companies.0.id")
		tag := a.api.Get(t, fmt.Sprintf("/api/v4/contacts/%d", contact)).HAL(200).Int("_embedded.tags.0.id")
		v := crmtest.Violated
		b.Patch(t, fmt.Sprintf("/api/v4/contacts/%d", contact), `{"name":"x"}`).Problem(404)
		b.Patch(t, fmt.Sprintf("/api/v4/companies/%d", company), `{"name":"x"}`).Problem(404)
		b.Patch(t, "/api/v4/contacts", fmt.Sprintf(`[{"id":%d,"name":"x"}]`, contact)).WantViolations(v("0", "NotSupportedChoice", "id"))
		b.Post(t, "/api/v4/contacts", fmt.Sprintf(`[{"name":"x","_embedded":{"companies":[{"id":%d}]}}]`, company)).
			WantViolations(v("0", "NotSupportedChoice", "_embedded.companies.0.id"))
		b.Post(t, "/api/v4/contacts", fmt.Sprintf(`[{"name":"x","_embedded":{"tags":[{"id":%d}]}}]`, tag)).
			WantViolations(v("0", "NotSupportedChoice", "_embedded.tags.0.id"))
		a.api.Get(t, fmt.Sprintf("/api/v4/contacts/%d", contact)).HAL(200).Equal("name", "A person")
		nothing(b.Get(t, "/api/v4/contacts"))
	})
}

// TestV4ContactTimes checks created_at and updated_at in writes: an
// import dates new records in the past (never in the future); a PATCH
// sending back the updated_at it read still moves updated_at to now, so
// integrations syncing by filter[updated_at] see the change.
func TestV4ContactTimes(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := newAccount(t, env, "Times", "")
		for _, entity := range []string{"contacts", "companies"} {
			path := "/api/v4/" + entity
			ids := idsOf(acc.api.Post(t, path, `[{"name":"Old","created_at":1585758065,"updated_at":1590943929},{"name":"Future","updated_at":99999999999}]`).
				HAL(200).List("_embedded." + entity))
			acc.api.Get(t, fmt.Sprintf("%s/%d", path, ids[0])).HAL(200).Equal("created_at", 1585758065).Equal("updated_at", 1590943929)
			now := time.Now().Unix()
			if at := acc.api.Get(t, fmt.Sprintf("%s/%d", path, ids[1])).HAL(200).Int("updated_at"); at > now+1 {
				t.Errorf("%s: updated_at %d in the future", entity, at)
			}
			// The read updated_at sent back: the write is dated now.
			at := acc.api.Patch(t, fmt.Sprintf("%s/%d", path, ids[0]), `{"name":"Renamed","updated_at":1590943929}`).HAL(200).Int("updated_at")
			if at < now-1 {
				t.Errorf("%s: PATCH left updated_at %d", entity, at)
			}
			acc.api.Get(t, fmt.Sprintf("%s/%d", path, ids[0])).HAL(200).Equal("updated_at", at).Equal("created_at", 1585758065)
			acc.api.Get(t, fmt.Sprintf("%s?filter[updated_at][from]=%d", path, now-1)).HAL(200).Equal("_embedded."+entity+".*.id", ids)
			acc.api.Post(t, path, `[{"name":"x","created_at":"yesterday"}]`).WantViolations(crmtest.Violated("0", "InvalidType", "created_at"))
		}
	})
}
