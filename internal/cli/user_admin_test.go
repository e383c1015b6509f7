package cli_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestUserRoleAndDeactivate: crmd user role|deactivate|activate apply the
// web's rules: a deactivated user's token is refused at once by a running
// server on the database, and the last active administrator stays.
func TestUserRoleAndDeactivate(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.Start(t, dsn)
		acc := env.NewAccount(t, "Acme")
		u := env.NewUser(t, acc.AccountID, crm.RoleMember)
		account, user, admin := fmt.Sprint(acc.AccountID), fmt.Sprint(u.UserID), fmt.Sprint(acc.UserID)
		if r := env.Do(t, "GET", "/api/v4/account", u.AmoCRMToken, ""); r.Status != 200 {
			t.Fatalf("token: %d", r.Status)
		}

		out, err := run(t, nil, "user", "role", "--db", dsn, "--account", account, "--user", user, "--role", "admin", "--json")
		if err != nil || !strings.Contains(out, `"role":"admin"`) || !strings.Contains(out, `"active":true`) {
			t.Fatalf("user role: %v %q", err, out)
		}
		if _, err := run(t, nil, "user", "role", "--db", dsn, "--account", account, "--user", user, "--role", "owner"); err == nil ||
			!strings.Contains(err.Error(), "admin or member") {
			t.Errorf("a bad role: %v", err)
		}
		out, err = run(t, nil, "user", "deactivate", "--db", dsn, "--account", account, "--user", user)
		if err != nil || !strings.Contains(out, "deactivated") {
			t.Fatalf("user deactivate: %v %q", err, out)
		}
		if r := env.Do(t, "GET", "/api/v4/account", u.AmoCRMToken, ""); r.Status != 401 {
			t.Errorf("a deactivated user's token on the running server: %d", r.Status)
		}
		for _, args := range [][]string{
			{"deactivate", "--user", admin},
			{"role", "--user", admin, "--role", "member"},
		} {
			_, err := run(t, nil, append(append([]string{"user"}, args...), "--db", dsn, "--account", account)...)
			if err == nil || !strings.Contains(err.Error(), "at least one active administrator") {
				t.Errorf("user %v: %v", args, err)
			}
		}
		if _, err := run(t, nil, "user", "activate", "--db", dsn, "--account", account, "--user", user); err != nil {
			t.Errorf("user activate: %v", err)
		}
		if _, err := run(t, nil, "user", "activate", "--db", dsn, "--account", account, "--user", "999999"); err == nil {
			t.Error("activated nobody")
		}
		if _, err := run(t, nil, "user", "deactivate", "--db", dsn, "--account", account); err == nil || !strings.Contains(err.Error(), "--user") {
			t.Errorf("no --user: %v", err)
		}
	})
}
