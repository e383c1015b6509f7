package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// queued is one Update call for lineUp.
type queued struct {
	ctx     context.Context // nil: context.Background()
	account int64
	fn      func(crm.Tx) error
	large   bool // through UpdateBatch
}

// answer is what an Update call came back with.
type answer struct {
	err      error
	panicked any
}

// update calls db.Update and catches a panic raised in the caller.
func update(db *store.DB, c queued) (a answer) {
	defer func() { a.panicked = recover() }()
	ctx := c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if c.large {
		a.err = db.UpdateBatch(ctx, c.account, c.fn)
		return a
	}
	a.err = db.Update(ctx, c.account, c.fn)
	return a
}

// lineUp runs calls of one write group concurrently in a known order: the
// first one's fn waits until every other call has queued behind it, so all
// of them are the writer's to take, in order, into its transaction.
func lineUp(t *testing.T, db *store.DB, calls []queued) []answer {
	t.Helper()
	return lineUpWith(t, db, calls, func(i int) answer { return update(db, calls[i]) })
}

// lineUpWith is lineUp with run starting every call after the first (the
// first always goes through update, to hold the writer).
func lineUpWith(t *testing.T, db *store.DB, calls []queued, run func(i int) answer) []answer {
	t.Helper()
	out := make([]answer, len(calls))
	entered, release := make(chan struct{}), make(chan struct{})
	first := calls[0]
	fn := first.fn
	first.fn = func(tx crm.Tx) error {
		close(entered)
		<-release
		return fn(tx)
	}
	var wg sync.WaitGroup
	wg.Go(func() { out[0] = update(db, first) })
	<-entered
	for i := 1; i < len(calls); i++ {
		wg.Go(func() { out[i] = run(i) })
		waitFor(t, func() bool { return db.WaitingWrites() == i })
	}
	close(release)
	wg.Wait()
	return out
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the writer")
		}
		time.Sleep(time.Millisecond)
	}
}

// addUser returns an fn that inserts a user named name and notes its id.
func addUser(name string, id *int64) func(crm.Tx) error {
	return func(tx crm.Tx) error {
		u := crm.User{Name: name, Role: crm.RoleMember}
		err := tx.InsertUser(context.Background(), &u)
		*id = u.ID
		return err
	}
}

// userNames returns the names of account's users.
func userNames(t *testing.T, db *store.DB, account int64) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	err := db.View(context.Background(), account, func(tx crm.Tx) error {
		users, err := tx.Users(context.Background())
		for _, u := range users {
			names[u.Name] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// commits returns the number of transactions the writer committed since
// before, and how many calls they carried.
func commits(db *store.DB, before store.WriteStats) (txs, calls uint64) {
	after := db.WriteStats()
	return after.Commits - before.Commits, after.Calls - before.Calls
}

// TestUpdateSharesCommits: concurrent Updates of one account, and of two,
// commit together — in one transaction per write group (the database on
// SQLite, the account on PostgreSQL) — each bound to its own account and
// each with its own result.
func TestUpdateSharesCommits(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		db := open(t, dsn)
		accounts := []int64{newAccount(t, db, "One").AccountID, newAccount(t, db, "Two").AccountID}
		for _, n := range []int{1, 2} {
			t.Run(fmt.Sprintf("%d accounts", n), func(t *testing.T) {
				const perAccount = 8
				ids := make([]int64, n*perAccount)
				release := make(chan struct{})
				before := db.WriteStats()
				var wg sync.WaitGroup
				for i := range ids {
					account := accounts[i%n]
					name := fmt.Sprintf("shared-%d-%d", n, i)
					wg.Go(func() {
						err := db.Update(context.Background(), account, func(tx crm.Tx) error {
							<-release
							if tx.AccountID() != account {
								return fmt.Errorf("call of account %d bound to %d", account, tx.AccountID())
							}
							return addUser(name, &ids[i])(tx)
						})
						if err != nil {
							t.Error(err)
						}
					})
				}
				groups := n
				if db.Dialect() == "sqlite" {
					groups = 1
				}
				// Each group's writer waits in its first fn until the
				// others have queued behind it.
				waitFor(t, func() bool { return db.WaitingWrites() == len(ids)-groups })
				close(release)
				wg.Wait()
				if txs, calls := commits(db, before); txs != uint64(groups) || calls != uint64(len(ids)) {
					t.Errorf("%d calls committed in %d transactions, want %d in %d", calls, txs, len(ids), groups)
				}
				for i, id := range ids {
					account := accounts[i%n]
					err := db.View(context.Background(), account, func(tx crm.Tx) error {
						u, err := tx.User(context.Background(), id)
						if err == nil && u.Name != fmt.Sprintf("shared-%d-%d", n, i) {
							err = fmt.Errorf("user %d is %q", id, u.Name)
						}
						return err
					})
					if err != nil {
						t.Errorf("call %d (account %d, user %d): %v", i, account, id, err)
					}
				}
			})
		}
	})
}

// TestUpdateFailsAlone: one failing call among several — the writer's own
// (first, without a savepoint) or a later one (inside its savepoint) —
// writes nothing and returns its error with its kind; the others commit
// together.
func TestUpdateFailsAlone(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		db := open(t, dsn)
		account := newAccount(t, db, "Fails").AccountID
		taken := crm.Credential{Kind: crm.CredentialEnvybox, Hash: sha("taken")}
		if err := db.Update(context.Background(), account, func(tx crm.Tx) error {
			return tx.InsertCredential(context.Background(), &taken)
		}); err != nil {
			t.Fatal(err)
		}
		refused := crm.Errorf(crm.KindForbidden, "not yours")
		failures := map[string]func(crm.Tx) error{
			"domain error": func(tx crm.Tx) error { return refused },
			// A statement the database refuses: PostgreSQL then refuses
			// every statement until the savepoint is rolled back to.
			"unique violation": func(tx crm.Tx) error {
				return tx.InsertCredential(context.Background(), &crm.Credential{Kind: crm.CredentialEnvybox, Hash: sha("taken")})
			},
			// An error a caller swallowed: only RELEASE finds it, on
			// PostgreSQL.
			"swallowed error": func(tx crm.Tx) error {
				tx.InsertCredential(context.Background(), &crm.Credential{Kind: crm.CredentialEnvybox, Hash: sha("taken")})
				return nil
			},
		}
		for name, fail := range failures {
			for _, at := range []int{0, 3} {
				t.Run(fmt.Sprintf("%s at %d", name, at), func(t *testing.T) {
					if name == "swallowed error" && db.Dialect() == "sqlite" {
						t.Skip("SQLite undoes the refused statement alone and goes on")
					}
					prefix := strings.ReplaceAll(fmt.Sprintf("%s-%d-", name, at), " ", "-")
					ids := make([]int64, 6)
					calls := make([]queued, len(ids))
					for i := range calls {
						calls[i] = queued{account: account, fn: addUser(prefix+fmt.Sprint(i), &ids[i])}
					}
					calls[at].fn = func(tx crm.Tx) error {
						if err := addUser(prefix+"failed", &ids[at])(tx); err != nil {
							return err
						}
						return fail(tx)
					}
					before := db.WriteStats()
					answers := lineUp(t, db, calls)
					for i, a := range answers {
						if i == at {
							if a.err == nil {
								t.Errorf("the failing call returned nil")
							}
							if name == "domain error" && (a.err != refused || crm.KindOf(a.err) != crm.KindForbidden) {
								t.Errorf("the failing call returned %v (kind %v), want its own forbidden error", a.err, crm.KindOf(a.err))
							}
							if name == "unique violation" && crm.KindOf(a.err) != crm.KindConflict {
								t.Errorf("the unique violation returned %v, want a conflict", a.err)
							}
							continue
						}
						if a.err != nil || a.panicked != nil {
							t.Errorf("call %d: %v %v", i, a.err, a.panicked)
						}
					}
					names := userNames(t, db, account)
					if names[prefix+"failed"] {
						t.Errorf("the failing call's user was written")
					}
					for i := range ids {
						if i != at && !names[prefix+fmt.Sprint(i)] {
							t.Errorf("call %d's user is missing", i)
						}
					}
					if txs, n := commits(db, before); txs != 1 || n != uint64(len(ids)-1) {
						t.Errorf("%d calls committed in %d transactions, want %d in 1", n, txs, len(ids)-1)
					}
				})
			}
		}
	})
}

// TestUpdatePanicFailsAlone: a call whose fn panics — the writer's own or
// another caller's — panics in its own caller with nothing written, the
// others of its transaction commit, and the writer goes on serving.
func TestUpdatePanicFailsAlone(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		db := open(t, dsn)
		account := newAccount(t, db, "Panics").AccountID
		for _, at := range []int{0, 2} {
			prefix := fmt.Sprintf("panic-%d-", at)
			ids := make([]int64, 4)
			calls := make([]queued, len(ids))
			for i := range calls {
				calls[i] = queued{account: account, fn: addUser(prefix+fmt.Sprint(i), &ids[i])}
			}
			calls[at].fn = func(tx crm.Tx) error {
				addUser(prefix+"panicked", &ids[at])(tx)
				panic("boom")
			}
			answers := lineUp(t, db, calls)
			for i, a := range answers {
				switch {
				case i == at:
					if a.panicked == nil || !strings.Contains(fmt.Sprint(a.panicked), "boom") {
						t.Errorf("panic at %d: the caller got %v, %v", at, a.panicked, a.err)
					}
				case a.err != nil || a.panicked != nil:
					t.Errorf("panic at %d: call %d: %v %v", at, i, a.err, a.panicked)
				}
			}
			names := userNames(t, db, account)
			if names[prefix+"panicked"] {
				t.Errorf("panic at %d: the panicking call's user was written", at)
			}
			for i := range ids {
				if i != at && !names[prefix+fmt.Sprint(i)] {
					t.Errorf("panic at %d: call %d's user is missing", at, i)
				}
			}
		}
		var id int64
		if err := db.Update(context.Background(), account, addUser("after the panics", &id)); err != nil {
			t.Fatalf("the writer stopped serving: %v", err)
		}
	})
}

// TestUpdateCancelledCaller: a caller whose ctx ends while it waits is
// answered with ctx's error and its fn never runs; one whose ctx ends
// while its fn runs fails at its next statement with nothing written; the
// others of the transaction commit.
func TestUpdateCancelledCaller(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		db := open(t, dsn)
		account := newAccount(t, db, "Cancels").AccountID
		ids := make([]int64, 5)
		calls := make([]queued, len(ids))
		for i := range calls {
			calls[i] = queued{account: account, fn: addUser(fmt.Sprintf("cancel-%d", i), &ids[i])}
		}
		waiting, cancelWaiting := context.WithCancel(context.Background())
		ran := false
		calls[2] = queued{ctx: waiting, account: account, fn: func(tx crm.Tx) error { ran = true; return nil }}
		running, cancelRunning := context.WithCancel(context.Background())
		defer cancelRunning()
		calls[3] = queued{ctx: running, account: account, fn: func(tx crm.Tx) error {
			if err := addUser("cancel-running", &ids[3])(tx); err != nil {
				return err
			}
			cancelRunning()
			u := crm.User{Name: "cancel-running-2", Role: crm.RoleMember}
			return tx.InsertUser(running, &u)
		}}
		first := calls[0].fn
		calls[0].fn = func(tx crm.Tx) error {
			cancelWaiting() // every other call has queued by now
			return first(tx)
		}
		answers := lineUp(t, db, calls)
		if !errors.Is(answers[2].err, context.Canceled) || ran {
			t.Errorf("the caller cancelled while waiting got %v (fn ran: %v)", answers[2].err, ran)
		}
		if !errors.Is(answers[3].err, context.Canceled) {
			t.Errorf("the caller cancelled while running got %v", answers[3].err)
		}
		names := userNames(t, db, account)
		if names["cancel-running"] || names["cancel-running-2"] {
			t.Errorf("the cancelled call's users were written")
		}
		for _, i := range []int{0, 1, 4} {
			if answers[i].err != nil || !names[fmt.Sprintf("cancel-%d", i)] {
				t.Errorf("call %d: %v", i, answers[i].err)
			}
		}
	})
}

// TestUpdateMissingAccount: a call for an account that does not exist is
// not found, alone: the calls sharing its transaction commit.
func TestUpdateMissingAccount(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		db := open(t, dsn)
		account := newAccount(t, db, "Present").AccountID
		if db.Dialect() != "sqlite" {
			// Another account is another write group on PostgreSQL: there
			// is no transaction to share.
			err := db.Update(context.Background(), account+1000, func(crm.Tx) error { return nil })
			if crm.KindOf(err) != crm.KindNotFound {
				t.Errorf("missing account: %v", err)
			}
			return
		}
		ids := make([]int64, 3)
		calls := []queued{
			{account: account, fn: addUser("present-0", &ids[0])},
			{account: account + 1000, fn: addUser("absent", &ids[1])},
			{account: account, fn: addUser("present-2", &ids[2])},
		}
		answers := lineUp(t, db, calls)
		if crm.KindOf(answers[1].err) != crm.KindNotFound {
			t.Errorf("missing account: %v", answers[1].err)
		}
		names := userNames(t, db, account)
		if answers[0].err != nil || answers[2].err != nil || !names["present-0"] || !names["present-2"] {
			t.Errorf("the others: %v, %v, %v", answers[0].err, answers[2].err, names)
		}
	})
}

// TestUpdateCommitFails: when COMMIT itself fails (here a deferred
// foreign key that one call left dangling), every call of the transaction
// returns the failure and nothing of any is written; the writer goes on
// serving (on SQLite the refused COMMIT left the transaction open on the
// one write connection).
func TestUpdateCommitFails(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		account := newAccount(t, db, "Commit").AccountID
		for _, q := range []string{
			`CREATE TABLE writer_parent (id INTEGER PRIMARY KEY)`,
			`CREATE TABLE writer_child (parent INTEGER REFERENCES writer_parent (id) DEFERRABLE INITIALLY DEFERRED)`,
		} {
			if err := db.ExecRaw(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		ids := make([]int64, 4)
		calls := make([]queued, len(ids))
		for i := range calls {
			calls[i] = queued{account: account, fn: addUser(fmt.Sprintf("commit-%d", i), &ids[i])}
		}
		calls[2].fn = func(tx crm.Tx) error {
			return store.ExecTx(ctx, tx, `INSERT INTO writer_child (parent) VALUES (42)`)
		}
		before := db.WriteStats()
		for i, a := range lineUp(t, db, calls) {
			if a.err == nil || !strings.Contains(a.err.Error(), "commit") {
				t.Errorf("call %d: %v, want the COMMIT's failure", i, a.err)
			}
		}
		names := userNames(t, db, account)
		for i := range ids {
			if names[fmt.Sprintf("commit-%d", i)] {
				t.Errorf("call %d's user was written", i)
			}
		}
		if txs, _ := commits(db, before); txs != 0 {
			t.Errorf("%d transactions committed", txs)
		}
		var id int64
		if err := db.Update(ctx, account, addUser("after the commit", &id)); err != nil {
			t.Fatalf("the writer stopped serving: %v", err)
		}
		if !userNames(t, db, account)["after the commit"] {
			t.Error("the next call's user is missing")
		}
	})
}

// TestUpdateConcurrentAccounts hammers the writer from many goroutines over
// three accounts (run it with -race), every tenth call failing: every call
// gets its own answer, and exactly the successful ones are written.
func TestUpdateConcurrentAccounts(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		db := open(t, dsn)
		accounts := []int64{newAccount(t, db, "A").AccountID, newAccount(t, db, "B").AccountID, newAccount(t, db, "C").AccountID}
		const n = 150
		fail := errors.New("refused")
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				var id int64
				errs[i] = db.Update(context.Background(), accounts[i%3], func(tx crm.Tx) error {
					if err := addUser(fmt.Sprintf("many-%d", i), &id)(tx); err != nil {
						return err
					}
					if i%10 == 0 {
						return fail
					}
					return nil
				})
			})
		}
		wg.Wait()
		for a, account := range accounts {
			names := userNames(t, db, account)
			for i := a; i < n; i += 3 {
				want := i%10 != 0
				if names[fmt.Sprintf("many-%d", i)] != want || (errs[i] == nil) != want || (!want && !errors.Is(errs[i], fail)) {
					t.Errorf("call %d: written %v, err %v", i, names[fmt.Sprintf("many-%d", i)], errs[i])
				}
			}
		}
	})
}

// TestUpdateSharedReadings: calls that ask for one reading one after
// another in a transaction read it once; a call that does not ask for it,
// or fails, drops it, so the next reads it afresh.
func TestUpdateSharedReadings(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		db := open(t, dsn)
		account := newAccount(t, db, "Shared").AccountID
		type sharer interface {
			Shared(key any, make func() (any, error)) (any, error)
		}
		type key struct{}
		made := 0
		got := make([]any, 6)
		ask := func(i int, fail bool) queued {
			return queued{account: account, fn: func(tx crm.Tx) error {
				v, err := tx.(sharer).Shared(key{}, func() (any, error) { made++; return made, nil })
				got[i] = v
				if err == nil && fail {
					err = errors.New("refused")
				}
				return err
			}}
		}
		var id int64
		answers := lineUp(t, db, []queued{
			ask(0, false),
			ask(1, false), // handed on
			{account: account, fn: addUser("between", &id)}, // drops it
			ask(3, false),
			ask(4, true), // handed on, then dropped
			ask(5, false),
		})
		for i, a := range answers {
			if (a.err != nil) != (i == 4) {
				t.Errorf("call %d: %v", i, a.err)
			}
		}
		if want := []any{1, 1, nil, 2, 2, 3}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("readings %v, want %v", got, want)
		}
	})
}
