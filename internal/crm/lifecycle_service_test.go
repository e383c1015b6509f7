package crm_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// fakeClock is a settable clock for the store.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

func ptr[T any](v T) *T { return &v }

// TestCustomerLifeCycle moves one customer through every status with a fake
// clock: recently purchased → a regular period → expected purchase → did not
// purchase → closed → (a purchase) recently purchased, and out of a deleted status.
func TestCustomerLifeCycle(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
		clock := &fakeClock{now: t0}
		db.Now = clock.Now
		a, err := auth.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		creds, err := a.CreateAccount(ctx, crm.NewAccount{Name: "Life"})
		if err != nil {
			t.Fatal(err)
		}
		admin := crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}
		svc := crm.NewService(db)
		if err := svc.SetCustomersMode(ctx, admin, crm.CustomersPeriodicity, true); err != nil {
			t.Fatal(err)
		}
		statuses, err := svc.CustomerStatuses(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		byType := map[crm.StatusType]int64{}
		for _, s := range statuses {
			byType[s.Type] = s.ID
		}
		// A regular period of 20 days before "expected purchase" (7 days).
		periods, err := svc.ReplacePeriods(ctx, admin, append(periodInputs(statuses), crm.PeriodInput{Days: ptr(20), Sort: ptr(1)}))
		if err != nil {
			t.Fatal(err)
		}
		var regular int64
		for _, p := range periods {
			if p.Days == 20 {
				regular = p.ID
			}
		}
		if regular == 0 {
			t.Fatalf("the new period is missing: %+v", periods)
		}

		added, err := svc.AddCustomers(ctx, admin, []crm.CustomerInput{{Name: ptr("Cyclist"), NextDate: ptr(t0.Add(40 * 24 * time.Hour))}})
		if err != nil {
			t.Fatal(err)
		}
		id := added[0].ID
		expect := func(step string, at time.Time, want int64) {
			t.Helper()
			clock.Set(at)
			if _, err := svc.AdvanceLifecycles(ctx); err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			c, err := svc.Customer(ctx, admin, id)
			if err != nil {
				t.Fatal(err)
			}
			if c.StatusID != want {
				t.Fatalf("%s: status %d, want %d", step, c.StatusID, want)
			}
		}
		day := 24 * time.Hour
		expect("40 days ahead", t0, byType[crm.StatusRecentlyPurchased])
		expect("20 days ahead", t0.Add(20*day), regular)
		expect("5 days ahead", t0.Add(35*day), byType[crm.StatusExpectedPurchase])
		expect("a day late", t0.Add(41*day), byType[crm.StatusDidNotPurchase])
		expect("61 days late", t0.Add(101*day), byType[crm.StatusClosed])

		// A purchase with a new expected date far away: recently purchased.
		clock.Set(t0.Add(102 * day))
		if _, err := svc.AddTransactions(ctx, admin, []crm.NewTransaction{{CustomerID: id, Price: ptr(int64(1500)),
			NextDate: ptr(t0.Add(140 * day)), NextPrice: ptr(int64(2000))}}); err != nil {
			t.Fatal(err)
		}
		c, err := svc.Customer(ctx, admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.StatusID != byType[crm.StatusRecentlyPurchased] || c.LTV != 1500 || c.PurchasesCount != 1 || c.AverageCheck != 1500 || c.NextPrice != 2000 {
			t.Fatalf("after the purchase: %+v", c)
		}
		expect("20 days before the new date", t0.Add(120*day), regular)

		// Deleting its status moves the customer on by the rules.
		if err := svc.DeleteCustomerStatus(ctx, admin, regular); err != nil {
			t.Fatal(err)
		}
		c, err = svc.Customer(ctx, admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.StatusID != byType[crm.StatusRecentlyPurchased] {
			t.Fatalf("after deleting its status: %d", c.StatusID)
		}
	})
}

func periodInputs(statuses []crm.CustomerStatus) []crm.PeriodInput {
	var out []crm.PeriodInput
	for _, s := range statuses {
		if s.Type != crm.StatusClosed {
			out = append(out, crm.PeriodInput{ID: s.ID})
		}
	}
	return out
}

// TestStaleUpdateRace: many writers based on the same version of a customer
// race; exactly one wins and no later write is lost or overwritten.
func TestStaleUpdateRace(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db1, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db1.Close()
		db2, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		a, err := auth.New(ctx, db1)
		if err != nil {
			t.Fatal(err)
		}
		creds, err := a.CreateAccount(ctx, crm.NewAccount{Name: "Race"})
		if err != nil {
			t.Fatal(err)
		}
		admin := crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}
		svc1, svc2 := crm.NewService(db1), crm.NewService(db2)
		if err := svc1.SetCustomersMode(ctx, admin, crm.CustomersSegments, true); err != nil {
			t.Fatal(err)
		}
		added, err := svc1.AddCustomers(ctx, admin, []crm.CustomerInput{{Name: ptr("Contended")}})
		if err != nil {
			t.Fatal(err)
		}
		seen := added[0].UpdatedAt
		const writers = 12
		var wg sync.WaitGroup
		results := make(chan crm.CustomerResult, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := svc1
				if i%2 == 1 {
					svc = svc2
				}
				res, err := svc.UpdateCustomers(ctx, admin, []crm.CustomerInput{{ID: added[0].ID, SeenUpdatedAt: &seen,
					Name: ptr("writer " + string(rune('A'+i))), NextPrice: ptr(int64(i))}})
				if err != nil {
					t.Error(err)
					return
				}
				results <- res[0]
			}()
		}
		wg.Wait()
		close(results)
		var winners []crm.CustomerResult
		for r := range results {
			if !r.Conflict {
				winners = append(winners, r)
			}
		}
		if len(winners) != 1 {
			t.Fatalf("%d writers won, want exactly 1", len(winners))
		}
		final, err := svc1.Customer(ctx, admin, added[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if final.Name != winners[0].Customer.Name || final.NextPrice != winners[0].Customer.NextPrice || !final.UpdatedAt.After(seen) {
			t.Fatalf("final %q/%d, winner %q/%d", final.Name, final.NextPrice, winners[0].Customer.Name, winners[0].Customer.NextPrice)
		}
	})
}
