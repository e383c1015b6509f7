package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestRememberedCredentialsAcrossProcesses: two crmd processes on one
// database (two store.DBs, each with its own Authority and so its own
// actor cache). Each has just authenticated every credential, so each
// remembers them; a revocation made through the first is refused by the
// second at its very next request, within the cache's lifetime — a
// deactivated user's amoCRM token and UIS token, a rotated Envybox key — a
// role change shows in the next actor, an amoCRM token remembered is
// still refused once past its expiry or before the moment it was checked,
// and a token altered by a character is refused while the original is
// remembered.
func TestRememberedCredentialsAcrossProcesses(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db1, db2 := open(t, dsn), open(t, dsn)
		a1, err := auth.New(ctx, db1)
		if err != nil {
			t.Fatal(err)
		}
		a2, err := auth.New(ctx, db2)
		if err != nil {
			t.Fatal(err)
		}
		creds, err := a1.CreateAccount(ctx, crm.NewAccount{Name: "Remembered"})
		if err != nil {
			t.Fatal(err)
		}
		admin := crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}
		member, err := a1.CreateUser(ctx, crm.NewUser{AccountID: creds.AccountID, Name: "Member", Role: crm.RoleMember})
		if err != nil {
			t.Fatal(err)
		}
		type check struct {
			name string
			fn   func(*auth.Authority) (crm.Actor, error)
		}
		amo := func(token string) func(*auth.Authority) (crm.Actor, error) {
			return func(a *auth.Authority) (crm.Actor, error) { return a.AmoCRM(ctx, token) }
		}
		memberAmo := check{"the member's amoCRM token", amo(member.AmoCRMToken)}
		memberUIS := check{"the member's UIS token", func(a *auth.Authority) (crm.Actor, error) { return a.UIS(ctx, member.UISAccessToken) }}
		envybox := check{"the Envybox key", func(a *auth.Authority) (crm.Actor, error) { return a.Envybox(ctx, creds.EnvyboxAPIKey) }}
		adminAmo := check{"the administrator's amoCRM token", amo(creds.AmoCRMToken)}
		accepted := func(c check, want crm.Role) {
			t.Helper()
			for i, a := range []*auth.Authority{a1, a2} {
				// Twice: the second is answered from the cache.
				for range 2 {
					got, err := c.fn(a)
					if err != nil || got.AccountID != creds.AccountID || got.Role != want {
						t.Fatalf("%s, process %d: %+v %v", c.name, i+1, got, err)
					}
				}
			}
		}
		refused := func(c check, a *auth.Authority, process int) {
			t.Helper()
			if got, err := c.fn(a); crm.KindOf(err) != crm.KindUnauthorized {
				t.Errorf("%s, process %d: %+v %v, want unauthorized", c.name, process, got, err)
			}
		}
		for _, c := range []check{memberAmo, memberUIS} {
			accepted(c, crm.RoleMember)
		}
		accepted(envybox, crm.RoleAdmin)
		accepted(adminAmo, crm.RoleAdmin)

		// A token altered by a character is not the remembered one.
		bad := creds.AmoCRMToken[:len(creds.AmoCRMToken)-1] + "A"
		if bad == creds.AmoCRMToken {
			bad = creds.AmoCRMToken[:len(creds.AmoCRMToken)-1] + "B"
		}
		refused(check{"an altered token", amo(bad)}, a2, 2)

		svc1 := crm.NewService(db1)
		if _, err := svc1.SetUserRole(ctx, admin, member.UserID, crm.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		for _, c := range []check{memberAmo, memberUIS} {
			if got, err := c.fn(a2); err != nil || got.Role != crm.RoleAdmin {
				t.Errorf("%s after a role change, process 2: %+v %v", c.name, got, err)
			}
		}
		if _, err := svc1.DeactivateUser(ctx, admin, member.UserID); err != nil {
			t.Fatal(err)
		}
		for _, c := range []check{memberAmo, memberUIS} {
			refused(c, a2, 2)
			refused(c, a1, 1)
		}
		if _, err := a1.RotateEnvyboxKey(ctx, admin); err != nil {
			t.Fatal(err)
		}
		refused(envybox, a2, 2)
		refused(envybox, a1, 1)

		// The administrator's token is remembered by both processes
		// (checked once more just now). Process 2's clock then goes back
		// an hour, before the token's nbf and before the moment it was
		// remembered, and then past the token's expiry.
		accepted(adminAmo, crm.RoleAdmin)
		now := time.Now()
		db2.Now = func() time.Time { return now.Add(-time.Hour) }
		refused(adminAmo, a2, 2)
		db2.Now = func() time.Time { return now.Add(auth.AmoCRMTokenTTL + time.Hour) }
		refused(adminAmo, a2, 2)
	})
}
