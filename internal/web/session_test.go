package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestSignIn: the sign-in form, its cookie, where it sends people, the
// wrong password, and signing out for every process on the database.
func TestSignIn(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Sign-in")

		p := m.get(t, "/")
		if p.Status != http.StatusSeeOther || p.Location != "/login" {
			t.Errorf("/ signed out: HTTP %d to %q", p.Status, p.Location)
		}
		p = m.get(t, "/deals?view=table")
		if p.Status != http.StatusSeeOther || p.Location != "/login?next="+url.QueryEscape("/deals?view=table") {
			t.Errorf("/deals signed out: HTTP %d to %q", p.Status, p.Location)
		}
		p = m.get(t, "/login")
		expect(t, p, http.StatusOK, `name="login"`, `autocomplete="username"`, `name="password"`,
			`autocomplete="current-password"`, `<label for="login">`, `<label for="password">`)
		if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") ||
			strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP %q", csp)
		}
		if strings.Contains(p.Body, "<script>") {
			t.Error("the sign-in page has an inline script")
		}

		// A wrong password is refused in the form, with the login kept.
		p = m.post(t, "/login", url.Values{"login": {"7"}, "password": {"wrong password"}})
		expect(t, p, http.StatusUnauthorized, "Wrong login or password.", `value="7"`)
		if len(m.Client.Jar.Cookies(mustURL(t, env.URL))) != 0 {
			t.Error("a refused sign-in set a cookie")
		}

		// Signed in: an HttpOnly, SameSite=Lax cookie, not Secure over
		// plain HTTP (an untrusted X-Forwarded-Proto changes nothing).
		p = m.post(t, "/login", url.Values{"login": {itoa(m.UserID)}, "password": {testPassword}, "next": {"/deals?view=table"}},
			"X-Forwarded-Proto", "https")
		if p.Status != http.StatusSeeOther || p.Location != "/deals?view=table" {
			t.Fatalf("sign in: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
		}
		cookie := p.Header.Get("Set-Cookie")
		for _, want := range []string{"crmd_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("cookie %q lacks %s", cookie, want)
			}
		}
		if strings.Contains(cookie, "Secure") {
			t.Errorf("cookie %q is Secure over plain HTTP", cookie)
		}
		p = m.get(t, "/")
		if p.Status != http.StatusSeeOther || p.Location != "/deals" {
			t.Errorf("/ signed in: HTTP %d to %q", p.Status, p.Location)
		}
		expect(t, m.get(t, "/deals"), http.StatusOK, "Sign out")

		// A sign-in never sends anyone to another site.
		for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
			other := newMember(t, env, m.creds, m.UserID, m.Actor)
			p := other.post(t, "/login", url.Values{"login": {itoa(m.UserID)}, "password": {testPassword}, "next": {next}})
			if p.Location != "/deals" {
				t.Errorf("next %q: sent to %q", next, p.Location)
			}
		}

		// A second browser of the same user, then signing out in the
		// first: the second stays signed in, the first is signed out
		// with its old cookie too.
		second := newMember(t, env, m.creds, m.UserID, m.Actor)
		second.signIn(t)
		old := sessionCookieOf(t, m)
		p = m.post(t, "/logout", nil)
		if p.Status != http.StatusSeeOther || p.Location != "/login" {
			t.Errorf("sign out: HTTP %d to %q", p.Status, p.Location)
		}
		if p := m.get(t, "/deals"); p.Status != http.StatusSeeOther {
			t.Errorf("after sign-out: HTTP %d", p.Status)
		}
		replay := newMember(t, env, m.creds, m.UserID, m.Actor)
		replay.Client.Jar.SetCookies(mustURL(t, env.URL), []*http.Cookie{{Name: "crmd_session", Value: old}})
		if p := replay.get(t, "/deals"); p.Status != http.StatusSeeOther {
			t.Errorf("the signed-out cookie still works: HTTP %d", p.Status)
		}
		expect(t, second.get(t, "/deals"), http.StatusOK)
	})
}

// TestCrossSitePostRefused: a state change sent from another site is
// refused before it does anything.
func TestCrossSitePostRefused(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "CSRF")
		m.signIn(t)
		for _, h := range [][]string{
			{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"},
			{"Sec-Fetch-Site", "", "Origin", "https://evil.example"},
		} {
			p := m.post(t, "/logout", url.Values{}, h...)
			if p.Status != http.StatusForbidden {
				t.Errorf("cross-site sign-out %v: HTTP %d", h, p.Status)
			}
		}
		expect(t, m.get(t, "/deals"), http.StatusOK)
	})
}

// TestLanguage: Accept-Language picks the language, the user's pick wins.
func TestLanguage(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Lang")
		p := m.get(t, "/login")
		expect(t, p, http.StatusOK, `<html lang="en">`, "Sign in")
		p = m.do(t, http.MethodGet, "/login", nil, "Accept-Language", "de-DE, ru;q=0.8, en;q=0.5")
		expect(t, p, http.StatusOK, `<html lang="ru">`, "Вход")
		p = m.post(t, "/language", url.Values{"lang": {"ru"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("language: HTTP %d", p.Status)
		}
		expect(t, m.get(t, "/login"), http.StatusOK, `<html lang="ru">`)
		expect(t, m.post(t, "/language", url.Values{"lang": {"xx"}}), http.StatusUnprocessableEntity)
	})
}

func sessionCookieOf(t testing.TB, m *member) string {
	t.Helper()
	for _, c := range m.Client.Jar.Cookies(mustURL(t, m.env.URL)) {
		if c.Name == "crmd_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSignInThrottled: repeated wrong passwords are refused for a while,
// by the counts UIS login.user keeps, even with the right password.
func TestSignInThrottled(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		m := newAccount(t, env, "Throttle")
		var last page
		for range 12 {
			last = m.post(t, "/login", url.Values{"login": {itoa(m.UserID)}, "password": {"not the password"}})
			if last.Status == http.StatusTooManyRequests {
				break
			}
			expect(t, last, http.StatusUnauthorized, "Wrong login or password.")
		}
		expect(t, last, http.StatusTooManyRequests, "Too many failed attempts. Try again later.")
		p := m.post(t, "/login", url.Values{"login": {itoa(m.UserID)}, "password": {testPassword}})
		expect(t, p, http.StatusTooManyRequests)
	})
}
