package crm_test

import (
	"context"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestStructureSettingsRules: the calls behind the settings screens refuse
// members, orders that do not name every pipeline or open stage once, and
// time zones the zone database does not know, and change nothing then.
func TestStructureSettingsRules(t *testing.T) {
	for _, c := range []struct {
		zone string
		ok   bool
	}{{"Europe/Moscow", true}, {"UTC", true}, {"Asia/Yekaterinburg", true}, {"", false}, {"Local", false},
		{"Mars/Olympus", false}, {" Europe/Moscow", false}, {"../etc/passwd", false}} {
		if got := crm.ValidTimeZone(c.zone); got != c.ok {
			t.Errorf("ValidTimeZone(%q) = %v", c.zone, got)
		}
	}
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _, admin := newEnvAccount(t, dsn)
		svc := crm.NewService(db)
		member := crm.Actor{AccountID: admin.AccountID, UserID: admin.UserID, Role: crm.RoleMember}
		second, err := svc.CreatePipeline(ctx, admin, crm.NewPipeline{Name: "Второй", Stages: []crm.NewStage{{Name: "A"}, {Name: "B", Position: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		list, err := svc.DealPipelines(ctx, admin)
		if err != nil || len(list) != 2 {
			t.Fatalf("pipelines: %v %v", list, err)
		}
		first := list[0]
		name := "Чужое"
		for what, err := range map[string]error{
			"UpdateAccount":             func() error { _, err := svc.UpdateAccount(ctx, member, crm.AccountPatch{Name: &name}); return err }(),
			"ReorderPipelines":          svc.ReorderPipelines(ctx, member, []int64{second.ID, first.ID}),
			"ReorderStages":             svc.ReorderStages(ctx, member, second.ID, []int64{second.Stages[1].ID, second.Stages[0].ID}),
			"DeleteStageMovingDeals":    svc.DeleteStageMovingDeals(ctx, member, second.ID, second.Stages[0].ID, second.Stages[1].ID),
			"DeletePipelineMovingDeals": svc.DeletePipelineMovingDeals(ctx, member, second.ID, first.Stages[0].ID),
		} {
			if crm.KindOf(err) != crm.KindForbidden {
				t.Errorf("%s as a member: %v", what, err)
			}
		}
		for _, ids := range [][]int64{{first.ID}, {first.ID, first.ID}, {first.ID, second.ID, 999999}, {first.ID, 999999}} {
			if err := svc.ReorderPipelines(ctx, admin, ids); crm.KindOf(err) != crm.KindInvalid {
				t.Errorf("ReorderPipelines(%v): %v", ids, err)
			}
		}
		won, _ := second.StageByStatus(crm.StageWon)
		for _, ids := range [][]int64{{second.Stages[0].ID}, {second.Stages[0].ID, won.ID}, {second.Stages[0].ID, second.Stages[0].ID},
			{second.Stages[0].ID, first.Stages[0].ID}} {
			if err := svc.ReorderStages(ctx, admin, second.ID, ids); crm.KindOf(err) != crm.KindInvalid {
				t.Errorf("ReorderStages(%v): %v", ids, err)
			}
		}
		if err := svc.ReorderStages(ctx, admin, 999999, nil); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("ReorderStages of no pipeline: %v", err)
		}
		after, _ := svc.DealPipelines(ctx, admin)
		if after[0].ID != first.ID || after[1].Stages[0].ID != second.Stages[0].ID {
			t.Errorf("refused orders changed the order: %+v", after)
		}
		// A good order is written: the second pipeline first, its stages swapped.
		if err := svc.ReorderPipelines(ctx, admin, []int64{second.ID, first.ID}); err != nil {
			t.Fatal(err)
		}
		if err := svc.ReorderStages(ctx, admin, second.ID, []int64{second.Stages[1].ID, second.Stages[0].ID}); err != nil {
			t.Fatal(err)
		}
		after, _ = svc.DealPipelines(ctx, admin)
		if after[0].ID != second.ID || after[0].Stages[0].ID != second.Stages[1].ID || after[0].Stages[2].Status != crm.StageWon {
			t.Errorf("after reordering: %+v", after)
		}
		// A deleted pipeline's target must be an open stage of another one.
		if err := svc.DeletePipelineMovingDeals(ctx, admin, second.ID, won.ID); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("moving to its own won stage: %v", err)
		}
		firstWon, _ := first.StageByStatus(crm.StageWon)
		if err := svc.DeletePipelineMovingDeals(ctx, admin, second.ID, firstWon.ID); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("moving to another pipeline's won stage: %v", err)
		}
		// Deleting the main pipeline makes the target's pipeline main.
		if err := svc.ReorderPipelines(ctx, admin, []int64{first.ID, second.ID}); err != nil {
			t.Fatal(err)
		}
		if err := svc.DeletePipelineMovingDeals(ctx, admin, first.ID, second.Stages[0].ID); err != nil {
			t.Fatal(err)
		}
		after, _ = svc.DealPipelines(ctx, admin)
		if len(after) != 1 || after[0].ID != second.ID || !after[0].Primary {
			t.Errorf("after deleting the main pipeline: %+v", after)
		}
	})
}
