package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestWorkspaceOverTLS: crmd serving HTTPS itself (crmd serve --tls-cert
// --tls-key). Signing in over HTTP/2 sets a Secure session cookie, which
// the browser's jar sends back over https; the pages and the inbox's live
// stream (flushes and per-write deadlines on an HTTP/2 stream) work; and
// signing out clears the cookie with the same attributes.
func TestWorkspaceOverTLS(t *testing.T) {
	crmtest.StartEachTLS(t, func(t *testing.T, env *crmtest.Env, _ *crmtest.TestCert) {
		if !strings.HasPrefix(env.URL, "https://") {
			t.Fatalf("the server's URL is %s", env.URL)
		}
		m := newAccount(t, env, "Over TLS")
		p := m.post(t, "/login", url.Values{"login": {itoa(m.UserID)}, "password": {testPassword}})
		if p.Status != http.StatusSeeOther || p.Location != "/deals" || p.Proto != "HTTP/2.0" {
			t.Fatalf("sign in: %s %d to %q: %s", p.Proto, p.Status, p.Location, p.Body)
		}
		cookie := p.Header.Get("Set-Cookie")
		for _, want := range []string{"crmd_session=", "; Secure", "; HttpOnly", "; SameSite=Lax", "; Path=/"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("cookie %q lacks %q", cookie, want)
			}
		}
		p = m.get(t, "/deals")
		expect(t, p, http.StatusOK, "Sign out")
		if p.Proto != "HTTP/2.0" {
			t.Errorf("/deals over %s", p.Proto)
		}

		// The inbox's live stream over HTTP/2 delivers a widget lead.
		s := m.openEvents(t, "/leads/events", "")
		if s.resp.ProtoMajor != 2 {
			t.Errorf("the event stream over %s", s.resp.Proto)
		}
		m.widgetLead(t, `{"name": "Over h2", "phone": "+7 900 555-00-21"}`)
		list, _, err := m.service().Inbounds(context.Background(), m.Actor, crm.InboundQuery{Limit: 1})
		if err != nil || len(list) != 1 {
			t.Fatal(list, err)
		}
		if row := s.expectRow(t, list[0].ID); !strings.Contains(row.HTML, "Over h2") {
			t.Errorf("the row lacks the lead's name:\n%s", row.HTML)
		}
		s.close()

		p = m.post(t, "/logout", nil)
		if p.Status != http.StatusSeeOther || p.Location != "/login" {
			t.Fatalf("sign out: HTTP %d to %q", p.Status, p.Location)
		}
		cleared := p.Header.Get("Set-Cookie")
		if !strings.HasPrefix(cleared, "crmd_session=;") || !strings.Contains(cleared, "Max-Age=0") || !strings.Contains(cleared, "; Secure") {
			t.Errorf("sign-out cookie %q", cleared)
		}
		if p := m.get(t, "/deals"); p.Status != http.StatusSeeOther {
			t.Errorf("after sign-out: HTTP %d", p.Status)
		}
	})
}
