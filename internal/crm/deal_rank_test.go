package crm_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestPlaceDeal: cards placed by hand keep their order in the column —
// below a card, above one, at the top, and after sixty drops into the
// same gap, which uses the gap up and makes room — and a drop into
// another column changes the stage with its history entry.
func TestPlaceDeal(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _, admin := newEnvAccount(t, dsn)
		svc := crm.NewService(db)
		pipelines, err := svc.DealPipelines(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		p := pipelines[0]
		for _, x := range pipelines {
			if x.Primary {
				p = x
			}
		}
		stage, other := p.Stages[0].ID, p.Stages[1].ID
		var ids []int64
		for i := range 5 {
			name := fmt.Sprintf("Deal %d", i)
			out, err := svc.AddLeads(ctx, admin, []crm.LeadInput{{Name: &name, Status: &crm.LeadStatusRef{StageID: stage}}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, out[0].ID)
		}
		column := func(stageID int64) []int64 {
			t.Helper()
			rows, err := svc.DealPage(ctx, admin, crm.DealPageQuery{StageID: stageID, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			out := []int64{}
			for _, r := range rows {
				out = append(out, r.ID)
			}
			return out
		}
		// The model: the column as the user sees it.
		want := []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}
		if got := column(stage); !slices.Equal(got, want) {
			t.Fatalf("unplaced column %v, want newest first %v", got, want)
		}
		place := func(id, above, below int64) {
			t.Helper()
			if err := svc.PlaceDeal(ctx, admin, id, 0, above, below, admin.AsResponsible()); err != nil {
				t.Fatal(err)
			}
			want = slices.DeleteFunc(want, func(x int64) bool { return x == id })
			at := 0
			switch {
			case above != 0:
				at = slices.Index(want, above) + 1
			case below != 0:
				at = slices.Index(want, below)
			}
			want = slices.Insert(want, at, id)
			if got := column(stage); !slices.Equal(got, want) {
				t.Fatalf("after placing %d (above %d, below %d): %v, want %v", id, above, below, got, want)
			}
		}
		place(ids[0], ids[4], 0) // below the top card
		place(ids[1], 0, 0)      // to the top
		place(ids[2], 0, ids[4]) // above a card
		place(ids[3], 0, ids[1]) // above the top card
		// Sixty drops right below the same card, two cards taking turns:
		// each halves the gap under it, until there is no room left.
		for i := range 60 {
			place([]int64{ids[0], ids[4]}[i%2], ids[2], 0)
		}
		// A neighbour from another column is no place: the top.
		place(ids[4], 0, 0)

		// Dropped into another column between nothing: its top, the stage
		// changed with its history entry.
		if err := svc.PlaceDeal(ctx, admin, ids[0], other, 0, 0, admin.AsResponsible()); err != nil {
			t.Fatal(err)
		}
		if got := column(other); !slices.Equal(got, []int64{ids[0]}) {
			t.Errorf("the other column: %v", got)
		}
		entries, err := svc.History(ctx, admin, crm.HistoryQuery{EntityTypes: []crm.EntityType{crm.EntityDeal},
			EntityIDs: []int64{ids[0]}, TypeIDs: []int64{crm.LogDealStage}, Limit: 10})
		if err != nil || len(entries) != 1 {
			t.Errorf("stage entries after the drop: %d, %v", len(entries), err)
		}
		// A neighbour in another column is ignored: the card goes on top.
		if err := svc.PlaceDeal(ctx, admin, ids[2], other, ids[3], 0, admin.AsResponsible()); err != nil {
			t.Fatal(err)
		}
		if got := column(other); !slices.Equal(got, []int64{ids[2], ids[0]}) {
			t.Errorf("the other column after a stale neighbour: %v", got)
		}
		if err := svc.PlaceDeal(ctx, admin, 1<<40, 0, 0, 0, admin.AsResponsible()); crm.CodeOf(err) != crm.CodeDealNotFound {
			t.Errorf("placing a missing deal: %v", err)
		}
	})
}
