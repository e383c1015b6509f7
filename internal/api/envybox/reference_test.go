package envybox_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of main/data (E01), over real HTTP on SQLite and
// PostgreSQL.

var ltDateTime = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)

func TestMainData(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		a := ltNewAccount(t, env, "Тестовая CRM")
		member := env.NewUser(t, a.id, crm.RoleMember)
		dep, err := env.Server.Service.AddDepartment(ctx, a.actor, "Продажи")
		if err != nil {
			t.Fatal(err)
		}
		leadField := ltField(t, env, a, crm.EntityInbound, "Бюджет", crm.FieldNumeric)
		clientField := ltField(t, env, a, crm.EntityContact, "ИНН", crm.FieldText)
		dealField := ltField(t, env, a, crm.EntityDeal, "Сумма", crm.FieldNumeric)

		// The example request: GET with the key and nothing else.
		obj := ltOK(t, ltCall(t, env, http.MethodGet, a.key, "main/data/", ""))
		ltKeys(t, obj, "result", "status_code", "message")
		res := ltObj(t, obj, "result")
		ltKeys(t, res, "id", "user_id", "callback_id", "name", "api_key", "created_at", "updated_at", "deleted_at",
			"inbox_types", "employees", "departments", "lead", "client", "deal")
		ltStrings(t, res, "id", "user_id", "callback_id", "name", "api_key", "created_at", "updated_at")
		ltNulls(t, res, "deleted_at")
		if res["id"] != fmt.Sprint(a.id) || res["callback_id"] != fmt.Sprint(a.id) || res["user_id"] != fmt.Sprint(a.admin) {
			t.Errorf("id/callback_id/user_id = %v/%v/%v, want %d/%d/%d", res["id"], res["callback_id"], res["user_id"], a.id, a.id, a.admin)
		}
		if res["api_key"] != a.key || res["name"] != "Тестовая CRM" {
			t.Errorf("api_key/name = %v/%v", res["api_key"], res["name"])
		}
		if !ltDateTime.MatchString(res["created_at"].(string)) {
			t.Errorf("created_at %q is not YYYY-MM-DD HH:MM:SS", res["created_at"])
		}

		inbox := ltList(t, res, "inbox_types")
		if len(inbox) == 0 {
			t.Fatal("no inbox types")
		}
		it := inbox[0].(map[string]any)
		ltKeys(t, it, "id", "crm_id", "name", "edit", "type", "created_at", "updated_at", "deleted_at", "editing", "edit_id")
		ltStrings(t, it, "id", "crm_id", "name", "edit", "type", "created_at", "editing", "edit_id")
		if it["edit_id"] != it["id"] || it["crm_id"] != res["id"] {
			t.Errorf("inbox type %v", it)
		}

		// Employees are the member users; the administrator is user_id.
		employees := ltList(t, res, "employees")
		if len(employees) != 1 {
			t.Fatalf("%d employees, want the one member: %v", len(employees), employees)
		}
		e := employees[0].(map[string]any)
		ltKeys(t, e, "id", "user_id", "name", "surname", "email", "photo", "profession", "phone", "user_logo", "crm_phone_number")
		ltStrings(t, e, "id", "user_id", "name", "surname", "email", "photo", "profession", "phone")
		ltNulls(t, e, "user_logo", "crm_phone_number")
		if e["id"] != fmt.Sprint(member.UserID) || e["user_id"] != fmt.Sprint(a.admin) || e["photo"] != "" {
			t.Errorf("employee %v, want id %d of admin %d", e, member.UserID, a.admin)
		}
		deps := ltList(t, res, "departments")
		if len(deps) != 1 || deps[0].(map[string]any)["id"] != fmt.Sprint(dep.ID) {
			t.Errorf("departments %v, want %d", deps, dep.ID)
		}

		// Lead pipelines: stages keyed by id, type_id "0", the three stages.
		lead := ltObj(t, res, "lead")
		ltKeys(t, lead, "pipelines", "custom_fields")
		lps := ltList(t, lead, "pipelines")
		if len(lps) != 1 {
			t.Fatalf("%d lead pipelines, want 1", len(lps))
		}
		lp := lps[0].(map[string]any)
		ltKeys(t, lp, "id", "crm_id", "name", "allow_manual_change_stage", "primary", "created_at", "updated_at", "deleted_at", "stages")
		ltStrings(t, lp, "id", "crm_id", "name", "allow_manual_change_stage", "primary", "created_at")
		if lp["primary"] != "1" {
			t.Errorf("lead pipeline primary %v", lp["primary"])
		}
		stages := ltObj(t, lp, "stages")
		names := map[string]string{}
		for id, v := range stages {
			st := v.(map[string]any)
			ltKeys(t, st, "id", "pipeline_id", "status_id", "name", "position", "color", "no_delete",
				"created_at", "updated_at", "deleted_at", "type_id")
			ltStrings(t, st, "id", "pipeline_id", "status_id", "name", "position", "color", "no_delete", "created_at", "type_id")
			if st["id"] != id || st["pipeline_id"] != lp["id"] || st["type_id"] != "0" {
				t.Errorf("stage under %s: %v", id, st)
			}
			names[st["name"].(string)] = st["status_id"].(string)
		}
		if names["Новый"] != "1" || names["Новый клиент"] == "" || names["Существующий клиент"] == "" || len(names) != 3 {
			t.Errorf("lead stages %v, want Новый (1), Новый клиент, Существующий клиент", names)
		}

		// Deal pipelines: crm_element_id "3", stages without type_id.
		deal := ltObj(t, res, "deal")
		dps := ltList(t, deal, "pipelines")
		if len(dps) == 0 {
			t.Fatal("no deal pipelines")
		}
		dp := dps[0].(map[string]any)
		ltKeys(t, dp, "id", "crm_id", "crm_element_id", "name", "allow_manual_change_stage", "primary",
			"created_at", "updated_at", "deleted_at", "stages")
		if dp["crm_element_id"] != "3" {
			t.Errorf("deal pipeline crm_element_id %v", dp["crm_element_id"])
		}
		statuses := map[string]bool{}
		for id, v := range ltObj(t, dp, "stages") {
			st := v.(map[string]any)
			ltKeys(t, st, "id", "pipeline_id", "status_id", "name", "position", "color", "no_delete",
				"created_at", "updated_at", "deleted_at")
			if st["id"] != id {
				t.Errorf("deal stage under %s: %v", id, st)
			}
			statuses[st["status_id"].(string)] = true
		}
		for _, want := range []string{"2001", "2002", "2003", "2004"} {
			if !statuses[want] {
				t.Errorf("deal pipeline lacks a stage with status_id %s", want)
			}
		}

		// Custom field definitions of the three entities.
		client := ltObj(t, res, "client")
		ltKeys(t, client, "custom_fields")
		for _, c := range []struct {
			list    []any
			id      int64
			element string
			typeID  string
		}{
			{ltList(t, lead, "custom_fields"), leadField, "1", "1"},
			{ltList(t, client, "custom_fields"), clientField, "2", "2"},
			{ltList(t, deal, "custom_fields"), dealField, "3", "1"},
		} {
			if len(c.list) != 1 {
				t.Fatalf("custom fields %v, want one", c.list)
			}
			f := c.list[0].(map[string]any)
			ltKeys(t, f, "id", "crm_id", "crm_element_id", "pipeline_id", "group_id", "name", "name_id", "type_id",
				"required", "required_stage_id", "show_in_card", "show_all_pipelines", "use_in_pipeline", "value",
				"addon", "description", "position", "transfer_type_id", "transfer_input_id", "created_at",
				"updated_at", "deleted_at", "id_group", "group_name", "group_position", "edit_variant", "group_pipeline_id")
			ltStrings(t, f, "id", "crm_id", "crm_element_id", "group_id", "name", "name_id", "type_id", "required",
				"required_stage_id", "show_all_pipelines", "use_in_pipeline", "addon", "description", "position",
				"id_group", "group_name", "group_position", "edit_variant")
			ltNulls(t, f, "pipeline_id", "transfer_type_id", "transfer_input_id", "deleted_at", "group_pipeline_id")
			if f["id"] != fmt.Sprint(c.id) || f["name_id"] != fmt.Sprintf("crm_%d", c.id) ||
				f["crm_element_id"] != c.element || f["type_id"] != c.typeID {
				t.Errorf("field %v, want id %d, element %s, type %s", f, c.id, c.element, c.typeID)
			}
		}
	})
}

// TestMainDataErrors covers the wrong key, missing key and an unknown path.
func TestMainDataErrors(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ltNewAccount(t, env, "Keys")
		ltFail(t, ltCall(t, env, http.MethodGet, "wrong", "main/data/", ""), http.StatusUnauthorized, "Неправильный ключ api")
		ltFail(t, env.Do(t, http.MethodGet, "/openapi/v1/main/data/", "", ""), http.StatusUnauthorized, "Неправильный ключ api")
		ltFail(t, ltPost(t, env, "wrong", "lead/set/", `{"method": "create"}`), http.StatusUnauthorized, "Неправильный ключ api")
	})
}
