package envybox_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestInputsCustom replays the custom field definitions of deals and
// clients (getListInputs, getInput), with parameters in the query string
// or in a JSON body.
func TestInputsCustom(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		for _, entity := range []struct {
			kind crm.EntityType
			path string
		}{{crm.EntityDeal, "deal"}, {crm.EntityContact, "client"}} {
			t.Run(entity.path, func(t *testing.T) {
				list, one := entity.path+"/getListInputs/", entity.path+"/getInput/"
				var ids []int64
				for i, typ := range []crm.FieldType{crm.FieldNumeric, crm.FieldText, crm.FieldSelect, crm.FieldCheckbox, crm.FieldDate} {
					ids = append(ids, a.field(t, entity.kind, fmt.Sprintf("Поле %d", i), typ).ID)
				}

				// The document's request, {"limit": 3, "offset": 0, "type": "custom"},
				// in the query string and as a JSON body: the first page,
				// newer typing.
				for _, r := range []*crmtest.Reply{
					success(a.get(t, list, "limit=3&offset=0&type=custom", "")),
					success(a.get(t, list, "", `{"limit": 3, "offset": 0, "type": "custom"}`)),
				} {
					r.Keys("", "result", "count", "limit", "offset", "status_code", "message")
					has(t, "reply", r, map[string]any{"count": 5, "limit": 3, "offset": 3})
					r.Equal("result.*.id", ids[:3])
					golden(t, "inputs_custom_"+entity.path, r.Sub("result.0"), maskAs("id", "Поле 0", ids[0]),
						maskAs("name_id", "crm_<Поле 0>", fmt.Sprintf("crm_%d", ids[0])), maskAs("crm_id", "account", a.id))
				}
				// The next page, and one that does not start on a page boundary.
				r := success(a.get(t, list, "type=custom&limit=3&offset=3", ""))
				has(t, "page 2", r, map[string]any{"count": 5, "limit": 3, "offset": -1})
				r.Equal("result.*.id", ids[3:])
				r = success(a.get(t, list, "type=custom", `{"limit": 2, "offset": 1}`))
				has(t, "offset 1", r, map[string]any{"count": 5, "limit": 2, "offset": 3})
				r.Equal("result.*.id", ids[1:3])
				// The default and largest limit is 50.
				r = success(a.get(t, list, "type=custom&limit=80", ""))
				has(t, "limit 80", r, map[string]any{"count": 5, "limit": 50, "offset": -1})
				r.Equal("result.*.id", ids)
				has(t, "no limit", success(a.get(t, list, "type=custom", "")), map[string]any{"limit": 50, "offset": -1})
				has(t, "past the end", success(a.get(t, list, "type=custom&offset=10", "")), map[string]any{"result": []any{}, "count": 5, "offset": -1})

				// getInput of a custom field, both ways: the definition as listed.
				listed := success(a.get(t, list, "type=custom", "")).At("result.2")
				for _, r := range []*crmtest.Reply{
					success(a.get(t, one, "input_id="+fmt.Sprint(ids[2])+"&type=custom", "")),
					success(a.get(t, one, "", `{"input_id": `+fmt.Sprint(ids[2])+`, "type": "custom"}`)),
				} {
					r.Keys("", "result", "status_code", "message").Equal("result", listed)
					has(t, "definition", r.Sub("result"), map[string]any{"name": "Поле 2", "type_id": 3})
				}
			})
		}
		// A field of the other entity kind is not found.
		clientField := success(a.get(t, "client/getListInputs/", "type=custom&limit=1", "")).Int("result.0.id")
		refused(t, a.get(t, "deal/getInput/", fmt.Sprintf("type=custom&input_id=%d", clientField), ""), http.StatusNotFound, "Поле не найдено")
		refused(t, a.get(t, "client/getInput/", "", `{"input_id": 999999, "type": "custom"}`), http.StatusNotFound, "Поле не найдено")

		// Another account sees none of them.
		other := newAccount(t, env, "Other CRM")
		has(t, "other", success(other.get(t, "deal/getListInputs/", "type=custom", "")), map[string]any{"count": 0, "result": []any{}})
	})
}

// TestInputsService replays the service field definitions: fixed ids, the
// same for every account.
func TestInputsService(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		setClock(env, dealStart)
		a := newAccount(t, env, "Тестовая CRM")
		for _, path := range []string{"deal", "client"} {
			list := path + "/getListInputs/"
			for _, r := range []*crmtest.Reply{
				success(a.get(t, list, "type=service", "")),
				success(a.get(t, list, "", `{"type": "service"}`)),
				// Paging applies to custom fields only.
				success(a.get(t, list, "type=service&limit=1&offset=1", "")),
			} {
				r.Keys("", "result", "count", "limit", "offset", "status_code", "message")
				has(t, "reply", r, map[string]any{"count": len(r.List("result")), "offset": -1})
				golden(t, "inputs_service_"+path, r.Sub("result"))
			}
		}

		// The documents' requests: {"input_id": 2001, "type": "service"}
		// and the client's 1001: the definitions as listed.
		deals := success(a.get(t, "deal/getListInputs/", "type=service", ""))
		clients := success(a.get(t, "client/getListInputs/", "type=service", ""))
		success(a.get(t, "deal/getInput/", "", `{"input_id": 2001, "type": "service"}`)).
			Keys("", "result", "status_code", "message").Equal("result", deals.At("result.id=2001"))
		success(a.get(t, "client/getInput/", "input_id=1001&type=service", "")).Equal("result", clients.At("result.id=1001"))
		success(a.get(t, "client/getInput/", "input_id=1011&type=service", "")).Equal("result", clients.At("result.id=1011"))
		// The printed Google Client ID, 20012, is 2012.
		success(a.get(t, "deal/getInput/", "input_id=20012&type=service", "")).Equal("result", deals.At("result.id=2012")).
			Equal("result.name_id", "google_client_id")

		for _, tc := range []struct {
			path, query, body string
			status            int
			message           string
		}{
			{"deal/getInput/", "input_id=1001&type=service", "", http.StatusNotFound, "Поле не найдено"},
			{"client/getInput/", "", `{"request": {"input_id": 2001, "type": "service"}}`, http.StatusNotFound, "Поле не найдено"},
			{"deal/getInput/", "input_id=2001", "", http.StatusBadRequest, "Параметр type должен быть \"custom\" или \"service\""},
			{"deal/getInput/", "type=service", "", http.StatusBadRequest, "Не указан input_id"},
			{"client/getInput/", "input_id=abc&type=service", "", http.StatusBadRequest, "Параметр input_id должен быть числом"},
			{"deal/getListInputs/", "", "", http.StatusBadRequest, "Параметр type должен быть \"custom\" или \"service\""},
			{"client/getListInputs/", "type=all", "", http.StatusBadRequest, "Параметр type должен быть \"custom\" или \"service\""},
			{"deal/getListInputs/", "type=custom&limit=x", "", http.StatusBadRequest, "Параметр limit должен быть числом"},
			{"deal/getListInputs/", "type=custom", `{"type": "custom"`, http.StatusBadRequest, "Неверный JSON в теле запроса"},
			{"deal/getListInputs/", "type=custom", `{"type": "custom"}`, http.StatusBadRequest, "Параметры нужно передать в теле запроса вида {\"request\": {...}}"},
		} {
			path := tc.path
			if tc.query != "" {
				path += "?" + tc.query
			}
			refused(t, a.call(t, http.MethodGet, path, tc.body), tc.status, tc.message)
		}
	})
}
