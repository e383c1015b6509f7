package store_test

import (
	"context"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestUpgradeTagDictionaries: version 18 puts the tags in use in their
// entity types' dictionaries (an inbound request's in the leads one), so
// they stay there when taken off their entities afterwards.
func TestUpgradeTagDictionaries(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := store.OpenNoMigrate(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.MigrateTo(ctx, 17); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`INSERT INTO accounts (id, name, subdomain, uuid, time_zone, customers_mode, created_at, updated_at)
				VALUES (1, 'Old', 'old', 'u-1', 'Europe/Moscow', 'disabled', 1, 1)`,
			`INSERT INTO tags (id, account_id, name, name_key) VALUES (1, 1, 'Deal', 'deal'), (2, 1, 'Inbound', 'inbound'),
				(3, 1, 'Both', 'both'), (4, 1, 'Customer', 'customer'), (5, 1, 'Unused', 'unused')`,
			`INSERT INTO entity_tags (account_id, entity_type, entity_id, tag_id, position) VALUES
				(1, 'leads', 10, 1, 0), (1, 'inbound', 20, 2, 0), (1, 'leads', 10, 3, 1), (1, 'inbound', 21, 3, 0),
				(1, 'customers', 30, 4, 0)`,
		} {
			if err := db.ExecRaw(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecRaw(ctx, `DELETE FROM entity_tags`); err != nil {
			t.Fatal(err)
		}
		want := map[crm.EntityType][]string{
			crm.EntityDeal:     {"Deal", "Inbound", "Both"},
			crm.EntityCustomer: {"Customer"},
			crm.EntityContact:  {},
		}
		err = db.View(ctx, 1, func(tx crm.Tx) error {
			for dictionary, names := range want {
				tags, total, err := tx.DictionaryTags(ctx, dictionary, crm.TagQuery{Limit: 50})
				if err != nil {
					return err
				}
				got := []string{}
				for _, tag := range tags {
					got = append(got, tag.Name)
				}
				crmtest.Equal(t, string(dictionary), got, names)
				if total != len(names) {
					t.Errorf("%s: total %d, want %d", dictionary, total, len(names))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
