package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// countStageTotals is what StageTotals must answer for every deal pipeline
// of the actor's account, counted the slow way from the deals list: one
// entry per stage in the pipeline's order, its deals and their prices. It
// also fails the test when a deal is in no pipeline the account lists.
func countStageTotals(t *testing.T, svc *crm.Service, actor crm.Actor) map[int64][]crm.StageTotal {
	t.Helper()
	ctx := context.Background()
	pipelines, err := svc.DealPipelines(ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]crm.StageTotal{}
	counted := 0
	for _, p := range pipelines {
		deals, total, err := svc.Deals(ctx, actor, crm.DealQuery{PipelineIDs: []int64{p.ID}, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if total != len(deals) {
			t.Fatalf("pipeline %d: %d deals on the page of %d: the test's page is too small", p.ID, len(deals), total)
		}
		want := make([]crm.StageTotal, len(p.Stages))
		index := map[int64]int{}
		for i, st := range p.Stages {
			want[i] = crm.StageTotal{StageID: st.ID, PipelineID: p.ID}
			index[st.ID] = i
		}
		for _, d := range deals {
			i, ok := index[d.StageID]
			if !ok {
				t.Fatalf("deal %d of pipeline %d is on stage %d, not one of the pipeline's", d.ID, p.ID, d.StageID)
			}
			want[i].Deals++
			want[i].PriceSum += d.Price
		}
		out[p.ID] = want
		counted += total
	}
	if _, all, err := svc.Deals(ctx, actor, crm.DealQuery{Limit: 1}); err != nil || all != counted {
		t.Fatalf("%d deals in the account, %d in its deal pipelines (%v)", all, counted, err)
	}
	return out
}

// checkStageTotals compares StageTotals of every deal pipeline with the
// deals list and returns the totals, keyed by pipeline.
func checkStageTotals(t *testing.T, svc *crm.Service, actor crm.Actor, step string) map[int64][]crm.StageTotal {
	t.Helper()
	want := countStageTotals(t, svc, actor)
	for pipelineID, w := range want {
		got, err := svc.StageTotals(context.Background(), actor, pipelineID)
		if err != nil {
			t.Fatalf("%s: StageTotals(%d): %v", step, pipelineID, err)
		}
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("%s: pipeline %d totals (-counted +kept):\n%s", step, pipelineID, diff)
		}
	}
	return want
}

// TestStageTotalsFollowWrites: the per-stage deal counts and price sums
// the deal board reads stay exact through every path that writes deals —
// Envybox's CreateDeal and stage change, amoCRM's lead batches (stage,
// price and pipeline changes, a batch that fails halfway), the bulk load,
// a stage deleted with its deals moved — and survive the deletion of an
// account beside them.
func TestStageTotalsFollowWrites(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		svc := crm.NewService(db)
		a := newAccount(t, db, "Board")
		b := newAccount(t, db, "Neighbour")
		admin := crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}
		other := crm.Actor{AccountID: b.AccountID, UserID: b.UserID, Role: crm.RoleAdmin}
		check := func(step string) map[int64][]crm.StageTotal {
			t.Helper()
			checkStageTotals(t, svc, other, step+" (the neighbour)")
			checkResponsibleTotals(t, db, other.AccountID, step+" (the neighbour)")
			checkResponsibleTotals(t, db, admin.AccountID, step)
			return checkStageTotals(t, svc, admin, step)
		}

		pipelines, err := svc.DealPipelines(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		primary := pipelines[0]
		second, err := svc.AddPipeline(ctx, admin, crm.Pipeline{Name: "Вебинар", AllowManualStageChange: true, Stages: []crm.Stage{
			{Name: "Новая", Status: crm.StageNew}, {Name: "Думает", Status: crm.StageInWork},
			{Name: "Купил", Status: crm.StageWon}, {Name: "Отказ", Status: crm.StageLost},
		}})
		if err != nil {
			t.Fatal(err)
		}
		for _, totals := range check("empty") {
			for _, st := range totals {
				if st.Deals != 0 || st.PriceSum != 0 {
					t.Fatalf("a new account has totals %+v", totals)
				}
			}
		}

		// Envybox deals: a client's deals, without a price.
		client, err := svc.CreateClient(ctx, admin, crm.NewClient{Name: "Клиент"})
		if err != nil {
			t.Fatal(err)
		}
		first, inWork := primary.Stages[0], primary.Stages[1]
		envyDeal, err := svc.CreateDeal(ctx, admin, crm.NewDeal{Name: "Envybox", ClientID: client.ID, PipelineID: primary.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateDeal(ctx, admin, crm.NewDeal{Name: "Envybox 2", ClientID: client.ID, PipelineID: primary.ID, StageID: inWork.ID}); err != nil {
			t.Fatal(err)
		}
		// The neighbour's deals must never show in the account's totals.
		if _, err := svc.AddLeads(ctx, other, []crm.LeadInput{{Name: ptr("Чужая"), Price: ptr[int64](999_999)}}); err != nil {
			t.Fatal(err)
		}
		check("CreateDeal")

		// amoCRM leads with prices, on several stages of both pipelines.
		leads, err := svc.AddLeads(ctx, admin, []crm.LeadInput{
			{Name: ptr("A"), Price: ptr[int64](100)},
			{Name: ptr("B"), Price: ptr[int64](250), Status: &crm.LeadStatusRef{StageID: first.ID}},
			{Name: ptr("C"), Price: ptr[int64](7), Status: &crm.LeadStatusRef{StageID: inWork.ID}},
			{Name: ptr("D"), Price: ptr[int64](1000), PipelineID: &second.ID},
			{Name: ptr("E"), Price: ptr[int64](3_000_000_000), PipelineID: &second.ID, Status: &crm.LeadStatusRef{PipelineID: second.ID, StageID: second.Stages[1].ID}},
		})
		if err != nil {
			t.Fatal(err)
		}
		totals := check("AddLeads")
		if got := totals[primary.ID][0]; got.Deals != 3 || got.PriceSum != 350 {
			t.Errorf("the main pipeline's first stage after AddLeads: %+v, want 3 deals worth 350", got)
		}
		if got := totals[second.ID][1]; got.Deals != 1 || got.PriceSum != 3_000_000_000 {
			t.Errorf("a price beyond 32 bits: %+v", got)
		}

		// A batch that fails on its second lead writes nothing, totals
		// included: the triggers run in the batch's transaction.
		if _, err := svc.AddLeads(ctx, admin, []crm.LeadInput{{Name: ptr("Kept?"), Price: ptr[int64](5)}, {Name: ptr("Bad"), Price: ptr[int64](-1)}}); crm.KindOf(err) != crm.KindInvalid {
			t.Fatalf("a batch with a negative price: %v", err)
		}
		if after := check("a failed batch"); !cmp.Equal(after, totals) {
			t.Errorf("a failed batch changed the totals")
		}

		// Envybox's stage change.
		if err := svc.ChangeDealStage(ctx, admin, envyDeal.ID, 0, inWork.ID, crm.Responsible{UserID: admin.UserID}); err != nil {
			t.Fatal(err)
		}
		check("ChangeDealStage")
		// A responsible changed with the stage, and alone.
		if err := svc.ChangeDealStage(ctx, admin, envyDeal.ID, 0, first.ID, crm.Responsible{UserID: admin.UserID, EmployeeID: 7}); err != nil {
			t.Fatal(err)
		}
		check("ChangeDealStage with another responsible")
		if err := svc.ChangeDealStage(ctx, admin, envyDeal.ID, 0, first.ID, crm.Responsible{UserID: admin.UserID, EmployeeID: 8}); err != nil {
			t.Fatal(err)
		}
		check("ChangeDealStage of the responsible alone")

		// amoCRM updates: a stage and a price at once, a price alone, a
		// stage alone, a lead won, a lead moved to the other pipeline's
		// entry stage and one to a named stage there.
		won, _ := primary.StageByStatus(crm.StageWon)
		for _, step := range []struct {
			name string
			in   []crm.LeadInput
		}{
			{"status and price", []crm.LeadInput{{ID: leads[0].ID, Price: ptr[int64](120), Status: &crm.LeadStatusRef{StageID: inWork.ID}}}},
			{"price alone", []crm.LeadInput{{ID: leads[1].ID, Price: ptr[int64](0)}}},
			{"status alone", []crm.LeadInput{{ID: leads[2].ID, Status: &crm.LeadStatusRef{StageID: first.ID}}}},
			{"won", []crm.LeadInput{{ID: leads[1].ID, Price: ptr[int64](40), Status: &crm.LeadStatusRef{Status: crm.StageWon}}}},
			{"another pipeline", []crm.LeadInput{{ID: leads[0].ID, PipelineID: &second.ID}}},
			{"another pipeline's stage", []crm.LeadInput{
				{ID: leads[2].ID, Price: ptr[int64](70), PipelineID: &second.ID, Status: &crm.LeadStatusRef{PipelineID: second.ID, StageID: second.Stages[1].ID}},
				{ID: leads[3].ID, PipelineID: &primary.ID, Status: &crm.LeadStatusRef{PipelineID: primary.ID, StageID: inWork.ID}},
			}},
			{"a rename only", []crm.LeadInput{{ID: leads[4].ID, Name: ptr("E renamed")}}},
		} {
			if _, err := svc.UpdateLeads(ctx, admin, step.in); err != nil {
				t.Fatalf("UpdateLeads %s: %v", step.name, err)
			}
			check("UpdateLeads " + step.name)
		}
		if got := check("after the updates")[primary.ID]; got[len(got)-2].StageID != won.ID || got[len(got)-2].Deals != 1 || got[len(got)-2].PriceSum != 40 {
			t.Errorf("the won stage: %+v", got)
		}

		// The bulk load (seeds, imports).
		err = db.Bulk(ctx, admin.AccountID, func(bk *store.Bulk) error {
			ds := make([]crm.Deal, 30)
			for i := range ds {
				st := primary.Stages[i%len(primary.Stages)]
				ds[i] = crm.Deal{Name: fmt.Sprint("Bulk ", i), ClientID: client.ID, PipelineID: primary.ID, StageID: st.ID, Price: int64(i * 11),
					Responsible: crm.Responsible{UserID: admin.UserID, EmployeeID: int64(i % 4)}}
			}
			return bk.Deals(ds)
		})
		if err != nil {
			t.Fatal(err)
		}
		check("Bulk")

		// A stage deleted with its deals: they move to the first open
		// stage, and the deleted stage's totals go with it.
		extra, err := svc.AddStage(ctx, admin, primary.ID, crm.NewStage{Name: "Временная", Position: 5})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateLeads(ctx, admin, []crm.LeadInput{
			{ID: leads[2].ID, PipelineID: &primary.ID, Status: &crm.LeadStatusRef{PipelineID: primary.ID, StageID: extra.ID}},
			{ID: leads[3].ID, Price: ptr[int64](33), Status: &crm.LeadStatusRef{StageID: extra.ID}},
		}); err != nil {
			t.Fatal(err)
		}
		before := check("deals on the extra stage")[primary.ID]
		if err := svc.DeleteStage(ctx, admin, primary.ID, extra.ID, true); err != nil {
			t.Fatal(err)
		}
		after := check("DeleteStage moveDeals")[primary.ID]
		if len(after) != len(before)-1 || after[0].Deals != before[0].Deals+2 || after[0].PriceSum != before[0].PriceSum+70+33 {
			t.Errorf("the first stage after the deletion: %+v, before %+v", after, before)
		}

		// One statement that swaps the deals of two stages and reprices
		// some of them, as no service call does yet: the totals follow
		// whatever SQL writes deals, per row or per statement.
		if err := db.ExecRaw(ctx, `UPDATE deals SET stage_id = CASE WHEN stage_id = ? THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END, price = price + id % 3
			WHERE account_id = ? AND stage_id IN (?, ?)`, first.ID, inWork.ID, first.ID, admin.AccountID, first.ID, inWork.ID); err != nil {
			t.Fatal(err)
		}
		swapped := check("one statement swapping two stages")[primary.ID]
		if swapped[0].Deals != after[1].Deals || swapped[1].Deals != after[0].Deals {
			t.Errorf("the swapped stages: %+v, before %+v", swapped, after)
		}
		after = swapped
		// One statement that hands some deals to other responsibles, again
		// as only SQL does: the stage totals stay, the kept groups follow.
		if err := db.ExecRaw(ctx, `UPDATE deals SET employee_id = employee_id + id % 2, user_id = user_id + id % 3 - 1
			WHERE account_id = ?`, admin.AccountID); err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(check("one statement changing responsibles")[primary.ID], after) {
			t.Errorf("changing responsibles changed the stage totals")
		}
		if n := checkResponsibleTotals(t, db, admin.AccountID, "groups"); n < 8 {
			t.Errorf("%d groups of stage and responsible, want at least 8", n)
		}

		// Reads: a member sees the same board; an inbound pipeline, an
		// unknown id and another account's pipeline are not found.
		member, err := svc.StageTotals(ctx, crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleMember}, primary.ID)
		if err != nil || !cmp.Equal(member, after) {
			t.Errorf("a member's totals %+v (%v), want %+v", member, err, after)
		}
		ref, err := svc.Reference(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{ref.InboundPipelines[0].ID, 987654, second.ID} {
			actor := admin
			if id == second.ID {
				actor = other
			}
			if _, err := svc.StageTotals(ctx, actor, id); crm.KindOf(err) != crm.KindNotFound {
				t.Errorf("StageTotals(%d) for account %d: %v, want not found", id, actor.AccountID, err)
			}
		}

		// Deleting the account takes its deals and totals (both cascade, in
		// whichever order) without an error, and leaves the neighbour's.
		if err := db.ExecRaw(ctx, `DELETE FROM accounts WHERE id = ?`, a.AccountID); err != nil {
			t.Fatalf("delete an account with deals: %v", err)
		}
		var left int
		if err := db.QueryRaw(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM stage_totals WHERE account_id = %d`, a.AccountID), &left); err != nil || left != 0 {
			t.Errorf("%d totals rows of the deleted account (%v)", left, err)
		}
		checkStageTotals(t, svc, other, "the neighbour after the deletion")
		if _, err := svc.AddLeads(ctx, other, []crm.LeadInput{{Name: ptr("Ещё"), Price: ptr[int64](1)}}); err != nil {
			t.Fatal(err)
		}
		checkStageTotals(t, svc, other, "the neighbour's next lead")
	})
}

// ptr returns a pointer to v, for the optional fields of service inputs.
func ptr[T any](v T) *T { return &v }
