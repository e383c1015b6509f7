package amocrm_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of GET /api/v4/account, PATCH /api/v4/customers/mode
// (companion spec §5, §1.1) and the API's routing errors.

const (
	stAccountPath = "/api/v4/account"
	stModePath    = "/api/v4/customers/mode"
)

// stAccountTypes are the always-present account fields (companion §5) and
// the JSON kind each must have.
var stAccountTypes = map[string]string{
	"id": "int", "name": "string", "subdomain": "string", "current_user_id": "int", "country": "string",
	"customers_mode": "string", "is_unsorted_on": "bool", "is_loss_reason_enabled": "bool",
	"is_helpbot_enabled": "bool", "is_technical_account": "bool", "contact_name_display_order": "int",
	"uuid": "string", "_links": "object",
}

// stCheckKind requires m[key] to be of the JSON kind named.
func stCheckKind(t testing.TB, m map[string]any, key, kind string) {
	t.Helper()
	v, present := m[key]
	if !present {
		t.Errorf("key %q missing in %v", key, m)
		return
	}
	ok := false
	switch kind {
	case "int":
		n, isNum := v.(json.Number)
		_, err := n.Int64()
		ok = isNum && err == nil
	case "string":
		_, ok = v.(string)
	case "bool":
		_, ok = v.(bool)
	case "object":
		_, ok = v.(map[string]any)
	case "array":
		_, ok = v.([]any)
	case "null":
		ok = v == nil
	}
	if !ok {
		t.Errorf("%q = %#v (%T), want %s", key, v, v, kind)
	}
}

// stAccount fetches the account with an optional with= query.
func stAccount(t testing.TB, env *crmtest.Env, token, with string) map[string]any {
	t.Helper()
	path := stAccountPath
	if with != "" {
		path += "?with=" + with
	}
	return stHAL(t, env.Do(t, http.MethodGet, path, token, ""), http.StatusOK)
}

// TestAccountGet checks the account model: the always-present fields, the
// ones `with` adds, and current_user_id following the token.
func TestAccountGet(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		creds := env.NewAccount(t, "Account Shape")
		member := env.NewUser(t, creds.AccountID, crm.RoleMember)
		env.NewAccount(t, "Someone Else") // another tenant must not leak in

		t.Run("always present", func(t *testing.T) {
			a := stAccount(t, env, creds.AmoCRMToken, "")
			for key, kind := range stAccountTypes {
				stCheckKind(t, a, key, kind)
			}
			stWant(t, a, "id", creds.AccountID)
			stWant(t, a, "name", "Account Shape")
			stWant(t, a, "subdomain", creds.Subdomain)
			stWant(t, a, "current_user_id", creds.UserID)
			stWant(t, a, "country", "RU")
			stWant(t, a, "customers_mode", "disabled")
			if href := stHref(t, a); href != env.URL+stAccountPath {
				t.Errorf("_links.self.href = %q, want %q", href, env.URL+stAccountPath)
			}
			if u, _ := a["uuid"].(string); u == "" {
				t.Errorf("uuid is empty")
			}
			if n := stInt(t, a, "contact_name_display_order"); n != 1 && n != 2 {
				t.Errorf("contact_name_display_order = %d, want 1 or 2", n)
			}
			for _, key := range []string{"amojo_id", "version", "_embedded", "entity_names", "drive_url"} {
				if _, ok := a[key]; ok {
					t.Errorf("%q present without with=: %v", key, a)
				}
			}
		})

		t.Run("with options", func(t *testing.T) {
			a := stAccount(t, env, creds.AmoCRMToken, "amojo_id,version,task_types,users_groups,datetime_settings")
			for key, kind := range stAccountTypes {
				stCheckKind(t, a, key, kind)
			}
			stCheckKind(t, a, "amojo_id", "string")
			if s, _ := a["amojo_id"].(string); s == "" {
				t.Errorf("amojo_id is empty")
			}
			stCheckKind(t, a, "version", "int")
			emb, ok := a["_embedded"].(map[string]any)
			if !ok {
				t.Fatalf("_embedded missing: %v", a)
			}
			stCheckKind(t, emb, "users_groups", "array")
			stCheckKind(t, emb, "task_types", "array")
			tasks, _ := emb["task_types"].([]any)
			if len(tasks) == 0 {
				t.Errorf("task_types is empty")
			}
			for _, tt := range tasks {
				m, ok := tt.(map[string]any)
				if !ok {
					t.Fatalf("task type %v is not an object", tt)
				}
				if got := stKeys(m); !slices.Equal(got, []string{"code", "color", "icon_id", "id", "name"}) {
					t.Errorf("task type keys %v, want code, color, icon_id, id, name", got)
				}
				stCheckKind(t, m, "id", "int")
				stCheckKind(t, m, "name", "string")
				stCheckKind(t, m, "code", "string")
			}
			dt, ok := emb["datetime_settings"].(map[string]any)
			if !ok {
				t.Fatalf("datetime_settings missing: %v", emb)
			}
			for _, key := range []string{"date_pattern", "short_date_pattern", "short_time_pattern", "date_formant", "time_format", "timezone", "timezone_offset"} {
				stCheckKind(t, dt, key, "string")
			}
			stWant(t, dt, "timezone", "Europe/Moscow")
			stWant(t, dt, "timezone_offset", "+03:00")
			stWant(t, dt, "date_pattern", "d.m.Y H:i")
		})

		t.Run("some with options only", func(t *testing.T) {
			a := stAccount(t, env, creds.AmoCRMToken, "version,unknown_option")
			stCheckKind(t, a, "version", "int")
			if _, ok := a["amojo_id"]; ok {
				t.Errorf("amojo_id present without being asked for")
			}
			if _, ok := a["_embedded"]; ok {
				t.Errorf("_embedded present without being asked for")
			}
		})

		t.Run("member", func(t *testing.T) {
			a := stAccount(t, env, member.AmoCRMToken, "")
			stWant(t, a, "id", creds.AccountID)
			stWant(t, a, "current_user_id", member.UserID)
			if member.UserID == creds.UserID {
				t.Fatalf("member and admin share user id %d", member.UserID)
			}
		})

		t.Run("unauthorized", func(t *testing.T) {
			for _, c := range stAuthCases {
				headers := c.headers
				if c.name == "token without scheme" {
					headers = []string{"Authorization: " + creds.AmoCRMToken}
				}
				p := stProblem(t, env.Do(t, http.MethodGet, stAccountPath, c.token, "", headers...), http.StatusUnauthorized)
				stWant(t, p, "detail", "Неверный логин или пароль")
			}
		})
	})
}

// TestAccountCustomersMode checks PATCH /api/v4/customers/mode: the echo, the
// effect on customers_mode, validation, and that members may not change it.
func TestAccountCustomersMode(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		creds := env.NewAccount(t, "Modes")
		token := creds.AmoCRMToken
		member := env.NewUser(t, creds.AccountID, crm.RoleMember).AmoCRMToken
		mode := func() string {
			t.Helper()
			m, _ := stAccount(t, env, token, "")["customers_mode"].(string)
			return m
		}

		// Each step: the request, its echo, and the account's mode afterwards.
		for _, step := range []struct {
			body    string
			mode    string
			enabled bool
			after   string
		}{
			{`{"mode":"periodicity","is_enabled":true}`, "periodicity", true, "periodicity"},
			{`{"mode":"segments","is_enabled":true}`, "segments", true, "segments"},
			{`{"mode":"periodicity","is_enabled":false}`, "periodicity", false, "segments"}, // not the current mode: no change
			{`{"mode":"segments","is_enabled":false}`, "segments", false, "disabled"},
			{`{"mode":"segments","is_enabled":false}`, "segments", false, "disabled"}, // idempotent
			{`{"is_enabled":true,"mode":"periodicity"}`, "periodicity", true, "periodicity"},
			{`{"mode":"periodicity","is_enabled":true}`, "periodicity", true, "periodicity"}, // idempotent
			{`{"mode":"periodicity","is_enabled":false}`, "periodicity", false, "disabled"},
		} {
			resp := env.Do(t, http.MethodPatch, stModePath, token, step.body)
			obj := stHAL(t, resp, http.StatusOK)
			if got := stKeys(obj); !slices.Equal(got, []string{"is_enabled", "mode"}) {
				t.Errorf("%s: echo keys %v, want is_enabled, mode", step.body, got)
			}
			stWant(t, obj, "mode", step.mode)
			stWant(t, obj, "is_enabled", step.enabled)
			if got := mode(); got != step.after {
				t.Errorf("after %s customers_mode = %q, want %q", step.body, got, step.after)
			}
		}

		stSetMode(t, env, token, "segments", true)
		for _, c := range []struct {
			name string
			body string
			want stViolation
		}{
			{"empty object", `{}`, stViolation{"0", "FieldMissing", "mode"}},
			{"missing mode", `{"is_enabled":true}`, stViolation{"0", "FieldMissing", "mode"}},
			{"missing is_enabled", `{"mode":"segments"}`, stViolation{"0", "FieldMissing", "is_enabled"}},
			{"null is_enabled", `{"mode":"segments","is_enabled":null}`, stViolation{"0", "FieldMissing", "is_enabled"}},
			{"unknown mode", `{"mode":"dynamic","is_enabled":true}`, stViolation{"0", "NotSupportedChoice", "mode"}},
			{"disabled is not a mode", `{"mode":"disabled","is_enabled":true}`, stViolation{"0", "NotSupportedChoice", "mode"}},
			{"empty mode", `{"mode":"","is_enabled":false}`, stViolation{"0", "NotSupportedChoice", "mode"}},
			{"mode number", `{"mode":1,"is_enabled":true}`, stViolation{"0", "InvalidType", "mode"}},
			{"is_enabled string", `{"mode":"segments","is_enabled":"true"}`, stViolation{"0", "InvalidType", "is_enabled"}},
			{"is_enabled number", `{"mode":"segments","is_enabled":1}`, stViolation{"0", "InvalidType", "is_enabled"}},
			{"array body", `[{"mode":"segments","is_enabled":true}]`, stViolation{"0", "InvalidType", ""}},
		} {
			t.Run(c.name, func(t *testing.T) {
				stWantViolation(t, env.Do(t, http.MethodPatch, stModePath, token, c.body), c.want)
			})
		}
		for _, c := range []struct{ name, body string }{
			{"malformed JSON", `{"mode":"segments",`},
			{"empty body", ``},
		} {
			t.Run(c.name, func(t *testing.T) {
				stProblem(t, env.Do(t, http.MethodPatch, stModePath, token, c.body), http.StatusBadRequest)
			})
		}
		if got := mode(); got != "segments" {
			t.Errorf("refused requests changed customers_mode to %q", got)
		}

		t.Run("member", func(t *testing.T) {
			stProblem(t, env.Do(t, http.MethodPatch, stModePath, member, `{"mode":"periodicity","is_enabled":true}`), http.StatusForbidden)
			stProblem(t, env.Do(t, http.MethodPatch, stModePath, member, `{"mode":"segments","is_enabled":false}`), http.StatusForbidden)
			if got := mode(); got != "segments" {
				t.Errorf("a member changed customers_mode to %q", got)
			}
			// The member sees the mode.
			a := stAccount(t, env, member, "")
			stWant(t, a, "customers_mode", "segments")
		})

		t.Run("unauthorized", func(t *testing.T) {
			p := stProblem(t, env.Do(t, http.MethodPatch, stModePath, "", `{"mode":"periodicity","is_enabled":true}`), http.StatusUnauthorized)
			stWant(t, p, "detail", "Неверный логин или пароль")
			stProblem(t, env.Do(t, http.MethodPatch, stModePath, "bogus", `{"mode":"periodicity","is_enabled":true}`), http.StatusUnauthorized)
			if got := mode(); got != "segments" {
				t.Errorf("an unauthenticated request changed customers_mode to %q", got)
			}
		})

		t.Run("mode reaches the statuses API", func(t *testing.T) {
			stProblem(t, env.Do(t, http.MethodGet, stPath, token, ""), http.StatusUnprocessableEntity)
			stSetMode(t, env, token, "periodicity", true)
			stHAL(t, env.Do(t, http.MethodGet, stPath, token, ""), http.StatusOK)
		})
	})
}

// TestAccountRouting: unknown paths under /api/v4 are 404 problems and known
// paths with a wrong method are 405 problems with an Allow header, with or
// without credentials.
func TestAccountRouting(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		token := env.NewAccount(t, "Routing").AmoCRMToken
		for _, tok := range []struct{ name, token string }{{"authenticated", token}, {"anonymous", ""}} {
			t.Run(tok.name, func(t *testing.T) {
				for _, path := range []string{
					"/api/v4/nope",
					"/api/v4/customers/statuses/1/extra",
					"/api/v4/customers/nothing",
					"/api/v4/leads/pipelines/1/extra",
					"/api/v4/",
				} {
					t.Run("404 "+path, func(t *testing.T) {
						stProblem(t, env.Do(t, http.MethodGet, path, tok.token, ""), http.StatusNotFound)
					})
				}
				for _, c := range []struct{ method, path, allow string }{
					{http.MethodPost, stAccountPath, "GET"},
					{http.MethodDelete, stAccountPath, "GET"},
					{http.MethodGet, stModePath, "PATCH"},
					{http.MethodPost, stModePath, "PATCH"},
					{http.MethodPut, stPath, "GET, POST"},
					{http.MethodDelete, stPath, "GET, POST"},
					{http.MethodPatch, stPath, "GET, POST"},
					{http.MethodPost, stPath + "/1", "GET, PATCH, DELETE"},
					{http.MethodPut, stPath + "/1", "GET, PATCH, DELETE"},
				} {
					t.Run("405 "+c.method+" "+c.path, func(t *testing.T) {
						resp := env.Do(t, c.method, c.path, tok.token, "")
						stProblem(t, resp, http.StatusMethodNotAllowed)
						if got := resp.Header.Get("Allow"); got != c.allow {
							t.Errorf("Allow = %q, want %q", got, c.allow)
						}
					})
				}
			})
		}
	})
}
