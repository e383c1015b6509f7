package amocrm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// Tests of the OAuth subdomain lookups (amocrm-v4-core.md §11.6) and the
// throttle on refused OAuth requests. The token endpoint's flow is tested
// with the consent page in internal/web.

const (
	subdomainPath       = "/oauth2/account/current/subdomain"
	legacySubdomainPath = "/oauth2/account/subdomain"
	oauthRedirect       = "https://app.example/cb"
)

// oauthApp is an integration and the means to get its tokens.
type oauthApp struct {
	auth.IntegrationCredentials
	env    *crmtest.Env
	userID int64
}

func newOAuthApp(t *testing.T, env *crmtest.Env, accountID, userID int64) oauthApp {
	t.Helper()
	creds, err := env.Server.Authority.CreateIntegration(context.Background(), accountID,
		auth.NewIntegration{Name: "App", RedirectURI: oauthRedirect})
	if err != nil {
		t.Fatal(err)
	}
	return oauthApp{IntegrationCredentials: creds, env: env, userID: userID}
}

// exchange posts a token request; secret "" sends the right one.
func (a oauthApp) exchange(t *testing.T, secret string) *crmtest.Response {
	t.Helper()
	if secret == "" {
		secret = a.ClientSecret
	}
	code, err := a.env.Server.Authority.Authorize(context.Background(), a.userID, a.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"client_id": a.ClientID, "client_secret": secret, "grant_type": "authorization_code",
		"code": code, "redirect_uri": oauthRedirect})
	return a.env.Do(t, "POST", "/oauth2/access_token", "", string(body))
}

// tokens exchanges a code for a pair, which must succeed.
func (a oauthApp) tokens(t *testing.T) (access, refresh string) {
	t.Helper()
	r := a.exchange(t, "")
	var pair auth.TokenPair
	if r.Status != 200 || json.Unmarshal(r.Body, &pair) != nil {
		t.Fatalf("token exchange: %d %s", r.Status, r.Body)
	}
	return pair.AccessToken, pair.RefreshToken
}

// wantOAuthRefusal checks an answer is the token endpoint's body with the
// status, hint and content type.
func wantOAuthRefusal(t *testing.T, what string, r *crmtest.Response, status int, contentType, hint string) {
	t.Helper()
	var got auth.OAuthError
	if err := json.Unmarshal(r.Body, &got); err != nil || r.Status != status || r.Header.Get("Content-Type") != contentType {
		t.Errorf("%s: %d %s %s, want %d %s", what, r.Status, r.Header.Get("Content-Type"), r.Body, status, contentType)
		return
	}
	want := auth.OAuthError{Hint: hint, Title: "Некорректный запрос", Type: "https://developers.amocrm.ru/v3/errors/OAuthProblemJson",
		Status: status, Detail: "В запросе отсутствует ряд параметров или параметры невалидны"}
	if got != want {
		t.Errorf("%s: %+v, want %+v", what, got, want)
	}
}

// TestOAuthSubdomainLookup: both lookups answer the token's account on the
// host crmd is reached at, and refuse every bad token with 401.
func TestOAuthSubdomainLookup(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		acc := env.NewAccount(t, "Acme Trading")
		app := newOAuthApp(t, env, acc.AccountID, acc.UserID)
		access, refresh := app.tokens(t)
		host := strings.TrimPrefix(env.URL, "http://")
		want := fmt.Sprintf(`{"id":%d,"subdomain":"acme-trading","domain":"acme-trading.%s","top_level_domain":"%s"}`+"\n",
			acc.AccountID, host, host[strings.LastIndexByte(host, '.')+1:strings.IndexByte(host, ':')])
		for _, r := range []*crmtest.Response{
			env.Do(t, "GET", subdomainPath, "", "", "X-Refresh-Token: "+refresh),
			env.Do(t, "GET", legacySubdomainPath, access, ""),
			env.Do(t, "GET", legacySubdomainPath, acc.AmoCRMToken, ""), // a long-lived token too
		} {
			if r.Status != 200 || string(r.Body) != want || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("lookup: %d %s %s, want %s", r.Status, r.Header.Get("Content-Type"), r.Body, want)
			}
		}

		// The domain is on the request's Host, or is it when it already is
		// the account's.
		for h, want := range map[string]string{
			"crm.example.ru:8443":              `"domain":"acme-trading.crm.example.ru:8443","top_level_domain":"ru"`,
			"ACME-TRADING.crm.example.com":     `"domain":"acme-trading.crm.example.com","top_level_domain":"com"`,
			"localhost":                        `"domain":"acme-trading.localhost","top_level_domain":"localhost"`,
			"acme-trading.amocrm.example.kz:1": `"domain":"acme-trading.amocrm.example.kz:1","top_level_domain":"kz"`,
		} {
			req, _ := http.NewRequest("GET", env.URL+subdomainPath, nil)
			req.Host = h
			req.Header.Set("X-Refresh-Token", refresh)
			resp, err := env.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
				t.Errorf("Host %s: %d %s, want %s", h, resp.StatusCode, body, want)
			}
		}

		// Refusals: the token endpoint's bodies, 401, as problem+json.
		const problem = "application/problem+json"
		wantOAuthRefusal(t, "no X-Refresh-Token", env.Do(t, "GET", subdomainPath, "", ""), 401, problem, "Invalid refresh token")
		wantOAuthRefusal(t, "an unknown refresh token", env.Do(t, "GET", subdomainPath, "", "", "X-Refresh-Token: def50200nope"),
			401, problem, "Invalid refresh token")
		wantOAuthRefusal(t, "an access token as refresh token", env.Do(t, "GET", subdomainPath, access, ""),
			401, problem, "Invalid refresh token")
		wantOAuthRefusal(t, "no bearer token", env.Do(t, "GET", legacySubdomainPath, "", ""), 401, problem, "Invalid access token")
		wantOAuthRefusal(t, "a bad bearer token", env.Do(t, "GET", legacySubdomainPath, access+"x", ""), 401, problem, "Invalid access token")
		wantOAuthRefusal(t, "a refresh token as bearer", env.Do(t, "GET", legacySubdomainPath, refresh, ""), 401, problem, "Invalid access token")
		for _, p := range []string{subdomainPath, legacySubdomainPath} {
			r := env.Do(t, "POST", p, access, "{}", "X-Refresh-Token: "+refresh)
			if r.Status != 405 || r.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("POST %s: %d %v %s", p, r.Status, r.Header, r.Body)
			}
		}

		// A refresh token used (rotated) is revoked; the new one works until
		// it expires, 3 months on.
		body, _ := json.Marshal(map[string]string{"client_id": app.ClientID, "client_secret": app.ClientSecret,
			"grant_type": "refresh_token", "refresh_token": refresh, "redirect_uri": oauthRedirect})
		r := env.Do(t, "POST", "/oauth2/access_token", "", string(body))
		var pair auth.TokenPair
		if r.Status != 200 || json.Unmarshal(r.Body, &pair) != nil {
			t.Fatalf("refresh: %d %s", r.Status, r.Body)
		}
		wantOAuthRefusal(t, "a used refresh token", env.Do(t, "GET", subdomainPath, "", "", "X-Refresh-Token: "+refresh),
			401, problem, "Token has been revoked")
		if r := env.Do(t, "GET", subdomainPath, "", "", "X-Refresh-Token: "+pair.RefreshToken); r.Status != 200 {
			t.Errorf("the new refresh token: %d %s", r.Status, r.Body)
		}
		start := time.Now()
		env.Server.DB.Now = func() time.Time { return start.Add(auth.OAuthRefreshTTL + time.Hour) }
		wantOAuthRefusal(t, "an expired refresh token", env.Do(t, "GET", subdomainPath, "", "", "X-Refresh-Token: "+pair.RefreshToken),
			401, problem, "Token has expired")
		wantOAuthRefusal(t, "an expired access token", env.Do(t, "GET", legacySubdomainPath, pair.AccessToken, ""),
			401, problem, "Invalid access token")
	})
}

// TestOAuthSubdomainPublicURL: with crmd serve --public-url, the domain is
// on that URL's host whatever Host the request used, as the consent page's
// referer.
func TestOAuthSubdomainPublicURL(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		public, _ := url.Parse("https://CRM.example.com")
		srv, err := cli.Start(context.Background(), cli.ServerConfig{DSN: dsn, Addr: "127.0.0.1:0", PublicURL: public,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Shutdown(context.Background()) })
		env := &crmtest.Env{URL: srv.URL(), Server: srv, Client: &http.Client{Timeout: 30 * time.Second}}
		acc := env.NewAccount(t, "Acme Trading")
		access, _ := newOAuthApp(t, env, acc.AccountID, acc.UserID).tokens(t)
		r := env.Do(t, "GET", legacySubdomainPath, access, "")
		want := fmt.Sprintf(`{"id":%d,"subdomain":"acme-trading","domain":"acme-trading.crm.example.com","top_level_domain":"com"}`+"\n", acc.AccountID)
		if r.Status != 200 || string(r.Body) != want {
			t.Errorf("lookup: %d %s, want %s", r.Status, r.Body, want)
		}
	})
}

// TestOAuthThrottle: refused token requests of one client_id, and refused
// requests from one address, are refused with amoCRM's 429 once at the
// limit, the right secret included, other clients and addresses not; the
// window's end releases them. Requests that are not refused give their
// count back.
func TestOAuthThrottle(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		env.Server.Authority.SetOAuthPolicy(auth.OAuthPolicy{PerClient: 3, PerAddress: 6, Window: 10 * time.Minute})
		start := time.Now()
		env.Server.DB.Now = func() time.Time { return start }
		acc := env.NewAccount(t, "Acme Trading")
		a, b := newOAuthApp(t, env, acc.AccountID, acc.UserID), newOAuthApp(t, env, acc.AccountID, acc.UserID)
		_, refresh := b.tokens(t)
		wrong := strings.Repeat("x", 64)
		wantLimited := func(what string, r *crmtest.Response, scope string, limit int) {
			t.Helper()
			want := fmt.Sprintf(`{"title":"Too Many Requests","type":"https://httpstatus.es/429","status":429,`+
				`"detail":"Too many refused requests for this %s: the limit is %d in 10m0s"}`+"\n", scope, limit)
			if r.Status != 429 || string(r.Body) != want || r.Header.Get("Retry-After") != "600" ||
				r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d %v %s, want 429 %s", what, r.Status, r.Header, r.Body, want)
			}
		}

		for i := range 3 {
			if r := a.exchange(t, wrong); r.Status != 401 {
				t.Fatalf("wrong secret %d: %d %s", i, r.Status, r.Body)
			}
		}
		wantLimited("the right secret after 3 refusals", a.exchange(t, ""), "client_id", 3)
		// Another client from the same address is not limited; its
		// successes give their count back (the address has 3).
		for range 3 {
			b.tokens(t)
		}
		if r := env.Do(t, "GET", subdomainPath, "", "", "X-Refresh-Token: "+refresh); r.Status != 200 {
			t.Fatalf("lookup: %d %s", r.Status, r.Body)
		}
		// Three refused lookups bring the address to its 6.
		for range 3 {
			if r := env.Do(t, "GET", subdomainPath, "", "", "X-Refresh-Token: def50200nope"); r.Status != 401 {
				t.Fatalf("bad lookup: %d %s", r.Status, r.Body)
			}
		}
		wantLimited("a good lookup from the limited address", env.Do(t, "GET", subdomainPath, "", "", "X-Refresh-Token: "+refresh),
			"client address", 6)
		wantLimited("the deprecated lookup", env.Do(t, "GET", legacySubdomainPath, "", ""), "client address", 6)
		wantLimited("another client from the limited address", b.exchange(t, ""), "client address", 6)

		// The window's end releases both.
		env.Server.DB.Now = func() time.Time { return start.Add(10*time.Minute + time.Second) }
		if r := a.exchange(t, ""); r.Status != 200 {
			t.Errorf("client after the window: %d %s", r.Status, r.Body)
		}
		if r := env.Do(t, "GET", subdomainPath, "", "", "X-Refresh-Token: "+refresh); r.Status != 200 {
			t.Errorf("lookup after the window: %d %s", r.Status, r.Body)
		}
	})
}
