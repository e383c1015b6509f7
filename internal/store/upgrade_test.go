package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestUpgradeSeedsPipelines: an account made before version 3 gets the
// pipelines, stages and inbox type a new account gets.
func TestUpgradeSeedsPipelines(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := store.OpenNoMigrate(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.MigrateTo(ctx, 2); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecRaw(ctx, `INSERT INTO accounts (name, subdomain, uuid, time_zone, customers_mode, created_at, updated_at)
			VALUES ('Old', 'old', 'u-1', 'Europe/Moscow', 'disabled', 1, 1)`); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := db.CountAccounts(ctx)
		if err != nil || n != 1 {
			t.Fatalf("%d accounts, %v", n, err)
		}
		ids, err := db.AccountIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = db.View(ctx, ids[0], func(tx crm.Tx) error {
			deal, err := tx.Pipelines(ctx, crm.PipelineDeal)
			if err != nil {
				return err
			}
			inbound, err := tx.Pipelines(ctx, crm.PipelineInbound)
			if err != nil {
				return err
			}
			inbox, err := tx.InboxTypes(ctx)
			if err != nil {
				return err
			}
			if len(deal) != 1 || len(deal[0].Stages) != 4 || !deal[0].Primary || !deal[0].AllowManualStageChange {
				t.Errorf("deal pipelines %+v", deal)
			}
			if len(inbound) != 1 || len(inbound[0].Stages) != 3 || inbound[0].Stages[0].Status != crm.InboundNew {
				t.Errorf("inbound pipelines %+v", inbound)
			}
			if len(inbox) != 1 || !inbox[0].IsDefault {
				t.Errorf("inbox types %+v", inbox)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestUpgradeLeadsKeepsDeals: version 14 makes the deal's client optional.
// On SQLite that edits the stored schema instead of rebuilding deals, whose
// rebuild would cascade into the deals' children: a database holding a
// deal with stage history keeps both, the client becomes optional, and the
// account gets the default loss reasons.
func TestUpgradeLeadsKeepsDeals(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := store.OpenNoMigrate(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.MigrateTo(ctx, 13); err != nil {
			t.Fatal(err)
		}
		var stageID, clientID int64
		a := &crm.Account{Name: "Old", Subdomain: "old14", TimeZone: "Europe/Moscow"}
		err = db.CreateAccount(ctx, a, func(tx crm.Tx) error {
			p := crm.Pipeline{Kind: crm.PipelineDeal, Name: "P", Primary: true, AllowManualStageChange: true,
				Stages: []crm.Stage{{Status: crm.StageNew, Name: "New", Color: "#fff"}}}
			if err := tx.InsertPipeline(ctx, &p); err != nil {
				return err
			}
			stageID = p.Stages[0].ID
			c := crm.Contact{Name: "Client"}
			if err := tx.InsertContact(ctx, &c); err != nil {
				return err
			}
			clientID = c.ID
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ExecRaw(ctx, `INSERT INTO deals (account_id, name, client_id, pipeline_id, stage_id, user_id, employee_id, department_id,
			inbox_type_id, it_reaction, with_event, created_at, updated_at)
			SELECT ?, 'Old deal', ?, pipeline_id, id, 0, 0, 0, 0, FALSE, FALSE, 1, 1 FROM stages WHERE id = ?`, a.ID, clientID, stageID); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecRaw(ctx, `INSERT INTO deal_stage_history (account_id, deal_id, stage_id, entered_at)
			SELECT account_id, id, stage_id, 1 FROM deals`); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		err = db.Update(ctx, a.ID, func(tx crm.Tx) error {
			old, total, err := tx.Deals(ctx, crm.DealQuery{Limit: 10})
			if err != nil {
				return err
			}
			if total != 1 || old[0].Name != "Old deal" || old[0].ClientID != clientID || old[0].ClientName != "Client" || old[0].Price != 0 {
				t.Errorf("old deals after the upgrade: %d %+v", total, old)
			}
			st, err := tx.Stage(ctx, stageID)
			if err != nil {
				return err
			}
			d := crm.Deal{Name: "No client", PipelineID: st.PipelineID, StageID: st.ID, Price: 7}
			if err := tx.InsertDeal(ctx, &d); err != nil {
				return fmt.Errorf("a deal without a client: %w", err)
			}
			got, err := tx.Deal(ctx, d.ID)
			if err != nil {
				return err
			}
			if got.ClientID != 0 || got.ClientName != "" || got.Price != 7 {
				t.Errorf("deal without a client reads back as %+v", got)
			}
			reasons, err := tx.LossReasons(ctx)
			if err != nil {
				return err
			}
			if len(reasons) != len(crm.DefaultLossReasons) || reasons[0].Name != crm.DefaultLossReasons[0].Name {
				t.Errorf("loss reasons %+v", reasons)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var history int
		if err := db.QueryRaw(ctx, `SELECT COUNT(*) FROM deal_stage_history`, &history); err != nil {
			t.Fatal(err)
		}
		if history != 1 {
			t.Errorf("%d stage history rows after the upgrade, want the 1 the deal had", history)
		}
	})
}

// TestUpgradeStageTotals: version 20 counts the deals that existed before
// it into the stage totals the deal board reads, per stage and account,
// and gives old accounts the rouble; the triggers keep counting after it.
func TestUpgradeStageTotals(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := store.OpenNoMigrate(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.MigrateTo(ctx, 19); err != nil {
			t.Fatal(err)
		}
		var accounts []*crm.Account
		for _, name := range []string{"old20a", "old20b"} {
			a := &crm.Account{Name: name, Subdomain: name, UUID: name, TimeZone: "Europe/Moscow", CustomersMode: crm.CustomersDisabled}
			if err := db.CreateAccount(ctx, a, func(tx crm.Tx) error { return crm.SeedAccount(ctx, tx) }); err != nil {
				t.Fatal(err)
			}
			accounts = append(accounts, a)
		}
		// Deals as version 19 stored them: prices on the first two stages
		// of the first account's pipeline, one deal of the second account.
		for _, d := range []struct {
			account  int64
			position string // the stage: 0 the first, 1 the second
			price    int64
		}{{accounts[0].ID, "0", 100}, {accounts[0].ID, "0", 5}, {accounts[0].ID, "1", 40}, {accounts[1].ID, "0", 9}} {
			if err := db.ExecRaw(ctx, `INSERT INTO deals (account_id, name, pipeline_id, stage_id, user_id, employee_id, department_id,
				inbox_type_id, it_reaction, with_event, created_at, updated_at, price)
				SELECT s.account_id, 'Old deal', s.pipeline_id, s.id, 0, 0, 0, 0, FALSE, FALSE, 1, 1, ?
				FROM stages s JOIN pipelines p ON p.id = s.pipeline_id
				WHERE p.account_id = ? AND p.kind = 'deal' AND s.position = `+d.position, d.price, d.account); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		svc := crm.NewService(db)
		for i, a := range accounts {
			actor := crm.Actor{AccountID: a.ID, Role: crm.RoleAdmin}
			totals := checkStageTotals(t, svc, actor, fmt.Sprint("account ", i, " after the upgrade"))
			if len(totals) != 1 {
				t.Fatalf("account %d: %d deal pipelines", i, len(totals))
			}
			for _, stages := range totals {
				want := [][2]int64{{2, 105}, {1, 40}}
				if i == 1 {
					want = [][2]int64{{1, 9}, {0, 0}}
				}
				for j, w := range want {
					if stages[j].Deals != w[0] || stages[j].PriceSum != w[1] {
						t.Errorf("account %d, stage %d after the upgrade: %+v, want %d deals worth %d", i, j, stages[j], w[0], w[1])
					}
				}
			}
			got, err := svc.Account(ctx, actor)
			if err != nil || got.Currency != crm.DefaultCurrency {
				t.Errorf("account %d's currency after the upgrade: %q (%v)", i, got.Currency, err)
			}
		}
		// The triggers count what comes after.
		if _, err := svc.AddLeads(ctx, crm.Actor{AccountID: accounts[0].ID, Role: crm.RoleAdmin},
			[]crm.LeadInput{{Name: ptr("New"), Price: ptr[int64](1)}}); err != nil {
			t.Fatal(err)
		}
		checkStageTotals(t, svc, crm.Actor{AccountID: accounts[0].ID, Role: crm.RoleAdmin}, "a lead after the upgrade")
	})
}
