package envybox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of the client methods (E27–E36), over real HTTP on
// SQLite and PostgreSQL. Requests replay the document's examples.

// getClient is client/get's result.
func (a *account) getClient(t testing.TB, id int64) crmtest.JSON {
	t.Helper()
	return a.ok(t, "client/get/", fmt.Sprintf(`{"client_id": %d}`, id)).Sub("result")
}

// clientContacts is client/getContacts's reply, the id sent as a string
// as callers send it.
func (a *account) clientContacts(t testing.TB, id int64) *crmtest.Reply {
	t.Helper()
	return a.ok(t, "client/getContacts/", fmt.Sprintf(`{"client_id": "%d"}`, id))
}

// TestClientCreateAndGet replays E29 and E28 and checks shapes and typing.
func TestClientCreateAndGet(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Clients")
		// E29, verbatim: the new client, newer typing.
		r := a.ok(t, "client/create/", `{"name": "Сделка Тест"}`)
		id := r.Int("result.client.id")
		r.Golden("client_create_e29", maskAs("result.client.id", "client", id), maskAs("**.crm_id", "account", a.id),
			maskTimes("created_at", "updated_at"))
		r.Equal("result.client.updated_at", r.At("result.client.created_at"))

		// E28 with the new id: old-style typing, the name as the one
		// service value, no contacts or deals yet.
		c := a.getClient(t, id)
		golden(t, "client_get_e28", c, maskAs("id", "client", id), maskAs("**.client_id", "client", id),
			maskAs("**.crm_id", "account", a.id), crmtest.MaskPath("values.service.*.id", "id"), maskTimes("created_at"))
		c.Equal("created_at", r.At("result.client.created_at"))

		// name is required; unknown and missing ids.
		a.fail(t, "client/create/", `{}`, 400, "Неверный request: name: Не указано имя клиента")
		a.fail(t, "client/create/", `{"name": "  "}`, 400, "Неверный request: name: Не указано имя клиента")
		a.fail(t, "client/create/", `{"name": "X", "email": "not-an-email"}`, 400, "Неверный request: email.0: Email указан неверно")
		a.fail(t, "client/get/", `{"client_id": 999999}`, 404, wantClientNotFound)
		a.fail(t, "client/get/", `{}`, 400, "Не указан client_id")
		a.fail(t, "client/getContacts/", `{"client_id": 999999}`, 404, wantClientNotFound)
	})
}

// TestClientContactsAndDeals: phones and emails given to client/create,
// E30 replayed, deals shown in client/get.
func TestClientContactsAndDeals(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Contacts")
		ctx := context.Background()
		id := a.createClient(t, `{"name": "Тестовый клиент", "phone": "+7 (000) 999-00-00", "email": "TestClient@net.local"}`)
		contactMasks := masks(maskAs("**.client_id", "client", id), maskAs("**.crm_id", "account", a.id),
			maskIDs("id"), maskTimes("created_at"))

		// client/get's contacts: the phone and the email, both primary.
		golden(t, "client_get_contacts", a.getClient(t, id).Sub("contacts"), contactMasks...)

		// E30 with a string id, as callers send it: the rows with birthday.
		a.clientContacts(t, id).Golden("client_getcontacts_e30", contactMasks...)

		// A second phone is not primary.
		a.ok(t, "client/addContact/", fmt.Sprintf(`{"client_id": %d, "name": "Второй", "phone": "54654654654"}`, id))
		rows := a.clientContacts(t, id).List("result.contacts")
		if len(rows) != 3 {
			t.Fatalf("getContacts after addContact: %d rows", len(rows))
		}
		has(t, "getContacts[2]", rows[2], map[string]any{"type_id": "1", "value": "54654654654", "primary": "0", "group_id": "1"})

		// Deals of the client, old-style typing.
		deal, err := env.Server.Service.CreateDeal(ctx, a.actor, crm.NewDeal{Name: "Сделка", ClientID: id})
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "client_get_deals", a.getClient(t, id).Sub("deals"), masks(maskAs("*.id", "deal", deal.ID),
			maskAs("*.client_id", "client", id), maskAs("*.crm_id", "account", a.id), maskAs("*.user_id", "admin", a.admin),
			maskAs("*.pipeline_id", "primary pipeline", a.pipeline.ID), maskAs("*.stage_id", "stage Новая", a.stages[crm.StageNew].ID),
			maskIDs("inbox_type_id"), maskTimes("created_at", "updated_at", "stage_updated_at"))...)

		// The client is found by the deal search by phone, however written.
		found, err := env.Server.Service.SearchDeals(ctx, a.actor, "8 (000) 999-00-00", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 || found[0].Client.ID != id || len(found[0].Deals) != 1 || found[0].Deals[0].ID != deal.ID {
			t.Fatalf("SearchDeals: %+v", found)
		}
		found, err = env.Server.Service.SearchDeals(ctx, a.actor, "", "testclient@NET.local")
		if err != nil || len(found) != 1 || found[0].Client.ID != id {
			t.Fatalf("SearchDeals by email: %+v %v", found, err)
		}
	})
}

// TestClientList replays both E27 examples and pages, filters and searches.
func TestClientList(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "List")
		ctx := context.Background()
		first := a.createClient(t, `{"name": "Иван Петров", "phone": "79323210202"}`)
		second := a.createClient(t, `{"name": "ООО Ромашка", "email": "info@romashka.ru"}`)
		third := a.createClient(t, `{"name": "Client Three"}`)
		deal, err := env.Server.Service.CreateDeal(ctx, a.actor, crm.NewDeal{Name: "Поставка оборудования", ClientID: third})
		if err != nil {
			t.Fatal(err)
		}
		a.ok(t, "client/addContact/", fmt.Sprintf(`{"client_id": %d, "name": "Мария Сидорова", "email": "m@x.ru"}`, second))

		// Both examples of E27 name dates long past: nothing matches.
		for _, req := range []string{
			`{"keyword": "", "limit": 0, "offset": 0, "date_start": "2017-07-10", "date_end": "2017-07-10"}`,
			`{"keyword": "утп", "limit": 0, "offset": 0, "date_start": "2020-01-20", "date_end": "2021-01-20"}`,
		} {
			r := a.ok(t, "client/list/", req).
				Keys("", "keyword", "offset", "limit", "result", "count", "all_ids", "max_colls_contacts", "status_code", "message")
			has(t, "empty list", r, map[string]any{"offset": -1, "limit": 50, "count": "0", "max_colls_contacts": 0,
				"result": []any{}, "all_ids": []any{}})
		}

		// The first page of one: newest first, next offset 1; the item
		// with its deals by client.
		a.ok(t, "client/list/", `{"keyword": "", "limit": 1, "offset": 0}`).Golden("client_list_e27", masks(
			maskAs("all_ids.0", "third", third), maskAs("all_ids.1", "second", second), maskAs("all_ids.2", "first", first),
			maskAs("result.*.id", "third", third), maskAs("**.client_id", "third", third), maskAs("**.crm_id", "account", a.id),
			maskAs("result.*.deals.*.*.id", "deal", deal.ID), maskAs("**.user_id", "admin", a.admin),
			maskAs("**.pipeline_id", "primary pipeline", a.pipeline.ID), maskAs("**.stage_id", "stage Новая", a.stages[crm.StageNew].ID),
			crmtest.MaskPath("result.*.values.service.*.id", "id"), maskIDs("inbox_type_id"),
			maskTimes("created_at", "updated_at", "stage_updated_at"))...).
			Keys("result.0.deals", fmt.Sprint(third))

		// The last page: offset -1; phone and email denormalised.
		r := a.ok(t, "client/list/", `{"limit": "2", "offset": "1"}`)
		has(t, "page 2", r, map[string]any{"offset": -1, "limit": 2, "count": "3", "max_colls_contacts": 2})
		r.Equal("result.*.id", ids(second, first))
		has(t, "page 2 [0]", r.Sub("result.0"), map[string]any{"phone": nil, "email": "info@romashka.ru"})
		has(t, "page 2 [1]", r.Sub("result.1"), map[string]any{"phone": "79323210202", "email": nil})
		r.Keys("result.1.contacts.0", "id", "crm_id", "client_id", "primary", "created_at", "updated_at", "deleted_at", "type_id",
			"value", "addon", "element_note", "group_id")

		// Keyword over client, contact, contact person and deal fields,
		// case-insensitively (Cyrillic too).
		for kw, want := range map[string][]int64{
			"иван":               {first},
			"РОМАШКА":            {second},
			"+7 (932) 321-02-02": {first},
			"89323210202":        {first},
			"romashka.ru":        {second},
			"мария":              {second},
			"поставка":           {third},
			"client three":       {third},
			"нет такого":         {},
			"сделка":             {},
		} {
			r := a.ok(t, "client/list/", fmt.Sprintf(`{"keyword": %q}`, kw))
			has(t, "keyword "+kw, r, map[string]any{"keyword": kw, "count": fmt.Sprint(len(want)), "all_ids": want})
		}

		// Creation dates in the account's time zone.
		today := time.Now().In(time.FixedZone("MSK", 3*3600)).Format(time.DateOnly)
		a.ok(t, "client/list/", fmt.Sprintf(`{"date_start": %q, "date_end": %q}`, today, today)).Equal("count", "3")
		a.fail(t, "client/list/", `{"date_start": "10.07.2017"}`, 400, "Дата должна быть в формате YYYY-MM-DD: 10.07.2017")
		a.fail(t, "client/list/", `{"limit": -1}`, 400, "limit и offset не могут быть отрицательными")
	})
}

// TestClientUpdateClientValue replays E32.
func TestClientUpdateClientValue(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Values")
		fieldName := "Новое поле число"
		field := a.field(t, crm.EntityContact, fieldName, crm.FieldText).ID
		id := a.createClient(t, `{"name": "До"}`)

		// The example: an echo of the request, ids old-style, fields as sent.
		a.ok(t, "client/updateClientValue/", fmt.Sprintf(`{"client_id": %d, "user_id": %d, "employee_id": 0,
			"fields": [{"input_id": %d, "value": "1323123", "value_type_id": 2}]}`, id, a.admin, field)).
			Golden("client_updateclientvalue_e32", maskAs("result.client_id", "client", id), maskAs("result.user_id", "admin", a.admin),
				maskAs("result.fields.*.input_id", "field", field))
		has(t, "custom", a.getClient(t, id).Sub("values.custom.0"), map[string]any{"input_id": fmt.Sprint(field), "value": "1323123",
			"type_id": "2", "name": fieldName, "name_id": fmt.Sprintf("crm_%d", field), "client_id": fmt.Sprint(id)})
		a.getClient(t, id).Equal("values.custom.*.input_id", ids(field))

		// Service values: 1001 renames the client, 1010/1011 region and time zone.
		a.ok(t, "client/updateClientValue/", fmt.Sprintf(`{"client_id": "%d", "fields": [
			{"input_id": 1001, "value": "После", "value_type_id": 1},
			{"input_id": "1011", "value": "UTC+3:00", "value_type_id": "1"},
			{"input_id": 1010, "value": "Москва", "value_type_id": 1}]}`, id))
		service := a.getClient(t, id).Keys("values.service", "name", "ip_place_id", "timezone").Sub("values.service")
		has(t, "service.name", service.Sub("name"), map[string]any{"value": "После", "input_id": "1001"})
		has(t, "service.timezone", service.Sub("timezone"), map[string]any{"value": "UTC+3:00", "input_id": "1011", "name": "Часовой пояс"})
		has(t, "service.ip_place_id", service.Sub("ip_place_id"), map[string]any{"value": "Москва", "name": "Регион клиента"})
		has(t, "renamed", a.ok(t, "client/list/", `{"keyword": "после"}`).Sub("result.0"), map[string]any{"id": fmt.Sprint(id), "name": "После"})

		// The documented error, with its status 500, and the generic one.
		a.fail(t, "client/updateClientValue/", `{"client_id": 1625369, "user_id": 59699, "employee_id": 0,
			"fields": [{"input_id": 3823, "value": "Новое_значение_поля", "value_type_id": 2}]}`, 500, wantClientNotFound)
		for _, fields := range []string{
			`[{"input_id": 1002, "value": "x", "value_type_id": 1}]`,
			`[{"input_id": 999999, "value": "x", "value_type_id": 2}]`,
			`[{"input_id": 1001, "value": "x", "value_type_id": 3}]`,
			`[{"value": "x", "value_type_id": 1}]`,
			`[]`,
		} {
			a.fail(t, "client/updateClientValue/", fmt.Sprintf(`{"client_id": %d, "fields": %s}`, id, fields), 500, wantInvalidRequest)
		}
		a.fail(t, "client/updateClientValue/", fmt.Sprintf(`{"client_id": %d, "fields": [{"input_id": 1001, "value": "", "value_type_id": 1}]}`, id),
			400, "Неверный request: fields.0.value: Имя клиента не может быть пустым")
		a.fail(t, "client/updateClientValue/", fmt.Sprintf(`{"client_id": %d, "fields": [{"input_id": 1011, "value": "Москва", "value_type_id": 1}]}`, id),
			400, "Неверный request: fields.0.value: Часовой пояс должен иметь вид UTC+3:00")
		a.fail(t, "client/updateClientValue/", fmt.Sprintf(`{"client_id": %d, "user_id": 999999, "fields": [{"input_id": 1010, "value": "x", "value_type_id": 1}]}`, id),
			400, "Неверный request: user_id: user_id is not an administrator of this CRM.")
	})
}

// TestClientAddContact replays E34 and checks the contact person's rows.
func TestClientAddContact(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "AddContact")
		id := a.createClient(t, `{"name": "Клиент"}`)
		a.ok(t, "client/addContact/", fmt.Sprintf(`{
			"client_id": %d,
			"name": "dsfdsf",
			"email": "dff@d.ru",
			"phone": 79875550000,
			"birthday": "2021-07-24",
			"instagram": "instagram",
			"note": "Примечание",
			"position": "Должность",
			"home_phone": "79873332211",
			"work_phone": { "value": "79875552211", "addon": "777" }
		}`, id)).Keys("", "status_code", "message")

		// Seven rows of one contact person, each with its name and birthday.
		r := a.clientContacts(t, id)
		person := r.Str("result.contacts.0.contact_id")
		if person == "" {
			t.Fatalf("no contact_id: %s", r.Body)
		}
		r.Golden("client_addcontact_e34", masks(maskAs("**.client_id", "client", id), maskAs("**.crm_id", "account", a.id),
			maskAs("**.contact_id", "person", person), maskIDs("id"), maskTimes("created_at"))...)

		// The person's phone finds the client.
		found, err := env.Server.Service.SearchDeals(context.Background(), a.actor, "+7 987 555-00-00", "")
		if err != nil || len(found) != 1 || found[0].Client.ID != id {
			t.Fatalf("SearchDeals: %+v %v", found, err)
		}

		for _, c := range []struct{ req, msg string }{
			{`"name": "Без связи"`, "Неверный request: phone: Укажите телефон или email контакта"},
			{`"phone": "79990001122"`, "Неверный request: name: Не указано имя контакта"},
			{`"name": "A", "phone": "7999", "birthday": "24.07.2021"`, "Неверный request: birthday: Дата рождения должна быть в формате YYYY-MM-DD"},
			{`"name": "A", "phone": "7999", "birthday": "2021-02-30"`, "Неверный request: birthday: Дата рождения должна быть в формате YYYY-MM-DD"},
			{`"name": "A", "email": "без собаки"`, "Неверный request: email: Email указан неверно"},
			{`"name": "A", "phone": "нет цифр"`, "Неверный request: phone: Телефон должен содержать цифры"},
			{`"name": "A", "email": "a@b.c", "work_phone": {"addon": "1"}`, "Неверный request: work_phone: Не указан номер рабочего телефона"},
			{`"name": "A", "email": "a@b.c", "work_phone": ["1"]`, `Параметр work_phone должен быть объектом {"value": …, "addon": …}`},
		} {
			a.fail(t, "client/addContact/", fmt.Sprintf(`{"client_id": %d, %s}`, id, c.req), 400, c.msg)
		}
		a.fail(t, "client/addContact/", `{"client_id": 999999, "name": "A", "phone": "79990001122"}`, 404, wantClientNotFound)
		a.fail(t, "client/addContact/", `{"name": "A", "phone": "79990001122"}`, 400, "Не указан client_id")
		if n := len(a.clientContacts(t, id).List("result.contacts")); n != 7 {
			t.Errorf("failed requests added rows: %d", n)
		}
	})
}

// companyRequest is a valid company request (Sberbank's requisites), with
// members set or, given nil, dropped.
func companyRequest(over map[string]any) string {
	req := map[string]any{
		"short_name": "Сбербанк", "full_name": "ПАО \"Сбербанк России\"", "inn": 7707083893, "kpp": "773601001",
		"ogrn": "1027700132195", "legal_address": "117312, г. Москва, ул. Вавилова, д. 19",
		"postal_address": "117997, г. Москва, ул. Вавилова, д. 19", "general_manager": "Иванов Иван Иванович",
		"bank_name": "ПАО Сбербанк", "bik": "044525225", "payment_account": "40702810900000002851",
		"correspondent_account": "30101810400000000225",
	}
	for k, v := range over {
		if v == nil {
			delete(req, k)
		} else {
			req[k] = v
		}
	}
	// The payment account above is keyed to another bank: drop it unless
	// the case sets it.
	if _, ok := over["payment_account"]; !ok {
		delete(req, "payment_account")
	}
	b, _ := json.Marshal(req)
	return string(b)
}

// TestClientCompanies replays E35/E36 and every validation error.
func TestClientCompanies(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Companies")
		id := a.createClient(t, `{"name": "Клиент с компанией"}`)
		path := fmt.Sprintf("client/%d/", id)

		success(a.call(t, http.MethodGet, path+"getCompanies/", "")).Keys("", "result", "status_code", "message").
			Equal("result.companies", []any{})

		// E36 verbatim: its requisites are fictitious and fail the checks,
		// the first one named.
		example := `{
			"short_name": "Империя", "full_name": "ООО \"Империя\"", "inn": 785626523235, "kpp": "562365956",
			"ogrn": "254562325632656", "legal_address": "405060, г. Москва, ул. Центральная, д. 27",
			"postal_address": "708090, г. Москва, ул. Красная, д. 135", "general_manager": "Иванов Иван Иванович",
			"bank_name": "АО \"Тинькофф Банк\"", "bik": "84562156256236325632",
			"payment_account": "256256326509052548569095965269",
			"correspondent_account": "59628508090526088592626595665656"}`
		a.failPrefix(t, path+"addCompany/", example, 400, "Неверный request: inn: ИНН указан неверно")

		// The example with real requisites (T-Bank's): first company,
		// primary, newer typing.
		r := a.ok(t, path+"addCompany/", `{
			"short_name": "Империя", "full_name": "ООО \"Империя\"", "inn": 7710140679, "kpp": "771301001",
			"ogrn": "1027739642281", "legal_address": "405060, г. Москва, ул. Центральная, д. 27",
			"postal_address": "708090, г. Москва, ул. Красная, д. 135", "general_manager": "Иванов Иван Иванович",
			"bank_name": "АО \"Тинькофф Банк\"", "bik": "044525974",
			"correspondent_account": "30101810145250000974"}`)
		firstID := r.Int("result.id")
		r.Golden("client_addcompany_e36", maskAs("result.id", "company", firstID), maskAs("result.crm_id", "account", a.id),
			maskAs("result.element_id", "client", id), maskTimes("created_at", "updated_at"))

		// A second company (INN as a string, OGRNIP, keyed accounts) is not primary.
		r = a.ok(t, path+"addCompany", `{"short_name": "ИП Петров", "inn": "773370857141",
			"ogrn": "307760324100018", "bik": "044030827", "payment_account": "40702810900000002851",
			"correspondent_account": "30101810200000000827"}`)
		has(t, "second", r.Sub("result"), map[string]any{"primary": 0, "inn": 773370857141, "kpp": nil, "full_name": nil,
			"payment_account": "40702810900000002851"})
		secondID := r.Int("result.id")

		list := success(a.call(t, http.MethodGet, path+"getCompanies", "")).Sub("result.companies")
		list.Equal("*.id", []int64{firstID, secondID}).Equal("*.primary", []int{1, 0}).Equal("*.element_id", []int64{id, id})
		list.Keys("0", "id", "crm_id", "crm_element_id", "element_id", "primary", "short_name", "full_name", "inn", "kpp",
			"ogrn", "legal_address", "postal_address", "general_manager", "bank_name", "bik", "payment_account",
			"correspondent_account", "created_at", "updated_at", "deleted_at")

		// Every validation error names its field.
		for _, c := range []struct {
			over map[string]any
			msg  string
		}{
			{map[string]any{"short_name": nil}, "Неверный request: short_name: Не указано сокращённое наименование компании"},
			{map[string]any{"short_name": " "}, "Неверный request: short_name: Не указано сокращённое наименование компании"},
			{map[string]any{"inn": nil}, "Неверный request: inn: Не указан ИНН"},
			{map[string]any{"inn": "77070838"}, "Неверный request: inn: ИНН должен состоять из 10 цифр (организация) или 12 цифр (ИП, физическое лицо)"},
			{map[string]any{"inn": "7707O83893"}, "Неверный request: inn: ИНН должен состоять из 10 цифр (организация) или 12 цифр (ИП, физическое лицо)"},
			{map[string]any{"inn": 7707083894}, "Неверный request: inn: ИНН указан неверно: не сходится контрольная цифра"},
			{map[string]any{"inn": "773370857142"}, "Неверный request: inn: ИНН указан неверно: не сходятся контрольные цифры"},
			{map[string]any{"kpp": "77360100"}, "Неверный request: kpp: КПП должен состоять из 9 цифр"},
			{map[string]any{"kpp": "77360100x"}, "Неверный request: kpp: КПП должен состоять из 9 цифр"},
			{map[string]any{"ogrn": "10277001321"}, "Неверный request: ogrn: ОГРН должен состоять из 13 цифр, ОГРНИП — из 15 цифр"},
			{map[string]any{"ogrn": "1027700132196"}, "Неверный request: ogrn: ОГРН указан неверно: не сходится контрольная цифра"},
			{map[string]any{"ogrn": "307760324100017"}, "Неверный request: ogrn: ОГРНИП указан неверно: не сходится контрольная цифра"},
			{map[string]any{"bik": "84562156256236325632"}, "Неверный request: bik: БИК должен состоять из 9 цифр"},
			{map[string]any{"bik": "04452522"}, "Неверный request: bik: БИК должен состоять из 9 цифр"},
			{map[string]any{"payment_account": "4070281090000000285"}, "Неверный request: payment_account: Расчётный счёт должен состоять из 20 цифр"},
			{map[string]any{"payment_account": "40702810900000002851"}, "Неверный request: payment_account: Расчётный счёт не соответствует БИК: не сходится контрольный ключ"},
			{map[string]any{"correspondent_account": "301018104000000002250"}, "Неверный request: correspondent_account: Корреспондентский счёт должен состоять из 20 цифр"},
			{map[string]any{"correspondent_account": "40101810400000000225"}, "Неверный request: correspondent_account: Корреспондентский счёт должен начинаться с 301"},
			{map[string]any{"correspondent_account": "30101810200000000827"}, "Неверный request: correspondent_account: Корреспондентский счёт не соответствует БИК: не сходится контрольный ключ"},
			{map[string]any{"inn": map[string]any{}}, "Параметр inn должен быть строкой или числом"},
		} {
			a.fail(t, path+"addCompany/", companyRequest(c.over), 400, c.msg)
		}
		success(a.call(t, http.MethodGet, path+"getCompanies/", "")).Equal("result.companies.*.id", []int64{firstID, secondID})

		// Unknown clients and paths.
		refused(t, a.call(t, http.MethodGet, "client/999999/getCompanies/", ""), 404, wantClientNotFound)
		a.fail(t, "client/999999/addCompany/", companyRequest(nil), 404, wantClientNotFound)
		refused(t, a.call(t, http.MethodGet, "client/abc/getCompanies/", ""), 404, wantClientNotFound)
		refused(t, a.call(t, http.MethodGet, path+"getNothing/", ""), 404, "Метод не найден")
		refused(t, a.call(t, http.MethodPost, path+"getCompanies/", ""), 404, "Метод не найден")
	})
}

// TestClientSharedRecords: a client made here is the contact an amoCRM
// customer links to, and its company the customer's company.
func TestClientSharedRecords(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Shared")
		ctx := context.Background()
		svc := env.Server.Service
		id := a.createClient(t, `{"name": "Общий клиент", "phone": "79001112233"}`)
		companyID := a.ok(t, fmt.Sprintf("client/%d/addCompany/", id), companyRequest(nil)).Int("result.id")

		if err := svc.SetCustomersMode(ctx, a.actor, crm.CustomersSegments, true); err != nil {
			t.Fatal(err)
		}
		name := "Покупатель"
		customers, err := svc.AddCustomers(ctx, a.actor, []crm.CustomerInput{{Name: &name}})
		if err != nil {
			t.Fatal(err)
		}
		cust := customers[0].ID
		if err := svc.LinkCustomer(ctx, a.actor, cust, []crm.CustomerLink{{ToType: crm.EntityContact, ToID: id, IsMain: true},
			{ToType: crm.EntityCompany, ToID: companyID}}, false); err != nil {
			t.Fatal(err)
		}
		links, err := svc.CustomerLinks(ctx, a.actor, cust)
		if err != nil {
			t.Fatal(err)
		}
		crmtest.Equal(t, "links", links, []crm.CustomerLink{{ToType: crm.EntityContact, ToID: id, IsMain: true}, {ToType: crm.EntityCompany, ToID: companyID}})
		contact, err := svc.Contact(ctx, a.actor, id)
		if err != nil || contact.Name != "Общий клиент" {
			t.Fatalf("contact: %+v %v", contact, err)
		}
		company, err := svc.Company(ctx, a.actor, companyID)
		if err != nil || company.Name != "Сбербанк" {
			t.Fatalf("company: %+v %v", company, err)
		}
	})
}

// TestClientIsolation: another account's key reaches none of a client's
// methods; a wrong key is refused everywhere.
func TestClientIsolation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Owner")
		b := newAccount(t, env, "Intruder")
		id := a.createClient(t, `{"name": "Чужой", "phone": "79005554433"}`)
		a.ok(t, fmt.Sprintf("client/%d/addCompany/", id), companyRequest(nil))

		byID := fmt.Sprintf(`{"client_id": %d}`, id)
		b.fail(t, "client/get/", byID, 404, wantClientNotFound)
		b.fail(t, "client/getContacts/", byID, 404, wantClientNotFound)
		b.fail(t, "client/addContact/", fmt.Sprintf(`{"client_id": %d, "name": "X", "phone": "79990000000"}`, id), 404, wantClientNotFound)
		b.fail(t, "client/updateClientValue/", fmt.Sprintf(`{"client_id": %d, "fields": [{"input_id": 1001, "value": "X", "value_type_id": 1}]}`, id),
			500, wantClientNotFound)
		refused(t, b.call(t, http.MethodGet, fmt.Sprintf("client/%d/getCompanies/", id), ""), 404, wantClientNotFound)
		b.fail(t, fmt.Sprintf("client/%d/addCompany/", id), companyRequest(nil), 404, wantClientNotFound)
		b.ok(t, "client/list/", `{"keyword": "Чужой"}`).Equal("count", "0")
		b.ok(t, "client/list/", `{}`).Equal("count", "0")
		if found, err := env.Server.Service.SearchDeals(context.Background(), b.actor, "79005554433", ""); err != nil || len(found) != 0 {
			t.Fatalf("B finds A's client: %v %v", found, err)
		}
		// A still sees everything unchanged.
		if n := len(a.getClient(t, id).List("contacts")); n != 1 {
			t.Fatalf("A's client changed: %d contacts", n)
		}

		for _, key := range []string{"wrong", ""} {
			w := a.as(key)
			for _, r := range []struct{ method, path, request string }{
				{"POST", "client/list/", `{}`},
				{"POST", "client/get/", byID},
				{"POST", "client/create/", `{"name": "X"}`},
				{"POST", "client/getContacts/", byID},
				{"POST", "client/updateClientValue/", byID},
				{"POST", "client/addContact/", byID},
				{"GET", fmt.Sprintf("client/%d/getCompanies/", id), ""},
				{"POST", fmt.Sprintf("client/%d/addCompany/", id), companyRequest(nil)},
			} {
				body := ""
				if r.request != "" {
					body = `{"request": ` + r.request + `}`
				}
				refused(t, w.call(t, r.method, r.path, body), 401, "Неправильный ключ api")
			}
		}
	})
}
