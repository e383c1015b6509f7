package crm_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// benchCustomers is the scale of BenchmarkCustomerList (CRMD_BENCH_CUSTOMERS,
// default 100,000).
func benchCustomers() int {
	if n, err := strconv.Atoi(os.Getenv("CRMD_BENCH_CUSTOMERS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// seedCustomers writes n customers straight through the store in batches
// (the bulk path: no per-item validation), spread over 5 users, 3 years of
// creation dates and next dates, with an 8-character name each.
func seedCustomers(b *testing.B, db *store.DB, admin crm.Actor, users []int64, n int) {
	ctx := context.Background()
	start := time.Now()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 5000
	for done := 0; done < n; done += batch {
		err := db.Update(ctx, admin.AccountID, func(tx crm.Tx) error {
			for i := done; i < min(done+batch, n); i++ {
				c := crm.Customer{
					Name: fmt.Sprintf("cust%04x", i), NextPrice: int64(i % 1000 * 100),
					NextDate:          base.Add(time.Duration(i%1095) * 24 * time.Hour),
					ResponsibleUserID: users[i%len(users)], CreatedBy: admin.UserID, UpdatedBy: admin.UserID,
					CreatedAt: base.Add(time.Duration(i) * time.Minute), UpdatedAt: base.Add(time.Duration(i) * time.Minute),
				}
				if err := tx.InsertCustomer(ctx, &c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d customers in %s", n, time.Since(start).Round(time.Millisecond))
}

// BenchmarkCustomerList measures customer list pages with their total count
// at scale, on each backend, against a baseline measured in the same run: the
// store's bare page (count and 50 rows, without links, tags or fields).
// Run: go test -run '^$' -bench CustomerList -benchtime 200x ./internal/crm
func BenchmarkCustomerList(b *testing.B) {
	for _, backend := range []crmtest.Backend{crmtest.SQLite, crmtest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			ctx := context.Background()
			db, err := store.Open(ctx, crmtest.NewDSN(b, backend))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			a, err := auth.New(ctx, db)
			if err != nil {
				b.Fatal(err)
			}
			creds, err := a.CreateAccount(ctx, crm.NewAccount{Name: "Bench"})
			if err != nil {
				b.Fatal(err)
			}
			admin := crm.Actor{AccountID: creds.AccountID, UserID: creds.UserID, Role: crm.RoleAdmin}
			users := []int64{creds.UserID}
			for range 4 {
				u, err := a.CreateUser(ctx, crm.NewUser{AccountID: creds.AccountID, Name: "Seller", Role: crm.RoleMember})
				if err != nil {
					b.Fatal(err)
				}
				users = append(users, u.UserID)
			}
			svc := crm.NewService(db)
			if err := svc.SetCustomersMode(ctx, admin, crm.CustomersSegments, true); err != nil {
				b.Fatal(err)
			}
			n := benchCustomers()
			seedCustomers(b, db, admin, users, n)
			// A month of next dates, and the last week of creation dates.
			from := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
			to := time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC).Unix()
			lastWeek := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n)*time.Minute - 7*24*time.Hour).Unix()
			cases := []struct {
				name string
				q    crm.CustomerQuery
			}{
				{"first-page", crm.CustomerQuery{Limit: 50}},
				{"deep-page", crm.CustomerQuery{Limit: 50, Offset: n / 2}},
				{"next-date-and-user", crm.CustomerQuery{Limit: 50, NextDate: crm.Range{From: &from, To: &to}, ResponsibleUserIDs: users[1:2]}},
				{"created-last-week-newest", crm.CustomerQuery{Limit: 50, CreatedAt: crm.Range{From: &lastWeek}, OrderBy: "created_at", Desc: true}},
				{"name-search", crm.CustomerQuery{Limit: 50, Search: "ab1"}},
			}
			b.Run("baseline-bare-page", func(b *testing.B) {
				for b.Loop() {
					err := db.View(ctx, admin.AccountID, func(tx crm.Tx) error {
						_, _, err := tx.Customers(ctx, crm.CustomerQuery{Limit: 50})
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						list, total, err := svc.Customers(ctx, admin, c.q)
						if err != nil {
							b.Fatal(err)
						}
						if total > 0 && len(list) == 0 {
							b.Fatalf("empty page of %d", total)
						}
					}
				})
			}
		})
	}
}
