package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// testPassword is the password every test user signs in with.
const testPassword = "correct horse battery"

// member is a user of a test account with a browser-like HTTP client: a
// cookie jar, and redirects not followed so that tests see them.
type member struct {
	env    *crmtest.Env
	creds  auth.AccountCredentials
	UserID int64
	Actor  crm.Actor
	Client *http.Client
}

// newAccount creates an account whose administrator has testPassword.
func newAccount(t testing.TB, env *crmtest.Env, name string) *member {
	t.Helper()
	creds := env.NewAccount(t, name)
	ctx := context.Background()
	if err := env.Server.Authority.SetPassword(ctx, creds.UserID, testPassword); err != nil {
		t.Fatal(err)
	}
	actor, err := env.Server.Service.Administrator(ctx, creds.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	return newMember(t, env, creds, creds.UserID, actor)
}

// newUser adds a user with testPassword to m's account.
func (m *member) newUser(t testing.TB, role crm.Role, name string) *member {
	t.Helper()
	ctx := context.Background()
	u, err := m.env.Server.Authority.CreateUser(ctx, crm.NewUser{AccountID: m.creds.AccountID, Name: name, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.env.Server.Authority.SetPassword(ctx, u.UserID, testPassword); err != nil {
		t.Fatal(err)
	}
	actor := crm.Actor{AccountID: m.creds.AccountID, UserID: u.UserID, Role: role, TimeZone: m.Actor.TimeZone}
	return newMember(t, m.env, m.creds, u.UserID, actor)
}

func newMember(t testing.TB, env *crmtest.Env, creds auth.AccountCredentials, userID int64, actor crm.Actor) *member {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// The server's transport: over TLS (crmtest.StartTLS), the one that
	// trusts its certificate.
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: env.Client.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &member{env: env, creds: creds, UserID: userID, Actor: actor, Client: c}
}

// page is a finished request.
type page struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
	Proto    string // HTTP/1.1 or HTTP/2.0
}

// get fetches a path.
func (m *member) get(t testing.TB, path string) page {
	t.Helper()
	return m.do(t, http.MethodGet, path, nil)
}

// post sends a form to a path as a same-origin browser form would.
func (m *member) post(t testing.TB, path string, form url.Values, headers ...string) page {
	t.Helper()
	return m.do(t, http.MethodPost, path, form, headers...)
}

func (m *member) do(t testing.TB, method, path string, form url.Values, headers ...string) page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, m.env.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method != http.MethodGet {
		// What a browser sends with a form posted from crmd's own page.
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", m.env.URL)
	}
	req.Header.Set("Accept-Language", "en")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := m.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Header: resp.Header, Body: string(b), Proto: resp.Proto}
}

// signIn signs the member in through the sign-in form.
func (m *member) signIn(t testing.TB) {
	t.Helper()
	p := m.post(t, "/login", url.Values{"login": {fmt.Sprint(m.UserID)}, "password": {testPassword}})
	if p.Status != http.StatusSeeOther || p.Location != "/deals" {
		t.Fatalf("sign in: HTTP %d to %q: %s", p.Status, p.Location, p.Body)
	}
}

// expect checks a page's status and that its body holds every want.
func expect(t testing.TB, p page, status int, want ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("HTTP %d, want %d; body:\n%s", p.Status, status, p.Body)
	}
	for _, w := range want {
		if !strings.Contains(p.Body, w) {
			t.Errorf("the page lacks %q; body:\n%s", w, p.Body)
		}
	}
}

// service is the server's domain service, for arranging records.
func (m *member) service() *crm.Service { return m.env.Server.Service }

func itoa(n int64) string { return fmt.Sprint(n) }
