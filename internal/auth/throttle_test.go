package auth_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestLoginThrottleBurst: attempts that arrive together are charged as
// they arrive, so a burst of wrong passwords gets no more checks than the
// limit allows; those refused are not counted, and an IPv6 client is one
// address per /64.
func TestLoginThrottleBurst(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		a := env.Server.Authority
		acc := env.NewAccount(t, "Burst")
		users := make([]string, 2)
		for i := range users {
			u, err := a.CreateUser(ctx, crm.NewUser{AccountID: acc.AccountID, Name: "U", Role: crm.RoleMember, Email: "u" + strconv.Itoa(i) + "@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.SetPassword(ctx, u.UserID, "the password"); err != nil {
				t.Fatal(err)
			}
			users[i] = "u" + strconv.Itoa(i) + "@example.com"
		}
		a.SetLoginPolicy(auth.LoginPolicy{PerLogin: 3, PerAddress: 5, Window: auth.DefaultLoginPolicy.Window})

		checks := a.PasswordChecks()
		var mu sync.Mutex
		outcomes := map[string]int{}
		var wg sync.WaitGroup
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := a.Login(ctx, users[0], "wrong", "[2001:db8::1]:4000")
				var limit *auth.LoginLimitError
				kind := "other: " + fmt.Sprint(err)
				switch {
				case errors.Is(err, auth.ErrWrongLogin):
					kind = "wrong"
				case errors.As(err, &limit) && limit.PerLogin && crm.KindOf(err) == crm.KindLimit:
					kind = "limited"
				}
				mu.Lock()
				outcomes[kind]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if outcomes["wrong"] != 3 || outcomes["limited"] != 9 {
			t.Errorf("12 parallel attempts, limit 3: %v", outcomes)
		}
		if n := a.PasswordChecks() - checks; n != 3 {
			t.Errorf("%d passwords checked, want 3", n)
		}
		// The address has 3 failures (the 9 refusals did not count), and
		// the rest of its /64 shares them: 2 more, then it is refused.
		for i, from := range []string{"[2001:db8::2]:1", "[2001:db8::ffff:1]:2"} {
			if _, err := a.Login(ctx, users[1], "wrong", from); !errors.Is(err, auth.ErrWrongLogin) {
				t.Errorf("failure %d from the /64: %v", i+4, err)
			}
		}
		var limit *auth.LoginLimitError
		if _, err := a.Login(ctx, users[1], "the password", "[2001:db8::3]:3"); !errors.As(err, &limit) || limit.PerLogin || limit.Limit != 5 {
			t.Errorf("the 6th attempt from the /64: %v, want the address's limit", err)
		}
		// Another /64, an IPv4 client, and an IPv4 client written as IPv6
		// are other addresses.
		for _, from := range []string{"[2001:db8:0:1::1]:1", "192.0.2.1:5", "[::ffff:192.0.2.2]:6"} {
			if _, err := a.Login(ctx, users[1], "the password", from); err != nil {
				t.Errorf("from %s: %v", from, err)
			}
		}
	})
}
