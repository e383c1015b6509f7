package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestDealPage: a page of a stage's, a pipeline's or the account's deals
// is, row for row, the page the deal search gives for the same stage or
// pipeline (newest first, with the client, tags and nearest task a search
// row carries), at every offset up to past the end; it never shows a
// neighbour's deal; a negative offset is refused like the search's.
func TestDealPage(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		svc := crm.NewService(db)
		a := newAccount(t, db, "Board")
		b := newAccount(t, db, "Neighbour")
		admin := crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin, TimeZone: crm.DefaultTimeZone}
		other := crm.Actor{AccountID: b.AccountID, UserID: b.UserID, Role: crm.RoleAdmin, TimeZone: crm.DefaultTimeZone}

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
		var clients []crm.Client
		for _, n := range []crm.NewClient{{Name: "Клиент"}, {Name: "Покупатель", Phones: []string{"+7 900 000-00-01"}}} {
			c, err := svc.CreateClient(ctx, admin, n)
			if err != nil {
				t.Fatal(err)
			}
			clients = append(clients, c)
		}
		// Deals on every stage of both pipelines, most of them on the
		// first stage; two clients, some with a task and tags.
		var stages []crm.Stage
		stages = append(stages, primary.Stages...)
		stages = append(stages, second.Stages...)
		for i := range 41 {
			st := stages[0]
			if i%3 != 0 {
				st = stages[i%len(stages)]
			}
			n := crm.NewDeal{Name: fmt.Sprintf("Сделка %d", i), ClientID: clients[i%2].ID, PipelineID: st.PipelineID, StageID: st.ID}
			if i%4 == 0 {
				n.Task = &crm.NewTask{}
			}
			if i%5 == 0 {
				n.Tags = []string{"VIP", fmt.Sprintf("tag %d", i%3)}
			}
			if _, err := svc.CreateDeal(ctx, admin, n); err != nil {
				t.Fatal(err)
			}
		}
		// amoCRM leads with prices and without a client, in the other
		// pipeline; then an older deal moves onto a stage with newer ones.
		leads, err := svc.AddLeads(ctx, admin, []crm.LeadInput{
			{Name: ptr("A"), Price: ptr[int64](100), PipelineID: &second.ID},
			{Name: ptr("B"), Price: ptr[int64](250), PipelineID: &second.ID, Status: &crm.LeadStatusRef{PipelineID: second.ID, StageID: second.Stages[1].ID}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateLeads(ctx, admin, []crm.LeadInput{{ID: leads[0].ID, PipelineID: &primary.ID,
			Status: &crm.LeadStatusRef{PipelineID: primary.ID, StageID: primary.Stages[1].ID}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddLeads(ctx, other, []crm.LeadInput{{Name: ptr("Чужая")}}); err != nil {
			t.Fatal(err)
		}

		// check compares DealPage with FilterDeals for one selection at
		// every offset, and returns how many deals the pages held.
		check := func(name string, q crm.DealPageQuery, f crm.DealFilter) int {
			t.Helper()
			seen := 0
			for offset := 0; ; offset += q.Limit {
				q.Offset, f.Limit, f.Offset = offset, q.Limit, offset
				got, err := svc.DealPage(ctx, admin, q)
				if err != nil {
					t.Fatalf("%s at %d: %v", name, offset, err)
				}
				want, err := svc.FilterDeals(ctx, admin, f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want.Rows, got); diff != "" {
					t.Fatalf("%s at %d (-search +page):\n%s", name, offset, diff)
				}
				// The brief rows (the web's cards and table rows) are the
				// full rows with what they leave out cleared, from both.
				bq, bf := q, f
				bq.Brief, bf.Brief, bf.NoIDs = true, true, true
				brief, err := svc.DealPage(ctx, admin, bq)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(crm.BriefRows(want.Rows), brief); diff != "" {
					t.Fatalf("%s at %d, brief page (-full +brief):\n%s", name, offset, diff)
				}
				briefSearch, err := svc.FilterDeals(ctx, admin, bf)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(crm.BriefRows(want.Rows), briefSearch.Rows); diff != "" || briefSearch.Total != want.Total {
					t.Fatalf("%s at %d, brief search of %d, want %d (-full +brief):\n%s", name, offset, briefSearch.Total, want.Total, diff)
				}
				for i := 1; i < len(got); i++ {
					if got[i-1].ID <= got[i].ID {
						t.Fatalf("%s at %d: deal %d before %d, not newest first", name, offset, got[i-1].ID, got[i].ID)
					}
				}
				seen += len(got)
				if len(got) == 0 {
					if seen != want.Total {
						t.Fatalf("%s: the pages held %d deals, the search counts %d", name, seen, want.Total)
					}
					return seen
				}
			}
		}
		all := 0
		for _, p := range []crm.Pipeline{primary, second} {
			inPipeline := 0
			for _, st := range p.Stages {
				inPipeline += check("stage "+st.Name, crm.DealPageQuery{StageID: st.ID, Limit: 4}, crm.DealFilter{StageIDs: []int64{st.ID}})
				check("stage "+st.Name+" of its pipeline", crm.DealPageQuery{PipelineID: p.ID, StageID: st.ID, Limit: 3},
					crm.DealFilter{PipelineIDs: []int64{p.ID}, StageIDs: []int64{st.ID}})
			}
			if n := check("pipeline "+p.Name, crm.DealPageQuery{PipelineID: p.ID, Limit: 7}, crm.DealFilter{PipelineIDs: []int64{p.ID}}); n != inPipeline {
				t.Errorf("pipeline %s holds %d deals, its stages %d", p.Name, n, inPipeline)
			}
			all += inPipeline
		}
		if n := check("the account", crm.DealPageQuery{Limit: 10}, crm.DealFilter{}); n != all || n != 43 {
			t.Errorf("the account's pages held %d deals, its pipelines %d, want 43", n, all)
		}
		// A board's columns in one read (FilterDealColumns) against a
		// FilterDeals per column, full and brief, counted and with ids,
		// filtered by responsible, window and tag, at two offsets.
		today := time.Now().Format(time.DateOnly)
		for _, p := range []crm.Pipeline{primary, second} {
			var ids []int64
			for _, st := range p.Stages {
				ids = append(ids, st.ID)
			}
			for _, base := range []crm.DealFilter{
				{PipelineIDs: []int64{p.ID}, Limit: 3},
				{PipelineIDs: []int64{p.ID}, UserIDs: []int64{a.UserID}, Limit: 2, Offset: 1},
				{PipelineIDs: []int64{p.ID}, UserIDs: []int64{crm.NoResponsible}, Limit: 5},
				{PipelineIDs: []int64{p.ID}, Limit: 4, Dates: []crm.DateFilter{{Select: crm.SelectCreated,
					Period: crm.DatePeriod{Type: crm.DatePeriodRange, Start: today, End: today}}}},
				{PipelineIDs: []int64{p.ID}, Keyword: "Сделка", Limit: 4},
				{Limit: 50, StageIDs: []int64{stages[1].ID}}, // StageIDs is the columns'
			} {
				for _, mode := range []struct{ noIDs, brief bool }{{false, false}, {true, false}, {true, true}} {
					f := base
					f.NoIDs, f.Brief = mode.noIDs, mode.brief
					got, err := svc.FilterDealColumns(ctx, admin, f, ids)
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != len(ids) {
						t.Fatalf("%d columns for %d stages", len(got), len(ids))
					}
					for i, id := range ids {
						one := f
						one.StageIDs = []int64{id}
						want, err := svc.FilterDeals(ctx, admin, one)
						if err != nil {
							t.Fatal(err)
						}
						if diff := cmp.Diff(want, got[i]); diff != "" {
							t.Fatalf("pipeline %s, %+v, column %d (-FilterDeals +FilterDealColumns):\n%s", p.Name, f, id, diff)
						}
					}
				}
			}
		}
		if _, err := svc.FilterDealColumns(ctx, admin, crm.DealFilter{Offset: -1}, []int64{stages[0].ID}); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("columns at a negative offset: %v", err)
		}

		// Limit 0 is the search's default page.
		got, err := svc.DealPage(ctx, admin, crm.DealPageQuery{StageID: stages[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		want, err := svc.FilterDeals(ctx, admin, crm.DealFilter{StageIDs: []int64{stages[0].ID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || !cmp.Equal(want.Rows, got) {
			t.Errorf("the default page: %d rows, the search's %d", len(got), len(want.Rows))
		}

		// The neighbour sees nothing of the account's stages, and the
		// account nothing of the neighbour's.
		theirs, err := svc.DealPipelines(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := svc.DealPage(ctx, other, crm.DealPageQuery{StageID: stages[0].ID, Limit: 50}); err != nil || len(got) != 0 {
			t.Errorf("the neighbour's page of the account's stage: %d deals, %v", len(got), err)
		}
		if got, err := svc.DealPage(ctx, admin, crm.DealPageQuery{PipelineID: theirs[0].ID, Limit: 50}); err != nil || len(got) != 0 {
			t.Errorf("the account's page of the neighbour's pipeline: %d deals, %v", len(got), err)
		}
		if got, err := svc.DealPage(ctx, other, crm.DealPageQuery{Limit: 50}); err != nil || len(got) != 1 || got[0].Name != "Чужая" {
			t.Errorf("the neighbour's own deals: %+v, %v", got, err)
		}

		if _, err := svc.DealPage(ctx, admin, crm.DealPageQuery{StageID: stages[0].ID, Offset: -1}); crm.KindOf(err) != crm.KindInvalid {
			t.Errorf("a negative offset: %v", err)
		}
	})
}
