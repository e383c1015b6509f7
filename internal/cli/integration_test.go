package cli_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestIntegrationCommands creates an integration and a code with the CLI
// and exchanges the code at the running server's token endpoint.
func TestIntegrationCommands(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		acc := env.NewAccount(t, "Acme Trading")
		other := env.NewAccount(t, "Globex")
		account := fmt.Sprint(acc.AccountID)

		out, err := run(t, nil, "integration", "create", "--db", dsn, "--account", account, "--name", "Test app",
			"--redirect-uri", "https://app.example/cb", "--json")
		if err != nil {
			t.Fatalf("integration create: %v", err)
		}
		var in map[string]string
		if err := json.Unmarshal([]byte(out), &in); err != nil || len(in) != 2 || len(in["client_id"]) != 36 || len(in["client_secret"]) != 64 {
			t.Fatalf("integration create printed %q (%v)", out, err)
		}
		out, err = run(t, nil, "integration", "authorize", "--db", dsn, "--client-id", in["client_id"],
			"--user", fmt.Sprint(acc.UserID), "--json")
		if err != nil {
			t.Fatalf("integration authorize: %v", err)
		}
		var code map[string]string
		if err := json.Unmarshal([]byte(out), &code); err != nil || len(code) != 1 || !strings.HasPrefix(code["code"], "def50200") {
			t.Fatalf("integration authorize printed %q (%v)", out, err)
		}
		body := fmt.Sprintf(`{"client_id":%q,"client_secret":%q,"grant_type":"authorization_code","code":%q,"redirect_uri":"https://app.example/cb"}`,
			in["client_id"], in["client_secret"], code["code"])
		resp := env.Do(t, "POST", "/oauth2/access_token", "", body)
		if resp.Status != 200 || !strings.Contains(string(resp.Body), `"token_type":"Bearer","expires_in":86400`) {
			t.Fatalf("exchange the CLI's code: %d %s", resp.Status, resp.Body)
		}

		// A user of another account cannot authorize this account's integration.
		if _, err := run(t, nil, "integration", "authorize", "--db", dsn, "--client-id", in["client_id"],
			"--user", fmt.Sprint(other.UserID)); err == nil || !strings.Contains(err.Error(), "User not found") {
			t.Errorf("another account's user: %v", err)
		}
		if _, err := run(t, nil, "integration", "authorize", "--db", dsn, "--client-id", "nope", "--user", "1"); err == nil ||
			!strings.Contains(err.Error(), "Integration not found") {
			t.Errorf("unknown client_id: %v", err)
		}
		if _, err := run(t, nil, "integration", "create", "--db", dsn, "--account", account, "--name", "X",
			"--redirect-uri", "ftp://app.example/cb"); err == nil || !strings.Contains(err.Error(), "--redirect-uri") {
			t.Errorf("an ftp redirect URI: %v", err)
		}
		for _, args := range [][]string{
			{"integration"},
			{"integration", "create", "--db", dsn, "--account", account, "--name", "X"},
			{"integration", "authorize", "--db", dsn, "--client-id", in["client_id"]},
			{"serve", "--public-url", "crm.example.com"},
		} {
			if _, err := run(t, nil, args...); !cli.IsUsage(err) {
				t.Errorf("%v: %v, want a usage error", args, err)
			}
		}
	})
}

// hookReceiver is a local disconnect hook: it records each request's query
// and answers status.
type hookReceiver struct {
	*httptest.Server
	mu      sync.Mutex
	queries []url.Values
	paths   []string
}

func newHookReceiver(t *testing.T, status int) *hookReceiver {
	h := &hookReceiver{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.queries = append(h.queries, r.URL.Query())
		h.paths = append(h.paths, r.Method+" "+r.URL.Path)
		h.mu.Unlock()
		if status == http.StatusFound {
			http.Redirect(w, r, "/elsewhere", status)
			return
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) received() ([]url.Values, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.queries), slices.Clone(h.paths)
}

// TestIntegrationRevokeHook: revoke calls the disconnect hook once with
// amoCRM's signed query (the signature checked as a receiver checks it,
// with the client secret), the hook's own query kept; a private address is
// refused unless --allow-private or CRMD_WEBHOOK_ALLOW_PRIVATE allows it,
// and the revocation stands whatever the hook did; a redirect is the
// answer, not followed. list shows the integrations without secrets.
func TestIntegrationRevokeHook(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		acc := env.NewAccount(t, "Acme Trading")
		account := fmt.Sprint(acc.AccountID)
		hook := newHookReceiver(t, http.StatusNoContent)
		create := func(name, disconnect string) map[string]string {
			t.Helper()
			args := []string{"integration", "create", "--db", dsn, "--account", account, "--name", name,
				"--redirect-uri", "https://app.example/cb", "--json"}
			if disconnect != "" {
				args = append(args, "--disconnect-url", disconnect)
			}
			out, err := run(t, nil, args...)
			var in map[string]string
			if err != nil || json.Unmarshal([]byte(out), &in) != nil {
				t.Fatalf("integration create: %v %q", err, out)
			}
			return in
		}
		revoke := func(env map[string]string, clientID string, flags ...string) map[string]any {
			t.Helper()
			out, err := run(t, env, append([]string{"integration", "revoke", "--db", dsn, "--account", account,
				"--client-id", clientID, "--json"}, flags...)...)
			var res map[string]any
			if err != nil || json.Unmarshal([]byte(out), &res) != nil {
				t.Fatalf("integration revoke: %v %q", err, out)
			}
			return res
		}

		signed := create("Signed", hook.URL+"/disconnect?app=7")
		res := revoke(nil, signed["client_id"], "--allow-private")
		queries, paths := hook.received()
		if len(queries) != 1 || !slices.Equal(paths, []string{"GET /disconnect"}) {
			t.Fatalf("the hook got %v %v, want one GET", paths, queries)
		}
		q := queries[0]
		mac := hmac.New(sha256.New, []byte(signed["client_secret"]))
		mac.Write([]byte(q.Get("client_uuid") + "|" + q.Get("account_id")))
		if want := hex.EncodeToString(mac.Sum(nil)); q.Get("signature") != want {
			t.Errorf("signature %q, want %q", q.Get("signature"), want)
		}
		if len(q) != 5 || q.Get("client_uuid") != signed["client_id"] || q.Get("client_id") != signed["client_id"] ||
			q.Get("account_id") != account || q.Get("app") != "7" {
			t.Errorf("hook query %v", q)
		}
		h, _ := res["disconnect_hook"].(map[string]any)
		if h == nil || h["status"] != float64(204) || h["error"] != nil || !strings.HasPrefix(h["url"].(string), hook.URL+"/disconnect?") {
			t.Errorf("revoke printed %v", res)
		}

		// Refused without the flag; the revocation stands.
		refused := create("Refused", hook.URL+"/disconnect")
		res = revoke(nil, refused["client_id"])
		h, _ = res["disconnect_hook"].(map[string]any)
		if h == nil || h["status"] != nil || !strings.Contains(fmt.Sprint(h["error"]), "destination address is not public") ||
			!strings.Contains(fmt.Sprint(h["error"]), "--allow-private") {
			t.Errorf("a private hook without --allow-private: %v", res)
		}
		if queries, _ := hook.received(); len(queries) != 1 {
			t.Errorf("the refused hook reached the receiver: %v", queries)
		}
		if _, err := run(t, nil, "integration", "revoke", "--db", dsn, "--account", account, "--client-id", refused["client_id"]); err == nil ||
			!strings.Contains(err.Error(), "already revoked") {
			t.Errorf("the revocation did not stand: %v", err)
		}
		// The environment allows it as crmd serve's setting does; the text
		// output says what came back.
		byEnv := create("By env", hook.URL+"/disconnect")
		out, err := run(t, map[string]string{"CRMD_WEBHOOK_ALLOW_PRIVATE": "true"}, "integration", "revoke", "--db", dsn,
			"--account", account, "--client-id", byEnv["client_id"])
		if err != nil || !strings.Contains(out, "revoked integration "+byEnv["client_id"]) || !strings.Contains(out, "disconnect hook: HTTP 204") {
			t.Errorf("revoke with CRMD_WEBHOOK_ALLOW_PRIVATE: %v %q", err, out)
		}
		// A redirect is the answer.
		redirecting := newHookReceiver(t, http.StatusFound)
		moved := create("Moved", redirecting.URL+"/disconnect")
		res = revoke(nil, moved["client_id"], "--allow-private")
		if h, _ = res["disconnect_hook"].(map[string]any); h == nil || h["status"] != float64(302) {
			t.Errorf("a redirecting hook: %v", res)
		}
		if _, paths := redirecting.received(); !slices.Equal(paths, []string{"GET /disconnect"}) {
			t.Errorf("the redirect was followed: %v", paths)
		}
		// No hook: nothing sent, and said so.
		plain := create("Plain", "")
		out, err = run(t, nil, "integration", "revoke", "--db", dsn, "--account", account, "--client-id", plain["client_id"])
		if err != nil || !strings.Contains(out, "disconnect hook: none") {
			t.Errorf("revoke without a hook: %v %q", err, out)
		}

		// list: every integration, no secret anywhere; text and JSON.
		live := create("Live", "")
		out, err = run(t, nil, "integration", "list", "--db", dsn, "--account", account, "--json")
		var list []map[string]any
		if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list) != 6 {
			t.Fatalf("integration list: %v %q", err, out)
		}
		for _, l := range list {
			if len(l) != 7 || l["revoked_at"] == nil != (l["client_id"] == live["client_id"]) || l["live_grants"] != float64(0) {
				t.Errorf("listed %v", l)
			}
		}
		if list[0]["name"] != "Signed" || list[0]["disconnect_url"] != hook.URL+"/disconnect?app=7" || list[5]["name"] != "Live" {
			t.Errorf("list order or fields: %v", list)
		}
		text, err := run(t, nil, "integration", "list", "--db", dsn, "--account", account)
		if err != nil || !strings.Contains(text, "CLIENT_ID") || !strings.Contains(text, live["client_id"]) {
			t.Errorf("list as text: %v %q", err, text)
		}
		for _, in := range []map[string]string{signed, refused, byEnv, moved, plain, live} {
			if strings.Contains(out+text, in["client_secret"]) {
				t.Errorf("list shows a secret: %q", out+text)
			}
		}
		other := env.NewAccount(t, "Globex")
		if out, err := run(t, nil, "integration", "list", "--db", dsn, "--account", fmt.Sprint(other.AccountID), "--json"); err != nil ||
			out != "[]\n" {
			t.Errorf("another account's list: %v %q", err, out)
		}
		if _, err := run(t, nil, "integration", "list", "--db", dsn, "--account", "999999"); err == nil ||
			!strings.Contains(err.Error(), "not found") {
			t.Errorf("list of a missing account: %v", err)
		}
		// Another account cannot revoke this one's integration.
		if _, err := run(t, nil, "integration", "revoke", "--db", dsn, "--account", fmt.Sprint(other.AccountID),
			"--client-id", live["client_id"]); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("revoke from another account: %v", err)
		}
		if _, err := run(t, nil, "integration", "create", "--db", dsn, "--account", account, "--name", "X",
			"--redirect-uri", "https://app.example/cb", "--disconnect-url", "ftp://x"); err == nil ||
			!strings.Contains(err.Error(), "--disconnect-url") {
			t.Errorf("an ftp disconnect URL: %v", err)
		}
		for _, args := range [][]string{
			{"integration", "list", "--db", dsn},
			{"integration", "revoke", "--db", dsn, "--account", account},
			{"integration", "revoke", "--db", dsn, "--client-id", live["client_id"]},
		} {
			if _, err := run(t, nil, args...); !cli.IsUsage(err) {
				t.Errorf("%v: %v, want a usage error", args, err)
			}
		}
		if _, err := run(t, map[string]string{"CRMD_WEBHOOK_ALLOW_PRIVATE": "maybe"}, "integration", "revoke", "--db", dsn,
			"--account", account, "--client-id", live["client_id"]); !cli.IsUsage(err) {
			t.Errorf("a bad CRMD_WEBHOOK_ALLOW_PRIVATE: %v", err)
		}
	})
}
