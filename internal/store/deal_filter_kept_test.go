package store_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/store"
)

// checkSearchTotals compares the searches counted from the kept totals
// (Tx.SearchDealsTotal: the board, its columns and the deal table) with
// the plain search that collects every id (Tx.SearchDeals): the same total
// and the same page, for every shape the kept path answers — stages,
// pipelines, responsible users, departments, nobody, and windows of
// creation times — and a few it hands back, with the page read by the
// estimate, by walking an index whenever allowed, and never. amoCRM's
// leads list, whose page alone may walk a stage's index, is compared
// with itself without the walk.
func checkSearchTotals(t *testing.T, db *store.DB, actor crm.Actor, stages []crm.Stage, users, times []int64, step string) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(uint64(len(times)), 38))
	var windows []crm.Range
	windows = append(windows, crm.Range{})
	for range 8 {
		a := times[r.IntN(len(times))] + int64(r.IntN(3)) - 1
		b := a + []int64{0, 86_399, 2*86_400 + 7, 64*86_400 + 1, 400 * 86_400, 1_000 * 86_400}[r.IntN(6)]
		windows = append(windows, crm.Range{From: &a, To: &b}, crm.Range{From: &a}, crm.Range{To: &b})
	}
	last := stages[len(stages)-1]
	type shape struct {
		stages, pipelines, users, departments []int64
		none                                  bool
		tag                                   bool // not kept: SearchDealsTotal hands it to SearchDeals
	}
	var shapes []shape
	for _, sp := range []shape{{}, {stages: []int64{stages[0].ID}}, {stages: []int64{stages[1].ID, last.ID}},
		{pipelines: []int64{stages[0].PipelineID}}, {stages: []int64{stages[1].ID}, pipelines: []int64{stages[1].PipelineID}},
		{pipelines: []int64{last.PipelineID}}} {
		for _, rp := range []shape{{}, {users: []int64{users[1]}}, {users: []int64{actor.UserID}}, {users: []int64{users[2], users[3]}},
			{departments: []int64{7}}, {none: true}, {users: []int64{users[1]}, departments: []int64{7}, none: true}} {
			sp.users, sp.departments, sp.none = rp.users, rp.departments, rp.none
			shapes = append(shapes, sp)
		}
	}
	shapes = append(shapes, shape{stages: []int64{stages[0].ID}, tag: true})
	// A field search counts its own criteria's deals from the kept totals
	// to choose the form of its field conditions (fewCandidates): the
	// same number as counting the deals, for every shape and window.
	owned := 0
	for _, sh := range shapes {
		for _, w := range windows {
			q := crm.DealSearchQuery{StageIDs: sh.stages, PipelineIDs: sh.pipelines, UserIDs: sh.users, DepartmentIDs: sh.departments,
				NoResponsible: sh.none, Dates: []crm.DateCondition{{Select: crm.SelectCreated, Range: w}}}
			kept, counted, ok, err := db.OwnCandidates(ctx, actor.AccountID, q)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			if !ok || kept != counted {
				t.Errorf("%s: own criteria %+v: kept %d (answered %v), counted %d", step, q, kept, ok, counted)
			}
			if counted > 0 {
				owned++
			}
		}
	}
	for _, q := range []crm.DealSearchQuery{{InboxTypeIDs: []int64{1}},
		{Dates: []crm.DateCondition{{Select: crm.SelectCreated}, {Select: crm.SelectClosed}}},
		{Dates: []crm.DateCondition{{Select: crm.SelectStageChanged, Range: windows[1]}}}} {
		if _, _, ok, err := db.OwnCandidates(ctx, actor.AccountID, q); err != nil || ok {
			t.Errorf("%s: own criteria %+v answered from the kept totals (%v)", step, q, err)
		}
	}
	if owned < 100 {
		t.Errorf("%s: only %d own criteria with deals compared", step, owned)
	}
	checked := 0
	for _, mode := range []int{store.WalkEstimated, store.WalkAlways, store.WalkNever} {
		store.SetPageWalk(t, mode)
		for i, sh := range shapes {
			// Every shape with a few windows, the first shapes with all.
			for j, w := range windows {
				if i > 8 && j%5 != i%5 {
					continue
				}
				q := crm.DealSearchQuery{StageIDs: sh.stages, PipelineIDs: sh.pipelines, UserIDs: sh.users, DepartmentIDs: sh.departments,
					NoResponsible: sh.none, Dates: []crm.DateCondition{{Select: crm.SelectCreated, Range: w}}, Limit: 3}
				if sh.tag {
					q.TagIDs = []int64{1}
				}
				err := db.View(ctx, actor.AccountID, func(tx crm.Tx) error {
					ids, _, err := tx.SearchDeals(ctx, q)
					if err != nil {
						return err
					}
					for _, off := range []int{0, len(ids) - 1, len(ids)} {
						q.Offset = max(off, 0)
						wantIDs, want, err := tx.SearchDeals(ctx, q)
						if err != nil {
							return err
						}
						total, got, err := tx.SearchDealsTotal(ctx, q)
						if err != nil {
							return err
						}
						if total != len(wantIDs) || !slices.Equal(dealIDs(got), dealIDs(want)) {
							t.Errorf("%s: walk %d: %+v: total %d, page %v; SearchDeals %d, %v", step, mode, q, total, dealIDs(got), len(wantIDs), dealIDs(want))
						}
						if len(want) > 0 && off == 0 {
							checked++
						}
					}
					return nil
				})
				if err != nil {
					t.Fatalf("%s: %v", step, err)
				}
			}
		}
		// amoCRM's leads of one stage, by responsible and window, in id
		// order either way and by creation time.
		if mode == store.WalkNever {
			continue
		}
		for _, st := range []crm.Stage{stages[0], stages[1], last} {
			for _, resp := range [][]int64{nil, {users[1]}, {actor.UserID}, {users[2], users[3]}} {
				for j, w := range windows {
					if j%4 != 0 {
						continue
					}
					for _, order := range []struct {
						by   string
						desc bool
					}{{"", false}, {"id", true}, {"created_at", true}} {
						q := crm.LeadQuery{Statuses: []crm.LeadStatusRef{{PipelineID: st.PipelineID, StageID: st.ID}}, PipelineIDs: []int64{st.PipelineID},
							ResponsibleUserIDs: resp, CreatedAt: w, OrderBy: order.by, Desc: order.desc, Limit: 3}
						for _, off := range []int{0, 4} {
							q.Offset = off
							var got, want []crm.Deal
							var gotMore, wantMore bool
							err := db.View(ctx, actor.AccountID, func(tx crm.Tx) (err error) {
								got, gotMore, err = tx.Leads(ctx, q)
								return err
							})
							if err != nil {
								t.Fatalf("%s: %v", step, err)
							}
							store.SetPageWalk(t, store.WalkNever)
							err = db.View(ctx, actor.AccountID, func(tx crm.Tx) (err error) {
								want, wantMore, err = tx.Leads(ctx, q)
								return err
							})
							store.SetPageWalk(t, mode)
							if err != nil {
								t.Fatalf("%s: %v", step, err)
							}
							if gotMore != wantMore || !slices.Equal(dealIDs(got), dealIDs(want)) {
								t.Errorf("%s: walk %d: leads %+v: %v (more %v), without the walk %v (more %v)", step, mode, q,
									dealIDs(got), gotMore, dealIDs(want), wantMore)
							}
						}
					}
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("%s: only %d searches with deals compared", step, checked)
	}
}

func dealIDs(list []crm.Deal) []int64 {
	out := make([]int64, len(list))
	for i, d := range list {
		out[i] = d.ID
	}
	return out
}
