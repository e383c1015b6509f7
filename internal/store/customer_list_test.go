package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// TestCustomerPages compares the customers lists' pages (Tx.Customers),
// with their total and without it (NoTotal: amoCRM v2's list, lookups by
// id), with the same page cut in Go from every customer of the account:
// the same rows in the same order, and the total the number of matches
// (0 when NoTotal), for windows of creation times, orders, offsets and a
// neighbour account whose customers must never show.
func TestCustomerPages(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		svc := crm.NewService(db)
		var actors []crm.Actor
		for _, name := range []string{"Buyers", "Neighbours"} {
			c := newAccount(t, db, name)
			a := crm.Actor{AccountID: c.AccountID, UserID: c.UserID, Role: crm.RoleAdmin, TimeZone: crm.DefaultTimeZone}
			if err := svc.SetCustomersMode(ctx, a, crm.CustomersPeriodicity, true); err != nil {
				t.Fatal(err)
			}
			actors = append(actors, a)
		}
		base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		r := rand.New(rand.NewPCG(40, 1))
		for i, a := range actors {
			err := db.Bulk(ctx, a.AccountID, func(b *store.Bulk) error {
				cs := make([]crm.Customer, 300-100*i)
				for j := range cs {
					at := base.Add(time.Duration(r.Int64N(400*24)) * time.Hour)
					cs[j] = crm.Customer{Name: fmt.Sprint("Покупатель ", j), NextPrice: int64(j), ResponsibleUserID: a.UserID,
						Periodicity: 30, CreatedBy: a.UserID, UpdatedBy: a.UserID, CreatedAt: at, UpdatedAt: at.Add(time.Hour)}
				}
				return b.Customers(cs)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		actor := actors[0]
		var all []crm.Customer
		err := db.View(ctx, actor.AccountID, func(tx crm.Tx) (err error) {
			all, _, err = tx.Customers(ctx, crm.CustomerQuery{Limit: 1000})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 300 {
			t.Fatalf("%d customers, want 300", len(all))
		}
		unix := func(d int) *int64 { v := base.Add(time.Duration(d) * 24 * time.Hour).Unix(); return &v }
		windows := []crm.Range{{}, {From: unix(30), To: unix(61)}, {From: unix(200)}, {To: unix(10)}, {From: unix(500), To: unix(530)}}
		checked := 0
		for _, w := range windows {
			for _, order := range []struct {
				by   string
				desc bool
			}{{"", false}, {"id", true}, {"created_at", false}, {"created_at", true}, {"updated_at", true}} {
				var want []int64
				for _, c := range all {
					at := c.CreatedAt.Unix()
					if (w.From == nil || at >= *w.From) && (w.To == nil || at <= *w.To) {
						want = append(want, c.ID)
					}
				}
				byID := map[int64]crm.Customer{}
				for _, c := range all {
					byID[c.ID] = c
				}
				slices.SortFunc(want, func(a, b int64) int {
					ka, kb := a, b
					switch order.by {
					case "created_at":
						ka, kb = byID[a].CreatedAt.Unix(), byID[b].CreatedAt.Unix()
					case "updated_at":
						ka, kb = byID[a].UpdatedAt.Unix(), byID[b].UpdatedAt.Unix()
					}
					if ka == kb {
						ka, kb = a, b
					}
					if order.desc {
						ka, kb = kb, ka
					}
					switch {
					case ka < kb:
						return -1
					case ka > kb:
						return 1
					}
					return 0
				})
				for _, page := range []struct{ limit, offset int }{{50, 0}, {7, 3}, {50, 250}, {5, 1000}} {
					lo := min(page.offset, len(want))
					wantPage := want[lo:min(len(want), page.offset+page.limit)]
					for _, noTotal := range []bool{false, true} {
						q := crm.CustomerQuery{CreatedAt: w, OrderBy: order.by, Desc: order.desc, Limit: page.limit, Offset: page.offset, NoTotal: noTotal}
						var got []crm.Customer
						var total int
						err := db.View(ctx, actor.AccountID, func(tx crm.Tx) (err error) {
							got, total, err = tx.Customers(ctx, q)
							return err
						})
						if err != nil {
							t.Fatal(err)
						}
						ids := make([]int64, len(got))
						for i, c := range got {
							ids[i] = c.ID
						}
						wantTotal := len(want)
						if noTotal {
							wantTotal = 0
						}
						if !slices.Equal(ids, wantPage) && !(len(ids) == 0 && len(wantPage) == 0) || total != wantTotal {
							t.Errorf("%+v: %v (total %d), want %v (total %d)", q, ids, total, wantPage, wantTotal)
						}
						checked++
					}
				}
			}
		}
		if checked < 100 {
			t.Errorf("only %d pages compared", checked)
		}
		// The kept total (migration 0040) follows creation through the
		// service and deletion, and equals the count it replaces.
		totals := func(step string, want ...int) {
			t.Helper()
			for i, a := range actors {
				for _, kept := range []bool{true, false} {
					store.SetCustomerTotalsKept(t, kept)
					var total int
					err := db.View(ctx, a.AccountID, func(tx crm.Tx) (err error) {
						_, total, err = tx.Customers(ctx, crm.CustomerQuery{Limit: 1})
						return err
					})
					if err != nil {
						t.Fatal(err)
					}
					if total != want[i] {
						t.Errorf("%s: account %d (kept %v): total %d, want %d", step, i, kept, total, want[i])
					}
				}
			}
			store.SetCustomerTotalsKept(t, true)
		}
		totals("bulk", 300, 200)
		name, next := "Новый", base.Add(1000*time.Hour)
		if _, err := svc.AddCustomers(ctx, actor, []crm.CustomerInput{{Name: &name, NextDate: &next}, {Name: &name, NextDate: &next}}); err != nil {
			t.Fatal(err)
		}
		totals("added", 302, 200)
		err = db.Update(ctx, actor.AccountID, func(tx crm.Tx) error {
			for _, c := range all[:3] {
				if err := tx.DeleteCustomer(ctx, c.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		totals("deleted", 299, 200)
	})
}
