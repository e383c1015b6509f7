package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestPendingMigrations: a database never migrated lacks every migration,
// one migrated part of the way lacks the rest, a current one none, and one
// that lost its newest row (a backup from before the upgrade) lacks that.
func TestPendingMigrations(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := store.OpenNoMigrate(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		all, err := db.PendingMigrations(ctx)
		if err != nil {
			t.Fatalf("never migrated: %v", err)
		}
		if len(all) < 3 || all[0] != 1 || !slices.IsSorted(all) {
			t.Fatalf("never migrated: pending %v, want every migration from 1", all)
		}
		if err := db.MigrateTo(ctx, 2); err != nil {
			t.Fatal(err)
		}
		if got, err := db.PendingMigrations(ctx); err != nil || !slices.Equal(got, all[2:]) {
			t.Errorf("migrated to 2: pending %v, %v; want %v", got, err, all[2:])
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got, err := db.PendingMigrations(ctx); err != nil || len(got) != 0 {
			t.Errorf("migrated: pending %v, %v; want none", got, err)
		}
		latest := all[len(all)-1]
		if err := db.ExecRaw(ctx, `DELETE FROM schema_migrations WHERE version = ?`, latest); err != nil {
			t.Fatal(err)
		}
		if got, err := db.PendingMigrations(ctx); err != nil || !slices.Equal(got, []int{latest}) {
			t.Errorf("newest row removed: pending %v, %v; want [%d]", got, err, latest)
		}
		// A newer binary's migration does not make this one's pending.
		if err := db.ExecRaw(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future.sql', 0)`,
			latest+1000); err != nil {
			t.Fatal(err)
		}
		if got, err := db.PendingMigrations(ctx); err != nil || !slices.Equal(got, []int{latest}) {
			t.Errorf("with a newer migration: pending %v, %v; want [%d]", got, err, latest)
		}
		db.Close()
		if _, err := db.PendingMigrations(ctx); err == nil {
			t.Error("a closed database reported its migrations")
		}
	})
}

// TestPoolStatsAndQueryErrors: the pools are named by what they do, and
// the failure count moves on a database failure only — not on a domain
// answer, not on a request its caller cancelled.
func TestPoolStatsAndQueryErrors(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var names []string
		for _, p := range db.PoolStats() {
			names = append(names, p.Pool)
			if p.MaxOpenConnections <= 0 {
				t.Errorf("pool %s: max open connections %d", p.Pool, p.MaxOpenConnections)
			}
		}
		want := []string{"read", "write"}
		if db.Dialect() == "postgres" {
			want = []string{"readwrite"}
		}
		if !slices.Equal(names, want) {
			t.Errorf("pools %v, want %v", names, want)
		}

		before := db.QueryErrors()
		err = db.View(ctx, 1, func(crm.Tx) error { return crm.Errorf(crm.KindNotFound, "no such thing") })
		if crm.KindOf(err) != crm.KindNotFound || db.QueryErrors() != before {
			t.Errorf("a domain answer: %v, errors %d → %d", err, before, db.QueryErrors())
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if err := db.View(cancelled, 1, func(crm.Tx) error { return nil }); err == nil || db.QueryErrors() != before {
			t.Errorf("a cancelled call: %v, errors %d → %d", err, before, db.QueryErrors())
		}
		db.Close()
		if err := db.View(ctx, 1, func(crm.Tx) error { return nil }); err == nil {
			t.Fatal("a view on a closed database succeeded")
		}
		if got := db.QueryErrors(); got != before+1 {
			t.Errorf("a failed view: errors %d → %d, want one more", before, got)
		}
	})
}
