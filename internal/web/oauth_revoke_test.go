package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// integrationCLI runs crmd integration … and returns what it printed.
func integrationCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &cli.Main{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
	err := m.Run(context.Background(), append([]string{"integration"}, args...))
	return out.String(), err
}

// listed is a line of crmd integration list --json.
type listed struct {
	ClientID   string     `json:"client_id"`
	Name       string     `json:"name"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LiveGrants int        `json:"live_grants"`
}

func listIntegrations(t *testing.T, dsn string, accountID int64) map[string]listed {
	t.Helper()
	out, err := integrationCLI(t, "list", "--db", dsn, "--account", itoa(accountID), "--json")
	var list []listed
	if err != nil || json.Unmarshal([]byte(out), &list) != nil {
		t.Fatalf("integration list: %v %q", err, out)
	}
	byID := map[string]listed{}
	for _, l := range list {
		byID[l.ClientID] = l
	}
	return byID
}

// TestOAuthRevoke: crmd integration revoke cuts the integration's access
// tokens, refresh tokens and codes at once, and the consent page and crmd
// integration authorize refuse it from then on; another integration of the
// account is untouched. A revocation by another process (the CLI) reaches
// the server's remembered tokens at their next use.
func TestOAuthRevoke(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		admin := newAccount(t, env, "Acme Trading")
		admin.signIn(t)
		account := itoa(admin.creds.AccountID)
		in := createIntegration(t, dsn, admin.creds.AccountID, "Test app")
		other := createIntegration(t, dsn, admin.creds.AccountID, "Test app too")
		exchange := func(in integration, code string) map[string]string {
			return map[string]string{"client_id": in.ClientID, "client_secret": in.ClientSecret, "grant_type": "authorization_code",
				"code": code, "redirect_uri": redirectURI}
		}
		access, refresh := pair(t, token(t, env, exchange(in, consent(t, admin, in, "allow").Get("code")), false))
		pending := consent(t, admin, in, "allow").Get("code") // given, not yet exchanged
		otherAccess, otherRefresh := pair(t, token(t, env, exchange(other, consent(t, admin, other, "allow").Get("code")), false))
		for _, tok := range []string{access, otherAccess} {
			if r := env.Do(t, "GET", "/api/v4/account", tok, ""); r.Status != 200 { // and the server now remembers them
				t.Fatalf("access token: %d %s", r.Status, r.Body)
			}
		}
		list := listIntegrations(t, dsn, admin.creds.AccountID)
		if l := list[in.ClientID]; l.Name != "Test app" || l.LiveGrants != 2 || l.RevokedAt != nil {
			t.Errorf("listed before revoking: %+v", l)
		}

		out, err := integrationCLI(t, "revoke", "--db", dsn, "--account", account, "--client-id", in.ClientID, "--json")
		if err != nil {
			t.Fatalf("revoke: %v", err)
		}
		var rev map[string]any
		if json.Unmarshal([]byte(out), &rev) != nil || rev["client_id"] != in.ClientID || rev["account_id"] != float64(admin.creds.AccountID) ||
			rev["revoked_at"] == nil || rev["disconnect_hook"] != nil {
			t.Errorf("revoke printed %q", out)
		}

		// The server checked the access token a moment ago, yet refuses it
		// at once: the revocation advanced the account's auth_epoch.
		if r := env.Do(t, "GET", "/api/v4/account", access, ""); r.Status != 401 {
			t.Errorf("a revoked integration's access token: %d %s", r.Status, r.Body)
		}
		rreq := map[string]string{"client_id": in.ClientID, "client_secret": in.ClientSecret, "grant_type": "refresh_token",
			"refresh_token": refresh, "redirect_uri": redirectURI}
		refused(t, token(t, env, rreq, false), 401, "Token has been revoked")
		refused(t, token(t, env, exchange(in, pending), false), 400, "Authorization code has been revoked")
		if r := env.Do(t, "GET", "/oauth2/account/current/subdomain", "", "", "X-Refresh-Token: "+refresh); r.Status != 401 ||
			!strings.Contains(string(r.Body), "Token has been revoked") {
			t.Errorf("subdomain lookup with a revoked refresh token: %d %s", r.Status, r.Body)
		}
		if r := env.Do(t, "GET", "/oauth2/account/subdomain", access, ""); r.Status != 401 {
			t.Errorf("subdomain lookup with a revoked access token: %d %s", r.Status, r.Body)
		}

		// No new grants: the consent page says why, and gives no code.
		p := admin.get(t, "/oauth?client_id="+in.ClientID+"&state=s")
		expect(t, p, http.StatusForbidden, "This integration has been revoked in your account")
		p = admin.post(t, "/oauth", url.Values{"client_id": {in.ClientID}, "decision": {"allow"}})
		expect(t, p, http.StatusForbidden, "has been revoked")
		if p.Location != "" {
			t.Errorf("a revoked integration's consent redirected to %q", p.Location)
		}
		if _, err := integrationCLI(t, "authorize", "--db", dsn, "--client-id", in.ClientID, "--user", itoa(admin.UserID)); err == nil ||
			!strings.Contains(err.Error(), "revoked") {
			t.Errorf("authorize a revoked integration: %v", err)
		}
		if _, err := integrationCLI(t, "revoke", "--db", dsn, "--account", account, "--client-id", in.ClientID); err == nil ||
			!strings.Contains(err.Error(), "already revoked") {
			t.Errorf("revoke twice: %v", err)
		}

		// The other integration works on.
		if r := env.Do(t, "GET", "/api/v4/account", otherAccess, ""); r.Status != 200 {
			t.Errorf("another integration's access token: %d %s", r.Status, r.Body)
		}
		rreq = map[string]string{"client_id": other.ClientID, "client_secret": other.ClientSecret, "grant_type": "refresh_token",
			"refresh_token": otherRefresh, "redirect_uri": redirectURI}
		otherAccess, _ = pair(t, token(t, env, rreq, false))
		list = listIntegrations(t, dsn, admin.creds.AccountID)
		if l := list[in.ClientID]; l.LiveGrants != 0 || l.RevokedAt == nil {
			t.Errorf("listed after revoking: %+v", l)
		}
		if l := list[other.ClientID]; l.LiveGrants != 1 || l.RevokedAt != nil {
			t.Errorf("the other listed: %+v", l)
		}

		// Revoked through the server's own Authority, its token dies at
		// once, though just checked.
		if r := env.Do(t, "GET", "/api/v4/account", otherAccess, ""); r.Status != 200 {
			t.Fatalf("refreshed access token: %d %s", r.Status, r.Body)
		}
		if _, err := env.Server.Authority.RevokeIntegration(context.Background(), admin.creds.AccountID, other.ClientID); err != nil {
			t.Fatal(err)
		}
		if r := env.Do(t, "GET", "/api/v4/account", otherAccess, ""); r.Status != 401 {
			t.Errorf("revoked in process: %d %s", r.Status, r.Body)
		}
	})
}
