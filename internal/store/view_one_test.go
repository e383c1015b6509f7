package store_test

import (
	"context"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestViewOne: ViewOne reads what View reads for one statement, within the
// account only; a function that makes a second statement or writes fails,
// so that no caller takes a read of two snapshots for a consistent one.
func TestViewOne(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		a := newAccount(t, db, "One")
		b := newAccount(t, db, "Other")
		var viaView, viaOne crm.Account
		if err := db.View(ctx, a.AccountID, func(tx crm.Tx) (err error) { viaView, err = tx.Account(ctx); return err }); err != nil {
			t.Fatal(err)
		}
		if err := db.ViewOne(ctx, a.AccountID, func(tx crm.Tx) (err error) { viaOne, err = tx.Account(ctx); return err }); err != nil {
			t.Fatal(err)
		}
		if viaOne != viaView || viaOne.ID != a.AccountID {
			t.Errorf("ViewOne read %+v, View %+v", viaOne, viaView)
		}
		// Another account's deal is not found through ViewOne either.
		svc := crm.NewService(db)
		bActor := crm.Actor{AccountID: b.AccountID, UserID: b.UserID, Role: crm.RoleAdmin}
		leads, err := svc.AddLeads(ctx, bActor, []crm.LeadInput{{Name: ptr("B's")}})
		if err != nil {
			t.Fatal(err)
		}
		err = db.ViewOne(ctx, a.AccountID, func(tx crm.Tx) error {
			_, _, err := tx.DealWithParts(ctx, leads[0].ID, crm.DealPartFields|crm.DealPartTags|crm.DealPartContacts|crm.DealPartLossReason)
			return err
		})
		if crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("another account's deal through ViewOne: %v, want not found", err)
		}
		// Two statements, or a write, fail the call.
		err = db.ViewOne(ctx, a.AccountID, func(tx crm.Tx) error {
			if _, err := tx.Account(ctx); err != nil {
				return err
			}
			_, err := tx.Account(ctx)
			return err
		})
		if err == nil {
			t.Error("ViewOne with two statements succeeded")
		}
		own, err := svc.AddLeads(ctx, crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}, []crm.LeadInput{{Name: ptr("A's")}})
		if err != nil {
			t.Fatal(err)
		}
		err = db.ViewOne(ctx, a.AccountID, func(tx crm.Tx) error {
			return tx.SetDealUpdatedAt(ctx, own[0].ID, tx.Now())
		})
		if err == nil {
			t.Error("ViewOne with a write succeeded")
		}
	})
}
