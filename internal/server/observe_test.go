package server_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/server"
)

// generatedID is what crmd makes: crypto/rand.Text, 26 characters of
// base32.
var generatedID = regexp.MustCompile(`^[A-Z2-7]{26}$`)

// TestRequestID: an acceptable X-Request-Id is echoed and logged; a
// missing, overlong or unsafe one is replaced by a fresh id, different for
// every request; the access log line carries the id the answer names.
func TestRequestID(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		o := startObserved(t, dsn, cli.ServerConfig{})
		seen := map[string]bool{}
		for _, tc := range []struct {
			sent string
			echo bool
		}{
			{"", false},
			{"", false},
			{"abc-123_DEF.4:5", true},
			{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
			{strings.Repeat("a", server.MaxRequestIDLen), true},
			{strings.Repeat("a", server.MaxRequestIDLen+1), false},
			{"has space", false},
			{"semi;colon", false},
			{`quote"d`, false},
			{"идентификатор", false},
			{"a=b&c", false},
		} {
			var headers []string
			if tc.sent != "" {
				headers = append(headers, server.RequestIDHeader+": "+tc.sent)
			}
			r := o.do("GET", "/healthz", "", headers...)
			id := r.header.Get(server.RequestIDHeader)
			switch {
			case tc.echo && id != tc.sent:
				t.Errorf("sent %q: answered id %q, want it echoed", tc.sent, id)
			case !tc.echo && !generatedID.MatchString(id):
				t.Errorf("sent %q: answered id %q, want a fresh one", tc.sent, id)
			}
			if !tc.echo && seen[id] {
				t.Errorf("id %q made twice", id)
			}
			seen[id] = true
			line := o.accessLine(id)
			if line["path"] != "/healthz" || line["status"] != float64(200) || line["route"] != "GET /healthz" || line["dialect"] != "other" {
				t.Errorf("access line of %q: %v", id, line)
			}
		}
		// Answers the handlers write themselves carry the id too: an
		// amoCRM problem, a web page, the widget's script.
		for _, path := range []string{"/api/v4/account", "/login", "/widget.js"} {
			r := o.do("GET", path, "", server.RequestIDHeader+": trace-"+strings.Trim(path, "/.")[:3])
			if got := r.header.Get(server.RequestIDHeader); got != "trace-"+strings.Trim(path, "/.")[:3] {
				t.Errorf("GET %s: X-Request-Id %q", path, got)
			}
		}
	})
}

// TestLogsHoldNoSecret runs crmd with JSON logs and sends it every kind of
// secret it takes — amoCRM bearer tokens, Envybox api_key in the query
// string, a UIS access_token and a login.user password, a web sign-in's
// password and its session cookie, wrong secrets of each kind — while the
// database works and after it went away, so that the handlers log their
// internal errors. Every line must be JSON and carry the id of the
// request it belongs to, the handlers' error lines included, and no
// secret may appear anywhere in the output.
func TestLogsHoldNoSecret(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		// The webhook deliverer polls the outbox on its own (no request,
		// so no request id); polling every half second, it logged "database
		// is closed" whenever the requests after the close below took
		// longer than that on a loaded machine. Polled hourly, it polls
		// once at the start; the lines examined are the requests'.
		o := startObserved(t, dsn, cli.ServerConfig{Limits: true, WebhookPoll: time.Hour})
		accountID, userID, amo, key, uisToken := o.account("Secrets")
		const password = "Pa55-word-not-to-be-logged"
		if err := o.srv.Authority.SetPassword(context.Background(), userID, password); err != nil {
			t.Fatal(err)
		}
		const (
			wrongToken    = "wrong-bearer-token-d41d8cd98f00b204"
			wrongKey      = "wrong-api-key-e9800998ecf8427e"
			wrongUIS      = "wrong-uis-token-7215ee9c7d9dc229"
			wrongPassword = "wrong-password-d2a4e5c1"
			cookieSecret  = "cookie-secret-8f14e45fceea167a"
		)
		secrets := []string{amo, key, uisToken, password, wrongToken, wrongKey, wrongUIS, wrongPassword, cookieSecret}
		uis := func(method, params string, headers ...string) reply {
			return o.do("POST", "/v2.0", fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":%q,"params":%s}`, method, params), headers...)
		}
		form := func(v url.Values) string { return v.Encode() }

		o.do("GET", "/api/v4/account", "", "Authorization: Bearer "+amo, "Cookie: crmd_session="+cookieSecret)
		o.do("GET", "/api/v4/leads", "", "Authorization: Bearer "+wrongToken)
		o.do("GET", "/openapi/v1/main/data/?api_key="+key, "")
		o.do("GET", "/openapi/v1/main/data/?api_key="+wrongKey+"&x=1", "")
		o.do("POST", "/crm/api/v1/lead/set/?api_key="+key, `{"request":{"method":"create","values":{"name":"A","phone":"+74993229710"}}}`)
		uis("get.sales_funnel", fmt.Sprintf(`{"access_token":%q}`, uisToken))
		uis("get.sales_funnel", fmt.Sprintf(`{"access_token":%q}`, wrongUIS))
		login := uis("login.user", fmt.Sprintf(`{"login":"%d","password":%q}`, userID, password))
		session := regexp.MustCompile(`"access_token":"([^"]+)"`).FindStringSubmatch(login.body)
		if session == nil {
			t.Fatalf("UIS login.user: %s", login.body)
		}
		secrets = append(secrets, session[1])
		uis("get.sales_funnel", fmt.Sprintf(`{"access_token":%q}`, session[1]))
		uis("login.user", fmt.Sprintf(`{"login":"%d","password":%q}`, userID, wrongPassword))

		// The web sign-in: the form's password, then the session cookie.
		signIn := o.do("POST", "/login", form(url.Values{"login": {fmt.Sprint(userID)}, "password": {password}}),
			"Content-Type: application/x-www-form-urlencoded")
		cookie := regexp.MustCompile(`crmd_session=([^;]+)`).FindStringSubmatch(signIn.header.Get("Set-Cookie"))
		if signIn.status != 303 || cookie == nil {
			t.Fatalf("web sign-in: HTTP %d, Set-Cookie %q", signIn.status, signIn.header.Get("Set-Cookie"))
		}
		secrets = append(secrets, cookie[1])
		if r := o.do("GET", "/deals", "", "Cookie: crmd_session="+cookie[1]); r.status != 200 {
			t.Fatalf("the board with the session cookie: HTTP %d", r.status)
		}
		o.do("POST", "/login", form(url.Values{"login": {fmt.Sprint(userID)}, "password": {wrongPassword}}),
			"Content-Type: application/x-www-form-urlencoded")
		o.do("GET", "/deals?next="+url.QueryEscape(password), "", "Cookie: crmd_session="+cookieSecret)

		// Without the database every handler fails inside and logs it.
		o.srv.DB.Close()
		failing := []struct {
			id, method, path, body string
			headers                []string
		}{
			{"fail-amocrm", "GET", "/api/v4/account", "", []string{"Authorization: Bearer " + amo}},
			{"fail-envybox", "GET", "/openapi/v1/main/data/?api_key=" + key, "", nil},
			{"fail-uis", "POST", "/v2.0", fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"login.user","params":{"login":"%d","password":%q}}`, userID, password), nil},
			{"fail-web", "GET", "/deals", "", []string{"Cookie: crmd_session=" + cookie[1]}},
			{"fail-widget", "POST", fmt.Sprintf("/widget/v1/%d/lead", accountID), `{"name":"W","phone":"+79990000001"}`, nil},
			{"fail-readyz", "GET", "/readyz", "", nil},
		}
		for _, f := range failing {
			r := o.do(f.method, f.path, f.body, append(f.headers, server.RequestIDHeader+": "+f.id)...)
			if r.header.Get(server.RequestIDHeader) != f.id {
				t.Errorf("%s: X-Request-Id %q", f.id, r.header.Get(server.RequestIDHeader))
			}
		}

		lines := o.logLines()
		if len(lines) < 20 {
			t.Fatalf("%d log lines:\n%s", len(lines), o.logs.String())
		}
		errorsOf := map[string]int{}
		for _, l := range lines {
			id, _ := l["request_id"].(string)
			if id == "" {
				t.Errorf("a line without request_id: %v", l)
				continue
			}
			if l["level"] != "INFO" {
				errorsOf[id]++
			}
			if l["msg"] == "request" {
				if p, _ := l["path"].(string); strings.ContainsAny(p, "?&=") {
					t.Errorf("an access line logs a query: %v", l)
				}
			}
		}
		for _, f := range failing {
			if errorsOf[f.id] == 0 {
				t.Errorf("%s: no error or warning line with its request id", f.id)
			}
			if line := o.accessLine(f.id); line["status"] == float64(200) && f.id != "fail-uis" {
				t.Errorf("%s: access line %v, want a failure status", f.id, line)
			}
		}
		out := o.logs.String()
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("the log holds the secret %q", s)
			}
		}
		for _, word := range []string{"api_key", "Authorization", "Bearer", "Cookie", "password"} {
			if strings.Contains(out, word) {
				t.Errorf("the log mentions %q", word)
			}
		}
	})
}
