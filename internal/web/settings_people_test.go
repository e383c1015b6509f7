package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/ratelimit"
)

// secretOn reads a secret shown once from a page: the value of the input
// with that id.
func secretOn(t testing.TB, p page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `" class="secret-value" value="([^"]+)"`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no secret %s on the page:\n%s", id, p.Body)
	}
	return m[1]
}

// apiStatus is the status of GET /api/v4/account with an amoCRM token.
func apiStatus(t testing.TB, env *crmtest.Env, token string) int {
	t.Helper()
	return env.Do(t, "GET", "/api/v4/account", token, "").Status
}

// envyboxStatus is the status of Envybox's main/data with an api_key.
func envyboxStatus(t testing.TB, env *crmtest.Env, key string) int {
	t.Helper()
	return env.Do(t, "GET", "/openapi/v1/main/data/?api_key="+url.QueryEscape(key), "", "").Status
}

// signInAs signs a member in with a login and password and reports the
// status (303 on success).
func signInAs(t testing.TB, m *member, login, password string) int {
	t.Helper()
	return m.post(t, "/login", url.Values{"login": {login}, "password": {password}}).Status
}

// TestSettingsUsersRefusesMembers: every users, limits and widget screen
// and action answers a member with the 403 page and changes nothing.
func TestSettingsUsersRefusesMembers(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		admin := newAccount(t, env, "Acme")
		m := admin.newUser(t, crm.RoleMember, "Masha")
		m.signIn(t)
		id := itoa(admin.UserID)
		for _, path := range []string{"/settings/users", "/settings/users/" + id, "/settings/limits", "/settings/widget"} {
			expect(t, m.get(t, path), http.StatusForbidden, "Only an administrator of the account may do this.")
		}
		for path, form := range map[string]url.Values{
			"/settings/users":                               {"name": {"Eve"}, "role": {"admin"}, "password": {"long enough pw"}},
			"/settings/users/envybox-key":                   {},
			"/settings/users/" + id + "/role":               {"role": {"member"}},
			"/settings/users/" + id + "/deactivate":         {},
			"/settings/users/" + id + "/activate":           {},
			"/settings/users/" + id + "/password":           {"mode": {"generate"}},
			"/settings/users/" + id + "/credentials/amocrm": {},
			"/settings/limits":                              {"dialect": {"amocrm"}, "per-second": {"0"}},
		} {
			expect(t, m.post(t, path, form), http.StatusForbidden, "Only an administrator")
		}
		users, err := m.service().AccountUsers(context.Background(), admin.Actor)
		if err != nil || len(users) != 2 || users[0].Role != crm.RoleAdmin || !users[0].Active() {
			t.Errorf("users after the refusals: %+v %v", users, err)
		}
		if apiStatus(t, env, admin.creds.AmoCRMToken) != http.StatusOK || envyboxStatus(t, env, admin.creds.EnvyboxAPIKey) != http.StatusOK {
			t.Error("the administrator's credentials stopped working")
		}
		// Signed out, the pages send to sign-in.
		anon := newMember(t, env, admin.creds, 0, crm.Actor{})
		if p := anon.get(t, "/settings/users"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
			t.Errorf("signed out: %d %q", p.Status, p.Location)
		}
	})
}

// TestSettingsUsers: an administrator lists, creates, re-roles,
// deactivates and activates users and resets passwords in the screens;
// deactivating ends the user's web session and refuses their tokens at
// once on every crmd process on the database, and the account keeps an
// active administrator.
func TestSettingsUsers(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		other := crmtest.Start(t, dsn) // another crmd process on the database
		admin := newAccount(t, env, "Acme")
		admin.signIn(t)
		expect(t, admin.get(t, "/settings/users"), http.StatusOK, "Administrator", `id="user-`+itoa(admin.UserID)+`"`, "(you)",
			`aria-current="page">Users`)

		// Refusals keep the form and create nobody.
		for _, c := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"name": {"  "}, "role": {"member"}}, "Enter the user&#39;s name."},
			{url.Values{"name": {"Olga"}, "email": {"olga@example.com"}, "role": {"member"}, "password": {"short"}}, "at least 8 characters"},
			{url.Values{"name": {"Olga"}, "role": {"owner"}}, "The role must be administrator or member."},
		} {
			expect(t, admin.post(t, "/settings/users", c.form), http.StatusUnprocessableEntity, c.want)
		}
		if users, _ := admin.service().AccountUsers(context.Background(), admin.Actor); len(users) != 1 {
			t.Fatalf("refused forms made users: %+v", users)
		}

		// Created with a generated password: it and the tokens are shown once.
		p := admin.post(t, "/settings/users", url.Values{"name": {"Olga"}, "email": {"olga@example.com"}, "role": {"member"}})
		expect(t, p, http.StatusOK, "The user is created.", "shown only this once", "Member")
		password, token, uis := secretOn(t, p, "secret-password"), secretOn(t, p, "secret-amocrm"), secretOn(t, p, "secret-uis")
		users, _ := admin.service().AccountUsers(context.Background(), admin.Actor)
		olgaID := users[len(users)-1].ID
		userPath := "/settings/users/" + itoa(olgaID)
		if p := admin.get(t, userPath); strings.Contains(p.Body, token) || strings.Contains(p.Body, password) || strings.Contains(p.Body, uis) {
			t.Error("a secret is shown again")
		} else {
			expect(t, p, http.StatusOK, "olga@example.com", "issued", "never")
		}
		olga := newMember(t, env, admin.creds, olgaID, crm.Actor{AccountID: admin.creds.AccountID, UserID: olgaID, Role: crm.RoleMember})
		if s := signInAs(t, olga, "olga@example.com", password); s != http.StatusSeeOther {
			t.Fatalf("the new user cannot sign in: %d", s)
		}
		expect(t, olga.get(t, "/deals"), http.StatusOK)
		expect(t, admin.get(t, "/settings/users"), http.StatusOK, "olga@example.com")
		if p := admin.get(t, userPath); strings.Contains(p.Body, `Last sign-in</dt><dd><span class="muted">never`) {
			t.Error("Olga's sign-in is not shown")
		}

		// Role: refused values, then member → administrator.
		expect(t, admin.post(t, userPath+"/role", url.Values{"role": {"owner"}}), http.StatusUnprocessableEntity, "administrator or member")
		p = admin.post(t, userPath+"/role", url.Values{"role": {"admin"}})
		if p.Status != http.StatusSeeOther || p.Location != userPath+"?saved=role" {
			t.Fatalf("role: %d %q %s", p.Status, p.Location, p.Body)
		}
		expect(t, admin.get(t, p.Location), http.StatusOK, "The role is saved.", `<dd id="user-role">Administrator</dd>`)
		// The new role applies to her next API request, on every process.
		for _, e := range []*crmtest.Env{env, other} {
			if r := e.Do(t, "GET", "/api/v4/users/"+itoa(olgaID), token, ""); r.Status != http.StatusOK ||
				!strings.Contains(string(r.Body), `"is_admin":true`) {
				t.Errorf("after the role change: %d %s", r.Status, r.Body)
			}
		}

		// Both processes remember her credentials and her session is open.
		for _, e := range []*crmtest.Env{env, other} {
			if s := apiStatus(t, e, token); s != http.StatusOK {
				t.Fatalf("token before deactivating: %d", s)
			}
			if _, err := e.Server.Authority.UIS(context.Background(), uis); err != nil {
				t.Fatalf("UIS token before deactivating: %v", err)
			}
		}
		p = admin.post(t, userPath+"/deactivate", nil)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("deactivate: %d %s", p.Status, p.Body)
		}
		for _, e := range []*crmtest.Env{env, other} {
			if s := apiStatus(t, e, token); s != http.StatusUnauthorized {
				t.Errorf("a deactivated user's token: HTTP %d", s)
			}
			if _, err := e.Server.Authority.UIS(context.Background(), uis); crm.KindOf(err) != crm.KindUnauthorized {
				t.Errorf("a deactivated user's UIS token: %v", err)
			}
		}
		if p := olga.get(t, "/deals"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
			t.Errorf("a deactivated user's session: %d %q", p.Status, p.Location)
		}
		if s := signInAs(t, olga, "olga@example.com", password); s != http.StatusUnauthorized {
			t.Errorf("a deactivated user signs in: %d", s)
		}
		if r := env.Do(t, "GET", "/api/v4/users/"+itoa(olgaID), admin.creds.AmoCRMToken, ""); !strings.Contains(string(r.Body), `"is_active":false`) {
			t.Errorf("amoCRM's user: %s", r.Body)
		}
		expect(t, admin.get(t, "/settings/users"), http.StatusOK, `<tr id="user-`+itoa(olgaID)+`" class="inactive">`, "Deactivated")
		expect(t, admin.post(t, userPath+"/deactivate", nil), http.StatusConflict, "the user already is so")
		expect(t, admin.post(t, userPath+"/credentials/amocrm", nil), http.StatusConflict, "activate them before issuing credentials")

		// The last active administrator can neither step down nor leave.
		me := "/settings/users/" + itoa(admin.UserID)
		expect(t, admin.post(t, me+"/role", url.Values{"role": {"member"}}), http.StatusConflict, "at least one active administrator")
		expect(t, admin.post(t, me+"/deactivate", nil), http.StatusConflict, "at least one active administrator")

		// Activated: she signs in again; what was revoked stays revoked.
		if p := admin.post(t, userPath+"/activate", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("activate: %d %s", p.Status, p.Body)
		}
		expect(t, admin.post(t, userPath+"/activate", nil), http.StatusConflict, "the user already is so")
		if s := signInAs(t, olga, itoa(olgaID), password); s != http.StatusSeeOther {
			t.Errorf("an activated user cannot sign in: %d", s)
		}
		if s := apiStatus(t, other, token); s != http.StatusUnauthorized {
			t.Errorf("a revoked token after activating: %d", s)
		}
		expect(t, admin.get(t, userPath), http.StatusOK, "not issued")

		// Now another administrator is active: the first may step down.
		p = admin.post(t, me+"/role", url.Values{"role": {"member"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("step down beside another administrator: %d %s", p.Status, p.Body)
		}
		expect(t, admin.get(t, "/settings/users"), http.StatusForbidden, "Only an administrator")
	})
}

// TestSettingsUserPasswordAndErrors: passwords reset (generated and shown
// once, or set), and the addresses that name nobody of the account.
func TestSettingsUserPasswordAndErrors(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		admin := newAccount(t, env, "Acme")
		admin.signIn(t)
		m := admin.newUser(t, crm.RoleMember, "Masha")
		path := "/settings/users/" + itoa(m.UserID)

		p := admin.post(t, path+"/password", url.Values{"mode": {"generate"}})
		expect(t, p, http.StatusOK, "The password is set.", "shown only this once")
		generated := secretOn(t, p, "secret-password")
		if s := signInAs(t, m, itoa(m.UserID), testPassword); s != http.StatusUnauthorized {
			t.Errorf("the old password still signs in: %d", s)
		}
		if s := signInAs(t, m, itoa(m.UserID), generated); s != http.StatusSeeOther {
			t.Errorf("the generated password does not sign in: %d", s)
		}
		expect(t, admin.post(t, path+"/password", url.Values{"password": {"short"}}), http.StatusUnprocessableEntity, "at least 8 characters")
		expect(t, admin.post(t, path+"/password", url.Values{"password": {""}}), http.StatusUnprocessableEntity, "at least 8 characters")
		p = admin.post(t, path+"/password", url.Values{"password": {"a brand new one"}})
		if p.Status != http.StatusSeeOther || p.Location != path+"?saved=password" {
			t.Fatalf("set password: %d %q", p.Status, p.Location)
		}
		if s := signInAs(t, m, itoa(m.UserID), "a brand new one"); s != http.StatusSeeOther {
			t.Errorf("the set password does not sign in: %d", s)
		}

		stranger := newAccount(t, env, "Other Ltd")
		for _, bad := range []string{"/settings/users/999999", "/settings/users/abc", "/settings/users/" + itoa(stranger.UserID)} {
			expect(t, admin.get(t, bad), http.StatusNotFound)
			for _, action := range []string{"/role", "/deactivate", "/password", "/credentials/amocrm"} {
				expect(t, admin.post(t, bad+action, url.Values{"role": {"member"}, "mode": {"generate"}}), http.StatusNotFound)
			}
		}
		if s := apiStatus(t, env, stranger.creds.AmoCRMToken); s != http.StatusOK {
			t.Errorf("another account's administrator was touched: %d", s)
		}
		expect(t, admin.post(t, path+"/credentials/envybox", nil), http.StatusUnprocessableEntity, "amoCRM token or a UIS access_token")
	})
}

// TestSettingsCredentials: a user's amoCRM token and UIS access_token and
// the account's Envybox key are issued and rotated in the screens, each
// secret shown once; the new one works and the old one is refused at once
// by every crmd process on the database.
func TestSettingsCredentials(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		other := crmtest.Start(t, dsn)
		admin := newAccount(t, env, "Acme")
		admin.signIn(t)
		m := admin.newUser(t, crm.RoleMember, "Masha")
		path := "/settings/users/" + itoa(m.UserID)

		p := admin.post(t, path+"/credentials/amocrm", nil)
		expect(t, p, http.StatusOK, "shown only this once", "amoCRM long-lived token")
		first := secretOn(t, p, "secret-amocrm")
		if s := apiStatus(t, other, first); s != http.StatusOK {
			t.Fatalf("issued token: %d", s)
		}
		if p := admin.get(t, path); strings.Contains(p.Body, first) {
			t.Error("the token is shown again")
		}
		second := secretOn(t, admin.post(t, path+"/credentials/amocrm", nil), "secret-amocrm")
		for _, e := range []*crmtest.Env{env, other} {
			if s := apiStatus(t, e, first); s != http.StatusUnauthorized {
				t.Errorf("the rotated-out token: %d", s)
			}
			if s := apiStatus(t, e, second); s != http.StatusOK {
				t.Errorf("the new token: %d", s)
			}
		}

		uis := secretOn(t, admin.post(t, path+"/credentials/uis", nil), "secret-uis")
		if _, err := other.Server.Authority.UIS(context.Background(), uis); err != nil {
			t.Fatalf("issued UIS token: %v", err)
		}
		uis2 := secretOn(t, admin.post(t, path+"/credentials/uis", nil), "secret-uis")
		if _, err := other.Server.Authority.UIS(context.Background(), uis); crm.KindOf(err) != crm.KindUnauthorized {
			t.Errorf("the rotated-out UIS token: %v", err)
		}
		if a, err := other.Server.Authority.UIS(context.Background(), uis2); err != nil || a.UserID != m.UserID {
			t.Errorf("the new UIS token: %+v %v", a, err)
		}

		old := admin.creds.EnvyboxAPIKey
		if s := envyboxStatus(t, other, old); s != http.StatusOK {
			t.Fatalf("Envybox key before rotating: %d", s)
		}
		expect(t, admin.get(t, "/settings/users"), http.StatusOK, "it acts as Administrator")
		p = admin.post(t, "/settings/users/envybox-key", nil)
		expect(t, p, http.StatusOK, "shown only this once", "Envybox api_key")
		key := secretOn(t, p, "secret-envybox")
		for _, e := range []*crmtest.Env{env, other} {
			if s := envyboxStatus(t, e, old); s == http.StatusOK {
				t.Errorf("the rotated-out Envybox key: %d", s)
			}
			if s := envyboxStatus(t, e, key); s != http.StatusOK {
				t.Errorf("the new Envybox key: %d", s)
			}
		}
		if p := admin.get(t, "/settings/users"); strings.Contains(p.Body, key) {
			t.Error("the Envybox key is shown again")
		}
		// The administrator's own long-lived token is untouched by all this.
		if s := apiStatus(t, other, admin.creds.AmoCRMToken); s != http.StatusOK {
			t.Errorf("the administrator's token: %d", s)
		}
	})
}

// TestSettingsLimits: the limits page shows each dialect's defaults and
// sets the account's own by the rules of crmd limits set.
func TestSettingsLimits(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		admin := newAccount(t, env, "Acme")
		admin.signIn(t)
		expect(t, admin.get(t, "/settings/limits"), http.StatusOK, "amoCRM", "Envybox", "UIS", "In force: 7 · default: 7",
			"In force: 3,500 · default: 3,500", "does not enforce request limits")

		p := admin.post(t, "/settings/limits", url.Values{"dialect": {"amocrm"}, "per-second": {"3"}, "per-minute": {"0"}, "per-day": {""}})
		if p.Status != http.StatusSeeOther || p.Location != "/settings/limits?saved=amocrm" {
			t.Fatalf("save: %d %q %s", p.Status, p.Location, p.Body)
		}
		expect(t, admin.get(t, p.Location), http.StatusOK, "The amoCRM limits are saved.", "In force: 3 · the account&#39;s own · default: 7",
			"In force: no limit · the account&#39;s own · default: no limit", `id="amocrm-per-second" name="per-second" inputmode="numeric" pattern="[0-9]*" value="3"`)
		stored, err := env.Server.DB.AccountLimits(context.Background(), admin.creds.AccountID, "amocrm")
		if err != nil || stored.Override.PerSecond == nil || *stored.Override.PerSecond != 3 || stored.Override.PerMinute == nil ||
			*stored.Override.PerMinute != 0 || stored.Override.PerDay != nil {
			t.Errorf("stored: %+v %v", stored, err)
		}

		for _, form := range []url.Values{
			{"dialect": {"uis"}, "per-minute": {"-1"}},
			{"dialect": {"uis"}, "per-minute": {"many"}},
			{"dialect": {"uis"}, "per-day": {"1.5"}},
		} {
			p := admin.post(t, "/settings/limits", form)
			expect(t, p, http.StatusUnprocessableEntity, "Each limit is a whole number", `id="limits-error"`)
		}
		expect(t, admin.post(t, "/settings/limits", url.Values{"dialect": {"webhooks"}}), http.StatusUnprocessableEntity, "Unknown API")
		if stored, _ := env.Server.DB.AccountLimits(context.Background(), admin.creds.AccountID, "uis"); stored.Override != (ratelimit.Override{}) {
			t.Errorf("a refused form stored limits: %+v", stored.Override)
		}

		// Emptied, the fields go back to the defaults.
		admin.post(t, "/settings/limits", url.Values{"dialect": {"amocrm"}})
		expect(t, admin.get(t, "/settings/limits"), http.StatusOK, "In force: 7 · default: 7")
	})
}

// TestSettingsWidget: the widget page gives the snippet with the
// account's crm_id and crmd's address.
func TestSettingsWidget(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		admin := newAccount(t, env, "Acme")
		admin.signIn(t)
		id := itoa(admin.creds.AccountID)
		expect(t, admin.get(t, "/settings/widget"), http.StatusOK, `<code>`+id+`</code>`,
			`&lt;script src=&#34;`+env.URL+`/widget.js&#34;&gt;&lt;/script&gt;`, "WBK.sendCrmLead("+id+", {name: f.name.value",
			`data-copy="widget-snippet"`, `src="/static/settings_people.js"`)
		js := admin.get(t, "/static/settings_people.js")
		expect(t, js, http.StatusOK, "navigator.clipboard")
		if r := env.Do(t, "GET", "/widget.js", "", ""); r.Status != http.StatusOK {
			t.Errorf("the snippet's script: %d", r.Status)
		}
	})
}

// TestSettingsDeactivateRevokesOAuth: deactivating a user revokes the
// OAuth grants made as them: their access token is refused at once by
// every process, their refresh token and their unused code no longer
// give tokens; the integration itself and the administrator's grants stay.
func TestSettingsDeactivateRevokesOAuth(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		other := crmtest.Start(t, dsn)
		admin := newAccount(t, env, "Acme Trading")
		admin.signIn(t)
		olga := admin.newUser(t, crm.RoleMember, "Olga")
		olga.signIn(t)
		in := createIntegration(t, dsn, admin.creds.AccountID, "Test app")
		exchange := func(code string) map[string]string {
			return map[string]string{"client_id": in.ClientID, "client_secret": in.ClientSecret, "grant_type": "authorization_code",
				"code": code, "redirect_uri": redirectURI}
		}
		access, refresh := pair(t, token(t, env, exchange(consent(t, olga, in, "allow").Get("code")), false))
		pending := consent(t, olga, in, "allow").Get("code")
		adminAccess, _ := pair(t, token(t, env, exchange(consent(t, admin, in, "allow").Get("code")), false))
		for _, e := range []*crmtest.Env{env, other} {
			if s := apiStatus(t, e, access); s != http.StatusOK {
				t.Fatalf("her OAuth access token: %d", s)
			}
		}

		if p := admin.post(t, "/settings/users/"+itoa(olga.UserID)+"/deactivate", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("deactivate: %d %s", p.Status, p.Body)
		}
		for _, e := range []*crmtest.Env{env, other} {
			if s := apiStatus(t, e, access); s != http.StatusUnauthorized {
				t.Errorf("her OAuth access token after deactivating: %d", s)
			}
			if s := apiStatus(t, e, adminAccess); s != http.StatusOK {
				t.Errorf("the administrator's OAuth access token: %d", s)
			}
		}
		refused(t, token(t, env, map[string]string{"client_id": in.ClientID, "client_secret": in.ClientSecret, "grant_type": "refresh_token",
			"refresh_token": refresh, "redirect_uri": redirectURI}, false), 401, "Token has been revoked")
		refused(t, token(t, env, exchange(pending), false), 400, "Authorization code has been revoked")
	})
}
