package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestCheckpointsOffTheWriter: on SQLite the store's own checkpointer, not
// the write connection, checkpoints the WAL (checkpoint.go), and the same
// writes leave the same rows as with the writer checkpointing itself, after
// the store is closed and the files read back. On PostgreSQL there is no
// checkpointer and the same writes commit.
func TestCheckpointsOffTheWriter(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		if !strings.HasPrefix(dsn, "sqlite:") {
			db := open(t, dsn)
			if n := db.CheckpointsRun(); n != -1 {
				t.Fatalf("PostgreSQL store has a checkpointer (%d runs)", n)
			}
			checkpointWrites(t, db)
			return
		}
		dir := t.TempDir()
		rows := map[bool]map[string][]string{}
		for _, background := range []bool{false, true} {
			store.SetBackgroundCheckpoints(t, background)
			path := filepath.Join(dir, fmt.Sprintf("background-%v.db", background))
			db, err := store.Open(ctx, "sqlite:"+path)
			if err != nil {
				t.Fatal(err)
			}
			auto, err := db.WriterAutocheckpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{false: 1000, true: 10_000}[background]; auto != want {
				t.Errorf("background %v: the writer checkpoints at %d pages, want %d", background, auto, want)
			}
			checkpointWrites(t, db)
			if background {
				// The checkpointer follows the commits by at most
				// checkpointEvery (200 ms).
				deadline := time.Now().Add(5 * time.Second)
				for db.CheckpointsRun() == 0 && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				if db.CheckpointsRun() == 0 {
					t.Error("no checkpoint ran off the writer after the writes")
				}
			} else if n := db.CheckpointsRun(); n != -1 {
				t.Errorf("without background checkpoints a checkpointer ran %d times", n)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			rows[background] = writtenRows(t, path)
		}
		for table, plain := range rows[false] {
			got := rows[true][table]
			if len(plain) == 0 {
				t.Errorf("%s: no rows written", table)
			}
			if strings.Join(got, "\n") != strings.Join(plain, "\n") {
				t.Errorf("%s: %d rows with background checkpoints, %d without, or different", table, len(got), len(plain))
			}
		}
	})
}

// checkpointWrites creates deals in a fresh account at a fixed clock,
// moves each and renames each, one call after another (the same ids either
// way) and then some concurrently, enough commits for WAL pages to
// checkpoint.
func checkpointWrites(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	fixed := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return fixed }
	a := newAccount(t, db, "Checkpoints")
	svc := crm.NewService(db)
	admin := crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}
	var ids []int64
	for i := range 120 {
		out, err := svc.AddLeads(ctx, admin, []crm.LeadInput{{Name: ptr(fmt.Sprintf("Сделка %d", i)), Price: ptr(int64(i))}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out[0].ID)
	}
	for i, id := range ids {
		if err := db.Update(ctx, a.AccountID, func(tx crm.Tx) error {
			d, err := tx.Deal(ctx, id)
			if err != nil {
				return err
			}
			d.Name = fmt.Sprintf("Сделка %d, переименована", i)
			return tx.UpdateDeal(ctx, &d)
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Concurrent calls share commits; each writes its own deal's price.
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := db.Update(ctx, a.AccountID, func(tx crm.Tx) error {
				d, err := tx.Deal(ctx, id)
				if err != nil {
					return err
				}
				d.Price = int64(1000 + i)
				return tx.UpdateDeal(ctx, &d)
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i, id := range ids {
		if err := db.View(ctx, a.AccountID, func(tx crm.Tx) error {
			d, err := tx.Deal(ctx, id)
			if err == nil && d.Price != int64(1000+i) {
				err = fmt.Errorf("deal %d: price %d, want %d", id, d.Price, 1000+i)
			}
			return err
		}); err != nil {
			t.Error(err)
		}
	}
}

// writtenRows reads the rows checkpointWrites writes from the closed
// SQLite database at path, each as text, in row order.
func writtenRows(t *testing.T, path string) map[string][]string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][]string{}
	for _, table := range []string{"deals", "logs", "deal_stage_history", "service_values"} {
		rows, err := db.Query(`SELECT * FROM ` + table + ` ORDER BY rowid`)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], fmt.Sprint(vals...))
		}
		rows.Close()
	}
	return out
}
