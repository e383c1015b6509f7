package amocrm_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of GET /api/v4/account, PATCH /api/v4/customers/mode
// (companion spec §5, §1.1) and the API's routing errors. The account
// model's full shape is in testdata/account*.golden.json.

// accountMasks mask what differs from run to run: the uuid, amojo_id and
// subdomain a new account draws at random, its times, and the version (the
// schema's, which every migration moves).
var accountMasks = []crmtest.Mask{
	crmtest.MaskPath("uuid", "uuid"), crmtest.MaskPath("amojo_id", "amojo_id"), crmtest.MaskPath("subdomain", "subdomain"),
	crmtest.MaskPath("created_at", "time"), crmtest.MaskPath("updated_at", "time"), crmtest.MaskPath("version", "version"),
}

// TestAccountGet checks the account model: the always-present fields, the
// ones `with` adds, and current_user_id following the token.
func TestAccountGet(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Account Shape", "")
		member := env.NewUser(t, a.AccountID, crm.RoleMember)
		env.NewAccount(t, "Someone Else") // another tenant must not leak in

		t.Run("always present", func(t *testing.T) {
			// Without with=: no amojo_id, version, _embedded, entity_names
			// or drive_url.
			r := a.api.Get(t, accountPath).HAL(200).Golden("account", accountMasks...).
				Equal("id", a.AccountID).Equal("current_user_id", a.UserID).Equal("subdomain", a.Subdomain)
			if r.Str("uuid") == "" {
				t.Errorf("uuid is empty")
			}
		})

		t.Run("with options", func(t *testing.T) {
			r := a.api.Get(t, accountPath+"?with=amojo_id,version,task_types,users_groups,datetime_settings").HAL(200).
				Golden("account_with", accountMasks...).
				Equal("id", a.AccountID).Equal("current_user_id", a.UserID).Equal("subdomain", a.Subdomain)
			if r.Str("uuid") == "" || r.Str("amojo_id") == "" {
				t.Errorf("uuid %q, amojo_id %q: want both", r.Str("uuid"), r.Str("amojo_id"))
			}
		})

		t.Run("fields the official PHP library reads", func(t *testing.T) {
			// AccountModel::fromArray reads these unconditionally, and
			// getCurrent() reads date_format (the live API's spelling; the
			// documents' date_formant comes beside it).
			r := a.api.Get(t, accountPath+"?with=datetime_settings").HAL(200).
				Equal("created_by", 0).Equal("updated_by", 0).Equal("currency", "RUB").Equal("currency_symbol", "₽").
				Equal("mobile_feature_version", 0).
				Equal("_embedded.datetime_settings.date_format", "d.m.Y").
				Equal("_embedded.datetime_settings.date_formant", "d.m.Y")
			r.Int("created_at")
		})

		t.Run("some with options only", func(t *testing.T) {
			r := a.api.Get(t, accountPath+"?with=version,unknown_option").HAL(200)
			r.Int("version")
			if r.Has("amojo_id") || r.Has("_embedded") {
				t.Errorf("amojo_id or _embedded present without being asked for")
			}
		})

		t.Run("member", func(t *testing.T) {
			env.AmoCRM(member.AmoCRMToken).Get(t, accountPath).HAL(200).
				Equal("id", a.AccountID).Equal("current_user_id", member.UserID)
			if member.UserID == a.UserID {
				t.Fatalf("member and admin share user id %d", member.UserID)
			}
		})

		t.Run("unauthorized", func(t *testing.T) {
			for _, c := range badClients(env, a) {
				c.api.Get(t, accountPath).Problem(401).Equal("detail", "Неверный логин или пароль")
			}
		})
	})
}

// TestAccountCurrency: the account's currency and its sign follow the
// account's setting (crm.Service.SetAccountCurrency), RUB until one is
// set; a currency without a known sign is shown by its code, and another
// account keeps its own.
func TestAccountCurrency(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		a := newAccount(t, env, "Priced", "")
		b := newAccount(t, env, "Roubles", "")
		svc := env.Server.Service
		a.api.Get(t, accountPath).HAL(200).Equal("currency", "RUB").Equal("currency_symbol", "₽")
		for _, c := range []struct{ code, sign string }{
			{"USD", "$"}, {"EUR", "€"}, {"KZT", "₸"}, {"UAH", "₴"}, {"BYN", "Br"}, {"CHF", "CHF"}, {"RUB", "₽"}, {"USD", "$"},
		} {
			if err := svc.SetAccountCurrency(ctx, a.actor(), c.code); err != nil {
				t.Fatalf("set %s: %v", c.code, err)
			}
			a.api.Get(t, accountPath).HAL(200).Equal("currency", c.code).Equal("currency_symbol", c.sign)
		}
		b.api.Get(t, accountPath).HAL(200).Equal("currency", "RUB").Equal("currency_symbol", "₽")

		for _, bad := range []string{"", "usd", "US", "USDT", "РУБ", "U$D"} {
			if err := svc.SetAccountCurrency(ctx, a.actor(), bad); crm.KindOf(err) != crm.KindInvalid {
				t.Errorf("currency %q: %v, want invalid", bad, err)
			}
		}
		member := env.NewUser(t, a.AccountID, crm.RoleMember)
		err := svc.SetAccountCurrency(ctx, crm.Actor{AccountID: a.AccountID, UserID: member.UserID, Role: crm.RoleMember}, "EUR")
		if crm.KindOf(err) != crm.KindForbidden {
			t.Errorf("a member set the currency: %v", err)
		}
		a.api.Get(t, accountPath).HAL(200).Equal("currency", "USD").Equal("currency_symbol", "$")
	})
}

// TestAccountCustomersMode checks PATCH /api/v4/customers/mode: the echo, the
// effect on customers_mode, validation, and that members may not change it.
func TestAccountCustomersMode(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Modes", "")
		member := a.member(t, env)
		mode := func(api *crmtest.Client) string {
			t.Helper()
			return api.Get(t, accountPath).HAL(200).Str("customers_mode")
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
			a.api.Patch(t, modePath, step.body).HAL(200).Equal("", map[string]any{"mode": step.mode, "is_enabled": step.enabled})
			if got := mode(a.api); got != step.after {
				t.Errorf("after %s customers_mode = %q, want %q", step.body, got, step.after)
			}
		}

		setMode(t, a.api, "segments", true)
		v := crmtest.Violated
		for _, c := range []struct {
			name string
			body string
			want crmtest.Violation
		}{
			{"empty object", `{}`, v("0", "FieldMissing", "mode")},
			{"missing mode", `{"is_enabled":true}`, v("0", "FieldMissing", "mode")},
			{"missing is_enabled", `{"mode":"segments"}`, v("0", "FieldMissing", "is_enabled")},
			{"null is_enabled", `{"mode":"segments","is_enabled":null}`, v("0", "FieldMissing", "is_enabled")},
			{"unknown mode", `{"mode":"dynamic","is_enabled":true}`, v("0", "NotSupportedChoice", "mode")},
			{"disabled is not a mode", `{"mode":"disabled","is_enabled":true}`, v("0", "NotSupportedChoice", "mode")},
			{"empty mode", `{"mode":"","is_enabled":false}`, v("0", "NotSupportedChoice", "mode")},
			{"mode number", `{"mode":1,"is_enabled":true}`, v("0", "InvalidType", "mode")},
			{"is_enabled string", `{"mode":"segments","is_enabled":"true"}`, v("0", "InvalidType", "is_enabled")},
			{"is_enabled number", `{"mode":"segments","is_enabled":1}`, v("0", "InvalidType", "is_enabled")},
			{"array body", `[{"mode":"segments","is_enabled":true}]`, v("0", "InvalidType", "")},
		} {
			t.Run(c.name, func(t *testing.T) {
				a.api.Patch(t, modePath, c.body).WantViolations(c.want)
			})
		}
		for _, c := range []struct{ name, body string }{
			{"malformed JSON", `{"mode":"segments",`},
			{"empty body", ``},
		} {
			t.Run(c.name, func(t *testing.T) {
				a.api.Patch(t, modePath, c.body).Problem(400)
			})
		}
		if got := mode(a.api); got != "segments" {
			t.Errorf("refused requests changed customers_mode to %q", got)
		}

		t.Run("member", func(t *testing.T) {
			member.Patch(t, modePath, `{"mode":"periodicity","is_enabled":true}`).Problem(403)
			member.Patch(t, modePath, `{"mode":"segments","is_enabled":false}`).Problem(403)
			// Unchanged, and the member sees the mode.
			if got := mode(member); got != "segments" {
				t.Errorf("customers_mode %q after a member's requests, want segments", got)
			}
		})

		t.Run("unauthorized", func(t *testing.T) {
			env.AmoCRM("").Patch(t, modePath, `{"mode":"periodicity","is_enabled":true}`).Problem(401).Equal("detail", "Неверный логин или пароль")
			env.AmoCRM("bogus").Patch(t, modePath, `{"mode":"periodicity","is_enabled":true}`).Problem(401)
			if got := mode(a.api); got != "segments" {
				t.Errorf("an unauthenticated request changed customers_mode to %q", got)
			}
		})

		t.Run("mode reaches the statuses API", func(t *testing.T) {
			a.api.Get(t, statusesPath).Problem(422)
			setMode(t, a.api, "periodicity", true)
			a.api.Get(t, statusesPath).HAL(200)
		})
	})
}

// TestAccountRouting: unknown paths under /api/v4 are 404 problems and known
// paths with a wrong method are 405 problems with an Allow header, with or
// without credentials.
func TestAccountRouting(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := newAccount(t, env, "Routing", "")
		for _, c := range []struct {
			name string
			api  *crmtest.Client
		}{{"authenticated", a.api}, {"anonymous", env.AmoCRM("")}} {
			t.Run(c.name, func(t *testing.T) {
				for _, path := range []string{
					"/api/v4/nope",
					"/api/v4/customers/statuses/1/extra",
					"/api/v4/customers/nothing",
					"/api/v4/leads/pipelines/1/extra",
					"/api/v4/",
				} {
					t.Run("404 "+path, func(t *testing.T) {
						c.api.Get(t, path).Problem(404)
					})
				}
				for _, r := range []struct{ method, path, allow string }{
					{http.MethodPost, accountPath, "GET"},
					{http.MethodDelete, accountPath, "GET"},
					{http.MethodGet, modePath, "PATCH"},
					{http.MethodPost, modePath, "PATCH"},
					{http.MethodPut, statusesPath, "GET, POST"},
					{http.MethodDelete, statusesPath, "GET, POST"},
					{http.MethodPatch, statusesPath, "GET, POST"},
					{http.MethodPost, statusesPath + "/1", "GET, PATCH, DELETE"},
					{http.MethodPut, statusesPath + "/1", "GET, PATCH, DELETE"},
				} {
					t.Run("405 "+r.method+" "+r.path, func(t *testing.T) {
						if got := c.api.Do(t, r.method, r.path, "").Problem(405).Header.Get("Allow"); got != r.allow {
							t.Errorf("Allow = %q, want %q", got, r.allow)
						}
					})
				}
			})
		}
	})
}
