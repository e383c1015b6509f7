package store_test

import (
	"context"
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
