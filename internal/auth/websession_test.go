package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestWebSessions: a web session authenticates its user until it expires
// or is ended, and web and UIS sessions never stand in for each other.
func TestWebSessions(t *testing.T) {
	crmtest.StartEach(t, func(t *testing.T, env *crmtest.Env) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		env.Server.DB.Now = func() time.Time { return now }
		a := env.Server.Authority
		acc := env.NewAccount(t, "Web")
		if err := a.SetPassword(ctx, acc.UserID, "a long password"); err != nil {
			t.Fatal(err)
		}
		actor, err := a.Login(ctx, acc.Subdomain, "a long password", "")
		if err == nil {
			t.Fatalf("login by subdomain worked: %+v", actor)
		}
		actor, err = env.Server.Service.Administrator(ctx, acc.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		web, expires, err := a.StartWebSession(ctx, actor)
		if err != nil || !expires.Equal(now.Add(auth.WebSessionTTL)) {
			t.Fatalf("web session %q %v %v", web, expires, err)
		}
		if got, err := a.WebSession(ctx, web); err != nil || got.UserID != acc.UserID || got.AccountID != acc.AccountID ||
			got.Role != crm.RoleAdmin || got.TimeZone != crm.DefaultTimeZone {
			t.Errorf("web session: %+v %v", got, err)
		}
		uis, _, err := a.StartSession(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.WebSession(ctx, uis); crm.KindOf(err) != crm.KindUnauthorized {
			t.Errorf("a UIS session signed in to the web: %v", err)
		}
		if _, err := a.UISToken(ctx, web); crm.KindOf(err) != crm.KindUnauthorized {
			t.Errorf("a web session served as a UIS access_token: %v", err)
		}
		for _, bad := range []string{"", "nope", acc.AmoCRMToken} {
			if _, err := a.WebSession(ctx, bad); crm.KindOf(err) != crm.KindUnauthorized {
				t.Errorf("token %q: %v", bad, err)
			}
		}

		// Ended: gone for every process on the database, and ending it
		// again is not an error.
		if err := a.EndWebSession(ctx, web); err != nil {
			t.Fatal(err)
		}
		if _, err := a.WebSession(ctx, web); crm.KindOf(err) != crm.KindUnauthorized {
			t.Errorf("after sign-out: %v", err)
		}
		if err := a.EndWebSession(ctx, web); err != nil {
			t.Errorf("second sign-out: %v", err)
		}
		// The UIS session was not touched by the web sign-out.
		if _, err := a.UISToken(ctx, uis); err != nil {
			t.Errorf("UIS session after the web sign-out: %v", err)
		}

		// Expired.
		web, _, err = a.StartWebSession(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(auth.WebSessionTTL - time.Second)
		if _, err := a.WebSession(ctx, web); err != nil {
			t.Errorf("a second before expiry: %v", err)
		}
		now = now.Add(time.Second)
		if _, err := a.WebSession(ctx, web); crm.KindOf(err) != crm.KindUnauthorized {
			t.Errorf("at expiry: %v", err)
		}
	})
}
