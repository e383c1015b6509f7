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

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Helpers of the lead and main/data tests (prefix lt).

// ltAccount is a fresh account with its Envybox key and admin actor.
type ltAccount struct {
	key   string
	id    int64
	admin int64
	actor crm.Actor
}

func ltNewAccount(t testing.TB, env *crmtest.Env, name string) ltAccount {
	t.Helper()
	creds := env.NewAccount(t, name)
	return ltAccount{key: creds.EnvyboxAPIKey, id: creds.AccountID, admin: creds.UserID,
		actor: crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}}
}

// ltCall sends a request to an Envybox method with the key in the query.
func ltCall(t testing.TB, env *crmtest.Env, method, key, path, body string) *crmtest.Response {
	t.Helper()
	return env.Do(t, method, "/openapi/v1/"+path+"?api_key="+key, "", body)
}

// ltPost posts {"request": request} to a method.
func ltPost(t testing.TB, env *crmtest.Env, key, path, request string) *crmtest.Response {
	t.Helper()
	return ltCall(t, env, http.MethodPost, key, path, `{"request": `+request+`}`)
}

// ltOK checks a success: HTTP 200, body status_code 200 and message
// "success", and no error members.
func ltOK(t testing.TB, resp *crmtest.Response) map[string]any {
	t.Helper()
	if resp.Status != http.StatusOK {
		t.Fatalf("HTTP %d, want 200; body: %s", resp.Status, resp.Body)
	}
	obj := resp.Object(t)
	if fmt.Sprint(obj["status_code"]) != "200" || obj["message"] != "success" {
		t.Fatalf("envelope %v/%v, want 200/success; body: %s", obj["status_code"], obj["message"], resp.Body)
	}
	if _, isNum := obj["status_code"].(json.Number); !isNum {
		t.Errorf("status_code is not a number: %s", resp.Body)
	}
	return obj
}

// ltFail checks an error reply: the HTTP status mirrors the body's
// status_code, the message is exactly msg, and nothing else is sent.
func ltFail(t testing.TB, resp *crmtest.Response, status int, msg string) {
	t.Helper()
	ltFailPrefix(t, resp, status, msg)
	if m := resp.Object(t)["message"]; m != msg {
		t.Errorf("message %q, want %q", m, msg)
	}
}

// ltFailPrefix is ltFail for a message that starts with prefix.
func ltFailPrefix(t testing.TB, resp *crmtest.Response, status int, prefix string) {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("HTTP %d, want %d; body: %s", resp.Status, status, resp.Body)
	}
	obj := resp.Object(t)
	if fmt.Sprint(obj["status_code"]) != fmt.Sprint(status) {
		t.Errorf("status_code %v, want %d", obj["status_code"], status)
	}
	msg, _ := obj["message"].(string)
	if !strings.HasPrefix(msg, prefix) {
		t.Errorf("message %q, want it to start with %q", msg, prefix)
	}
	ltKeys(t, obj, "message", "status_code")
}

// ltKeys checks that an object has exactly these keys.
func ltKeys(t testing.TB, obj map[string]any, want ...string) {
	t.Helper()
	var got []string
	for k := range obj {
		got = append(got, k)
	}
	sort.Strings(got)
	want = slices.Clone(want)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
}

// ltObj returns a member that must be an object.
func ltObj(t testing.TB, obj map[string]any, key string) map[string]any {
	t.Helper()
	m, ok := obj[key].(map[string]any)
	if !ok {
		t.Fatalf("%s is %T (%v), want an object", key, obj[key], obj[key])
	}
	return m
}

// ltList returns a member that must be an array.
func ltList(t testing.TB, obj map[string]any, key string) []any {
	t.Helper()
	l, ok := obj[key].([]any)
	if !ok {
		t.Fatalf("%s is %T (%v), want an array", key, obj[key], obj[key])
	}
	return l
}

// ltStrings checks that the members are JSON strings (old-style typing).
func ltStrings(t testing.TB, obj map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := obj[k].(string); !ok {
			t.Errorf("%s is %T (%v), want a string", k, obj[k], obj[k])
		}
	}
}

// ltNulls checks that the members are null.
func ltNulls(t testing.TB, obj map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if v, ok := obj[k]; !ok || v != nil {
			t.Errorf("%s is %v (present %v), want null", k, v, ok)
		}
	}
}

// ltNum reads a member that must be a JSON number.
func ltNum(t testing.TB, obj map[string]any, key string) int64 {
	t.Helper()
	n, ok := obj[key].(json.Number)
	if !ok {
		t.Fatalf("%s is %T (%v), want a number", key, obj[key], obj[key])
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%s = %v: %v", key, n, err)
	}
	return i
}

// ltCreate creates a lead through lead/set and returns id and parent_id.
func ltCreate(t testing.TB, env *crmtest.Env, key, request string) (id, parent int64) {
	t.Helper()
	obj := ltOK(t, ltPost(t, env, key, "lead/set/", request))
	return ltNum(t, obj, "id"), ltNum(t, obj, "parent_id")
}

// ltLead creates a lead with a name, phone and email.
func ltLead(t testing.TB, env *crmtest.Env, key, name, phone, email string) int64 {
	t.Helper()
	id, _ := ltCreate(t, env, key, fmt.Sprintf(`{"method": "create", "values": {"name": %q, "phone": %q, "email": %q}}`, name, phone, email))
	return id
}

// ltGet fetches a lead through lead/get.
func ltGet(t testing.TB, env *crmtest.Env, key string, id int64) map[string]any {
	t.Helper()
	return ltObj(t, ltOK(t, ltPost(t, env, key, "lead/get/", fmt.Sprintf(`{"lead_id": %d}`, id))), "result")
}

// ltLeadStages maps the lead stage names to their ids, from main/data.
func ltLeadStages(t testing.TB, env *crmtest.Env, key string) map[string]string {
	t.Helper()
	res := ltObj(t, ltOK(t, ltCall(t, env, http.MethodGet, key, "main/data/", "")), "result")
	out := map[string]string{}
	for _, p := range ltList(t, ltObj(t, res, "lead"), "pipelines") {
		for id, st := range ltObj(t, p.(map[string]any), "stages") {
			out[st.(map[string]any)["name"].(string)] = id
		}
	}
	return out
}

// ltField adds a custom field to an entity type and returns its id.
func ltField(t testing.TB, env *crmtest.Env, a ltAccount, entity crm.EntityType, name string, typ crm.FieldType) int64 {
	t.Helper()
	fields, err := env.Server.Service.AddCustomFields(context.Background(), a.actor, entity, []crm.NewCustomField{{Name: &name, Type: typ}})
	if err != nil {
		t.Fatalf("add field %q: %v", name, err)
	}
	return fields[0].ID
}

// ltLeadKeys are the members of E04's lead object; E06 adds status_id.
var ltLeadKeys = []string{"id", "parent_id", "crm_id", "stage_id", "user_id", "employee_id", "old_employee_id",
	"department_id", "pipeline_id", "deal_pipeline_id", "deal_stage_id", "status", "inbox_type_id", "it_reaction",
	"in_call", "link_client_id", "stage_updated_at", "created_at", "updated_at", "deleted_at", "stage", "stage_color",
	"name", "phone", "mask", "email", "values", "deals"}

// ltSearchKeys are the members of E05's lead object.
var ltSearchKeys = []string{"lead_id", "id", "parent_id", "crm_id", "stage_id", "user_id", "employee_id", "old_employee_id",
	"department_id", "pipeline_id", "deal_pipeline_id", "deal_stage_id", "status", "inbox_type_id", "it_reaction",
	"in_call", "link_client_id", "stage_updated_at", "created_at", "updated_at", "deleted_at"}

// ltValueKeys are the members of a service value object (E04).
var ltValueKeys = []string{"id", "crm_id", "lead_id", "input_id", "type_id", "value", "mask", "generated",
	"created_at", "updated_at", "deleted_at", "name", "name_id"}

// ltStringIDs are the lead members the examples write as strings.
var ltStringIDs = []string{"id", "parent_id", "crm_id", "stage_id", "user_id", "employee_id", "department_id",
	"pipeline_id", "deal_pipeline_id", "deal_stage_id", "status", "inbox_type_id", "it_reaction", "in_call",
	"stage_updated_at", "created_at", "updated_at"}
