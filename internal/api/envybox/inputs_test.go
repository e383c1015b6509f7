package envybox_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

var inputsCustomKeys = []string{"id", "crm_id", "crm_element_id", "pipeline_id", "group_id", "name", "name_id", "type_id", "required",
	"required_stage_id", "show_in_card", "show_in_element", "show_in_create", "show_all_pipelines", "use_in_pipeline", "value", "addon",
	"description", "position", "transfer_type_id", "transfer_input_id", "created_at", "updated_at", "deleted_at", "show_in_inbox"}

var inputsServiceKeys = []string{"id", "crm_element_id", "group_id", "name", "name_id", "type_id", "required", "value", "addon",
	"description", "position", "created_at", "updated_at", "deleted_at"}

// inputsGet sends a field-definition GET, with its parameters in the query
// string (query) or in a {"request": ...} body (body), and expects success.
func inputsGet(t *testing.T, e *dealEnv, path, query, body string) map[string]any {
	t.Helper()
	if query != "" {
		path += "?" + query
	}
	if body != "" {
		body = `{"request": ` + body + `}`
	}
	status, obj := e.call(t, http.MethodGet, path, body)
	if status != http.StatusOK || obj["message"] != "success" {
		t.Fatalf("GET %s %s: %d %v", path, body, status, obj)
	}
	return obj
}

func inputsIDs(t *testing.T, obj map[string]any) []string {
	t.Helper()
	var ids []string
	for _, f := range dealArr(t, obj, "result") {
		ids = append(ids, fmt.Sprint(f.(map[string]any)["id"]))
	}
	return ids
}

func TestInputsCustom(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, e0 *crmtest.Env) {
		e := dealSetup(t, e0)
		for _, entity := range []struct {
			kind    crm.EntityType
			path    string
			element int
		}{{crm.EntityDeal, "deal", 3}, {crm.EntityContact, "client", 2}} {
			t.Run(entity.path, func(t *testing.T) {
				list := "/openapi/v1/" + entity.path + "/getListInputs/"
				one := "/openapi/v1/" + entity.path + "/getInput/"
				var ids []string
				for i, typ := range []crm.FieldType{crm.FieldNumeric, crm.FieldText, crm.FieldSelect, crm.FieldCheckbox, crm.FieldDate} {
					ids = append(ids, fmt.Sprint(e.customField(t, entity.kind, fmt.Sprintf("Поле %d", i), typ)))
				}

				// The document's request, {"limit": 3, "offset": 0, "type": "custom"},
				// in the query string and as a JSON body.
				for _, obj := range []map[string]any{
					inputsGet(t, e, list, "limit=3&offset=0&type=custom", ""),
					inputsGet(t, e, list, "", `{"limit": 3, "offset": 0, "type": "custom"}`),
				} {
					dealKeys(t, "reply", obj, "result", "count", "limit", "offset", "status_code", "message")
					dealWant(t, "reply", obj, map[string]any{"count": 5, "limit": 3, "offset": 3})
					if got := inputsIDs(t, obj); fmt.Sprint(got) != fmt.Sprint(ids[:3]) {
						t.Errorf("page 1 ids %v, want %v", got, ids[:3])
					}
					f := dealArr(t, obj, "result")[0].(map[string]any)
					dealKeys(t, "definition", f, inputsCustomKeys...)
					dealWant(t, "definition", f, map[string]any{"crm_id": e.actor.AccountID, "crm_element_id": entity.element,
						"pipeline_id": nil, "group_id": 1, "name": "Поле 0", "name_id": "crm_" + ids[0], "type_id": 1, "required": 0,
						"required_stage_id": 0, "show_in_card": 0, "show_in_element": 0, "show_in_create": 0, "show_all_pipelines": 1,
						"use_in_pipeline": 0, "value": "", "addon": "", "description": "", "transfer_type_id": nil, "transfer_input_id": nil,
						"deleted_at": nil, "show_in_inbox": nil})
					dealTypes(t, "definition", f, map[string]string{"id": "n", "position": "n"})
				}
				// The next page, and one that does not start on a page boundary.
				obj := inputsGet(t, e, list, "type=custom&limit=3&offset=3", "")
				dealWant(t, "page 2", obj, map[string]any{"count": 5, "limit": 3, "offset": -1})
				if got := inputsIDs(t, obj); fmt.Sprint(got) != fmt.Sprint(ids[3:]) {
					t.Errorf("page 2 ids %v, want %v", got, ids[3:])
				}
				obj = inputsGet(t, e, list, "type=custom", `{"limit": 2, "offset": 1}`)
				dealWant(t, "offset 1", obj, map[string]any{"count": 5, "limit": 2, "offset": 3})
				if got := inputsIDs(t, obj); fmt.Sprint(got) != fmt.Sprint(ids[1:3]) {
					t.Errorf("offset 1 ids %v, want %v", got, ids[1:3])
				}
				// The default and largest limit is 50.
				obj = inputsGet(t, e, list, "type=custom&limit=80", "")
				dealWant(t, "limit 80", obj, map[string]any{"count": 5, "limit": 50, "offset": -1})
				if got := inputsIDs(t, obj); len(got) != 5 {
					t.Errorf("all ids %v", got)
				}
				dealWant(t, "no limit", inputsGet(t, e, list, "type=custom", ""), map[string]any{"limit": 50, "offset": -1})
				dealWant(t, "past the end", inputsGet(t, e, list, "type=custom&offset=10", ""), map[string]any{"result": []any{}, "count": 5, "offset": -1})

				// getInput of a custom field, both ways.
				for _, obj := range []map[string]any{
					inputsGet(t, e, one, "input_id="+ids[2]+"&type=custom", ""),
					inputsGet(t, e, one, "", `{"input_id": `+ids[2]+`, "type": "custom"}`),
				} {
					dealKeys(t, "reply", obj, "result", "status_code", "message")
					f := dealObj(t, obj, "result")
					dealKeys(t, "definition", f, inputsCustomKeys...)
					dealWant(t, "definition", f, map[string]any{"name": "Поле 2", "type_id": 3, "crm_element_id": entity.element})
				}
			})
		}
		// A field of the other entity kind is not found.
		clientField := inputsIDs(t, inputsGet(t, e, "/openapi/v1/client/getListInputs/", "type=custom&limit=1", ""))[0]
		status, obj := e.call(t, http.MethodGet, "/openapi/v1/deal/getInput/?type=custom&input_id="+clientField, "")
		dealWantError(t, status, obj, http.StatusNotFound, "Поле не найдено")
		status, obj = e.call(t, http.MethodGet, "/openapi/v1/client/getInput/", `{"request": {"input_id": 999999, "type": "custom"}}`)
		dealWantError(t, status, obj, http.StatusNotFound, "Поле не найдено")

		// Another account sees none of them.
		other := dealAccount(t, e0, e.clock, "Other CRM")
		dealWant(t, "other", inputsGet(t, other, "/openapi/v1/deal/getListInputs/", "type=custom", ""), map[string]any{"count": 0, "result": []any{}})
	})
}

func TestInputsService(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		e := dealSetup(t, env)
		for _, tc := range []struct {
			path    string
			element int
			ids     []string
		}{
			{"deal", 3, []string{"2001", "2005", "2006", "2007", "2008", "2009", "2012"}},
			{"client", 2, []string{"1001", "1010", "1011"}},
		} {
			list := "/openapi/v1/" + tc.path + "/getListInputs/"
			for _, obj := range []map[string]any{
				inputsGet(t, e, list, "type=service", ""),
				inputsGet(t, e, list, "", `{"type": "service"}`),
				// Paging applies to custom fields only.
				inputsGet(t, e, list, "type=service&limit=1&offset=1", ""),
			} {
				dealKeys(t, "reply", obj, "result", "count", "limit", "offset", "status_code", "message")
				dealWant(t, "reply", obj, map[string]any{"count": len(tc.ids), "offset": -1})
				if got := inputsIDs(t, obj); fmt.Sprint(got) != fmt.Sprint(tc.ids) {
					t.Errorf("%s service ids %v, want %v", tc.path, got, tc.ids)
				}
				f := dealArr(t, obj, "result")[0].(map[string]any)
				dealKeys(t, "definition", f, inputsServiceKeys...)
				dealWant(t, "definition", f, map[string]any{"crm_element_id": tc.element, "group_id": 1, "name_id": "name", "type_id": 2,
					"required": 0, "value": nil, "addon": nil, "description": nil, "position": 0, "deleted_at": nil})
			}
		}

		// The documents' requests: {"input_id": 2001, "type": "service"} and the client's 1001.
		obj := inputsGet(t, e, "/openapi/v1/deal/getInput/", "", `{"input_id": 2001, "type": "service"}`)
		dealKeys(t, "reply", obj, "result", "status_code", "message")
		f := dealObj(t, obj, "result")
		dealKeys(t, "deal name", f, inputsServiceKeys...)
		dealWant(t, "deal name", f, map[string]any{"id": 2001, "crm_element_id": 3, "group_id": 1, "name": "Название сделки", "name_id": "name",
			"type_id": 2, "required": 0, "value": nil, "addon": nil, "description": nil, "position": 0, "deleted_at": nil})
		f = dealObj(t, inputsGet(t, e, "/openapi/v1/client/getInput/", "input_id=1001&type=service", ""), "result")
		dealWant(t, "client name", f, map[string]any{"id": 1001, "crm_element_id": 2, "name_id": "name", "type_id": 2})
		f = dealObj(t, inputsGet(t, e, "/openapi/v1/client/getInput/", "input_id=1011&type=service", ""), "result")
		dealWant(t, "client timezone", f, map[string]any{"id": 1011, "name_id": "timezone", "position": 2})
		// The printed Google Client ID, 20012, is 2012.
		f = dealObj(t, inputsGet(t, e, "/openapi/v1/deal/getInput/", "input_id=20012&type=service", ""), "result")
		dealWant(t, "google", f, map[string]any{"id": 2012, "name_id": "google_client_id", "position": 6})

		for _, tc := range []struct {
			path, query, body string
			status            int
			message           string
		}{
			{"/openapi/v1/deal/getInput/", "input_id=1001&type=service", "", http.StatusNotFound, "Поле не найдено"},
			{"/openapi/v1/client/getInput/", "", `{"request": {"input_id": 2001, "type": "service"}}`, http.StatusNotFound, "Поле не найдено"},
			{"/openapi/v1/deal/getInput/", "input_id=2001", "", http.StatusBadRequest, "Параметр type должен быть \"custom\" или \"service\""},
			{"/openapi/v1/deal/getInput/", "type=service", "", http.StatusBadRequest, "Не указан input_id"},
			{"/openapi/v1/client/getInput/", "input_id=abc&type=service", "", http.StatusBadRequest, "Параметр input_id должен быть числом"},
			{"/openapi/v1/deal/getListInputs/", "", "", http.StatusBadRequest, "Параметр type должен быть \"custom\" или \"service\""},
			{"/openapi/v1/client/getListInputs/", "type=all", "", http.StatusBadRequest, "Параметр type должен быть \"custom\" или \"service\""},
			{"/openapi/v1/deal/getListInputs/", "type=custom&limit=x", "", http.StatusBadRequest, "Параметр limit должен быть числом"},
			{"/openapi/v1/deal/getListInputs/", "type=custom", `{"type": "custom"`, http.StatusBadRequest, "Неверный JSON в теле запроса"},
			{"/openapi/v1/deal/getListInputs/", "type=custom", `{"type": "custom"}`, http.StatusBadRequest, "Параметры нужно передать в теле запроса вида {\"request\": {...}}"},
		} {
			path := tc.path
			if tc.query != "" {
				path += "?" + tc.query
			}
			status, obj := e.call(t, http.MethodGet, path, tc.body)
			dealWantError(t, status, obj, tc.status, tc.message)
		}
	})
}
