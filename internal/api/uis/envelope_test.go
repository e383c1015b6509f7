package uis_test

import (
	"net/http"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestUISEnvelope: the JSON-RPC 2.0 envelope: id echoed as sent, and every
// malformed request answered with the documented error, HTTP 200.
func TestUISEnvelope(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Envelope")
		get := func(id string) string {
			return `{"jsonrpc":"2.0","id":` + id + `,"method":"get.sales_funnel","params":{"access_token":"` + a.token + `"}}`
		}

		t.Run("id echoed", func(t *testing.T) {
			for _, id := range []string{`"req-7"`, `42`, `1.50`, `-3`, `""`} {
				resp := env.Do(t, http.MethodPost, "/v2.0", "", get(id))
				reply := post(t, env, get(id))
				ok(t, reply)
				if !containsJSON(resp.Body, `"id":`+id) {
					t.Errorf("id %s not echoed as sent: %s", id, resp.Body)
				}
			}
		})

		cases := []struct {
			name, body string
			code       int
			mnemonic   string
			id         any // the echoed id; nil for null
		}{
			{"not JSON", `{"jsonrpc":`, -32700, "parse_error", nil},
			{"batch", `[` + get("1") + `]`, -32099, "batch_opreations_not_supported", nil},
			{"notification", `{"jsonrpc":"2.0","method":"get.sales_funnel","params":{"access_token":"` + a.token + `"}}`, -32099, "notifications_not_supported", nil},
			{"not an object", `"get.sales_funnel"`, -32600, "invalid_request", nil},
			{"id object", `{"jsonrpc":"2.0","id":{},"method":"get.sales_funnel","params":{}}`, -32600, "invalid_request", nil},
			{"id null", `{"jsonrpc":"2.0","id":null,"method":"get.sales_funnel","params":{}}`, -32600, "invalid_request", nil},
			{"jsonrpc 1.0", `{"jsonrpc":"1.0","id":5,"method":"get.sales_funnel","params":{}}`, -32600, "invalid_request", "5"},
			{"no jsonrpc", `{"id":5,"method":"get.sales_funnel","params":{}}`, -32600, "invalid_request", "5"},
			{"no method", `{"jsonrpc":"2.0","id":"x","params":{}}`, -32600, "invalid_request", "x"},
			{"method not a string", `{"jsonrpc":"2.0","id":"x","method":7,"params":{}}`, -32600, "invalid_request", "x"},
			{"unknown method", `{"jsonrpc":"2.0","id":2,"method":"get.calls_report","params":{}}`, -32601, "method_not_found", "2"},
			{"params not an object", `{"jsonrpc":"2.0","id":2,"method":"get.sales_funnel","params":[1]}`, -32602, "data_type_error", "2"},
			{"no params", `{"jsonrpc":"2.0","id":2,"method":"get.sales_funnel"}`, -32602, "required_parameter_missed", "2"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				reply := post(t, env, tc.body)
				wantErr(t, reply, tc.code, tc.mnemonic, "-")
				if id := reply["id"]; (tc.id == nil && id != nil) || (tc.id != nil && id == nil) || (id != nil && tc.id != nil && jsonText(id) != tc.id) {
					t.Errorf("id %v, want %v", id, tc.id)
				}
			})
		}

		t.Run("messages verbatim", func(t *testing.T) {
			e := errOf(t, post(t, env, `{`))
			if e.message != "Invalid JSON was received by the server." {
				t.Errorf("parse_error message %q", e.message)
			}
			e = errOf(t, post(t, env, `[]`))
			if e.message != "Batch operations not supported" {
				t.Errorf("batch message %q", e.message)
			}
			e = errOf(t, post(t, env, `{"jsonrpc":"2.0","id":1,"method":"x.y","params":{}}`))
			if e.message != "The method does not exist / is not available" {
				t.Errorf("method_not_found message %q", e.message)
			}
		})

		t.Run("other HTTP methods", func(t *testing.T) {
			resp := env.Do(t, http.MethodGet, "/v2.0", "", "")
			if resp.Status != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
				t.Fatalf("GET: HTTP %d Allow %q", resp.Status, resp.Header.Get("Allow"))
			}
			wantErr(t, resp.Object(t), -32600, "invalid_request", "")
		})

		t.Run("access_token", func(t *testing.T) {
			wantErr(t, call(t, env, "", "get.sales_funnel", nil), -32602, "required_parameter_missed", "access_token")
			wantErr(t, call(t, env, "", "get.sales_funnel", map[string]any{"access_token": 12}), -32602, "data_type_error", "access_token")
			e := wantErr(t, call(t, env, "nope", "get.sales_funnel", nil), -32001, "access_token_invalid", "access_token")
			if e.message != "Access token is invalid" {
				t.Errorf("message %q", e.message)
			}
			// Another dialect's secret is not a UIS token.
			wantErr(t, call(t, env, a.envybox, "get.sales_funnel", nil), -32001, "access_token_invalid", "access_token")
		})

		t.Run("unexpected parameter", func(t *testing.T) {
			e := wantErr(t, call(t, env, a.token, "get.sales_funnel", map[string]any{"foo": 1}), -32602, "unexpected_parameters", "foo")
			if e.message != "Unexpected method parameter(s)" {
				t.Errorf("message %q", e.message)
			}
		})
	})
}
