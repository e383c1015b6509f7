package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestOAuthTenantIsolation: an account's transaction neither reads another
// account's integration, nor stores a grant for it or for another account's
// user, nor uses another account's grant; a grant is used once.
func TestOAuthTenantIsolation(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		acme, globex := newAccount(t, db, "Acme"), newAccount(t, db, "Globex")
		in := crm.Integration{ClientID: "11111111-1111-4111-8111-111111111111", SecretHash: []byte{1, 2}, Name: "App",
			RedirectURI: "https://app.example/cb"}
		if err := db.Update(ctx, acme.AccountID, func(tx crm.Tx) error { return tx.InsertIntegration(ctx, &in) }); err != nil {
			t.Fatal(err)
		}
		dup := in
		err := db.Update(ctx, globex.AccountID, func(tx crm.Tx) error { return tx.InsertIntegration(ctx, &dup) })
		if crm.KindOf(err) != crm.KindConflict {
			t.Errorf("a taken client_id: %v", err)
		}
		found, err := db.IntegrationByClientID(ctx, in.ClientID)
		if err != nil || found.AccountID != acme.AccountID || string(found.SecretHash) != "\x01\x02" {
			t.Fatalf("by client_id: %+v %v", found, err)
		}
		err = db.View(ctx, globex.AccountID, func(tx crm.Tx) error { _, err := tx.Integration(ctx, in.ClientID); return err })
		if crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("another account's integration read: %v", err)
		}
		grant := func(accountID, userID int64, hash byte) (crm.OAuthGrant, error) {
			g := crm.OAuthGrant{IntegrationID: in.ID, UserID: userID, Hash: []byte{hash}, ExpiresAt: time.Now().Add(time.Hour)}
			err := db.Update(ctx, accountID, func(tx crm.Tx) error { return tx.InsertOAuthGrant(ctx, crm.GrantCode, &g) })
			return g, err
		}
		if _, err := grant(globex.AccountID, globex.UserID, 1); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("a grant for another account's integration: %v", err)
		}
		if _, err := grant(acme.AccountID, globex.UserID, 2); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("a grant for another account's user: %v", err)
		}
		g, err := grant(acme.AccountID, acme.UserID, 3)
		if err != nil {
			t.Fatal(err)
		}
		use := func(accountID int64) error {
			return db.Update(ctx, accountID, func(tx crm.Tx) error { return tx.UseOAuthGrant(ctx, crm.GrantCode, g.ID) })
		}
		if err := use(globex.AccountID); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("another account used the grant: %v", err)
		}
		if err := use(acme.AccountID); err != nil {
			t.Fatal(err)
		}
		if err := use(acme.AccountID); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("a grant used twice: %v", err)
		}
		read, err := db.OAuthGrantByHash(ctx, crm.GrantCode, []byte{3})
		if err != nil || read.ID != g.ID || read.Used.IsZero() || read.UserID != acme.UserID {
			t.Errorf("by hash: %+v %v", read, err)
		}
		if _, err := db.OAuthGrantByHash(ctx, crm.GrantRefresh, []byte{3}); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("a code found as a refresh token: %v", err)
		}
	})
}

// TestDeleteExpiredOAuthGrants: codes and refresh tokens of every account
// that expired before the cutoff go, used or not; those expired since, and
// live ones, stay.
func TestDeleteExpiredOAuthGrants(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		now := time.Now()
		cutoff := now.Add(-24 * time.Hour)
		type grant struct {
			kind    crm.OAuthGrantKind
			hash    byte
			expires time.Time
			used    bool
			kept    bool
		}
		var grants []grant
		for i, name := range []string{"Acme", "Globex"} {
			acc := newAccount(t, db, name)
			in := crm.Integration{ClientID: "2222222" + string(rune('0'+i)) + "-2222-4222-8222-222222222222", SecretHash: []byte{1},
				Name: "App", RedirectURI: "https://app.example/cb"}
			if err := db.Update(ctx, acc.AccountID, func(tx crm.Tx) error { return tx.InsertIntegration(ctx, &in) }); err != nil {
				t.Fatal(err)
			}
			for j, kind := range []crm.OAuthGrantKind{crm.GrantCode, crm.GrantRefresh} {
				base := byte(10*i + 4*j)
				mine := []grant{
					{kind, base, cutoff.Add(-time.Hour), false, false},
					{kind, base + 1, cutoff.Add(-time.Hour), true, false},
					{kind, base + 2, now.Add(-time.Hour), true, true},
					{kind, base + 3, now.Add(time.Hour), false, true},
				}
				for _, g := range mine {
					row := crm.OAuthGrant{IntegrationID: in.ID, UserID: acc.UserID, Hash: []byte{g.hash}, ExpiresAt: g.expires}
					err := db.Update(ctx, acc.AccountID, func(tx crm.Tx) error {
						if err := tx.InsertOAuthGrant(ctx, g.kind, &row); err != nil || !g.used {
							return err
						}
						return tx.UseOAuthGrant(ctx, g.kind, row.ID)
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				grants = append(grants, mine...)
			}
		}
		if err := db.DeleteExpiredOAuthGrants(ctx, cutoff); err != nil {
			t.Fatal(err)
		}
		for _, g := range grants {
			_, err := db.OAuthGrantByHash(ctx, g.kind, []byte{g.hash})
			if g.kept && err != nil {
				t.Errorf("%v %d (expires %v, used %v) was deleted: %v", g.kind, g.hash, g.expires, g.used, err)
			}
			if !g.kept && crm.KindOf(err) != crm.KindNotFound {
				t.Errorf("%v %d (expires %v, used %v) was kept: %v", g.kind, g.hash, g.expires, g.used, err)
			}
		}
	})
}
