package uis_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestUISLoginThrottle: failed logins are counted per login and per client
// address (every request here comes from 127.0.0.1, so each count is tested
// with the other switched off). Once a count is at its limit, login.user
// answers limit_exceeded — even with the right password — without checking
// the password, until the window that began at the count's first failure
// passes; a success clears the login's count and gives the address its
// charge back.
func TestUISLoginThrottle(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		env.Server.DB.Now = func() time.Time { return now }
		a := env.Server.Authority
		acc := newAccount(t, env, "Throttle")
		user := func(email, password string) int64 {
			u, err := a.CreateUser(ctx, crm.NewUser{AccountID: acc.id, Name: email, Role: crm.RoleMember, Email: email})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.SetPassword(ctx, u.UserID, password); err != nil {
				t.Fatal(err)
			}
			return u.UserID
		}
		anna := user("anna@example.com", "anna's password")
		user("boris@example.com", "boris's password")
		login := func(login, password string) map[string]any {
			return call(t, env, "", "login.user", map[string]any{"login": login, "password": password})
		}
		wrong := func(t *testing.T, l string) {
			t.Helper()
			wantErr(t, login(l, "a wrong guess"), -32001, "auth_error", "")
		}
		right := func(t *testing.T, l, password string) {
			t.Helper()
			ok(t, login(l, password))
		}
		// refused checks the limit error and that no password was checked.
		refused := func(t *testing.T, l, password, field string, limit int, window string) {
			t.Helper()
			checks := a.PasswordChecks()
			e := wantErr(t, login(l, password), -32029, "limit_exceeded", field)
			msg := "Limit per " + window + " has been exceeded. Value of current limit per " + window + " is " + strconv.Itoa(limit)
			if e.message != msg {
				t.Errorf("message %q, want %q", e.message, msg)
			}
			if jsonText(e.params["limit_type"]) != window || jsonText(e.params["limit_max_value"]) != strconv.Itoa(limit) {
				t.Errorf("params %v", e.params)
			}
			if n := a.PasswordChecks() - checks; n != 0 {
				t.Errorf("a refused attempt checked %d passwords", n)
			}
		}

		t.Run("per login", func(t *testing.T) {
			a.SetLoginPolicy(auth.LoginPolicy{PerLogin: 3, Window: 10 * time.Minute})
			start := now
			for range 3 {
				wrong(t, "anna@example.com")
			}
			refused(t, "anna@example.com", "anna's password", "login", 3, "10 minutes")
			// The user's id and any spelling of the email are the same login.
			refused(t, strconv.FormatInt(anna, 10), "anna's password", "login", 3, "10 minutes")
			refused(t, " ANNA@example.com", "a wrong guess", "login", 3, "10 minutes")
			// Another login is not affected.
			right(t, "boris@example.com", "boris's password")
			now = start.Add(10*time.Minute - time.Second)
			refused(t, "anna@example.com", "anna's password", "login", 3, "10 minutes")
			now = start.Add(10 * time.Minute)
			right(t, "anna@example.com", "anna's password")

			// A success clears the count: 2 + 2 failures with one between
			// are not 4.
			for range 2 {
				wrong(t, "anna@example.com")
			}
			right(t, "anna@example.com", "anna's password")
			for range 2 {
				wrong(t, "anna@example.com")
			}
			right(t, "anna@example.com", "anna's password")
			for range 3 {
				wrong(t, "anna@example.com")
			}
			refused(t, "anna@example.com", "anna's password", "login", 3, "10 minutes")

			// A login that names nobody is counted too, as typed.
			for range 3 {
				wrong(t, "nobody@example.com")
			}
			refused(t, "Nobody@Example.com", "whatever", "login", 3, "10 minutes")
			now = now.Add(10 * time.Minute)
		})

		t.Run("per address", func(t *testing.T) {
			a.SetLoginPolicy(auth.LoginPolicy{PerAddress: 3, Window: time.Minute})
			start := now
			wrong(t, "anna@example.com")
			wrong(t, "boris@example.com")
			// A success does not count against the address.
			right(t, "boris@example.com", "boris's password")
			wrong(t, "nobody@example.com")
			// Three failures from this address, whatever the logins:
			// every login is refused, the right password too.
			refused(t, "boris@example.com", "boris's password", "", 3, "minute")
			refused(t, "anna@example.com", "anna's password", "", 3, "minute")
			now = start.Add(time.Minute)
			right(t, "boris@example.com", "boris's password")
		})

		t.Run("default", func(t *testing.T) {
			a.SetLoginPolicy(auth.DefaultLoginPolicy)
			now = now.Add(time.Hour)
			for range auth.DefaultLoginPolicy.PerLogin {
				wrong(t, "anna@example.com")
			}
			refused(t, "anna@example.com", "anna's password", "login", 10, "15 minutes")
		})

		t.Run("off", func(t *testing.T) {
			a.SetLoginPolicy(auth.LoginPolicy{})
			for range 5 {
				wrong(t, "boris@example.com")
			}
			right(t, "boris@example.com", "boris's password")
		})
	})
}
