package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestRefusedText: text holding NUL or another control character, invalid
// UTF-8 or an unpaired surrogate is refused by every dialect with its own
// validation error, identically on SQLite (which would store it) and
// PostgreSQL (which answered 500), and nothing is written.
func TestRefusedText(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Text")
		amo := func(method, path, body string) *crmtest.Response {
			return env.Do(t, method, path, acc.AmoCRMToken, body)
		}
		envy := func(method, body string) *crmtest.Response {
			return env.Do(t, "POST", "/openapi/v1/"+method+"/?api_key="+acc.EnvyboxAPIKey, "", body)
		}
		if r := amo("PATCH", "/api/v4/customers/mode", `{"mode":"segments","is_enabled":true}`); r.Status != 200 {
			t.Fatalf("customers mode: %d %s", r.Status, r.Body)
		}

		// amoCRM v4: a 400 problem naming the batch item by its request_id.
		bad := []string{`a\u0000b`, `\u001b[31m`, `x\ud800y`, "\xff\xfe", `\u0085`}
		for _, name := range bad {
			r := amo("POST", "/api/v4/customers", `[{"name":"ok"},{"name":"`+name+`","request_id":"second"}]`)
			p := wantStatus(t, r, http.StatusBadRequest)
			ve, _ := p["validation-errors"].([]any)
			if len(ve) != 1 || !strings.Contains(string(r.Body), `"request_id":"second"`) ||
				!strings.Contains(string(r.Body), `"path":"name"`) || !strings.Contains(string(r.Body), `"code":"InvalidValue"`) {
				t.Errorf("amoCRM name %q: %s", name, r.Body)
			}
		}
		// A query-string filter with invalid UTF-8 or NUL: 400, not 500.
		for _, q := range []string{"filter[name]=%ff%fe", "query=a%00b", "filter%00=1"} {
			r := amo("GET", "/api/v4/customers?"+q, "")
			p := wantStatus(t, r, http.StatusBadRequest)
			if !strings.Contains(fmt.Sprint(p["detail"]), "Query parameter") {
				t.Errorf("amoCRM ?%s: %s", q, r.Body)
			}
		}
		// v2 answers in its own envelope.
		r := amo("POST", "/api/v2/customers", `{"add":[{"name":"a\u0000"}]}`)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"error"`) {
			t.Errorf("amoCRM v2: %d %s", r.Status, r.Body)
		}
		if r := amo("GET", "/api/v4/customers", ""); strings.Contains(string(r.Body), `"name":"ok"`) {
			t.Errorf("a refused batch wrote customers: %s", r.Body)
		}
		// The same batch without the bad character is accepted: the refusal
		// above was the text's.
		if r := amo("POST", "/api/v4/customers", `[{"name":"ok"},{"name":"a\tb","request_id":"second"}]`); r.Status != http.StatusOK {
			t.Errorf("a valid batch: %d %s", r.Status, r.Body)
		}

		// Envybox: 400 with the parameter named, in every method's body and query.
		for _, c := range []struct{ method, body, param string }{
			{"lead/set", `{"request":{"method":"create","values":{"name":"a\u0000b","phone":"+74993229710"}}}`, "values.name"},
			{"lead/set", "{\"request\":{\"method\":\"create\",\"values\":{\"name\":\"\xff\",\"phone\":\"+74993229710\"}}}", "values.name"},
			{"deal/list", `{"request":{"keyword":"\u0000"}}`, "keyword"},
			{"deal/list", `{"request":{"keyword":"\udfff"}}`, "keyword"},
			{"client/create", `{"request":{"values":{"name":"\u0007"}}}`, "values.name"},
		} {
			r := envy(c.method, c.body)
			m := wantStatus(t, r, http.StatusBadRequest)
			if m["status_code"] != json.Number("400") || !strings.Contains(fmt.Sprint(m["message"]), c.param) {
				t.Errorf("Envybox %s %s: %s", c.method, c.body, r.Body)
			}
		}
		r = env.Do(t, "GET", "/openapi/v1/main/data/?api_key="+acc.EnvyboxAPIKey+"&x=%ff", "", "")
		if m := wantStatus(t, r, http.StatusBadRequest); !strings.Contains(fmt.Sprint(m["message"]), "x") {
			t.Errorf("Envybox query: %s", r.Body)
		}
		r = envy("lead/list", `{"request":{}}`)
		if strings.Contains(string(r.Body), `"phone"`) {
			t.Errorf("a refused lead was stored: %s", r.Body)
		}

		// UIS: invalid_parameter_value naming the parameter, also before any
		// credential is checked (login.user answered -32603 on PostgreSQL).
		for _, body := range []string{
			`{"jsonrpc":"2.0","id":1,"method":"login.user","params":{"login":"a\u0000","password":"x"}}`,
			`{"jsonrpc":"2.0","id":1,"method":"login.user","params":{"login":"\ud800","password":"x"}}`,
		} {
			r := env.Do(t, "POST", "/v2.0", "", body)
			m := wantStatus(t, r, http.StatusOK)
			e, _ := m["error"].(map[string]any)
			data, _ := e["data"].(map[string]any)
			if e == nil || e["code"] != json.Number("-32602") || data["mnemonic"] != "invalid_parameter_value" || data["field"] != "login" {
				t.Errorf("UIS login.user: %s", r.Body)
			}
		}
		r = env.Do(t, "POST", "/v2.0", "", `{"jsonrpc":"2.0","id":2,"method":"create.sales_funnel","params":{"access_token":"`+
			acc.UISAccessToken+`","name":"a\u0000","ext_id":"f1"}}`)
		if !strings.Contains(string(r.Body), `"invalid_parameter_value"`) || !strings.Contains(string(r.Body), `"field":"name"`) {
			t.Errorf("UIS create.sales_funnel: %s", r.Body)
		}

		// The widget refuses the lead as it refuses any malformed one.
		r = env.Do(t, "POST", fmt.Sprintf("/widget/v1/%d/lead", acc.AccountID), "", `{"name":"\ud800","phone":"+74993229710"}`)
		wantStatus(t, r, http.StatusBadRequest)

		// Tab, line feed and carriage return stay allowed in free text.
		r = envy("lead/set", `{"request":{"method":"create","values":{"name":"Ok","phone":"+74993229711","comment":"line 1\r\n\tline 2"}}}`)
		wantStatus(t, r, http.StatusOK)
	})
}

func wantStatus(t *testing.T, r *crmtest.Response, status int) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r.Object(t)
}
