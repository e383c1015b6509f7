package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestEnvyboxAlias: the Envybox API answers under /crm/api/v1/, as
// published integrations call it, exactly as under /openapi/v1/: reads give
// the same bytes, writes through either prefix are the same records, and
// unknown methods and bad keys get the same envelopes.
func TestEnvyboxAlias(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Alias")
		key := acc.EnvyboxAPIKey
		call := func(prefix, method, path, body string) *crmtest.Response {
			t.Helper()
			return env.Do(t, method, prefix+path, "", body)
		}
		// same sends one request under both prefixes and wants the same
		// status, content type and body.
		same := func(method, path, body string) *crmtest.Response {
			t.Helper()
			a := call("/openapi/v1/", method, path, body)
			b := call("/crm/api/v1/", method, path, body)
			if a.Status != b.Status || string(a.Body) != string(b.Body) || a.Header.Get("Content-Type") != b.Header.Get("Content-Type") {
				t.Errorf("%s %s: /openapi/v1/ answered %d %s (%s), /crm/api/v1/ %d %s (%s)", method, path,
					a.Status, a.Body, a.Header.Get("Content-Type"), b.Status, b.Body, b.Header.Get("Content-Type"))
			}
			return b
		}
		ok := func(r *crmtest.Response) map[string]any {
			t.Helper()
			obj := r.Object(t)
			if r.Status != http.StatusOK || obj["message"] != "success" {
				t.Fatalf("HTTP %d: %s", r.Status, r.Body)
			}
			return obj
		}
		id := func(v any) int64 {
			t.Helper()
			n, err := v.(json.Number).Int64()
			if err != nil {
				t.Fatalf("id %v: %v", v, err)
			}
			return n
		}

		ok(same(http.MethodGet, "main/data/?api_key="+key, ""))
		ok(same(http.MethodGet, "main/data?api_key="+key, ""))

		// A lead made through the alias is the one the canonical prefix
		// finds, and the other way round: the second is merged into it.
		first := ok(call("/crm/api/v1/", http.MethodPost, "lead/set/?api_key="+key,
			`{"request": {"method": "create", "values": {"name": "Alias", "phone": "+7 (499) 322-97-10"}}}`))
		second := ok(call("/openapi/v1/", http.MethodPost, "lead/set/?api_key="+key,
			`{"request": {"method": "create", "values": {"name": "Canonical", "phone": "84993229710"}}}`))
		if id(second["parent_id"]) != id(first["id"]) {
			t.Errorf("the second lead's parent_id is %v, want the first lead %v", second["parent_id"], first["id"])
		}
		for _, lead := range []any{first["id"], second["id"]} {
			ok(same(http.MethodPost, "lead/get/?api_key="+key, fmt.Sprintf(`{"request": {"lead_id": %v}}`, lead)))
		}
		ok(same(http.MethodPost, "lead/list/?api_key="+key, `{"request": {"limit": 0, "offset": 0}}`))
		ok(same(http.MethodPost, "lead/search/?api_key="+key, `{"request": {"phone": "84993229710"}}`))

		// A path with an id in it.
		client := ok(call("/crm/api/v1/", http.MethodPost, "client/create/?api_key="+key, `{"request": {"name": "Клиент"}}`))
		clientID := id(client["result"].(map[string]any)["client"].(map[string]any)["id"])
		ok(same(http.MethodGet, fmt.Sprintf("client/%d/getCompanies/?api_key=%s", clientID, key), ""))
		ok(same(http.MethodPost, "client/get/?api_key="+key, fmt.Sprintf(`{"request": {"client_id": %d}}`, clientID)))

		// Refusals: the dialect's envelopes under the alias too.
		for _, tt := range []struct {
			method, path, body string
			status             int
			message            string
		}{
			{http.MethodPost, "no/such/method/?api_key=" + key, `{}`, http.StatusNotFound, "Метод не найден"},
			{http.MethodGet, "?api_key=" + key, "", http.StatusNotFound, "Метод не найден"},
			{http.MethodGet, "main/data/?api_key=wrong", "", http.StatusUnauthorized, "Неправильный ключ api"},
			{http.MethodPost, "lead/get/?api_key=" + key, `{"request": {"lead_id": 999999}}`, 0, ""},
			{http.MethodPost, "lead/set/?api_key=" + key, `{"request": `, 0, ""},
			{http.MethodGet, "lead/set/?api_key=" + key, "", 0, ""},
		} {
			r := same(tt.method, tt.path, tt.body)
			if r.Status == http.StatusOK {
				t.Errorf("%s %s: HTTP 200: %s", tt.method, tt.path, r.Body)
			}
			if tt.status == 0 {
				continue
			}
			if obj := r.Object(t); r.Status != tt.status || obj["message"] != tt.message {
				t.Errorf("%s /crm/api/v1/%s: %d %s, want %d %q", tt.method, tt.path, r.Status, r.Body, tt.status, tt.message)
			}
		}
	})
}
