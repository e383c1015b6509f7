package store_test

import (
	"context"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestDealSearchTextInStep: a deal keyword finds a deal by every text its
// search text is made of, as soon as the write that changed the text
// commits, and no longer by a text that is gone — whichever table the
// change went to, and whether it came one by one or through Bulk.
func TestDealSearchTextInStep(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		actor, _ := searchAccount(t, db)
		svc := crm.NewService(db)
		pipelines, err := svc.DealPipelines(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		stage := pipelines[0].Stages[0]
		var clientID, dealID, fieldID int64
		write := func(fn func(tx crm.Tx) error) {
			t.Helper()
			if err := db.Update(ctx, actor.AccountID, fn); err != nil {
				t.Fatal(err)
			}
		}
		write(func(tx crm.Tx) error {
			c := crm.Contact{Name: "Аркадий Ёлкин"}
			if err := tx.InsertContact(ctx, &c); err != nil {
				return err
			}
			clientID = c.ID
			d := crm.Deal{Name: "Поставка стульев", ClientID: c.ID, PipelineID: stage.PipelineID, StageID: stage.ID}
			if err := tx.InsertDeal(ctx, &d); err != nil {
				return err
			}
			dealID = d.ID
			f := crm.CustomField{EntityType: crm.EntityDeal, Name: "Город", Type: crm.FieldText}
			if err := tx.InsertCustomField(ctx, &f); err != nil {
				return err
			}
			fieldID = f.ID
			return nil
		})
		found := func(keyword string) bool {
			t.Helper()
			deals, total, err := svc.Deals(ctx, actor, crm.DealQuery{Keyword: keyword})
			if err != nil {
				t.Fatal(err)
			}
			return total == 1 && len(deals) == 1 && deals[0].ID == dealID
		}
		for _, kw := range []string{"стульев", "ПОСТАВКА", "ёлкин", "аркадий ё"} {
			if !found(kw) {
				t.Errorf("made: %q not found", kw)
			}
		}
		write(func(tx crm.Tx) error {
			return tx.UpdateClientName(ctx, clientID, "Борис Щукин", actor.UserID)
		})
		if found("ёлкин") || !found("щукин") {
			t.Error("client renamed: the old name still matches or the new one does not")
		}
		write(func(tx crm.Tx) error {
			return tx.InsertContactData(ctx, &crm.ContactData{OwnerType: crm.EntityContact, OwnerID: clientID, Kind: "email", Value: "shchukin@example.com"})
		})
		write(func(tx crm.Tx) error { return tx.SetServiceValue(ctx, crm.EntityDeal, dealID, 2005, "Yandex") })
		write(func(tx crm.Tx) error {
			return tx.SetFieldValues(ctx, crm.EntityDeal, dealID, []crm.FieldValue{{FieldID: fieldID, Values: []crm.Value{{Text: "Екатеринбург"}}}})
		})
		for _, kw := range []string{"shchukin@", "yandex", "екатеринбург"} {
			if !found(kw) {
				t.Errorf("after writes: %q not found", kw)
			}
		}
		write(func(tx crm.Tx) error { return tx.DeleteCustomField(ctx, crm.EntityDeal, fieldID) })
		if found("екатеринбург") {
			t.Error("a deleted field's value still matches")
		}
		write(func(tx crm.Tx) error {
			d, err := tx.Deal(ctx, dealID)
			if err != nil {
				return err
			}
			d.Name = "Поставка столов"
			return tx.UpdateDeal(ctx, &d)
		})
		if found("стульев") || !found("столов") {
			t.Error("deal renamed: the old name still matches or the new one does not")
		}
		// Bulk: a deal and its values loaded at once are found by them.
		var bulkDeal int64
		err = db.Bulk(ctx, actor.AccountID, func(b *store.Bulk) error {
			ds := []crm.Deal{{Name: "Оптовая партия", ClientID: clientID, PipelineID: stage.PipelineID, StageID: stage.ID}}
			if err := b.Deals(ds); err != nil {
				return err
			}
			bulkDeal = ds[0].ID
			return b.ServiceValues([]store.ServiceValue{{Entity: crm.EntityDeal, EntityID: bulkDeal, FieldID: 2006, Value: "CPC-Весна"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		deals, total, err := svc.Deals(ctx, actor, crm.DealQuery{Keyword: "cpc-весна"})
		if err != nil || total != 1 || len(deals) != 1 || deals[0].ID != bulkDeal {
			t.Errorf("bulk deal by its value: %d %v", total, err)
		}
		if _, total, _ := svc.Deals(ctx, actor, crm.DealQuery{Keyword: "щукин"}); total != 2 {
			t.Errorf("both deals of the client by its name: %d", total)
		}
	})
}
