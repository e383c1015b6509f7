package store_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

func TestMigrationNamesMatch(t *testing.T) {
	names := func(dir string) []string {
		entries, err := fs.ReadDir(os.DirFS("migrations"), dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	lite, pg := names("sqlite"), names("postgres")
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("migration files differ: sqlite %v, postgres %v", lite, pg)
	}
	for i := range lite {
		if lite[i] != pg[i] {
			t.Errorf("migration %d: sqlite %s, postgres %s", i, lite[i], pg[i])
		}
	}
}

func open(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newAccount(t *testing.T, db *store.DB, name string) auth.AccountCredentials {
	t.Helper()
	a, err := auth.New(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := a.CreateAccount(context.Background(), crm.NewAccount{Name: name})
	if err != nil {
		t.Fatalf("create account: %v", err)
	}
	return creds
}

// TestConcurrentOpen: processes starting together on one database all
// migrate without error and the schema is applied once.
func TestConcurrentOpen(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := store.Open(context.Background(), dsn)
				if err == nil {
					err = db.Close()
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent open: %v", err)
			}
		}
		db := open(t, dsn)
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if n, err := db.CountAccounts(context.Background()); err != nil || n != 0 {
			t.Fatalf("fresh database has %d accounts (%v)", n, err)
		}
	})
}

// TestTenantScope: a transaction bound to one account sees only that
// account's rows, and a missing account is not found.
func TestTenantScope(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		a := newAccount(t, db, "Scope A")
		b := newAccount(t, db, "Scope B")
		var aStatus int64
		err := db.Update(ctx, a.AccountID, func(tx crm.Tx) error {
			s := crm.CustomerStatus{Name: "only A", Sort: 9, Color: "#fffeb2"}
			err := tx.InsertCustomerStatus(ctx, &s)
			aStatus = s.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(ctx, b.AccountID, func(tx crm.Tx) error {
			if _, err := tx.CustomerStatus(ctx, aStatus); crm.KindOf(err) != crm.KindNotFound {
				t.Errorf("B reads A's status: %v", err)
			}
			if err := tx.DeleteCustomerStatus(ctx, aStatus); crm.KindOf(err) != crm.KindNotFound {
				t.Errorf("B deletes A's status: %v", err)
			}
			if err := tx.UpdateCustomerStatus(ctx, &crm.CustomerStatus{ID: aStatus, Name: "x"}); crm.KindOf(err) != crm.KindNotFound {
				t.Errorf("B updates A's status: %v", err)
			}
			list, err := tx.CustomerStatuses(ctx)
			for _, s := range list {
				if s.ID == aStatus || s.AccountID != b.AccountID {
					t.Errorf("B lists %+v", s)
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// A missing account: a write is refused; a read (which skips the
		// check, see View) finds nothing of it.
		err = db.Update(ctx, 987654, func(crm.Tx) error { return nil })
		if crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("write to a missing account: %v", err)
		}
		err = db.View(ctx, 987654, func(tx crm.Tx) error {
			if list, err := tx.CustomerStatuses(ctx); err != nil || len(list) != 0 {
				t.Errorf("a missing account's statuses: %v %v", list, err)
			}
			if _, err := tx.CustomerStatus(ctx, aStatus); crm.KindOf(err) != crm.KindNotFound {
				t.Errorf("another account's status through a missing account: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Errorf("read of a missing account: %v", err)
		}
	})
}

// TestUpdateRollsBack: an error from the callback leaves nothing written.
func TestUpdateRollsBack(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		a := newAccount(t, db, "Rollback")
		boom := errors.New("boom")
		err := db.Update(ctx, a.AccountID, func(tx crm.Tx) error {
			for i := range 3 {
				s := crm.CustomerStatus{Name: "temp", Sort: i, Color: "#fffeb2"}
				if err := tx.InsertCustomerStatus(ctx, &s); err != nil {
					return err
				}
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		db.View(ctx, a.AccountID, func(tx crm.Tx) error {
			if n, _ := tx.CountCustomerStatuses(ctx); n != 4 {
				t.Errorf("after rollback %d statuses, want the 4 system ones", n)
			}
			return nil
		})
	})
}

// TestLimitAcrossProcesses: two store handles (as two crmd processes) racing
// to add statuses never take an account past its limit.
func TestLimitAcrossProcesses(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db1, db2 := open(t, dsn), open(t, dsn)
		a := newAccount(t, db1, "Race")
		admin := crm.Actor{AccountID: a.AccountID, UserID: a.UserID, Role: crm.RoleAdmin}
		svc1, svc2 := crm.NewService(db1), crm.NewService(db2)
		if err := svc1.SetCustomersMode(ctx, admin, crm.CustomersPeriodicity, true); err != nil {
			t.Fatal(err)
		}
		name, sort := "racer", 1
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, limited := 0, 0
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := svc1
				if i%2 == 1 {
					svc = svc2
				}
				_, err := svc.AddCustomerStatuses(ctx, admin, []crm.NewCustomerStatus{{Name: &name, Sort: &sort}, {Name: &name, Sort: &sort}})
				mu.Lock()
				defer mu.Unlock()
				switch crm.KindOf(err) {
				case "":
					if err != nil {
						t.Errorf("add: %v", err)
						return
					}
					ok++
				case crm.KindLimit:
					limited++
				default:
					t.Errorf("add: %v", err)
				}
			}()
		}
		wg.Wait()
		list, err := svc1.CustomerStatuses(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != crm.MaxCustomerStatuses || ok != 13 || limited != 3 {
			t.Errorf("%d statuses (%d batches added, %d refused), want %d (13, 3)", len(list), ok, limited, crm.MaxCustomerStatuses)
		}
	})
}

// TestInstanceSecretAgreement: concurrent first uses agree on one secret.
func TestInstanceSecretAgreement(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		db1, db2 := open(t, dsn), open(t, dsn)
		var wg sync.WaitGroup
		got := make([][]byte, 6)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db := db1
				if i%2 == 1 {
					db = db2
				}
				v, err := db.InstanceSecret(context.Background(), "test", func() ([]byte, error) { return []byte{byte(i), 1, 2}, nil })
				if err != nil {
					t.Error(err)
				}
				got[i] = v
			}()
		}
		wg.Wait()
		for i := range got {
			if !bytes.Equal(got[i], got[0]) {
				t.Fatalf("secrets differ: %v", got)
			}
		}
	})
}

// TestCredentialExpiry: a credential past its expiry no longer authenticates.
func TestCredentialExpiry(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		creds := newAccount(t, db, "Expiry")
		a, err := auth.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		actor, err := a.AmoCRM(ctx, creds.AmoCRMToken)
		if err != nil || actor.AccountID != creds.AccountID || actor.UserID != creds.UserID || actor.Role != crm.RoleAdmin {
			t.Fatalf("fresh token: %+v, %v", actor, err)
		}
		if _, err := a.Envybox(ctx, creds.EnvyboxAPIKey); err != nil {
			t.Errorf("envybox key: %v", err)
		}
		if _, err := a.UIS(ctx, creds.UISAccessToken); err != nil {
			t.Errorf("uis token: %v", err)
		}
		if _, err := a.UIS(ctx, creds.EnvyboxAPIKey); crm.KindOf(err) != crm.KindUnauthorized {
			t.Errorf("an Envybox key used as a UIS token: %v", err)
		}
		db.Now = func() time.Time { return time.Now().Add(auth.AmoCRMTokenTTL + time.Hour) }
		if _, err := db.CredentialByHash(ctx, crm.CredentialAmoCRM, sha(creds.AmoCRMToken)); crm.KindOf(err) != crm.KindNotFound {
			t.Errorf("expired token still found: %v", err)
		}
	})
}
