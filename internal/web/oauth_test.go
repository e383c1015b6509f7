package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/web"
)

// integration is an integration created with crmd integration create.
type integration struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

const redirectURI = "https://integration.example/callback?tenant=7"

func createIntegration(t *testing.T, dsn string, accountID int64, name string) integration {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &cli.Main{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}
	err := m.Run(context.Background(), []string{"integration", "create", "--db", dsn, "--account", itoa(accountID),
		"--name", name, "--redirect-uri", redirectURI, "--json"})
	if err != nil {
		t.Fatalf("integration create: %v: %s", err, errOut.String())
	}
	var in integration
	if err := json.Unmarshal(out.Bytes(), &in); err != nil || len(in.ClientID) != 36 || len(in.ClientSecret) != 64 {
		t.Fatalf("integration create printed %q (%v)", out.String(), err)
	}
	return in
}

// tokenAnswer is a token endpoint's answer.
type tokenAnswer struct {
	Status int
	Type   string
	Body   map[string]any
}

// token posts to /oauth2/access_token, as JSON or, with form, form-encoded.
func token(t *testing.T, env *crmtest.Env, fields map[string]string, form bool) tokenAnswer {
	t.Helper()
	var body io.Reader
	ctype := "application/json"
	if form {
		vals := url.Values{}
		for k, v := range fields {
			vals.Set(k, v)
		}
		body, ctype = strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded"
	} else {
		b, _ := json.Marshal(fields)
		body = bytes.NewReader(b)
	}
	resp, err := env.Client.Post(env.URL+"/oauth2/access_token", ctype, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := tokenAnswer{Status: resp.StatusCode, Type: resp.Header.Get("Content-Type")}
	if err := json.NewDecoder(resp.Body).Decode(&out.Body); err != nil {
		t.Fatalf("token answer is not JSON: %v", err)
	}
	return out
}

// refused checks an error answer: its status and hint, and the rest of
// amoCRM's body.
func refused(t *testing.T, a tokenAnswer, status int, hint string) {
	t.Helper()
	if a.Status != status || a.Body["hint"] != hint || a.Body["status"] != float64(status) || a.Type != "application/json" ||
		a.Body["type"] != "https://developers.amocrm.ru/v3/errors/OAuthProblemJson" || len(a.Body) != 5 {
		t.Fatalf("want %d %q, got %d %s %v", status, hint, a.Status, a.Type, a.Body)
	}
	title, detail := "Некорректный запрос", "В запросе отсутствует ряд параметров или параметры невалидны"
	if strings.HasPrefix(hint, "Check the `client_") && status == 401 {
		title, detail = "Некорректный клиент", "Авторизация клиента не прошла"
	}
	if a.Body["title"] != title || a.Body["detail"] != detail {
		t.Errorf("title/detail: %v", a.Body)
	}
}

// pair checks a successful answer and returns its tokens.
func pair(t *testing.T, a tokenAnswer) (access, refresh string) {
	t.Helper()
	if a.Status != 200 || a.Body["token_type"] != "Bearer" || a.Body["expires_in"] != float64(86400) || len(a.Body) != 4 {
		t.Fatalf("token answer %d %v", a.Status, a.Body)
	}
	access, _ = a.Body["access_token"].(string)
	refresh, _ = a.Body["refresh_token"].(string)
	if access == "" || !strings.HasPrefix(refresh, "def50200") {
		t.Fatalf("tokens %v", a.Body)
	}
	return access, refresh
}

// consent goes through the consent page and returns the redirect's query.
func consent(t *testing.T, m *member, in integration, decision string) url.Values {
	t.Helper()
	p := m.get(t, "/oauth?client_id="+in.ClientID+"&state=xyz&mode=post_message")
	expect(t, p, http.StatusOK, "Test app", `value="`+in.ClientID+`"`, `value="xyz"`, `value="post_message"`, "Allow", "Deny")
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://integration.example;") {
		t.Errorf("CSP %q", csp)
	}
	p = m.post(t, "/oauth", url.Values{"client_id": {in.ClientID}, "state": {"xyz"}, "mode": {"post_message"}, "decision": {decision}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "https://integration.example/callback?") {
		t.Fatalf("consent: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
	}
	u, err := url.Parse(p.Location)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// TestOAuthFlow is amoCRM's OAuth 2.0 end to end: integration create,
// consent (signed out, signed in, allowed), the code exchanged, the access
// token used, refresh rotation, and every refusal.
func TestOAuthFlow(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		admin := newAccount(t, env, "Acme Trading")
		in := createIntegration(t, dsn, admin.creds.AccountID, "Test app")

		// Signed out: to sign-in and back.
		path := "/oauth?client_id=" + in.ClientID + "&state=xyz&mode=post_message"
		p := admin.get(t, path)
		if p.Status != http.StatusSeeOther || p.Location != "/login?next="+url.QueryEscape(path) {
			t.Fatalf("signed out: HTTP %d to %q", p.Status, p.Location)
		}
		p = admin.post(t, "/login", url.Values{"login": {itoa(admin.UserID)}, "password": {testPassword}, "next": {path}})
		if p.Status != http.StatusSeeOther || p.Location != path {
			t.Fatalf("sign in: HTTP %d to %q", p.Status, p.Location)
		}
		q := consent(t, admin, in, "allow")
		host := strings.TrimPrefix(env.URL, "http://")
		if q.Get("state") != "xyz" || q.Get("referer") != "acme-trading."+host || q.Get("platform") != "1" ||
			q.Get("tenant") != "7" || !strings.HasPrefix(q.Get("code"), "def50200") || len(q) != 5 {
			t.Fatalf("redirect query %v", q)
		}
		code := q.Get("code")

		// Exchanged as JSON (the PHP provider) for a working access token.
		req := map[string]string{"client_id": in.ClientID, "client_secret": in.ClientSecret, "grant_type": "authorization_code",
			"code": code, "redirect_uri": redirectURI}
		access, refresh := pair(t, token(t, env, req, false))
		resp := env.Do(t, "GET", "/api/v4/account", access, "")
		if resp.Status != 200 || !strings.Contains(string(resp.Body), `"subdomain":"acme-trading"`) ||
			!strings.Contains(string(resp.Body), `"current_user_id":`+itoa(admin.UserID)) {
			t.Fatalf("account with the access token: %d %s", resp.Status, resp.Body)
		}
		claims := jwtClaims(t, access)
		if claims["aud"] != in.ClientID || claims["sub"] != itoa(admin.UserID) ||
			claims["account_id"] != float64(admin.creds.AccountID) || claims["exp"].(float64)-claims["iat"].(float64) != 86400 {
			t.Errorf("claims %v", claims)
		}
		// The code is single-use.
		refused(t, token(t, env, req, false), 400, "Authorization code has been revoked")

		// Refresh (form-encoded, as alexeykhan/amocrm posts): a new pair; the
		// old refresh token stops working, the new one works.
		rreq := map[string]string{"client_id": in.ClientID, "client_secret": in.ClientSecret, "grant_type": "refresh_token",
			"refresh_token": refresh, "redirect_uri": redirectURI}
		access2, refresh2 := pair(t, token(t, env, rreq, true))
		if access2 == access || refresh2 == refresh {
			t.Fatal("refresh returned the same tokens")
		}
		if resp := env.Do(t, "GET", "/api/v4/account", access2, ""); resp.Status != 200 {
			t.Fatalf("refreshed access token: %d %s", resp.Status, resp.Body)
		}
		refused(t, token(t, env, rreq, true), 401, "Token has been revoked")
		rreq["refresh_token"] = refresh2
		_, refresh3 := pair(t, token(t, env, rreq, false))
		rreq["refresh_token"] = "def50200nonsense"
		refused(t, token(t, env, rreq, false), 400, "Invalid refresh token")

		// Every refusal of the authorization_code grant.
		fresh := func() map[string]string {
			code, err := env.Server.Authority.Authorize(context.Background(), admin.UserID, in.ClientID)
			if err != nil {
				t.Fatal(err)
			}
			return map[string]string{"client_id": in.ClientID, "client_secret": in.ClientSecret,
				"grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI}
		}
		r := fresh()
		r["client_secret"] = strings.Repeat("x", 64)
		refused(t, token(t, env, r, false), 401, "Check the `client_secret` parameter")
		r = fresh()
		r["client_id"] = "00000000-0000-4000-8000-000000000000"
		refused(t, token(t, env, r, false), 401, "Check the `client_id` parameter")
		r = fresh()
		r["redirect_uri"] = "https://integration.example/other"
		refused(t, token(t, env, r, false), 400, "Redirect URI is not associated with client")
		r = fresh()
		r["grant_type"] = "password"
		refused(t, token(t, env, r, false), 400, "Unsupported grant type")
		r["code"] = "def50200garbage"
		r["grant_type"] = "authorization_code"
		refused(t, token(t, env, r, false), 400, "Cannot decrypt the authorization code")
		for _, f := range []string{"grant_type", "client_id", "client_secret", "redirect_uri", "code"} {
			r = fresh()
			delete(r, f)
			refused(t, token(t, env, r, true), 400, "Check the `"+f+"` parameter")
		}
		// A code of another integration of the account is not this one's.
		other := createIntegration(t, dsn, admin.creds.AccountID, "Other app")
		r = fresh()
		r["client_id"], r["client_secret"] = other.ClientID, other.ClientSecret
		refused(t, token(t, env, r, false), 400, "Cannot decrypt the authorization code")

		// A code lives 20 minutes, an access token 24 hours.
		r = fresh()
		start := time.Now()
		env.Server.DB.Now = func() time.Time { return start.Add(19 * time.Minute) }
		pair(t, token(t, env, r, false))
		r = fresh()
		env.Server.DB.Now = func() time.Time { return start.Add(40 * time.Minute) }
		refused(t, token(t, env, r, false), 400, "Authorization code has expired")
		env.Server.DB.Now = func() time.Time { return start.Add(24*time.Hour + time.Minute) }
		if resp := env.Do(t, "GET", "/api/v4/account", access2, ""); resp.Status != 401 {
			t.Fatalf("an access token a day old: %d %s", resp.Status, resp.Body)
		}
		// The refresh token still works a day later (it lives 3 months) and
		// gives a live access token; after 3 months it does not.
		rreq["refresh_token"] = refresh3
		access4, refresh4 := pair(t, token(t, env, rreq, false))
		if resp := env.Do(t, "GET", "/api/v4/account", access4, ""); resp.Status != 200 {
			t.Fatalf("access token after a late refresh: %d %s", resp.Status, resp.Body)
		}
		env.Server.DB.Now = func() time.Time { return start.Add(92 * 24 * time.Hour) }
		rreq["refresh_token"] = refresh4
		refused(t, token(t, env, rreq, false), 401, "Token has expired")
		env.Server.DB.Now = time.Now

		// Deny: back with error=access_denied and the state, no code.
		q = consent(t, admin, in, "deny")
		if q.Get("error") != "access_denied" || q.Get("state") != "xyz" || q.Has("code") || len(q) != 3 {
			t.Fatalf("deny query %v", q)
		}
	})
}

// jwtClaims decodes (without verifying) a JWT's claims, as clients do.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err != nil || json.Unmarshal(b, &claims) != nil {
		t.Fatalf("JWT payload %q: %v", parts[1], err)
	}
	return claims
}

// TestOAuthConsentOwnAccountOnly: a user of another account cannot see or
// authorize an integration of this one, nor can crmd integration authorize
// give a code for a user of another account; an unknown client_id is a
// clear error page.
func TestOAuthConsentOwnAccountOnly(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		acme := newAccount(t, env, "Acme Trading")
		in := createIntegration(t, dsn, acme.creds.AccountID, "Test app")
		stranger := newAccount(t, env, "Globex")
		stranger.signIn(t)
		p := stranger.get(t, "/oauth?client_id="+in.ClientID+"&state=s")
		expect(t, p, http.StatusNotFound, "There is no integration with client_id "+in.ClientID+" in your account.")
		p = stranger.post(t, "/oauth", url.Values{"client_id": {in.ClientID}, "decision": {"allow"}})
		expect(t, p, http.StatusNotFound)
		if p.Location != "" {
			t.Fatalf("a stranger was redirected to %q", p.Location)
		}
		p = stranger.get(t, "/oauth?state=s")
		expect(t, p, http.StatusUnprocessableEntity, "client_id")
		if _, err := env.Server.Authority.Authorize(context.Background(), stranger.UserID, in.ClientID); err == nil {
			t.Fatal("a code for another account's user")
		}
		// A member of the account may authorize (with their own rights), in
		// Russian too; popup mode sends the opener there through oauth.js.
		member := acme.newUser(t, "member", "Olga")
		member.signIn(t)
		p = member.do(t, http.MethodGet, "/oauth?client_id="+in.ClientID+"&mode=popup", nil, "Accept-Language", "ru")
		expect(t, p, http.StatusOK, "Интеграция «Test app» запрашивает доступ к аккаунту «Acme Trading»", "Разрешить", "Отказать")
		p = member.post(t, "/oauth", url.Values{"client_id": {in.ClientID}, "mode": {"popup"}, "decision": {"allow"}})
		expect(t, p, http.StatusOK, `src="/static/oauth.js"`, `data-oauth-target="https://integration.example/callback?`)
		if strings.Contains(p.Body, "&state=") {
			t.Errorf("state sent though none was given: %s", p.Body)
		}
		// A POST from another site is refused before any handler runs.
		p = member.post(t, "/oauth", url.Values{"client_id": {in.ClientID}, "decision": {"allow"}},
			"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		if p.Status != http.StatusForbidden {
			t.Fatalf("cross-site consent: HTTP %d", p.Status)
		}
		js := member.get(t, "/static/oauth.js")
		expect(t, js, http.StatusOK, "window.opener")
	})
}

// TestOAuthRefererPublicURL: with crmd serve --public-url, referer is the
// account's subdomain on that URL's host, whatever Host the request used.
func TestOAuthRefererPublicURL(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		public, err := web.ParsePublicURL("https://CRM.example.com")
		if err != nil {
			t.Fatal(err)
		}
		srv, err := cli.Start(context.Background(), cli.ServerConfig{DSN: dsn, Addr: "127.0.0.1:0", PublicURL: public,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Shutdown(context.Background()) })
		env := &crmtest.Env{URL: srv.URL(), Server: srv, Client: &http.Client{Timeout: 30 * time.Second}}
		admin := newAccount(t, env, "Acme Trading")
		in := createIntegration(t, dsn, admin.creds.AccountID, "Test app")
		admin.signIn(t)
		q := consent(t, admin, in, "allow")
		if q.Get("referer") != "acme-trading.crm.example.com" {
			t.Fatalf("referer %q", q.Get("referer"))
		}
	})
	for _, bad := range []string{"crm.example.com", "ftp://crm.example.com", "https://crm.example.com/?a=1", "https://"} {
		if _, err := web.ParsePublicURL(bad); err == nil {
			t.Errorf("--public-url %q accepted", bad)
		}
	}
}
