package crm_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestBulkUpdateDealsCap: a filter matching more deals than the cap is
// refused inside the transaction with nothing changed; at the cap it runs,
// and each deal gets its own stage entry.
func TestBulkUpdateDealsCap(t *testing.T) {
	crm.SetBulkCap(t, 3)
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _, admin := newEnvAccount(t, dsn)
		svc := crm.NewService(db)
		var ids []int64
		for i := range 4 {
			name, tag := fmt.Sprintf("Deal %d", i), "many"
			if i == 3 {
				tag = "few"
			}
			out, err := svc.AddLeads(ctx, admin, []crm.LeadInput{{Name: &name, TagsToAdd: []crm.TagRef{{Name: tag}}}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, out[0].ID)
		}
		tags, _, err := svc.DictionaryTags(ctx, admin, crm.EntityDeal, crm.TagQuery{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		tagID := map[string]int64{}
		for _, tg := range tags {
			tagID[tg.Name] = tg.ID
		}
		won := crm.DealBulkChange{Status: crm.StageWon}
		if _, err := svc.BulkUpdateDeals(ctx, admin, crm.DealSelection{Filter: &crm.DealFilter{}}, won); crm.CodeOf(err) != crm.CodeBulkTooMany {
			t.Fatalf("4 deals over a cap of 3: %v", err)
		}
		if _, err := svc.BulkUpdateDeals(ctx, admin, crm.DealSelection{IDs: ids}, won); crm.CodeOf(err) != crm.CodeBulkTooMany {
			t.Fatalf("4 ids over a cap of 3: %v", err)
		}
		for _, id := range ids {
			fam, err := svc.Deal(ctx, admin, id, false)
			if err != nil {
				t.Fatal(err)
			}
			if fam.Deal.Stage.Status == crm.StageWon {
				t.Errorf("deal %d won by a refused change", id)
			}
		}
		n, err := svc.BulkUpdateDeals(ctx, admin, crm.DealSelection{Filter: &crm.DealFilter{TagIDs: []int64{tagID["many"]}}}, won)
		if err != nil || n != 3 {
			t.Fatalf("3 deals at the cap: %d, %v", n, err)
		}
		entries, err := svc.History(ctx, admin, crm.HistoryQuery{EntityTypes: []crm.EntityType{crm.EntityDeal}, EntityIDs: ids,
			TypeIDs: []int64{crm.LogDealStage}, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		per := map[int64]int{}
		for _, e := range entries {
			per[e.EntityID]++
		}
		if len(per) != 3 || per[ids[3]] != 0 {
			t.Errorf("stage entries per deal %v, want one for each of the first three", per)
		}
		// One thing at a time, and something.
		if _, err := svc.BulkUpdateDeals(ctx, admin, crm.DealSelection{IDs: ids}, crm.DealBulkChange{}); crm.CodeOf(err) != crm.CodeMissingInput {
			t.Errorf("no change: %v", err)
		}
		if _, err := svc.BulkUpdateDeals(ctx, admin, crm.DealSelection{IDs: ids[:1]}, crm.DealBulkChange{Status: crm.StageWon, AddTags: []string{"x"}}); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("two changes: %v", err)
		}
	})
}
