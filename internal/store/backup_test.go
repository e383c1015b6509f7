package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/crmd/crmd/internal/store"
)

// TestBackupSQLiteOlderSchema backs up a database an older crmd made: the
// backup is at the source's migration version (the backup never migrates),
// and says which version this crmd would bring it to.
func TestBackupSQLiteOlderSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "old.db")
	db, err := store.OpenNoMigrate(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.MigrateTo(ctx, 10); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out := filepath.Join(dir, "old-backup.db")
	res, err := store.BackupSQLite(ctx, src, out)
	if err != nil {
		t.Fatal(err)
	}
	if res.SchemaVersion != 10 || res.LatestVersion <= 10 || res.Integrity != "ok" || res.Accounts != 0 || res.Deals != 0 || res.Path != out {
		t.Errorf("backup of a version-10 database: %+v", res)
	}
	for _, path := range []string{src, out} {
		ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		var n, last int
		if err := ro.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &last); err != nil || n != 10 || last != 10 {
			t.Errorf("%s: %d migrations up to %d (%v), want 10 up to 10", path, n, last, err)
		}
		ro.Close()
	}
}
