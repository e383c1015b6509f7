package cli_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestUISUserPasswordAndLinkAgent: `crmd user password` makes login.user
// work against a running server; `crmd account link-agent` lets an agent's
// user act for the client's users.
func TestUISUserPasswordAndLinkAgent(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		agent := env.NewAccount(t, "Agent")
		client := env.NewAccount(t, "Client")
		rpc := func(method string, params map[string]any) map[string]any {
			b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
			return env.Do(t, "POST", "/v2.0", "", string(b)).Object(t)
		}

		login := map[string]any{"login": fmt.Sprint(client.UserID), "password": "s3cret-pass"}
		if _, has := rpc("login.user", login)["error"]; !has {
			t.Fatal("login without a password succeeded")
		}
		if _, err := run(t, nil, "user", "password", "--db", dsn, "--user", fmt.Sprint(client.UserID), "--password", "short"); err == nil ||
			!strings.Contains(err.Error(), "--password") {
			t.Errorf("short password: %v", err)
		}
		if _, err := run(t, nil, "user", "password", "--db", dsn, "--user", fmt.Sprint(client.UserID)); !cli.IsUsage(err) {
			t.Errorf("no --password: %v", err)
		}
		if out, err := run(t, nil, "user", "password", "--db", dsn, "--user", fmt.Sprint(client.UserID), "--password", "s3cret-pass"); err != nil ||
			!strings.Contains(out, "password set") {
			t.Fatalf("user password: %q %v", out, err)
		}
		if _, has := rpc("login.user", login)["result"]; !has {
			t.Errorf("login after crmd user password failed")
		}

		get := map[string]any{"access_token": agent.UISAccessToken, "user_id": client.UserID}
		if _, has := rpc("get.sales_funnel", get)["error"]; !has {
			t.Fatal("an account acted for another before link-agent")
		}
		out, err := run(t, nil, "account", "link-agent", "--db", dsn, "--agent", fmt.Sprint(agent.AccountID), "--client", fmt.Sprint(client.AccountID))
		if err != nil || !strings.Contains(out, "acts for") {
			t.Fatalf("link-agent: %q %v", out, err)
		}
		if reply := rpc("get.sales_funnel", get); reply["result"] == nil {
			t.Errorf("agent after link-agent: %v", reply)
		}
		if _, err := run(t, nil, "account", "link-agent", "--db", dsn, "--agent", fmt.Sprint(agent.AccountID), "--client", fmt.Sprint(agent.AccountID)); err == nil {
			t.Error("an account linked to itself")
		}
		if _, err := run(t, nil, "account", "link-agent", "--db", dsn, "--agent", fmt.Sprint(agent.AccountID)); !cli.IsUsage(err) {
			t.Errorf("no --client: %v", err)
		}
	})
}
