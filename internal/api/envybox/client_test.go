package envybox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Helpers of the client tests (prefix cl).

type clAccount struct {
	env   *crmtest.Env
	key   string
	actor crm.Actor
}

func clNew(t *testing.T, env *crmtest.Env, name string) clAccount {
	t.Helper()
	creds := env.NewAccount(t, name)
	return clAccount{env: env, key: creds.EnvyboxAPIKey,
		actor: crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}}
}

// call sends a request to /openapi/v1/<path>?api_key=<key>.
func (a clAccount) call(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	resp := a.env.Do(t, method, "/openapi/v1/"+path+"?api_key="+a.key, "", body)
	return resp.Status, resp.Object(t)
}

// ok sends a request that must succeed and returns the body.
func (a clAccount) ok(t *testing.T, method, path, body string) map[string]any {
	t.Helper()
	status, obj := a.call(t, method, path, body)
	if status != http.StatusOK || obj["status_code"] != json.Number("200") || obj["message"] != "success" {
		t.Fatalf("%s %s %s: HTTP %d %v", method, path, body, status, obj)
	}
	return obj
}

// fail sends a request that must fail with this status (HTTP and body) and
// a message containing msg; the body has nothing else.
func (a clAccount) fail(t *testing.T, method, path, body string, status int, msg string) string {
	t.Helper()
	got, obj := a.call(t, method, path, body)
	clKeys(t, path+" error", obj, "status_code", "message")
	m, _ := obj["message"].(string)
	if got != status || obj["status_code"] != json.Number(fmt.Sprint(status)) || !strings.Contains(m, msg) {
		t.Fatalf("%s %s %s: want %d %q, got HTTP %d %v", method, path, body, status, msg, got, obj)
	}
	return m
}

func (a clAccount) create(t *testing.T, body string) int64 {
	t.Helper()
	obj := a.ok(t, "POST", "client/create/", body)
	id, err := clObj(t, clObj(t, obj["result"])["client"])["id"].(json.Number).Int64()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (a clAccount) get(t *testing.T, id int64) map[string]any {
	t.Helper()
	return clObj(t, a.ok(t, "POST", "client/get/", fmt.Sprintf(`{"request": {"client_id": %d}}`, id))["result"])
}

func (a clAccount) contacts(t *testing.T, id int64) []any {
	t.Helper()
	obj := a.ok(t, "POST", "client/getContacts/", fmt.Sprintf(`{"request": {"client_id": "%d"}}`, id))
	return clArr(t, clObj(t, obj["result"])["contacts"])
}

func (a clAccount) list(t *testing.T, req string) map[string]any {
	t.Helper()
	return a.ok(t, "POST", "client/list/", `{"request": `+req+`}`)
}

func clObj(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("want an object, got %T %v", v, v)
	}
	return m
}

func clArr(t *testing.T, v any) []any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("want an array, got %T %v", v, v)
	}
	return a
}

// clKeys checks that m has exactly these keys.
func clKeys(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	var got []string
	for k := range m {
		got = append(got, k)
	}
	sort.Strings(got)
	want := slices.Clone(keys)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("%s keys:\n got %v\nwant %v", what, got, want)
	}
}

// clTypes checks JSON kinds: s string, n number, null, a array, o object,
// s? string or null.
func clTypes(t *testing.T, what string, m map[string]any, kinds string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		v := m[k]
		var ok bool
		switch kinds {
		case "s":
			_, ok = v.(string)
		case "s?":
			_, ok = v.(string)
			ok = ok || v == nil
		case "n":
			_, ok = v.(json.Number)
		case "null":
			ok = v == nil
		case "a":
			_, ok = v.([]any)
		case "o":
			_, ok = v.(map[string]any)
		}
		if !ok {
			t.Errorf("%s.%s: want %s, got %T %v", what, k, kinds, v, v)
		}
	}
}

func clWant(t *testing.T, what string, m map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if got := m[k]; fmt.Sprint(got) != fmt.Sprint(w) || (w == nil) != (got == nil) {
			t.Errorf("%s.%s = %v (%T), want %v", what, k, got, got, w)
		}
	}
}

func clDateTime(t *testing.T, what string, v any) {
	t.Helper()
	s, _ := v.(string)
	if _, err := time.Parse(time.DateTime, s); err != nil {
		t.Errorf("%s: %v is not YYYY-MM-DD HH:MM:SS", what, v)
	}
}

var clContactKeys = []string{"id", "crm_id", "client_id", "primary", "created_at", "updated_at", "deleted_at", "type_id",
	"value", "addon", "element_note", "group_id"}

var clValueKeys = []string{"id", "crm_id", "client_id", "input_id", "type_id", "value", "mask", "created_at", "updated_at",
	"deleted_at", "name", "name_id"}

var clDealKeys = []string{"id", "crm_id", "pipeline_id", "client_id", "stage_id", "user_id", "employee_id", "old_employee_id",
	"department_id", "inbox_type_id", "it_reaction", "with_event", "stage_updated_at", "created_at", "updated_at", "deleted_at",
	"name", "stage", "stage_color", "status_id"}

var clCompanyKeys = []string{"id", "crm_id", "crm_element_id", "element_id", "primary", "short_name", "full_name", "inn", "kpp",
	"ogrn", "legal_address", "postal_address", "general_manager", "bank_name", "bik", "payment_account",
	"correspondent_account", "created_at", "updated_at", "deleted_at"}

// TestClientCreateAndGet replays E29 and E28 and checks shapes and typing.
func TestClientCreateAndGet(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := clNew(t, env, "Clients")
		// E29, verbatim.
		obj := a.ok(t, "POST", "client/create/", `{"request": {"name": "Сделка Тест"}}`)
		clKeys(t, "create", obj, "result", "status_code", "message")
		client := clObj(t, clObj(t, obj["result"])["client"])
		clKeys(t, "create.result.client", client, "crm_id", "updated_at", "created_at", "id")
		clTypes(t, "create.result.client", client, "n", "crm_id", "id")
		clWant(t, "create.result.client", client, map[string]any{"crm_id": a.actor.AccountID})
		clDateTime(t, "created_at", client["created_at"])
		if client["created_at"] != client["updated_at"] {
			t.Errorf("create: created_at %v, updated_at %v", client["created_at"], client["updated_at"])
		}
		id, _ := client["id"].(json.Number).Int64()

		// E28 with the new id.
		res := a.get(t, id)
		clKeys(t, "get.result", res, "id", "crm_id", "created_at", "updated_at", "deleted_at", "values", "contacts", "deals")
		clTypes(t, "get.result", res, "s", "id", "crm_id", "created_at")
		clTypes(t, "get.result", res, "null", "updated_at", "deleted_at")
		clWant(t, "get.result", res, map[string]any{"id": id, "crm_id": a.actor.AccountID, "created_at": client["created_at"]})
		values := clObj(t, res["values"])
		clKeys(t, "values", values, "service", "custom")
		if len(clArr(t, values["custom"])) != 0 {
			t.Errorf("custom: %v", values["custom"])
		}
		service := clObj(t, values["service"])
		clKeys(t, "values.service", service, "name")
		name := clObj(t, service["name"])
		clKeys(t, "values.service.name", name, clValueKeys...)
		clTypes(t, "values.service.name", name, "s", "id", "crm_id", "client_id", "input_id", "type_id", "value", "created_at", "name", "name_id")
		clTypes(t, "values.service.name", name, "null", "mask", "updated_at", "deleted_at")
		clWant(t, "values.service.name", name, map[string]any{"client_id": id, "input_id": "1001", "type_id": "1",
			"value": "Сделка Тест", "name": "Имя", "name_id": "name"})
		if len(clArr(t, res["contacts"])) != 0 || len(clArr(t, res["deals"])) != 0 {
			t.Errorf("new client has contacts or deals: %v", res)
		}

		// name is required; unknown and missing ids.
		a.fail(t, "POST", "client/create/", `{"request": {}}`, 400, "name: Не указано имя клиента")
		a.fail(t, "POST", "client/create/", `{"request": {"name": "  "}}`, 400, "Не указано имя клиента")
		a.fail(t, "POST", "client/create/", `{"request": {"name": "X", "email": "not-an-email"}}`, 400, "Email указан неверно")
		a.fail(t, "POST", "client/get/", `{"request": {"client_id": 999999}}`, 404, wantClientNotFound)
		a.fail(t, "POST", "client/get/", `{"request": {}}`, 400, "Не указан client_id")
		a.fail(t, "POST", "client/getContacts/", `{"request": {"client_id": 999999}}`, 404, wantClientNotFound)
	})
}

// TestClientContactsAndDeals: phones and emails given to client/create,
// E30 replayed, deals shown in client/get.
func TestClientContactsAndDeals(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := clNew(t, env, "Contacts")
		ctx := context.Background()
		id := a.create(t, `{"request": {"name": "Тестовый клиент", "phone": "+7 (000) 999-00-00", "email": "TestClient@net.local"}}`)

		res := a.get(t, id)
		contacts := clArr(t, res["contacts"])
		if len(contacts) != 2 {
			t.Fatalf("contacts: %v", contacts)
		}
		for i, want := range []map[string]any{
			{"client_id": id, "primary": "1", "type_id": "1", "value": "70009990000", "addon": nil, "element_note": nil, "group_id": "1", "updated_at": nil, "deleted_at": nil},
			{"client_id": id, "primary": "1", "type_id": "4", "value": "testclient@net.local", "addon": nil, "element_note": nil, "group_id": "2"},
		} {
			row := clObj(t, contacts[i])
			clKeys(t, "get.contacts", row, clContactKeys...)
			clTypes(t, "get.contacts", row, "s", "id", "crm_id", "client_id", "primary", "created_at", "type_id", "value", "group_id")
			clWant(t, fmt.Sprintf("get.contacts[%d]", i), row, want)
		}

		// E30 with a string id, as callers send it.
		rows := a.contacts(t, id)
		if len(rows) != 2 {
			t.Fatalf("getContacts: %v", rows)
		}
		row := clObj(t, rows[0])
		clKeys(t, "getContacts", row, append(slices.Clone(clContactKeys), "birthday")...)
		clWant(t, "getContacts[0]", row, map[string]any{"birthday": nil, "addon": "", "element_note": "", "type_id": "1", "primary": "1"})

		// A second phone is not primary.
		a.ok(t, "POST", "client/addContact/", fmt.Sprintf(`{"request": {"client_id": %d, "name": "Второй", "phone": "54654654654"}}`, id))
		rows = a.contacts(t, id)
		if len(rows) != 3 {
			t.Fatalf("getContacts after addContact: %v", rows)
		}
		clWant(t, "getContacts[2]", clObj(t, rows[2]), map[string]any{"type_id": "1", "value": "54654654654", "primary": "0", "group_id": "1"})

		// Deals of the client, old-style typing.
		deal, err := env.Server.Service.CreateDeal(ctx, a.actor, crm.NewDeal{Name: "Сделка", ClientID: id})
		if err != nil {
			t.Fatal(err)
		}
		deals := clArr(t, a.get(t, id)["deals"])
		if len(deals) != 1 {
			t.Fatalf("deals: %v", deals)
		}
		d := clObj(t, deals[0])
		clKeys(t, "get.deals", d, clDealKeys...)
		clTypes(t, "get.deals", d, "s", "id", "crm_id", "pipeline_id", "client_id", "stage_id", "user_id", "employee_id",
			"department_id", "inbox_type_id", "it_reaction", "with_event", "stage_updated_at", "created_at", "name", "stage",
			"stage_color", "status_id")
		clTypes(t, "get.deals", d, "null", "old_employee_id", "deleted_at")
		clWant(t, "get.deals", d, map[string]any{"id": deal.ID, "client_id": id, "name": "Сделка", "stage": deal.Stage.Name,
			"status_id": fmt.Sprint(int(deal.Stage.Status)), "stage_color": deal.Stage.Color})

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
		a := clNew(t, env, "List")
		ctx := context.Background()
		first := a.create(t, `{"request": {"name": "Иван Петров", "phone": "79323210202"}}`)
		second := a.create(t, `{"request": {"name": "ООО Ромашка", "email": "info@romashka.ru"}}`)
		third := a.create(t, `{"request": {"name": "Client Three"}}`)
		if _, err := env.Server.Service.CreateDeal(ctx, a.actor, crm.NewDeal{Name: "Поставка оборудования", ClientID: third}); err != nil {
			t.Fatal(err)
		}
		a.ok(t, "POST", "client/addContact/", fmt.Sprintf(`{"request": {"client_id": %d, "name": "Мария Сидорова", "email": "m@x.ru"}}`, second))

		// Both examples of E27 name dates long past: nothing matches.
		for _, req := range []string{
			`{"keyword": "", "limit": 0, "offset": 0, "date_start": "2017-07-10", "date_end": "2017-07-10"}`,
			`{"keyword": "утп", "limit": 0, "offset": 0, "date_start": "2020-01-20", "date_end": "2021-01-20"}`,
		} {
			obj := a.list(t, req)
			clKeys(t, "empty list", obj, "keyword", "offset", "limit", "result", "count", "all_ids", "max_colls_contacts", "status_code", "message")
			clWant(t, "empty list", obj, map[string]any{"offset": -1, "limit": 50, "count": "0", "max_colls_contacts": 0})
			clTypes(t, "empty list", obj, "n", "offset", "limit", "max_colls_contacts")
			clTypes(t, "empty list", obj, "s", "count")
			if len(clArr(t, obj["result"])) != 0 || len(clArr(t, obj["all_ids"])) != 0 {
				t.Fatalf("empty list: %v", obj)
			}
		}

		// The first page of one: newest first, next offset 1.
		obj := a.list(t, `{"keyword": "", "limit": 1, "offset": 0}`)
		clWant(t, "page 1", obj, map[string]any{"keyword": nil, "offset": 1, "limit": 1, "count": "3", "max_colls_contacts": 0})
		ids := clArr(t, obj["all_ids"])
		if fmt.Sprint(ids) != fmt.Sprint([]int64{third, second, first}) {
			t.Fatalf("all_ids %v", ids)
		}
		result := clArr(t, obj["result"])
		if len(result) != 1 {
			t.Fatalf("result: %v", result)
		}
		item := clObj(t, result[0])
		clKeys(t, "list item", item, "id", "crm_id", "created_at", "updated_at", "deleted_at", "name", "phone", "email", "values", "contacts", "deals")
		clWant(t, "list item", item, map[string]any{"id": third, "name": "Client Three", "phone": nil, "email": nil, "updated_at": nil})
		service := clObj(t, clObj(t, item["values"])["service"])
		clKeys(t, "list item values.service", service, "name", "ip_place")
		dealsByClient := clObj(t, item["deals"])
		clKeys(t, "list item deals", dealsByClient, fmt.Sprint(third))
		dl := clArr(t, dealsByClient[fmt.Sprint(third)])
		if len(dl) != 1 {
			t.Fatalf("deals: %v", dl)
		}
		clKeys(t, "list deal", clObj(t, dl[0]), clDealKeys...)

		// The last page: offset -1; phone and email denormalised.
		obj = a.list(t, `{"limit": "2", "offset": "1"}`)
		clWant(t, "page 2", obj, map[string]any{"offset": -1, "limit": 2, "count": "3", "max_colls_contacts": 2})
		result = clArr(t, obj["result"])
		if len(result) != 2 {
			t.Fatalf("page 2: %v", result)
		}
		clWant(t, "page 2 [0]", clObj(t, result[0]), map[string]any{"id": second, "phone": nil, "email": "info@romashka.ru"})
		clWant(t, "page 2 [1]", clObj(t, result[1]), map[string]any{"id": first, "phone": "79323210202", "email": nil})
		firstContacts := clArr(t, clObj(t, result[1])["contacts"])
		clKeys(t, "list contact", clObj(t, firstContacts[0]), clContactKeys...)

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
			obj := a.list(t, fmt.Sprintf(`{"keyword": %q}`, kw))
			var got []int64
			for _, x := range clArr(t, obj["all_ids"]) {
				n, _ := x.(json.Number).Int64()
				got = append(got, n)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("keyword %q: got %v, want %v", kw, got, want)
			}
			clWant(t, "keyword "+kw, obj, map[string]any{"keyword": kw, "count": fmt.Sprint(len(want))})
		}

		// Creation dates in the account's time zone.
		today := time.Now().In(time.FixedZone("MSK", 3*3600)).Format(time.DateOnly)
		obj = a.list(t, fmt.Sprintf(`{"date_start": %q, "date_end": %q}`, today, today))
		if obj["count"] != "3" {
			t.Errorf("today: count %v", obj["count"])
		}
		a.fail(t, "POST", "client/list/", `{"request": {"date_start": "10.07.2017"}}`, 400, "YYYY-MM-DD")
		a.fail(t, "POST", "client/list/", `{"request": {"limit": -1}}`, 400, "limit")
	})
}

// TestClientUpdateClientValue replays E32.
func TestClientUpdateClientValue(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := clNew(t, env, "Values")
		ctx := context.Background()
		fieldName := "Новое поле число"
		fields, err := env.Server.Service.AddCustomFields(ctx, a.actor, crm.EntityContact,
			[]crm.NewCustomField{{Name: &fieldName, Type: crm.FieldText}})
		if err != nil {
			t.Fatal(err)
		}
		field := fields[0].ID
		id := a.create(t, `{"request": {"name": "До"}}`)

		body := fmt.Sprintf(`{"request": {"client_id": %d, "user_id": %d, "employee_id": 0,
			"fields": [{"input_id": %d, "value": "1323123", "value_type_id": 2}]}}`, id, a.actor.UserID, field)
		obj := a.ok(t, "POST", "client/updateClientValue/", body)
		clKeys(t, "update", obj, "result", "status_code", "message")
		res := clObj(t, obj["result"])
		clKeys(t, "update.result", res, "client_id", "user_id", "employee_id", "fields")
		clWant(t, "update.result", res, map[string]any{"client_id": fmt.Sprint(id), "user_id": fmt.Sprint(a.actor.UserID), "employee_id": "0"})
		clTypes(t, "update.result", res, "s", "client_id", "user_id", "employee_id")
		echo := clArr(t, res["fields"])
		if len(echo) != 1 {
			t.Fatalf("fields echo: %v", echo)
		}
		f := clObj(t, echo[0])
		clKeys(t, "update.result.fields", f, "input_id", "value", "value_type_id")
		clWant(t, "update.result.fields", f, map[string]any{"input_id": field, "value": "1323123", "value_type_id": 2})
		clTypes(t, "update.result.fields", f, "n", "input_id", "value_type_id")

		custom := clArr(t, clObj(t, a.get(t, id)["values"])["custom"])
		if len(custom) != 1 {
			t.Fatalf("custom: %v", custom)
		}
		clWant(t, "custom", clObj(t, custom[0]), map[string]any{"input_id": fmt.Sprint(field), "value": "1323123", "type_id": "2",
			"name": fieldName, "name_id": fmt.Sprintf("crm_%d", field), "client_id": fmt.Sprint(id)})

		// Service values: 1001 renames the client, 1010/1011 region and time zone.
		a.ok(t, "POST", "client/updateClientValue/", fmt.Sprintf(`{"request": {"client_id": "%d", "fields": [
			{"input_id": 1001, "value": "После", "value_type_id": 1},
			{"input_id": "1011", "value": "UTC+3:00", "value_type_id": "1"},
			{"input_id": 1010, "value": "Москва", "value_type_id": 1}]}}`, id))
		service := clObj(t, clObj(t, a.get(t, id)["values"])["service"])
		clKeys(t, "service", service, "name", "ip_place_id", "timezone")
		clWant(t, "service.name", clObj(t, service["name"]), map[string]any{"value": "После", "input_id": "1001"})
		clWant(t, "service.timezone", clObj(t, service["timezone"]), map[string]any{"value": "UTC+3:00", "input_id": "1011", "name": "Часовой пояс"})
		clWant(t, "service.ip_place_id", clObj(t, service["ip_place_id"]), map[string]any{"value": "Москва", "name": "Регион клиента"})
		item := clObj(t, clArr(t, a.list(t, `{"keyword": "после"}`)["result"])[0])
		clWant(t, "renamed", item, map[string]any{"id": id, "name": "После"})

		// The documented error, with its status 500, and the generic one.
		a.fail(t, "POST", "client/updateClientValue/", `{"request": {"client_id": 1625369, "user_id": 59699, "employee_id": 0,
			"fields": [{"input_id": 3823, "value": "Новое_значение_поля", "value_type_id": 2}]}}`, 500, wantClientNotFound)
		for _, fields := range []string{
			`[{"input_id": 1002, "value": "x", "value_type_id": 1}]`,
			`[{"input_id": 999999, "value": "x", "value_type_id": 2}]`,
			`[{"input_id": 1001, "value": "x", "value_type_id": 3}]`,
			`[{"value": "x", "value_type_id": 1}]`,
			`[]`,
		} {
			msg := a.fail(t, "POST", "client/updateClientValue/", fmt.Sprintf(`{"request": {"client_id": %d, "fields": %s}}`, id, fields), 500, wantInvalidRequest)
			if msg != wantInvalidRequest {
				t.Errorf("%s: %q", fields, msg)
			}
		}
		a.fail(t, "POST", "client/updateClientValue/", fmt.Sprintf(`{"request": {"client_id": %d, "fields": [{"input_id": 1001, "value": "", "value_type_id": 1}]}}`, id),
			400, "Имя клиента не может быть пустым")
		a.fail(t, "POST", "client/updateClientValue/", fmt.Sprintf(`{"request": {"client_id": %d, "fields": [{"input_id": 1011, "value": "Москва", "value_type_id": 1}]}}`, id),
			400, "Часовой пояс")
		a.fail(t, "POST", "client/updateClientValue/", fmt.Sprintf(`{"request": {"client_id": %d, "user_id": 999999, "fields": [{"input_id": 1010, "value": "x", "value_type_id": 1}]}}`, id),
			400, "user_id")
	})
}

// TestClientAddContact replays E34 and checks the contact person's rows.
func TestClientAddContact(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := clNew(t, env, "AddContact")
		id := a.create(t, `{"request": {"name": "Клиент"}}`)
		obj := a.ok(t, "POST", "client/addContact/", fmt.Sprintf(`{"request": {
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
		}}`, id))
		clKeys(t, "addContact", obj, "status_code", "message")

		rows := a.contacts(t, id)
		type want struct{ typeID, value, addon, group string }
		wants := []want{{"1", "79875550000", "", "1"}, {"4", "dff@d.ru", "", "2"}, {"2", "79875552211", "777", "1"},
			{"3", "79873332211", "", "1"}, {"9", "instagram", "", "3"}, {"13", "Должность", "", "4"}, {"14", "Примечание", "", "4"}}
		if len(rows) != len(wants) {
			t.Fatalf("rows: %v", rows)
		}
		person := ""
		for i, w := range wants {
			row := clObj(t, rows[i])
			clKeys(t, "person row", row, append(slices.Clone(clContactKeys), "birthday", "contact_id", "contact_name")...)
			clWant(t, fmt.Sprintf("row %d", i), row, map[string]any{"type_id": w.typeID, "value": w.value, "addon": w.addon,
				"group_id": w.group, "birthday": "2021-07-24", "contact_name": "dsfdsf", "primary": "1", "client_id": fmt.Sprint(id)})
			if person == "" {
				person, _ = row["contact_id"].(string)
			}
			if row["contact_id"] != person || person == "" {
				t.Errorf("row %d: contact_id %v, want one person %q", i, row["contact_id"], person)
			}
		}

		// The person's phone finds the client.
		found, err := env.Server.Service.SearchDeals(context.Background(), a.actor, "+7 987 555-00-00", "")
		if err != nil || len(found) != 1 || found[0].Client.ID != id {
			t.Fatalf("SearchDeals: %+v %v", found, err)
		}

		for _, c := range []struct{ req, msg string }{
			{`"name": "Без связи"`, "Укажите телефон или email контакта"},
			{`"phone": "79990001122"`, "Не указано имя контакта"},
			{`"name": "A", "phone": "7999", "birthday": "24.07.2021"`, "Дата рождения должна быть в формате YYYY-MM-DD"},
			{`"name": "A", "phone": "7999", "birthday": "2021-02-30"`, "YYYY-MM-DD"},
			{`"name": "A", "email": "без собаки"`, "Email указан неверно"},
			{`"name": "A", "phone": "нет цифр"`, "Телефон должен содержать цифры"},
			{`"name": "A", "email": "a@b.c", "work_phone": {"addon": "1"}`, "Не указан номер рабочего телефона"},
			{`"name": "A", "email": "a@b.c", "work_phone": ["1"]`, "work_phone"},
		} {
			a.fail(t, "POST", "client/addContact/", fmt.Sprintf(`{"request": {"client_id": %d, %s}}`, id, c.req), 400, c.msg)
		}
		a.fail(t, "POST", "client/addContact/", `{"request": {"client_id": 999999, "name": "A", "phone": "79990001122"}}`, 404, wantClientNotFound)
		a.fail(t, "POST", "client/addContact/", `{"request": {"name": "A", "phone": "79990001122"}}`, 400, "Не указан client_id")
		if n := len(a.contacts(t, id)); n != len(wants) {
			t.Errorf("failed requests added rows: %d", n)
		}
	})
}

// clCompany is a valid company request body (Sberbank's requisites).
func clCompany(over map[string]any) string {
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
	b, _ := json.Marshal(map[string]any{"request": req})
	return string(b)
}

// TestClientCompanies replays E35/E36 and every validation error.
func TestClientCompanies(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := clNew(t, env, "Companies")
		id := a.create(t, `{"request": {"name": "Клиент с компанией"}}`)
		path := fmt.Sprintf("client/%d/", id)

		obj := a.ok(t, "GET", path+"getCompanies/", "")
		clKeys(t, "getCompanies", obj, "result", "status_code", "message")
		if list := clArr(t, clObj(t, obj["result"])["companies"]); len(list) != 0 {
			t.Fatalf("companies: %v", list)
		}

		// E36 verbatim: its requisites are fictitious and fail the checks,
		// the first one named.
		example := `{"request": {
			"short_name": "Империя", "full_name": "ООО \"Империя\"", "inn": 785626523235, "kpp": "562365956",
			"ogrn": "254562325632656", "legal_address": "405060, г. Москва, ул. Центральная, д. 27",
			"postal_address": "708090, г. Москва, ул. Красная, д. 135", "general_manager": "Иванов Иван Иванович",
			"bank_name": "АО \"Тинькофф Банк\"", "bik": "84562156256236325632",
			"payment_account": "256256326509052548569095965269",
			"correspondent_account": "59628508090526088592626595665656"}}`
		a.fail(t, "POST", path+"addCompany/", example, 400, "inn: ИНН указан неверно")

		// The example with real requisites (T-Bank's): first company, primary.
		obj = a.ok(t, "POST", path+"addCompany/", `{"request": {
			"short_name": "Империя", "full_name": "ООО \"Империя\"", "inn": 7710140679, "kpp": "771301001",
			"ogrn": "1027739642281", "legal_address": "405060, г. Москва, ул. Центральная, д. 27",
			"postal_address": "708090, г. Москва, ул. Красная, д. 135", "general_manager": "Иванов Иван Иванович",
			"bank_name": "АО \"Тинькофф Банк\"", "bik": "044525974",
			"correspondent_account": "30101810145250000974"}}`)
		clKeys(t, "addCompany", obj, "result", "status_code", "message")
		co := clObj(t, obj["result"])
		clKeys(t, "addCompany.result", co, clCompanyKeys...)
		clTypes(t, "addCompany.result", co, "n", "id", "crm_id", "crm_element_id", "element_id", "primary", "inn")
		clTypes(t, "addCompany.result", co, "s", "short_name", "full_name", "kpp", "ogrn", "bik", "correspondent_account", "created_at", "updated_at")
		clTypes(t, "addCompany.result", co, "null", "payment_account", "deleted_at")
		clWant(t, "addCompany.result", co, map[string]any{"crm_id": a.actor.AccountID, "crm_element_id": 2, "element_id": id,
			"primary": 1, "short_name": "Империя", "full_name": `ООО "Империя"`, "inn": 7710140679, "kpp": "771301001",
			"ogrn": "1027739642281", "bik": "044525974", "general_manager": "Иванов Иван Иванович"})
		firstID := co["id"]

		// A second company (INN as a string, OGRNIP, keyed accounts) is not primary.
		obj = a.ok(t, "POST", path+"addCompany", `{"request": {"short_name": "ИП Петров", "inn": "773370857141",
			"ogrn": "307760324100018", "bik": "044030827", "payment_account": "40702810900000002851",
			"correspondent_account": "30101810200000000827"}}`)
		co = clObj(t, obj["result"])
		clWant(t, "second", co, map[string]any{"primary": 0, "inn": 773370857141, "kpp": nil, "full_name": nil,
			"payment_account": "40702810900000002851"})

		list := clArr(t, clObj(t, a.ok(t, "GET", path+"getCompanies", "")["result"])["companies"])
		if len(list) != 2 {
			t.Fatalf("companies: %v", list)
		}
		c0, c1 := clObj(t, list[0]), clObj(t, list[1])
		clKeys(t, "getCompanies[0]", c0, clCompanyKeys...)
		clWant(t, "getCompanies[0]", c0, map[string]any{"id": firstID, "primary": 1, "element_id": id})
		clWant(t, "getCompanies[1]", c1, map[string]any{"id": co["id"], "primary": 0})

		// Every validation error names its field.
		for _, c := range []struct {
			over map[string]any
			msg  string
		}{
			{map[string]any{"short_name": nil}, "short_name: Не указано сокращённое наименование компании"},
			{map[string]any{"short_name": " "}, "short_name: Не указано сокращённое наименование компании"},
			{map[string]any{"inn": nil}, "inn: Не указан ИНН"},
			{map[string]any{"inn": "77070838"}, "inn: ИНН должен состоять из 10 цифр (организация) или 12 цифр"},
			{map[string]any{"inn": "7707O83893"}, "inn: ИНН должен состоять из 10 цифр"},
			{map[string]any{"inn": 7707083894}, "inn: ИНН указан неверно: не сходится контрольная цифра"},
			{map[string]any{"inn": "773370857142"}, "inn: ИНН указан неверно: не сходятся контрольные цифры"},
			{map[string]any{"kpp": "77360100"}, "kpp: КПП должен состоять из 9 цифр"},
			{map[string]any{"kpp": "77360100x"}, "kpp: КПП должен состоять из 9 цифр"},
			{map[string]any{"ogrn": "10277001321"}, "ogrn: ОГРН должен состоять из 13 цифр, ОГРНИП — из 15 цифр"},
			{map[string]any{"ogrn": "1027700132196"}, "ogrn: ОГРН указан неверно: не сходится контрольная цифра"},
			{map[string]any{"ogrn": "307760324100017"}, "ogrn: ОГРНИП указан неверно: не сходится контрольная цифра"},
			{map[string]any{"bik": "84562156256236325632"}, "bik: БИК должен состоять из 9 цифр"},
			{map[string]any{"bik": "04452522"}, "bik: БИК должен состоять из 9 цифр"},
			{map[string]any{"payment_account": "4070281090000000285"}, "payment_account: Расчётный счёт должен состоять из 20 цифр"},
			{map[string]any{"payment_account": "40702810900000002851"}, "payment_account: Расчётный счёт не соответствует БИК"},
			{map[string]any{"correspondent_account": "301018104000000002250"}, "correspondent_account: Корреспондентский счёт должен состоять из 20 цифр"},
			{map[string]any{"correspondent_account": "40101810400000000225"}, "correspondent_account: Корреспондентский счёт должен начинаться с 301"},
			{map[string]any{"correspondent_account": "30101810200000000827"}, "correspondent_account: Корреспондентский счёт не соответствует БИК"},
			{map[string]any{"inn": map[string]any{}}, "Параметр inn должен быть строкой или числом"},
		} {
			msg := a.fail(t, "POST", path+"addCompany/", clCompany(c.over), 400, c.msg)
			if !strings.HasPrefix(msg, wantInvalidRequest) && !strings.HasPrefix(msg, "Параметр") {
				t.Errorf("%v: %q", c.over, msg)
			}
		}
		if n := len(clArr(t, clObj(t, a.ok(t, "GET", path+"getCompanies/", "")["result"])["companies"])); n != 2 {
			t.Errorf("failed requests added companies: %d", n)
		}

		// Unknown clients and paths.
		a.fail(t, "GET", "client/999999/getCompanies/", "", 404, wantClientNotFound)
		a.fail(t, "POST", "client/999999/addCompany/", clCompany(nil), 404, wantClientNotFound)
		a.fail(t, "GET", "client/abc/getCompanies/", "", 404, wantClientNotFound)
		a.fail(t, "GET", path+"getNothing/", "", 404, "Метод не найден")
		a.fail(t, "POST", path+"getCompanies/", "", 404, "Метод не найден")
	})
}

// TestClientSharedRecords: a client made here is the contact an amoCRM
// customer links to, and its company the customer's company.
func TestClientSharedRecords(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := clNew(t, env, "Shared")
		ctx := context.Background()
		svc := env.Server.Service
		id := a.create(t, `{"request": {"name": "Общий клиент", "phone": "79001112233"}}`)
		co := clObj(t, a.ok(t, "POST", fmt.Sprintf("client/%d/addCompany/", id), clCompany(nil))["result"])
		companyID, _ := co["id"].(json.Number).Int64()

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
		want := []crm.CustomerLink{{ToType: crm.EntityContact, ToID: id, IsMain: true}, {ToType: crm.EntityCompany, ToID: companyID}}
		if fmt.Sprint(links) != fmt.Sprint(want) {
			t.Fatalf("links %v, want %v", links, want)
		}
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
		a := clNew(t, env, "Owner")
		b := clNew(t, env, "Intruder")
		id := a.create(t, `{"request": {"name": "Чужой", "phone": "79005554433"}}`)
		a.ok(t, "POST", fmt.Sprintf("client/%d/addCompany/", id), clCompany(nil))

		byID := fmt.Sprintf(`{"request": {"client_id": %d}}`, id)
		b.fail(t, "POST", "client/get/", byID, 404, wantClientNotFound)
		b.fail(t, "POST", "client/getContacts/", byID, 404, wantClientNotFound)
		b.fail(t, "POST", "client/addContact/", fmt.Sprintf(`{"request": {"client_id": %d, "name": "X", "phone": "79990000000"}}`, id), 404, wantClientNotFound)
		b.fail(t, "POST", "client/updateClientValue/", fmt.Sprintf(`{"request": {"client_id": %d, "fields": [{"input_id": 1001, "value": "X", "value_type_id": 1}]}}`, id), 500, wantClientNotFound)
		b.fail(t, "GET", fmt.Sprintf("client/%d/getCompanies/", id), "", 404, wantClientNotFound)
		b.fail(t, "POST", fmt.Sprintf("client/%d/addCompany/", id), clCompany(nil), 404, wantClientNotFound)
		if obj := b.list(t, `{"keyword": "Чужой"}`); obj["count"] != "0" {
			t.Fatalf("B lists A's client: %v", obj)
		}
		if obj := b.list(t, `{}`); obj["count"] != "0" {
			t.Fatalf("B lists A's clients: %v", obj)
		}
		if found, err := env.Server.Service.SearchDeals(context.Background(), b.actor, "79005554433", ""); err != nil || len(found) != 0 {
			t.Fatalf("B finds A's client: %v %v", found, err)
		}
		// A still sees everything unchanged.
		if got := a.get(t, id); len(clArr(t, got["contacts"])) != 1 {
			t.Fatalf("A's client changed: %v", got)
		}

		for _, key := range []string{"wrong", ""} {
			w := clAccount{env: env, key: key}
			for _, r := range []struct{ method, path, body string }{
				{"POST", "client/list/", `{"request": {}}`},
				{"POST", "client/get/", byID},
				{"POST", "client/create/", `{"request": {"name": "X"}}`},
				{"POST", "client/getContacts/", byID},
				{"POST", "client/updateClientValue/", byID},
				{"POST", "client/addContact/", byID},
				{"GET", fmt.Sprintf("client/%d/getCompanies/", id), ""},
				{"POST", fmt.Sprintf("client/%d/addCompany/", id), clCompany(nil)},
			} {
				w.fail(t, r.method, r.path, r.body, 401, "Неправильный ключ api")
			}
		}
	})
}
