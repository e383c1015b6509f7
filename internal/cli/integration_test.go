package cli_test

import (
	"encoding/json"
	"fmt"
	"strings"
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
