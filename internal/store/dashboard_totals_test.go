package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// checkResponsibleTotals compares the account's stage_responsible_totals
// (0032), which triggers keep as deals are written, with the same figures
// counted afresh from its deals: every group of stage, employee and
// administrator with its deal count and price sum, in both directions. A
// row left at zero by the last deal leaving its group counts as absent.
// It returns how many groups the account has, so that a caller can tell
// an empty comparison from a passing one.
func checkResponsibleTotals(t *testing.T, db *store.DB, accountID int64, step string) int {
	t.Helper()
	ctx := context.Background()
	kept := fmt.Sprintf(`SELECT stage_id, employee_id, user_id, deal_count, price_sum FROM stage_responsible_totals
		WHERE account_id = %d AND (deal_count <> 0 OR price_sum <> 0)`, accountID)
	counted := fmt.Sprintf(`SELECT stage_id, employee_id, user_id, COUNT(*), CAST(SUM(price) AS BIGINT) FROM deals
		WHERE account_id = %d GROUP BY stage_id, employee_id, user_id`, accountID)
	var missing, extra, groups int
	if err := db.QueryRaw(ctx, `SELECT COUNT(*) FROM (`+counted+` EXCEPT `+kept+`) x`, &missing); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if err := db.QueryRaw(ctx, `SELECT COUNT(*) FROM (`+kept+` EXCEPT `+counted+`) x`, &extra); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if err := db.QueryRaw(ctx, `SELECT COUNT(*) FROM (`+counted+`) x`, &groups); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if missing != 0 || extra != 0 {
		t.Errorf("%s: account %d: %d groups of its deals not kept as counted, %d kept groups not counted", step, accountID, missing, extra)
	}
	return groups
}

// TestUpgradeResponsibleTotals: version 32 fills stage_responsible_totals
// from the deals already there. The database is made at the latest
// version, given deals, then taken back to 31 (the table and triggers
// dropped) and migrated again, as an existing database is.
func TestUpgradeResponsibleTotals(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		svc := crm.NewService(db)
		a := newAccount(t, db, "Upgrade")
		b := newAccount(t, db, "Neighbour")
		admin := crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}
		other := crm.Actor{AccountID: b.AccountID, UserID: b.UserID, Role: crm.RoleAdmin}
		pipelines, err := svc.DealPipelines(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		primary := pipelines[0]
		client, err := svc.CreateClient(ctx, admin, crm.NewClient{Name: "Клиент"})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Bulk(ctx, admin.AccountID, func(bk *store.Bulk) error {
			ds := make([]crm.Deal, 40)
			for i := range ds {
				st := primary.Stages[i%len(primary.Stages)]
				ds[i] = crm.Deal{Name: fmt.Sprint("Old ", i), ClientID: client.ID, PipelineID: primary.ID, StageID: st.ID,
					Price: int64(i * 13), Responsible: crm.Responsible{UserID: admin.UserID, EmployeeID: int64(i % 3)}}
			}
			return bk.Deals(ds)
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddLeads(ctx, other, []crm.LeadInput{{Name: ptr("Чужая"), Price: ptr[int64](5)}}); err != nil {
			t.Fatal(err)
		}
		down := []string{
			`DROP TRIGGER stage_responsible_totals_deal_insert`,
			`DROP TRIGGER stage_responsible_totals_deal_update`,
			`DROP TRIGGER stage_responsible_totals_deal_delete`,
		}
		if db.Dialect() == "postgres" {
			down = []string{`DROP FUNCTION stage_responsible_totals_keep() CASCADE`}
		}
		down = append(down,
			`DROP TABLE stage_responsible_totals`,
			`CREATE INDEX deals_dashboard_open ON deals(account_id, stage_id, employee_id, user_id, price)`,
			`DELETE FROM schema_migrations WHERE version = 32`)
		for _, q := range down {
			if err := db.ExecRaw(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n := checkResponsibleTotals(t, db, a.AccountID, "after the upgrade"); n < 6 {
			t.Errorf("%d groups after the upgrade, want the bulk load's 6 or more", n)
		}
		checkResponsibleTotals(t, db, b.AccountID, "the neighbour after the upgrade")

		// The triggers work on the upgraded database, deletions included
		// (crmd deletes no deal itself yet; SQL may).
		if err := db.ExecRaw(ctx, `DELETE FROM deals WHERE account_id = ? AND id % 3 = 0`, admin.AccountID); err != nil {
			t.Fatal(err)
		}
		checkResponsibleTotals(t, db, a.AccountID, "a deletion")
		if _, err := svc.AddLeads(ctx, admin, []crm.LeadInput{{Name: ptr("Новая"), Price: ptr[int64](77)}}); err != nil {
			t.Fatal(err)
		}
		checkResponsibleTotals(t, db, a.AccountID, "a lead after the upgrade")
		checkResponsibleTotals(t, db, b.AccountID, "the neighbour at the end")
	})
}
