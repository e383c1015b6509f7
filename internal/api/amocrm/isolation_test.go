package amocrm_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestTenantIsolation proves that a token of account B can neither read nor
// change any record of account A through any endpoint, and that A's records
// are intact afterwards.
func TestTenantIsolation(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := env.NewAccount(t, "Tenant A")
		b := env.NewAccount(t, "Tenant B")
		must := func(resp *crmtest.Response, want int) map[string]any {
			t.Helper()
			if resp.Status != want {
				t.Fatalf("status %d, want %d: %s", resp.Status, want, resp.Body)
			}
			if want == http.StatusNoContent {
				return nil
			}
			return resp.Object(t)
		}
		id := func(m map[string]any) string { return fmt.Sprint(m["id"]) }

		// A's records: a status (periodicity), then a field and a segment (segments).
		must(env.Do(t, "PATCH", "/api/v4/customers/mode", a.AmoCRMToken, `{"mode":"periodicity","is_enabled":true}`), 200)
		must(env.Do(t, "PATCH", "/api/v4/customers/mode", b.AmoCRMToken, `{"mode":"periodicity","is_enabled":true}`), 200)
		created := must(env.Do(t, "POST", "/api/v4/customers/statuses", a.AmoCRMToken, `[{"name":"A only","sort":10}]`), 200)
		statusID := id(created["_embedded"].(map[string]any)["statuses"].([]any)[0].(map[string]any))

		statusPaths := []struct{ method, path, body string }{
			{"GET", "/api/v4/customers/statuses/" + statusID, ""},
			{"PATCH", "/api/v4/customers/statuses/" + statusID, `{"name":"stolen"}`},
			{"DELETE", "/api/v4/customers/statuses/" + statusID, ""},
		}
		for _, c := range statusPaths {
			must(env.Do(t, c.method, c.path, b.AmoCRMToken, c.body), http.StatusNotFound)
		}
		list := must(env.Do(t, "GET", "/api/v4/customers/statuses", b.AmoCRMToken, ""), 200)
		if strings.Contains(fmt.Sprint(list), "A only") {
			t.Errorf("B's status list shows A's status: %v", list)
		}

		for _, tok := range []string{a.AmoCRMToken, b.AmoCRMToken} {
			must(env.Do(t, "PATCH", "/api/v4/customers/mode", tok, `{"mode":"segments","is_enabled":true}`), 200)
		}
		field := must(env.Do(t, "POST", "/api/v4/customers/segments/custom_fields", a.AmoCRMToken, `[{"name":"A field","type":"text"}]`), 201)
		fieldID := id(field["_embedded"].(map[string]any)["custom_fields"].([]any)[0].(map[string]any))
		seg := must(env.Do(t, "POST", "/api/v4/customers/segments", a.AmoCRMToken,
			`{"name":"A segment","custom_fields_values":[{"field_id":`+fieldID+`,"values":[{"value":"secret"}]}]}`), 200)
		segID := id(seg)

		cross := []struct{ method, path, body string }{
			{"GET", "/api/v4/customers/segments/" + segID, ""},
			{"PATCH", "/api/v4/customers/segments/" + segID, `{"name":"stolen"}`},
			{"DELETE", "/api/v4/customers/segments/" + segID, ""},
			{"GET", "/api/v4/customers/segments/custom_fields/" + fieldID, ""},
			{"PATCH", "/api/v4/customers/segments/custom_fields/" + fieldID, `{"name":"stolen"}`},
			{"DELETE", "/api/v4/customers/segments/custom_fields/" + fieldID, ""},
		}
		for _, c := range cross {
			must(env.Do(t, c.method, c.path, b.AmoCRMToken, c.body), http.StatusNotFound)
		}
		// B cannot write values into A's field from its own segment.
		resp := env.Do(t, "POST", "/api/v4/customers/segments", b.AmoCRMToken,
			`{"name":"B segment","custom_fields_values":[{"field_id":`+fieldID+`,"values":[{"value":"x"}]}]}`)
		body := must(resp, http.StatusBadRequest)
		if !strings.Contains(fmt.Sprint(body), "NotSupportedChoice") {
			t.Errorf("using A's field from B: %s", resp.Body)
		}
		for _, path := range []string{"/api/v4/customers/segments", "/api/v4/customers/segments/custom_fields"} {
			l := must(env.Do(t, "GET", path, b.AmoCRMToken, ""), 200)
			if l["_total_items"].(interface{ String() string }).String() != "0" {
				t.Errorf("B sees %v items at %s", l["_total_items"], path)
			}
		}
		acc := must(env.Do(t, "GET", "/api/v4/account", b.AmoCRMToken, ""), 200)
		if fmt.Sprint(acc["id"]) != fmt.Sprint(b.AccountID) {
			t.Errorf("B's /account shows account %v", acc["id"])
		}

		// A's records are untouched.
		got := must(env.Do(t, "GET", "/api/v4/customers/segments/"+segID, a.AmoCRMToken, ""), 200)
		if got["name"] != "A segment" || !strings.Contains(string(env.Do(t, "GET", "/api/v4/customers/segments/"+segID, a.AmoCRMToken, "").Body), `"secret"`) {
			t.Errorf("A's segment changed: %v", got)
		}
		f := must(env.Do(t, "GET", "/api/v4/customers/segments/custom_fields/"+fieldID, a.AmoCRMToken, ""), 200)
		if f["name"] != "A field" {
			t.Errorf("A's field changed: %v", f)
		}
		must(env.Do(t, "PATCH", "/api/v4/customers/mode", a.AmoCRMToken, `{"mode":"periodicity","is_enabled":true}`), 200)
		st := must(env.Do(t, "GET", "/api/v4/customers/statuses/"+statusID, a.AmoCRMToken, ""), 200)
		if st["name"] != "A only" {
			t.Errorf("A's status changed: %v", st)
		}
	})
}
