package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// seedListDeals writes n deals through the bulk path, as crmdbench's seed
// does: the account's deal stages in turn, the users in turn as employee,
// one creation time every 15 minutes from base (about three years at
// 100,000 deals).
func seedListDeals(b *testing.B, db *store.DB, actor crm.Actor, users []int64, stages []crm.Stage, base time.Time, n int) {
	ctx := context.Background()
	start := time.Now()
	const batch = 10_000
	for from := 0; from < n; from += batch {
		err := db.Bulk(ctx, actor.AccountID, func(bk *store.Bulk) error {
			deals := make([]crm.Deal, 0, batch)
			for i := from; i < min(n, from+batch); i++ {
				st := stages[i%len(stages)]
				at := base.Add(time.Duration(i) * 15 * time.Minute)
				deals = append(deals, crm.Deal{Name: fmt.Sprintf("%s %d", benchProducts[i%len(benchProducts)], i), PipelineID: st.PipelineID,
					StageID: st.ID, Price: int64(i%50+1) * 1000, StageUpdatedAt: at, CreatedAt: at, UpdatedAt: at,
					Responsible: crm.Responsible{UserID: actor.UserID, EmployeeID: users[i%len(users)]}})
			}
			return bk.Deals(deals)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// Statistics on PostgreSQL, as autovacuum gathers them after a load;
	// crmd never gathers SQLite's, so its planner goes without.
	if db.Dialect() == "postgres" {
		if err := db.Analyze(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d deals in %s", n, time.Since(start).Round(time.Millisecond))
}

// BenchmarkDealListTotal measures the lists with their totals of issue 18
// at scale on each backend: the Envybox deal/list page (E19: one stage and
// a creation window, 50 deals and the total), and the board column
// filtered by responsible (a search of one stage and user: its cards and
// count).
// Run: go test -run '^$' -bench DealListTotal -benchtime 200x ./internal/store
func BenchmarkDealListTotal(b *testing.B) {
	for _, backend := range []crmtest.Backend{crmtest.SQLite, crmtest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			ctx := context.Background()
			db, actor, users, svc, pipelines := benchAccount(b, backend)
			var stages []crm.Stage
			for _, p := range pipelines {
				stages = append(stages, p.Stages...)
			}
			n := benchDeals()
			base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
			seedListDeals(b, db, actor, users, stages, base, n)
			last := base.Add(time.Duration(n) * 15 * time.Minute)
			msk, _ := time.LoadLocation(crm.DefaultTimeZone)
			day := func(t time.Time) time.Time {
				t = t.In(msk)
				return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, msk)
			}
			window := func(from, to time.Time) crm.Range {
				f, t := day(from).Unix(), day(to).AddDate(0, 0, 1).Unix()-1
				return crm.Range{From: &f, To: &t}
			}
			stage := stages[1]
			cases := []struct {
				name string
				q    crm.DealQuery
			}{
				// Nearly all of the stage's deals: crmdbench's scale of ~10,000 matches.
				{"deal-list-stage-window", crm.DealQuery{StageIDs: []int64{stage.ID}, DateField: "created",
					Dates: window(base.AddDate(0, 0, 10), last.AddDate(0, 0, -10)), Limit: 50}},
				{"deal-list-stage-month", crm.DealQuery{StageIDs: []int64{stage.ID}, DateField: "created",
					Dates: window(base.AddDate(0, 6, 0), base.AddDate(0, 7, 0)), Limit: 50}},
				{"deal-list-pipeline-window", crm.DealQuery{PipelineIDs: []int64{stage.PipelineID}, DateField: "created",
					Dates: window(base.AddDate(0, 3, 0), base.AddDate(1, 3, 0)), Limit: 50}},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					var total int
					for b.Loop() {
						list, n, err := svc.Deals(ctx, actor, c.q)
						if err != nil || len(list) == 0 {
							b.Fatalf("%d of %d: %v", len(list), n, err)
						}
						total = n
					}
					b.ReportMetric(float64(total), "matches")
				})
			}
			// The web's filtered lists, each with every id collected (ids,
			// as before migration 0038's round) and counted from the kept
			// totals (NoIDs, as the web asks now).
			period := []crm.DateFilter{{Select: crm.SelectCreated, Period: crm.DatePeriod{Type: crm.DatePeriodRange,
				Start: base.AddDate(0, 0, 40).Format(time.DateOnly), End: last.AddDate(0, 0, 5).Format(time.DateOnly)}}}
			filters := []struct {
				name string
				f    crm.DealFilter
			}{
				{"board-column-responsible", crm.DealFilter{StageIDs: []int64{stage.ID}, PipelineIDs: []int64{stage.PipelineID},
					UserIDs: users[1:2], Limit: 50}},
				{"board-column-responsible-window", crm.DealFilter{StageIDs: []int64{stage.ID}, PipelineIDs: []int64{stage.PipelineID},
					UserIDs: users[1:2], Dates: period, Limit: 50}},
				{"table-pipeline-responsible-window", crm.DealFilter{PipelineIDs: []int64{stage.PipelineID},
					UserIDs: users[1:2], Dates: period, Limit: 50}},
			}
			// "brief" is counted with the rows a card or table row shows
			// (DealFilter.Brief), as the web asks since the third round.
			for _, c := range filters {
				for _, mode := range []string{"ids", "counted", "brief"} {
					name := c.name + "/" + mode
					b.Run(name, func(b *testing.B) {
						var total int
						f := c.f
						f.NoIDs, f.Brief = mode != "ids", mode == "brief"
						for b.Loop() {
							page, err := svc.FilterDeals(ctx, actor, f)
							if err != nil || len(page.Rows) == 0 {
								b.Fatalf("%d of %d: %v", len(page.Rows), page.Total, err)
							}
							total = page.Total
						}
						b.ReportMetric(float64(total), "matches")
					})
				}
			}
			// The board filtered by a responsible: every stage of the
			// pipeline, brief and counted, one FilterDeals a column (as
			// before the third round) and FilterDealColumns (one read).
			var columns []int64
			for _, st := range stages {
				if st.PipelineID == stage.PipelineID {
					columns = append(columns, st.ID)
				}
			}
			boardFilter := crm.DealFilter{PipelineIDs: []int64{stage.PipelineID}, UserIDs: users[1:2], Limit: 50, NoIDs: true, Brief: true}
			b.Run("board-responsible/per-column", func(b *testing.B) {
				for b.Loop() {
					for _, id := range columns {
						f := boardFilter
						f.StageIDs = []int64{id}
						if _, err := svc.FilterDeals(ctx, actor, f); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(len(columns)), "columns")
			})
			b.Run("board-responsible/one-read", func(b *testing.B) {
				for b.Loop() {
					if _, err := svc.FilterDealColumns(ctx, actor, boardFilter, columns); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(columns)), "columns")
			})
			// amoCRM's leads of a stage, a responsible and a window, in id
			// order: SQLite's own plan (sort) and the stage's index walked.
			from, to := base.AddDate(0, 0, 40).Unix(), last.Unix()
			lq := crm.LeadQuery{Statuses: []crm.LeadStatusRef{{PipelineID: stage.PipelineID, StageID: stage.ID}}, PipelineIDs: []int64{stage.PipelineID},
				ResponsibleUserIDs: users[1:2], CreatedAt: crm.Range{From: &from, To: &to}, Limit: 50}
			for _, mode := range []int{store.WalkNever, store.WalkEstimated} {
				name := map[int]string{store.WalkNever: "leads-stage-responsible-window/sort", store.WalkEstimated: "leads-stage-responsible-window/walk"}[mode]
				b.Run(name, func(b *testing.B) {
					store.SetPageWalk(b, mode)
					for b.Loop() {
						list, _, err := svc.Leads(ctx, actor, lq)
						if err != nil || len(list) == 0 {
							b.Fatalf("%d: %v", len(list), err)
						}
					}
				})
			}
		})
	}
}
