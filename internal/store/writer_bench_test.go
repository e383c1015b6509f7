package store_test

import (
	"context"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// BenchmarkUpdate times the write path itself: an Update that inserts one
// row, by one caller at a time ("lone") and by 8 at once ("parallel"), on
// each backend, as multiples of the smallest read (a View reading the
// account) measured in the same run.
//
//	go test -run '^$' -bench Update ./internal/store
func BenchmarkUpdate(b *testing.B) {
	for _, backend := range []crmtest.Backend{crmtest.SQLite, crmtest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			ctx := context.Background()
			db, err := store.Open(ctx, crmtest.NewDSN(b, backend))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			a, err := newBenchAccount(ctx, db)
			if err != nil {
				b.Fatal(err)
			}
			read := func() error {
				return db.View(ctx, a, func(tx crm.Tx) error { _, err := tx.Account(ctx); return err })
			}
			write := func() error {
				return db.Update(ctx, a, func(tx crm.Tx) error {
					return tx.InsertUser(ctx, &crm.User{Name: "bench", Role: crm.RoleMember})
				})
			}
			var baseline float64
			for _, c := range []struct {
				name     string
				fn       func() error
				parallel bool
			}{{"baseline", read, false}, {"lone", write, false}, {"parallel", write, true}} {
				b.Run(c.name, func(b *testing.B) {
					clients := 1
					if c.parallel {
						clients = 8
					}
					perOp := float64(crmtest.TimeCalls(b, clients, c.fn))
					if c.name == "baseline" {
						baseline = perOp
					} else if baseline > 0 {
						b.ReportMetric(perOp/baseline, "×baseline")
					}
				})
			}
		})
	}
}

// newBenchAccount makes an account without the auth package's password
// hashing.
func newBenchAccount(ctx context.Context, db *store.DB) (int64, error) {
	a := &crm.Account{Name: "Bench", Subdomain: "bench", UUID: "bench", TimeZone: "UTC"}
	err := db.CreateAccount(ctx, a, func(crm.Tx) error { return nil })
	return a.ID, err
}
