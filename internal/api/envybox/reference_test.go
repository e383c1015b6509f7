package envybox_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of main/data (E01), over real HTTP on SQLite and
// PostgreSQL.

// TestMainData replays E01: the account, its inbox types, employees (the
// member users; the administrator is user_id), departments, the lead
// pipeline with its three stages keyed by id (type_id "0"), the deal
// pipeline with its four (crm_element_id "3", no type_id) and the custom
// fields of leads, clients and deals, all old-style typed.
func TestMainData(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Тестовая CRM")
		member := env.NewUser(t, a.id, crm.RoleMember)
		dep := a.department(t, "Продажи")
		leadField := a.field(t, crm.EntityInbound, "Бюджет", crm.FieldNumeric).ID
		clientField := a.field(t, crm.EntityContact, "ИНН", crm.FieldText).ID
		dealField := a.field(t, crm.EntityDeal, "Сумма", crm.FieldNumeric).ID

		// The example request: GET with the key and nothing else.
		r := success(a.call(t, http.MethodGet, "main/data/", ""))
		r.Golden("main_data_e01", masks(
			maskAs("result.api_key", "key", a.key),
			maskAs("result.id", "account", a.id), maskAs("result.callback_id", "account", a.id), maskAs("**.crm_id", "account", a.id),
			maskAs("result.user_id", "admin", a.admin), maskAs("result.employees.*.user_id", "admin", a.admin),
			maskAs("result.employees.*.id", "member", member.UserID), maskAs("result.departments.*.id", "department", dep),
			maskAs("result.lead.custom_fields.*.id", "lead field", leadField),
			maskAs("result.lead.custom_fields.*.name_id", "crm_<lead field>", fmt.Sprintf("crm_%d", leadField)),
			maskAs("result.client.custom_fields.*.id", "client field", clientField),
			maskAs("result.client.custom_fields.*.name_id", "crm_<client field>", fmt.Sprintf("crm_%d", clientField)),
			maskAs("result.deal.custom_fields.*.id", "deal field", dealField),
			maskAs("result.deal.custom_fields.*.name_id", "crm_<deal field>", fmt.Sprintf("crm_%d", dealField)),
			maskTimes("created_at", "updated_at"))...)

		// Stages are keyed by their ids, within their pipelines; an inbox
		// type is its own edit_id.
		for _, kind := range []string{"lead", "deal"} {
			for _, p := range r.List("result." + kind + ".pipelines") {
				for id := range p.Obj("stages") {
					has(t, kind+" stage "+id, p.Sub("stages."+id), map[string]any{"id": id, "pipeline_id": p.At("id")})
				}
			}
		}
		for _, it := range r.List("result.inbox_types") {
			it.Equal("edit_id", it.At("id"))
		}
	})
}

// TestMainDataErrors covers the wrong key, missing key and an unknown path.
func TestMainDataErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Keys")
		refused(t, a.as("wrong").call(t, http.MethodGet, "main/data/", ""), http.StatusUnauthorized, "Неправильный ключ api")
		refused(t, a.as("").call(t, http.MethodGet, "main/data/", ""), http.StatusUnauthorized, "Неправильный ключ api")
		a.as("wrong").fail(t, "lead/set/", `{"method": "create"}`, http.StatusUnauthorized, "Неправильный ключ api")
	})
}
