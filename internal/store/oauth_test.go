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

// TestRevokeIntegrationStore: revoking marks the integration's codes and
// refresh tokens used and deletes its access tokens, of that integration
// only, in one account's transaction; another account cannot revoke it nor
// list it; a second revocation is a conflict; the stored fields round-trip.
func TestRevokeIntegrationStore(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		acme, globex := newAccount(t, db, "Acme"), newAccount(t, db, "Globex")
		ins := []crm.Integration{
			{ClientID: "33333333-3333-4333-8333-333333333333", SecretHash: []byte{1}, Name: "Revoked", RedirectURI: "https://a.example/cb",
				DisconnectURL: "https://a.example/off", SigningKey: []byte{9, 8, 7}},
			{ClientID: "44444444-4444-4444-8444-444444444444", SecretHash: []byte{2}, Name: "Kept", RedirectURI: "https://b.example/cb"},
		}
		var access []crm.Credential
		for i := range ins {
			err := db.Update(ctx, acme.AccountID, func(tx crm.Tx) error {
				if err := tx.InsertIntegration(ctx, &ins[i]); err != nil {
					return err
				}
				for j, kind := range []crm.OAuthGrantKind{crm.GrantCode, crm.GrantRefresh} {
					g := crm.OAuthGrant{IntegrationID: ins[i].ID, UserID: acme.UserID, Hash: []byte{byte(40 + 2*i + j)}, ExpiresAt: time.Now().Add(time.Hour)}
					if err := tx.InsertOAuthGrant(ctx, kind, &g); err != nil {
						return err
					}
				}
				c := crm.Credential{UserID: acme.UserID, Kind: crm.CredentialAmoCRM, Hash: []byte{byte(50 + i)}, IntegrationID: ins[i].ID}
				access = append(access, c)
				return tx.InsertCredential(ctx, &c)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.IntegrationByClientID(ctx, ins[0].ClientID)
		if err != nil || got.DisconnectURL != "https://a.example/off" || string(got.SigningKey) != "\x09\x08\x07" || !got.RevokedAt.IsZero() {
			t.Fatalf("stored %+v %v", got, err)
		}
		list := func(accountID int64) []crm.IntegrationListing {
			var out []crm.IntegrationListing
			if err := db.View(ctx, accountID, func(tx crm.Tx) (err error) { out, err = tx.Integrations(ctx); return err }); err != nil {
				t.Fatal(err)
			}
			return out
		}
		if l := list(acme.AccountID); len(l) != 2 || l[0].Name != "Revoked" || l[0].LiveGrants != 2 || l[1].LiveGrants != 2 {
			t.Fatalf("listed %+v", l)
		}
		if l := list(globex.AccountID); len(l) != 0 {
			t.Errorf("another account lists %+v", l)
		}
		revoke := func(accountID int64) error {
			return db.Update(ctx, accountID, func(tx crm.Tx) error { return tx.RevokeIntegration(ctx, ins[0].ID) })
		}
		if err := revoke(globex.AccountID); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("another account revoked it: %v", err)
		}
		if err := revoke(acme.AccountID); err != nil {
			t.Fatal(err)
		}
		if err := revoke(acme.AccountID); crm.KindOf(err) != crm.KindConflict {
			t.Errorf("revoked twice: %v", err)
		}
		if got, _ := db.IntegrationByClientID(ctx, ins[0].ClientID); got.RevokedAt.IsZero() {
			t.Error("not marked revoked")
		}
		for i, kind := range []crm.OAuthGrantKind{crm.GrantCode, crm.GrantRefresh} {
			for j := range ins {
				g, err := db.OAuthGrantByHash(ctx, kind, []byte{byte(40 + 2*j + i)})
				if err != nil || g.Used.IsZero() != (j == 1) {
					t.Errorf("%s of integration %d after revoking: %+v %v", kind, j, g, err)
				}
			}
		}
		for j, c := range access {
			_, err := db.CredentialByHash(ctx, crm.CredentialAmoCRM, c.Hash)
			if (j == 0) != (crm.KindOf(err) == crm.KindNotFound) {
				t.Errorf("access token of integration %d after revoking: %v", j, err)
			}
		}
		if _, err := db.CredentialByHash(ctx, crm.CredentialAmoCRM, sha(acme.AmoCRMToken)); err != nil {
			t.Errorf("the long-lived token went too: %v", err)
		}
		if l := list(acme.AccountID); l[0].LiveGrants != 0 || l[0].RevokedAt.IsZero() || l[1].LiveGrants != 2 {
			t.Errorf("listed after revoking %+v", l)
		}
	})
}
