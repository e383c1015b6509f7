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
)

var (
	clientIDPattern     = regexp.MustCompile(`id="integration-client-id" class="secret" readonly value="([0-9a-f-]{36})"`)
	clientSecretPattern = regexp.MustCompile(`id="integration-secret" class="secret" readonly value="([A-Za-z0-9]{64})"`)
)

// TestSettingsIntegrations: create with the secret shown once and the
// form's errors, the list with live grants, revoke behind a confirmation
// page, the disconnect hook sent once and its outcome told, and the
// secret working at the token endpoint until then.
func TestSettingsIntegrations(t *testing.T) {
	startHooks(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Apps")
		m.signIn(t)
		ctx := context.Background()
		expect(t, m.get(t, "/settings/integrations"), http.StatusOK, "No integrations yet.", `aria-current="page">Integrations`)

		for _, c := range []struct {
			form url.Values
			want []string
		}{
			{url.Values{"name": {""}, "redirect_uri": {"https://app.example/cb"}}, []string{"The name must be 1 to 255 characters."}},
			{url.Values{"name": {"App"}, "redirect_uri": {"app.example/cb"}}, []string{"The redirect URI must be an absolute http or https URL"}},
			{url.Values{"name": {strings.Repeat("я", 256)}, "redirect_uri": {"ftp://x"}, "disconnect_url": {"https://x/#frag"}},
				[]string{"The name must be", "The redirect URI must", "The disconnect URL must"}},
		} {
			p := m.post(t, "/settings/integrations", c.form)
			expect(t, p, http.StatusUnprocessableEntity, append(c.want, `id="integration-error"`)...)
			if clientSecretPattern.MatchString(p.Body) {
				t.Errorf("%v: a secret on a refusal", c.form)
			}
		}
		if list, err := env.Server.Authority.ListIntegrations(ctx, m.Actor.AccountID); err != nil || len(list) != 0 {
			t.Fatalf("refused forms made integrations: %v %v", list, err)
		}

		hook := newReceiver(t, http.StatusOK, "bye")
		p := m.post(t, "/settings/integrations", url.Values{"name": {"Mailer <pro>"}, "redirect_uri": {"https://app.example/cb"},
			"disconnect_url": {hook.URL + "/disconnect"}})
		expect(t, p, http.StatusCreated, "Integration created.", "shown only this once")
		idm, secm := clientIDPattern.FindStringSubmatch(p.Body), clientSecretPattern.FindStringSubmatch(p.Body)
		if idm == nil || secm == nil {
			t.Fatalf("no client id or secret shown:\n%s", p.Body)
		}
		clientID, secret := idm[1], secm[1]
		list := m.get(t, "/settings/integrations")
		expect(t, list, http.StatusOK, "Mailer &lt;pro&gt;", clientID, "https://app.example/cb", "Active")
		if strings.Contains(list.Body, secret) {
			t.Error("the list shows the secret again")
		}

		// The secret works: a code of the consent exchanged for tokens.
		code, err := env.Server.Authority.Authorize(ctx, m.UserID, clientID)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, m.get(t, "/settings/integrations"), http.StatusOK, `<td class="num" data-label="Live grants">1</td>`)
		tok := env.Do(t, http.MethodPost, "/oauth2/access_token", "", `{"client_id":"`+clientID+`","client_secret":"`+secret+
			`","grant_type":"authorization_code","code":"`+code+`","redirect_uri":"https://app.example/cb"}`, "Content-Type: application/json")
		if tok.Status != http.StatusOK {
			t.Fatalf("token: HTTP %d: %s", tok.Status, tok.Body)
		}

		// Revoke: a confirmation page first; a GET changes nothing.
		expect(t, m.get(t, "/settings/integrations/"+clientID+"/revoke"), http.StatusOK, "Revoke Mailer &lt;pro&gt;",
			"cannot be undone", hook.URL+"/disconnect", `id="revoke-confirm"`)
		expect(t, m.get(t, "/settings/integrations/nope/revoke"), http.StatusNotFound, "Integration not found.")
		if len(hook.requests()) != 0 {
			t.Fatal("the hook was called before the revocation was confirmed")
		}
		done := m.post(t, "/settings/integrations/"+clientID+"/revoke", url.Values{})
		expect(t, done, http.StatusOK, "Integration Mailer &lt;pro&gt; revoked", "Disconnect hook "+hook.URL+"/disconnect: HTTP 200.",
			`<span class="error">Revoked `)
		reqs := hook.requests()
		if len(reqs) != 1 || !strings.HasPrefix(reqs[0], "GET /disconnect?") || !strings.Contains(reqs[0], "client_id="+clientID) ||
			!strings.Contains(reqs[0], "signature=") {
			t.Errorf("disconnect hook requests: %q", reqs)
		}
		if strings.Contains(done.Body, `id="revoke-`+clientID+`"`) {
			t.Error("a revoked integration still offers Revoke")
		}
		if _, err := env.Server.Authority.Authorize(ctx, m.UserID, clientID); crm.KindOf(err) != crm.KindForbidden {
			t.Errorf("authorize a revoked integration: %v", err)
		}
		// Twice: a conflict in words, and no second hook.
		expect(t, m.post(t, "/settings/integrations/"+clientID+"/revoke", url.Values{}), http.StatusConflict,
			"The integration has been revoked already.")
		if n := len(hook.requests()); n != 1 {
			t.Errorf("the hook was called %d times", n)
		}
		expect(t, m.post(t, "/settings/integrations/nope/revoke", url.Values{}), http.StatusNotFound, "Integration not found.")

		// Without a disconnect URL, nothing is called and the page says so;
		// a hook that fails leaves the revocation standing.
		p = m.post(t, "/settings/integrations", url.Values{"name": {"Quiet"}, "redirect_uri": {"https://q.example/cb"}})
		quiet := clientIDPattern.FindStringSubmatch(p.Body)[1]
		expect(t, m.post(t, "/settings/integrations/"+quiet+"/revoke", url.Values{}), http.StatusOK, "Disconnect hook: none.")
		down := newReceiver(t, http.StatusOK, "")
		down.Close()
		p = m.post(t, "/settings/integrations", url.Values{"name": {"Down"}, "redirect_uri": {"https://d.example/cb"},
			"disconnect_url": {down.URL + "/gone"}})
		gone := clientIDPattern.FindStringSubmatch(p.Body)[1]
		expect(t, m.post(t, "/settings/integrations/"+gone+"/revoke", url.Values{}), http.StatusOK, "failed:", "(the revocation stands)")

		// Another account sees none of them.
		other := newAccount(t, env, "Other apps")
		other.signIn(t)
		expect(t, other.get(t, "/settings/integrations"), http.StatusOK, "No integrations yet.")
		expect(t, other.get(t, "/settings/integrations/"+clientID+"/revoke"), http.StatusNotFound)
	})
}
