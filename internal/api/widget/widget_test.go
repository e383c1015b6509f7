package widget_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/api/widget"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/ratelimit"
)

// wtLeadPath is the intake path of an account.
func wtLeadPath(accountID int64) string { return fmt.Sprintf("/widget/v1/%d/lead", accountID) }

// wtLeads lists an account's leads through Envybox lead/list.
func wtLeads(t testing.TB, env *crmtest.Env, key string) []map[string]any {
	t.Helper()
	resp := env.Do(t, http.MethodPost, "/openapi/v1/lead/list/?api_key="+key, "", `{"request": {"limit": 0, "offset": 0}}`)
	if resp.Status != http.StatusOK {
		t.Fatalf("lead/list: HTTP %d: %s", resp.Status, resp.Body)
	}
	leads, ok := resp.Object(t)["leads"].(map[string]any)
	if !ok {
		t.Fatalf("lead/list: no leads object: %s", resp.Body)
	}
	items, _ := leads["result"].([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		out = append(out, it.(map[string]any))
	}
	return out
}

// wtExpect checks an intake answer: the HTTP status, the same status_code
// and message in the body, and the CORS header.
func wtExpect(t testing.TB, resp *crmtest.Response, status int, msg string) {
	t.Helper()
	if resp.Status != status {
		t.Fatalf("HTTP %d, want %d; body: %s", resp.Status, status, resp.Body)
	}
	obj := resp.Object(t)
	if fmt.Sprint(obj["status_code"]) != fmt.Sprint(status) || obj["message"] != msg || len(obj) != 2 {
		t.Errorf("body %s, want status_code %d and message %q", resp.Body, status, msg)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("Access-Control-Allow-Origin %q, want *", got)
	}
}

// TestWidgetScript: GET /widget.js serves the script defining
// WBK.sendCrmLead.
func TestWidgetScript(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		resp := env.Do(t, http.MethodGet, "/widget.js", "", "")
		if resp.Status != http.StatusOK {
			t.Fatalf("HTTP %d: %s", resp.Status, resp.Body)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("Content-Type %q", ct)
		}
		for _, want := range []string{"WBK", "sendCrmLead", "/widget/v1/"} {
			if !strings.Contains(string(resp.Body), want) {
				t.Errorf("script lacks %q", want)
			}
		}
		if resp := env.Do(t, http.MethodGet, "/widget/v1/1/other", "", ""); resp.Status != http.StatusNotFound {
			t.Errorf("unknown widget path: HTTP %d", resp.Status)
		}
	})
}

// TestWidgetPreflight: the intake answers the CORS preflight of any origin.
func TestWidgetPreflight(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := env.NewAccount(t, "Preflight")
		resp := env.Do(t, http.MethodOptions, wtLeadPath(a.AccountID), "", "",
			"Origin: https://shop.example", "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: content-type")
		if resp.Status != http.StatusNoContent {
			t.Fatalf("HTTP %d: %s", resp.Status, resp.Body)
		}
		for k, want := range map[string]string{
			"Access-Control-Allow-Origin":  "*",
			"Access-Control-Allow-Methods": "POST, OPTIONS",
			"Access-Control-Allow-Headers": "Content-Type",
			"Access-Control-Max-Age":       "86400",
		} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s %q, want %q", k, got, want)
			}
		}
	})
}

// TestWidgetLead: a posted lead is recorded like lead/set (default pipeline
// and inbox type, phone normalised) and merged into an earlier lead of the
// same phone (parent_id).
func TestWidgetLead(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := env.NewAccount(t, "Leads")
		first := env.Do(t, http.MethodPost, "/openapi/v1/lead/set/?api_key="+a.EnvyboxAPIKey, "",
			`{"request": {"method": "create", "values": {"name": "Первый", "phone": "84993229710"}}}`)
		if first.Status != http.StatusOK {
			t.Fatalf("lead/set: %s", first.Body)
		}
		parentID := fmt.Sprint(first.Object(t)["id"])

		resp := env.Do(t, http.MethodPost, wtLeadPath(a.AccountID), "",
			`{"name": "Иван", "email": " Ivan@Example.COM ", "phone": "+7 (499) 322-97-10", "comment": "Перезвоните\nвечером"}`,
			"Origin: https://shop.example")
		wtExpect(t, resp, http.StatusOK, "success")
		leads := wtLeads(t, env, a.EnvyboxAPIKey)
		if len(leads) != 2 {
			t.Fatalf("%d leads, want 2", len(leads))
		}
		var got map[string]any
		for _, l := range leads {
			if l["name"] == "Иван" {
				got = l
			}
		}
		if got == nil {
			t.Fatalf("the widget's lead is not listed: %v", leads)
		}
		if got["phone"] != "74993229710" || got["email"] != "ivan@example.com" || fmt.Sprint(got["parent_id"]) != parentID {
			t.Errorf("lead %v: want the normalised phone, the email and parent_id %s", got, parentID)
		}
		service, _ := got["values"].(map[string]any)["service"].(map[string]any)
		comment, _ := service["comment"].(map[string]any)
		if comment == nil || comment["value"] != "Перезвоните\nвечером" {
			t.Errorf("comment value %v", service["comment"])
		}
		// The default pipeline and inbox type, as lead/set gives them.
		other := env.Do(t, http.MethodPost, "/openapi/v1/lead/get/?api_key="+a.EnvyboxAPIKey, "",
			fmt.Sprintf(`{"request": {"lead_id": %s}}`, parentID)).Object(t)
		ref, _ := other["result"].(map[string]any)
		if ref == nil {
			t.Fatalf("lead/get: %v", other)
		}
		if got["deal_pipeline_id"] != ref["deal_pipeline_id"] || got["inbox_type_id"] != ref["inbox_type_id"] {
			t.Errorf("pipeline/inbox %v/%v, want lead/set's %v/%v", got["deal_pipeline_id"], got["inbox_type_id"],
				ref["deal_pipeline_id"], ref["inbox_type_id"])
		}
		// An email alone is enough.
		wtExpect(t, env.Do(t, http.MethodPost, wtLeadPath(a.AccountID), "", `{"email": "only@example.com"}`), http.StatusOK, "success")
	})
}

// TestWidgetJunk: junk and an unknown crm_id get one and the same answer,
// and nothing is recorded.
func TestWidgetJunk(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := env.NewAccount(t, "Junk")
		good := `{"name": "Иван", "phone": "89991234567"}`
		var reference []byte
		for _, c := range []struct{ name, path, body string }{
			{"unknown crm_id", wtLeadPath(a.AccountID + 1000), good},
			{"crm_id not a number", "/widget/v1/abc/lead", good},
			{"crm_id zero", "/widget/v1/0/lead", good},
			{"not JSON", wtLeadPath(a.AccountID), `name=Иван&phone=89991234567`},
			{"empty", wtLeadPath(a.AccountID), ``},
			{"array", wtLeadPath(a.AccountID), `[{"phone": "89991234567"}]`},
			{"trailing data", wtLeadPath(a.AccountID), good + `{}`},
			{"no phone and no email", wtLeadPath(a.AccountID), `{"name": "Иван", "comment": "hi"}`},
			{"blank phone", wtLeadPath(a.AccountID), `{"phone": "   "}`},
			{"phone without digits", wtLeadPath(a.AccountID), `{"phone": "позвоните мне"}`},
			{"phone too short", wtLeadPath(a.AccountID), `{"phone": "123"}`},
			{"phone too many digits", wtLeadPath(a.AccountID), `{"phone": "1234567890123456"}`},
			{"bad email", wtLeadPath(a.AccountID), `{"email": "not-an-email"}`},
			{"object value", wtLeadPath(a.AccountID), `{"phone": {"$gt": ""}}`},
			{"list value", wtLeadPath(a.AccountID), `{"phone": ["89991234567"]}`},
			{"name too long", wtLeadPath(a.AccountID), fmt.Sprintf(`{"name": %q, "phone": "89991234567"}`, strings.Repeat("я", widget.MaxName+1))},
			{"comment too long", wtLeadPath(a.AccountID), fmt.Sprintf(`{"comment": %q, "phone": "89991234567"}`, strings.Repeat("x", widget.MaxComment+1))},
			{"control characters", wtLeadPath(a.AccountID), `{"name": "a\u0000b", "phone": "89991234567"}`},
		} {
			resp := env.Do(t, http.MethodPost, c.path, "", c.body)
			wtExpect(t, resp, http.StatusBadRequest, widget.MsgRejected)
			if reference == nil {
				reference = resp.Body
			} else if string(resp.Body) != string(reference) {
				t.Errorf("%s: body %s differs from the unknown crm_id's %s", c.name, resp.Body, reference)
			}
		}
		if leads := wtLeads(t, env, a.EnvyboxAPIKey); len(leads) != 0 {
			t.Errorf("junk recorded %d leads", len(leads))
		}
		// The longest accepted values pass.
		wtExpect(t, env.Do(t, http.MethodPost, wtLeadPath(a.AccountID), "",
			fmt.Sprintf(`{"name": %q, "phone": "89991234567"}`, strings.Repeat("я", widget.MaxName))), http.StatusOK, "success")
	})
}

// TestWidgetOversized: a body over 16 KiB is refused unread.
func TestWidgetOversized(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := env.NewAccount(t, "Big")
		body := fmt.Sprintf(`{"phone": "89991234567", "pad": %q}`, strings.Repeat("x", widget.MaxBodyBytes))
		wtExpect(t, env.Do(t, http.MethodPost, wtLeadPath(a.AccountID), "", body), http.StatusRequestEntityTooLarge, widget.MsgTooLarge)
		if leads := wtLeads(t, env, a.EnvyboxAPIKey); len(leads) != 0 {
			t.Errorf("an oversized body recorded %d leads", len(leads))
		}
	})
}

// wtClock is a settable clock.
type wtClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *wtClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *wtClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestWidgetLimits: the per-IP and per-account limits refuse with 429 and
// Retry-After, refused requests do not use up the allowance, and the
// windows pass. The handler is built with small limits over the test
// server's service; visitors are told apart by X-Forwarded-For, which is
// trusted from the loopback peer, named as a trusted proxy.
func TestWidgetLimits(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		clock := &wtClock{now: time.Date(2024, 5, 1, 10, 0, 5, 0, time.UTC)}
		h := widget.NewHandler(widget.Config{Service: env.Server.Service, Now: clock.Now, Limiter: ratelimit.NewFixedLimiter(env.Server.DB),
			Limits:         &widget.Limits{PerIP: ratelimit.Limits{PerMinute: 2}, PerAccount: ratelimit.Limits{PerMinute: 3, PerDay: 5}},
			TrustedProxies: wtProxies(t, "127.0.0.0/8")})
		srv := httptest.NewServer(h)
		defer srv.Close()
		limited := &crmtest.Env{URL: srv.URL, Client: env.Client}
		a := env.NewAccount(t, "Limited")
		b := env.NewAccount(t, "Other")
		post := func(account int64, ip, phone string) *crmtest.Response {
			return limited.Do(t, http.MethodPost, wtLeadPath(account), "", `{"phone": "`+phone+`"}`, "X-Forwarded-For: 198.51.100.7, "+ip)
		}
		wtExpect(t, post(a.AccountID, "203.0.113.1", "79990000001"), http.StatusOK, "success")
		wtExpect(t, post(a.AccountID, "203.0.113.1", "79990000002"), http.StatusOK, "success")
		// The third from one visitor within the minute: per-IP limit.
		resp := post(a.AccountID, "203.0.113.1", "79990000003")
		wtExpect(t, resp, http.StatusTooManyRequests, widget.MsgLimited)
		if ra := resp.Header.Get("Retry-After"); ra != "55" {
			t.Errorf("Retry-After %q, want 55 (the minute's rest)", ra)
		}
		// Another visitor still gets in, up to the account's 3 a minute; the
		// refused request above did not count.
		wtExpect(t, post(a.AccountID, "203.0.113.2", "79990000004"), http.StatusOK, "success")
		wtExpect(t, post(a.AccountID, "203.0.113.3", "79990000005"), http.StatusTooManyRequests, widget.MsgLimited)
		// Limits are per account: the other account is untouched.
		wtExpect(t, post(b.AccountID, "203.0.113.1", "79990000006"), http.StatusOK, "success")
		// A new minute: the day limit (5) leaves two more.
		clock.Add(time.Minute)
		wtExpect(t, post(a.AccountID, "203.0.113.1", "79990000007"), http.StatusOK, "success")
		wtExpect(t, post(a.AccountID, "203.0.113.5", "79990000008"), http.StatusOK, "success")
		resp = post(a.AccountID, "203.0.113.6", "79990000009")
		wtExpect(t, resp, http.StatusTooManyRequests, widget.MsgLimited)
		if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("Retry-After %q", ra)
		}
		if n := len(wtLeads(t, env, a.EnvyboxAPIKey)); n != 5 {
			t.Errorf("%d leads recorded, want the 5 admitted", n)
		}
		// An IPv6 visitor is counted by its /64.
		wtExpect(t, post(b.AccountID, "2001:db8:1:2::1", "79990000010"), http.StatusOK, "success")
		wtExpect(t, post(b.AccountID, "2001:db8:1:2::2", "79990000011"), http.StatusOK, "success")
		wtExpect(t, post(b.AccountID, "2001:db8:1:2::3", "79990000012"), http.StatusTooManyRequests, widget.MsgLimited)
	})
}

// wtProxies parses a trusted-proxy list or fails the test.
func wtProxies(t testing.TB, list string) []netip.Prefix {
	t.Helper()
	p, err := widget.ParseTrustedProxies(list)
	if err != nil {
		t.Fatalf("ParseTrustedProxies(%q): %v", list, err)
	}
	return p
}

// wtForwarded is a widget server with a per-visitor limit of 2 a minute
// (the account's is out of the way) that trusts the given proxies; post
// sends a lead with the given X-Forwarded-For from the loopback peer.
func wtForwarded(t *testing.T, env *crmtest.Env, proxies string) (post func(xff string) *crmtest.Response) {
	t.Helper()
	clock := &wtClock{now: time.Date(2024, 5, 1, 10, 0, 5, 0, time.UTC)}
	h := widget.NewHandler(widget.Config{Service: env.Server.Service, Now: clock.Now, Limiter: ratelimit.NewFixedLimiter(env.Server.DB),
		Limits:         &widget.Limits{PerIP: ratelimit.Limits{PerMinute: 2}, PerAccount: ratelimit.Limits{PerMinute: 1000}},
		TrustedProxies: wtProxies(t, proxies)})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := &crmtest.Env{URL: srv.URL, Client: env.Client}
	a := env.NewAccount(t, "Forwarded")
	n := 0
	return func(xff string) *crmtest.Response {
		n++
		return c.Do(t, http.MethodPost, wtLeadPath(a.AccountID), "", fmt.Sprintf(`{"phone": "7999100%04d"}`, n), "X-Forwarded-For: "+xff)
	}
}

// TestWidgetForwardedUntrusted: with no trusted proxy (crmd's default) a
// client on the loopback or an office LAN cannot pass the per-visitor limit
// by sending a fresh X-Forwarded-For each time: it is counted by its own
// address.
func TestWidgetForwardedUntrusted(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		post := wtForwarded(t, env, "")
		wtExpect(t, post("203.0.113.1"), http.StatusOK, "success")
		wtExpect(t, post("203.0.113.2"), http.StatusOK, "success")
		wtExpect(t, post("203.0.113.3"), http.StatusTooManyRequests, widget.MsgLimited)
		wtExpect(t, post("10.0.0.1, 203.0.113.4"), http.StatusTooManyRequests, widget.MsgLimited)
	})
}

// TestWidgetForwardedTrusted: behind trusted proxies X-Forwarded-For names
// the visitor: the right-most address that is not a trusted proxy. What a
// client writes to its left changes nothing, and an entry that is not an
// address leaves the request counted at the trusted hop that passed it on.
func TestWidgetForwardedTrusted(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		post := wtForwarded(t, env, "127.0.0.0/8, 10.0.0.0/8")
		// The loopback peer is trusted: each address is its own visitor.
		wtExpect(t, post("203.0.113.1"), http.StatusOK, "success")
		wtExpect(t, post("203.0.113.2"), http.StatusOK, "success")
		wtExpect(t, post("203.0.113.3"), http.StatusOK, "success")
		wtExpect(t, post("203.0.113.1"), http.StatusOK, "success")
		wtExpect(t, post("203.0.113.1"), http.StatusTooManyRequests, widget.MsgLimited)
		// Two trusted hops (10.1.2.3 and the peer) in front of 198.51.100.9;
		// the spoofed entries further left are ignored.
		wtExpect(t, post("192.0.2.1, 198.51.100.9, 10.1.2.3"), http.StatusOK, "success")
		wtExpect(t, post("192.0.2.2, 198.51.100.9, 10.1.2.3"), http.StatusOK, "success")
		wtExpect(t, post("192.0.2.3, 198.51.100.9, 10.1.2.3"), http.StatusTooManyRequests, widget.MsgLimited)
		// Through the same proxy, another visitor is not the proxy's count.
		wtExpect(t, post("192.0.2.4, 198.51.100.10, 10.1.2.3"), http.StatusOK, "success")
		// Junk stops the walk at the last trusted hop, 10.9.9.9.
		wtExpect(t, post("junk-1, 10.9.9.9"), http.StatusOK, "success")
		wtExpect(t, post("junk-2, 10.9.9.9"), http.StatusOK, "success")
		wtExpect(t, post("junk-3, 10.9.9.9"), http.StatusTooManyRequests, widget.MsgLimited)
		wtExpect(t, post("10.9.9.9"), http.StatusTooManyRequests, widget.MsgLimited)
	})
}

// TestParseTrustedProxies: CIDR prefixes and bare addresses, separated by
// commas; anything else is an error.
func TestParseTrustedProxies(t *testing.T) {
	got, err := widget.ParseTrustedProxies(" 10.0.0.0/8, 192.168.1.10 ,2001:db8::/32,::1,,10.1.2.3/16, ::ffff:172.16.0.0/108")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.168.1.10/32", "2001:db8::/32", "::1/128", "10.1.0.0/16", "172.16.0.0/12"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("%d: %s, want %s", i, got[i], want[i])
		}
	}
	if got, err := widget.ParseTrustedProxies(""); err != nil || len(got) != 0 {
		t.Errorf("empty list: %v %v", got, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.local", "10.0.0.0/8,nope", "fe80::1%eth0", "10.0.0/8"} {
		if _, err := widget.ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestWidgetDefaultLimits: crmd serve's widget is limited even with the API
// limits off (crmtest.Start): one visitor gets at most 5 leads a minute in.
func TestWidgetDefaultLimits(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		a := env.NewAccount(t, "Defaults")
		refused := 0
		// 11 requests span at most two minute windows, so at most 10 pass.
		for i := range 11 {
			resp := env.Do(t, http.MethodPost, wtLeadPath(a.AccountID), "", fmt.Sprintf(`{"phone": "7999000%04d"}`, i))
			if resp.Status == http.StatusTooManyRequests {
				refused++
			} else if resp.Status != http.StatusOK {
				t.Fatalf("HTTP %d: %s", resp.Status, resp.Body)
			}
		}
		if refused == 0 {
			t.Error("no request was refused: the default per-IP limit is off")
		}
	})
}

// chromium finds a headless Chromium: $CRMD_CHROMIUM, chromium,
// chromium-browser or chromium-headless-shell.
func chromium() string {
	if p := os.Getenv("CRMD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "chromium-headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestWidgetPage loads a static page (served by the test) in headless
// Chromium; the page loads /widget.js from crmd and calls WBK.sendCrmLead
// on load, cross-origin, so the browser runs the CORS preflight. The lead
// then shows in lead/list. Without Chromium the test is skipped, except in
// CI (CI=true), where it fails.
func TestWidgetPage(t *testing.T) {
	browser := wtChromium(t)
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		wtPage(t, browser, env, httptest.NewServer)
	})
}

// TestWidgetPageTLS is TestWidgetPage as a shop on https embeds the widget
// from a crmd serving HTTPS itself (crmd serve --tls-cert): a browser
// would refuse the script and the post from a plain-HTTP crmd on such a
// page as mixed content. Both certificates are the tests' own, so Chromium
// is told to ignore certificate errors.
func TestWidgetPageTLS(t *testing.T) {
	browser := wtChromium(t)
	crmtest.StartEachTLS(t, func(t *testing.T, env *crmtest.Env, _ *crmtest.TestCert) {
		wtPage(t, browser, env, func(h http.Handler) *httptest.Server {
			site := httptest.NewUnstartedServer(h)
			site.EnableHTTP2 = true
			site.StartTLS()
			return site
		}, "--ignore-certificate-errors")
	})
}

// wtChromium is the browser of the page tests; without one they skip, or
// fail under CI=true.
func wtChromium(t *testing.T) string {
	t.Helper()
	browser := chromium()
	if browser == "" {
		msg := "!!! " + t.Name() + " needs headless Chromium (apt-get install chromium, or set CRMD_CHROMIUM): the widget page test did NOT run !!!"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return browser
}

// wtPage serves a shop page with newSite, opens it in Chromium (with
// flags) and checks the widget's lead arrived in env's crmd.
func wtPage(t *testing.T, browser string, env *crmtest.Env, newSite func(http.Handler) *httptest.Server, flags ...string) {
	t.Helper()
	a := env.NewAccount(t, "Site")
	page := fmt.Sprintf(`<!doctype html>
<html><head><meta charset="utf-8"><title>shop</title>
<script src="%s/widget.js"></script></head>
<body><p id="out">pending</p>
<script>
window.addEventListener('load', function () {
  var out = document.getElementById('out');
  WBK.sendCrmLead(%d, {'name': 'Посетитель сайта', 'email': 'Visitor@Example.com', 'phone': '8 (999) 765-43-21', 'comment': 'Хочу скидку'})
    .then(function (r) { out.textContent = 'answer:' + r.status_code + ' ' + r.message; },
          function (e) { out.textContent = 'failed:' + e; });
});
</script></body></html>`, env.URL, a.AccountID)
	site := newSite(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer site.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir(), "--virtual-time-budget=10000", "--dump-dom"}, flags...)
	cmd := exec.CommandContext(ctx, browser, append(args, site.URL+"/")...)
	cmd.WaitDelay = 5 * time.Second
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\nstderr: %s", browser, err, wtTail(stderr.String()))
	}
	if !strings.Contains(string(dom), `answer:200 success`) {
		t.Fatalf("the page did not get the intake's success; DOM:\n%s\nstderr: %s", dom, wtTail(stderr.String()))
	}
	leads := wtLeads(t, env, a.EnvyboxAPIKey)
	if len(leads) != 1 {
		t.Fatalf("%d leads, want the page's one", len(leads))
	}
	l := leads[0]
	if l["name"] != "Посетитель сайта" || l["phone"] != "79997654321" || l["email"] != "visitor@example.com" {
		t.Errorf("lead %v", l)
	}
}

// wtTail is the end of Chromium's stderr without its D-Bus complaints.
func wtTail(s string) string {
	var keep []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.Contains(line, "dbus") {
			keep = append(keep, line)
		}
	}
	out := strings.Join(keep, "\n")
	if len(out) > 4000 {
		out = out[len(out)-4000:]
	}
	return out
}
