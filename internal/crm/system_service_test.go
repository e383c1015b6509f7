package crm_test

import (
	"context"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestAdministrator: the actor for an account without a credential is its
// first administrator, with the account's time zone; an unknown account
// has none.
func TestAdministrator(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _, admin := newEnvAccount(t, dsn)
		svc := crm.NewService(db)
		got, err := svc.Administrator(ctx, admin.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		if got.AccountID != admin.AccountID || got.UserID != admin.UserID || !got.IsAdmin() || got.TimeZone != crm.DefaultTimeZone {
			t.Errorf("administrator %+v, want the account's first, user %d, in %s", got, admin.UserID, crm.DefaultTimeZone)
		}
		if _, err := svc.Administrator(ctx, admin.AccountID+1000); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("an unknown account: %v, want not found", err)
		}
		if err := svc.Ping(ctx); err != nil {
			t.Errorf("ping: %v", err)
		}
	})
}
