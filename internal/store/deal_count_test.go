package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// checkCreatedTotals compares deal_created_totals (0033) with the same
// groups counted afresh from the account's deals, at both widths, in both
// directions (a row left at zero counts as absent).
func checkCreatedTotals(t *testing.T, db *store.DB, accountID int64, step string) {
	t.Helper()
	ctx := context.Background()
	kept := fmt.Sprintf(`SELECT stage_id, width, bucket, employee_id, department_id, user_id, pipeline_id, deal_count
		FROM deal_created_totals WHERE account_id = %d AND deal_count <> 0`, accountID)
	counted := fmt.Sprintf(`SELECT d.stage_id, w.width, CASE WHEN d.created_at >= 0 THEN d.created_at / w.width
			ELSE (d.created_at + 1) / w.width - 1 END AS b, d.employee_id, d.department_id, d.user_id, d.pipeline_id, COUNT(*)
		FROM deals d CROSS JOIN (SELECT 86400 AS width UNION ALL SELECT 2764800) w WHERE d.account_id = %d
		GROUP BY d.stage_id, w.width, b, d.employee_id, d.department_id, d.user_id, d.pipeline_id`, accountID)
	var missing, extra int
	if err := db.QueryRaw(ctx, `SELECT COUNT(*) FROM (`+counted+` EXCEPT `+kept+`) x`, &missing); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if err := db.QueryRaw(ctx, `SELECT COUNT(*) FROM (`+kept+` EXCEPT `+counted+`) x`, &extra); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if missing != 0 || extra != 0 {
		t.Errorf("%s: account %d: %d groups not kept as counted, %d kept groups not counted", step, accountID, missing, extra)
	}
}

// checkListTotals compares the totals of deal lists (svc.Deals: stages,
// pipelines and windows of creation times, the kept path) with a plain
// COUNT of the same deals, over windows of every length and alignment:
// none, open on either side, within a day, across day and 32-day bucket
// edges, and before 1970.
func checkListTotals(t *testing.T, db *store.DB, svc *crm.Service, actor crm.Actor, stages []crm.Stage, times []int64, step string) {
	t.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(uint64(len(times)), 33))
	type window struct{ from, to *int64 }
	windows := []window{{}}
	for range 40 {
		a := times[r.IntN(len(times))] + int64(r.IntN(3)) - 1
		b := a + []int64{0, 1, 3600, 86_399, 86_400, 2*86_400 + 7, 63 * 86_400, 64*86_400 + 1, 400 * 86_400, 1_000 * 86_400}[r.IntN(10)]
		windows = append(windows, window{&a, &b}, window{from: &a}, window{to: &b})
	}
	// Windows starting and ending on the edge times (the first of times).
	for _, e := range times[:edgeTimes] {
		for _, n := range []int64{1, 86_400, 2*86_400 + 7, 65 * 86_400, 400 * 86_400} {
			a, b, c := e, e+n, e-n
			windows = append(windows, window{&a, &b}, window{&c, &a})
		}
	}
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
	dayEnd, before, epoch := day+86_399, int64(-86_400*40-5), int64(0)
	windows = append(windows, window{&day, &dayEnd}, window{&before, &epoch}, window{&dayEnd, &day})
	shapes := []struct {
		stages, pipelines []int64
	}{{}, {stages: []int64{stages[0].ID}}, {stages: []int64{stages[1].ID, stages[len(stages)-1].ID}},
		{pipelines: []int64{stages[0].PipelineID}}, {stages: []int64{stages[1].ID}, pipelines: []int64{stages[1].PipelineID}},
		{pipelines: []int64{stages[len(stages)-1].PipelineID}}}
	checked := 0
	for _, sh := range shapes {
		for _, w := range windows {
			q := crm.DealQuery{StageIDs: sh.stages, PipelineIDs: sh.pipelines, DateField: "created", Dates: crm.Range{From: w.from, To: w.to}, Limit: 1}
			_, got, err := svc.Deals(ctx, actor, q)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			where := []string{fmt.Sprintf("account_id = %d", actor.AccountID)}
			ids := func(col string, list []int64) {
				if len(list) > 0 {
					s := make([]string, len(list))
					for i, id := range list {
						s[i] = fmt.Sprint(id)
					}
					where = append(where, col+" IN ("+strings.Join(s, ",")+")")
				}
			}
			ids("stage_id", sh.stages)
			ids("pipeline_id", sh.pipelines)
			if w.from != nil {
				where = append(where, fmt.Sprintf("created_at >= %d", *w.from))
			}
			if w.to != nil {
				where = append(where, fmt.Sprintf("created_at <= %d", *w.to))
			}
			var want int
			if err := db.QueryRaw(ctx, `SELECT COUNT(*) FROM deals WHERE `+strings.Join(where, " AND "), &want); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: %v: total %d, counted %d", step, where, got, want)
			}
			if want > 0 {
				checked++
			}
		}
	}
	if checked < 20 {
		t.Errorf("%s: only %d lists with deals compared", step, checked)
	}
}

// edgeTimes is how many of TestDealListTotals' creation times lie on the
// edges of buckets, at the start of its list.
const edgeTimes = 22

// TestDealListTotals: the totals of deal lists, read from the kept
// per-bucket counts (0033), equal a plain COUNT after every kind of write
// — bulk loads with any creation time, creation through the service,
// stage moves, responsible changes, creation times rewritten, deletions
// and a deal put back — and after an upgrade fills the counts from the
// deals already there.
func TestDealListTotals(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		svc := crm.NewService(db)
		actor, users := searchAccount(t, db)
		b := newAccount(t, db, "Neighbour")
		other := crm.Actor{AccountID: b.AccountID, UserID: b.UserID, Role: crm.RoleAdmin}
		pipelines, err := svc.DealPipelines(ctx, actor)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreatePipeline(ctx, actor, crm.NewPipeline{Name: "Вторая", AllowManualStageChange: true, Stages: []crm.NewStage{
			{Name: "Новая", Status: crm.StageNew}, {Name: "Успех", Status: crm.StageWon, Position: 1}}}); err != nil {
			t.Fatal(err)
		}
		if pipelines, err = svc.DealPipelines(ctx, actor); err != nil {
			t.Fatal(err)
		}
		var stages []crm.Stage
		for _, p := range pipelines {
			stages = append(stages, p.Stages...)
		}
		client, err := svc.CreateClient(ctx, actor, crm.NewClient{Name: "Клиент"})
		if err != nil {
			t.Fatal(err)
		}
		// Creation times on and around the edges of days and of 32-day
		// buckets, before 1970 too, and spread over three years.
		base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		var times []int64
		for _, edge := range []int64{0, 86_400, 2_764_800, 2_764_800 * 700, base, base + 86_400*45} {
			times = append(times, edge-1, edge, edge+1)
		}
		times = append(times, -1, -86_400, -86_401, -2_764_800*3-1)
		if len(times) != edgeTimes {
			t.Fatalf("%d edge times, want %d", len(times), edgeTimes)
		}
		r := rand.New(rand.NewPCG(18, 33))
		for range 300 {
			times = append(times, base+r.Int64N(3*365*86_400))
		}
		err = db.Bulk(ctx, actor.AccountID, func(bk *store.Bulk) error {
			ds := make([]crm.Deal, len(times))
			for i, at := range times {
				st := stages[i%len(stages)]
				created := time.Unix(at, 0)
				ds[i] = crm.Deal{Name: fmt.Sprint("Сделка ", i), ClientID: client.ID, PipelineID: st.PipelineID, StageID: st.ID,
					Responsible: crm.Responsible{UserID: actor.UserID, EmployeeID: users[i%len(users)] * int64(i%4/3)},
					CreatedAt:   created, UpdatedAt: created}
			}
			return bk.Deals(ds)
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddLeads(ctx, other, []crm.LeadInput{{Name: ptr("Чужая"), Price: ptr[int64](5)}}); err != nil {
			t.Fatal(err)
		}
		checkCreatedTotals(t, db, actor.AccountID, "the bulk load")
		checkListTotals(t, db, svc, actor, stages, times, "the bulk load")
		checkSearchTotals(t, db, actor, stages, users, times, "the bulk load")

		for i := range 5 {
			d, err := svc.CreateDeal(ctx, actor, crm.NewDeal{Name: fmt.Sprint("Новая ", i), ClientID: client.ID})
			if err != nil {
				t.Fatal(err)
			}
			times = append(times, d.CreatedAt.Unix())
			if _, err := svc.SetDealResponsible(ctx, actor, d.ID, crm.Responsible{EmployeeID: users[1+i%4]}); err != nil {
				t.Fatal(err)
			}
		}
		checkCreatedTotals(t, db, actor.AccountID, "created and given a responsible")
		checkListTotals(t, db, svc, actor, stages, times, "created and given a responsible")
		checkSearchTotals(t, db, actor, stages, users, times, "created and given a responsible")

		for _, q := range []string{
			fmt.Sprintf(`UPDATE deals SET stage_id = %d WHERE account_id = %d AND id %% 5 = 1`, stages[1].ID, actor.AccountID),
			fmt.Sprintf(`UPDATE deals SET employee_id = 0, department_id = 7 WHERE account_id = %d AND id %% 7 = 2`, actor.AccountID),
			fmt.Sprintf(`UPDATE deals SET created_at = created_at + 86399 WHERE account_id = %d AND id %% 6 = 3`, actor.AccountID),
			fmt.Sprintf(`UPDATE deals SET stage_id = %d, pipeline_id = %d WHERE account_id = %d AND id %% 9 = 4`,
				stages[len(stages)-1].ID, stages[len(stages)-1].PipelineID, actor.AccountID),
			fmt.Sprintf(`UPDATE deals SET name = 'Переименована' WHERE account_id = %d AND id %% 2 = 0`, actor.AccountID),
		} {
			if err := db.ExecRaw(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		checkCreatedTotals(t, db, actor.AccountID, "moves, responsibles and creation times")
		checkListTotals(t, db, svc, actor, stages, times, "moves, responsibles and creation times")
		checkSearchTotals(t, db, actor, stages, users, times, "moves, responsibles and creation times")

		// Deleted, and one put back with the id and columns it had.
		if err := db.ExecRaw(ctx, `CREATE TABLE deals_gone AS SELECT * FROM deals WHERE account_id = ? AND id % 4 = 0`, actor.AccountID); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecRaw(ctx, `DELETE FROM deals WHERE account_id = ? AND id % 4 = 0`, actor.AccountID); err != nil {
			t.Fatal(err)
		}
		checkCreatedTotals(t, db, actor.AccountID, "deletions")
		checkListTotals(t, db, svc, actor, stages, times, "deletions")
		checkSearchTotals(t, db, actor, stages, users, times, "deletions")
		if err := db.ExecRaw(ctx, `INSERT INTO deals SELECT * FROM deals_gone WHERE id % 8 = 0`); err != nil {
			t.Fatal(err)
		}
		checkCreatedTotals(t, db, actor.AccountID, "deals put back")
		checkListTotals(t, db, svc, actor, stages, times, "deals put back")
		checkSearchTotals(t, db, actor, stages, users, times, "deals put back")

		// The upgrade: back to version 32 (the table and triggers gone),
		// then migrated again as an existing database is.
		down := []string{
			`DROP TRIGGER deal_created_totals_deal_insert`,
			`DROP TRIGGER deal_created_totals_deal_update`,
			`DROP TRIGGER deal_created_totals_deal_delete`,
		}
		if db.Dialect() == "postgres" {
			down = []string{`DROP FUNCTION deal_created_totals_keep() CASCADE`}
		}
		down = append(down, `DROP TABLE deal_created_totals`, `DELETE FROM schema_migrations WHERE version = 33`)
		for _, q := range down {
			if err := db.ExecRaw(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		checkCreatedTotals(t, db, actor.AccountID, "after the upgrade")
		checkCreatedTotals(t, db, other.AccountID, "the neighbour after the upgrade")
		checkListTotals(t, db, svc, actor, stages, times, "after the upgrade")
		checkSearchTotals(t, db, actor, stages, users, times, "after the upgrade")
	})
}
