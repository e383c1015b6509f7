package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
)

// hotPathDeals is the scale of BenchmarkHotPaths (CRMD_BENCH_DEALS,
// default 20,000 so that a run starts within seconds).
func hotPathDeals() int {
	if n, err := strconv.Atoi(os.Getenv("CRMD_BENCH_DEALS")); err == nil && n > 0 {
		return n
	}
	return 20_000
}

// seededHotPaths opens a fresh database of backend (closed when b ends),
// seeds it at the hot paths' scale and returns the service and the
// authority over it.
func seededHotPaths(ctx context.Context, b *testing.B, backend crmtest.Backend) (*store.DB, *Dataset, *crm.Service, *auth.Authority) {
	b.Helper()
	db, err := store.Open(ctx, crmtest.NewDSN(b, backend))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ds, err := Seed(ctx, db, hotPathDeals(), DefaultShape, nil)
	if err != nil {
		b.Fatal(err)
	}
	authority, err := auth.New(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	return db, ds, crm.NewService(db), authority
}

// BenchmarkHotPaths measures, below HTTP, the domain calls the load
// benchmark's profiles showed hot, on each backend, each beside a baseline
// measured in the same run: "baseline" is the smallest store round trip
// there is (a read transaction that reads the account), so every other
// figure reads as a multiple of it.
//
//	go test -run '^$' -bench HotPaths -benchtime 2s ./internal/bench
//	CRMD_BENCH_DEALS=100000 go test -run '^$' -bench HotPaths ./internal/bench
func BenchmarkHotPaths(b *testing.B) {
	for _, backend := range []crmtest.Backend{crmtest.SQLite, crmtest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			ctx := context.Background()
			db, ds, svc, authority := seededHotPaths(ctx, b, backend)
			actor := crm.Actor{AccountID: ds.AccountID, UserID: ds.Creds.UserID, Role: crm.RoleAdmin, TimeZone: ds.TimeZone}
			segActor := crm.Actor{AccountID: ds.Segments.AccountID, UserID: ds.Segments.Creds.UserID, Role: crm.RoleAdmin, TimeZone: ds.TimeZone}
			month := ds.LastDeal.AddDate(0, -6, 0).Unix()
			monthEnd := month + 30*24*3600
			var baseline float64 // ns per baseline call, from its last run
			i := 0
			next := func(ids []int64) int64 { i++; return ids[i%len(ids)] }
			for _, c := range []struct {
				name string
				fn   func() error
			}{
				{"baseline", func() error {
					return db.View(ctx, ds.AccountID, func(tx crm.Tx) error { _, err := tx.Account(ctx); return err })
				}},
				{"auth-amocrm-token", func() error { _, err := authority.AmoCRM(ctx, ds.Creds.AmoCRMToken); return err }},
				{"customer-status-by-id", func() error { _, err := svc.CustomerStatus(ctx, actor, next(ds.StatusIDs)); return err }},
				{"customer-by-id", func() error { _, err := svc.Customer(ctx, actor, next(ds.CustomerIDs)); return err }},
				{"deal-by-id", func() error { _, err := svc.Deal(ctx, actor, next(ds.DealIDs), false); return err }},
				{"deal-list-keyword-month", func() error {
					_, _, err := svc.Deals(ctx, actor, crm.DealQuery{Keyword: ds.Surnames[i%len(ds.Surnames)], DateField: "created",
						Dates: crm.Range{From: &month, To: &monthEnd}, Limit: 50})
					i++
					return err
				}},
				{"segments-page", func() error { _, _, _, err := svc.Segments(ctx, segActor, crm.Page{Number: 1, Limit: 50}); return err }},
				{"lead-intake", func() error {
					i++
					_, err := svc.CreateInbound(ctx, actor, crm.NewInbound{Values: map[string]string{
						"name": "Лид", "phone": fmt.Sprintf("7%010d", 5_000_000_000+i), "comment": "Перезвонить"}})
					return err
				}},
			} {
				b.Run(c.name, func(b *testing.B) {
					start := time.Now()
					for range b.N {
						if err := c.fn(); err != nil {
							b.Fatal(err)
						}
					}
					perOp := float64(time.Since(start)) / float64(b.N)
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

// writeClients is how many goroutines BenchmarkWrites runs its parallel
// cases with: crmdbench's default number of clients.
const writeClients = 8

// BenchmarkWrites measures plain writes below HTTP, each once by one
// goroutine at a time ("serial") and once by writeClients goroutines at
// once ("parallel", b.RunParallel), where concurrent writes can share
// commits (internal/store's writer). "×baseline" is the wall time per call
// over that of the smallest store round trip measured in the same run (a
// read transaction that reads the account); "calls/commit" is how many
// calls a transaction carried on average.
//
//	go test -run '^$' -bench Writes ./internal/bench
//	go test -run '^$' -bench 'Writes/sqlite/.*parallel' -benchtime 3s ./internal/bench
func BenchmarkWrites(b *testing.B) {
	for _, backend := range []crmtest.Backend{crmtest.SQLite, crmtest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			ctx := context.Background()
			db, err := store.Open(ctx, crmtest.NewDSN(b, backend))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			ds, err := Seed(ctx, db, hotPathDeals(), DefaultShape, nil)
			if err != nil {
				b.Fatal(err)
			}
			svc := crm.NewService(db)
			actor := crm.Actor{AccountID: ds.AccountID, UserID: ds.Creds.UserID, Role: crm.RoleAdmin, TimeZone: ds.TimeZone}
			// The stages of each deal pipeline: deal i is seeded in the
			// pipeline of stage i (as crmdbench's stage change assumes).
			stages := map[int64][]int64{}
			for _, st := range ds.Stages {
				stages[st.PipelineID] = append(stages[st.PipelineID], st.ID)
			}
			var seq atomic.Int64
			var baseline float64 // ns per baseline call, from its last run
			for _, c := range []struct {
				name string
				fn   func() error
			}{
				{"baseline", func() error {
					return db.View(ctx, ds.AccountID, func(tx crm.Tx) error { _, err := tx.Account(ctx); return err })
				}},
				{"create-deal", func() error {
					n := seq.Add(1)
					_, err := svc.CreateDeal(ctx, actor, crm.NewDeal{Name: "Поставка мебели (новая)",
						ClientID: ds.ClientIDs[int(n)%len(ds.ClientIDs)], PipelineID: ds.Stages[0].PipelineID})
					return err
				}},
				{"change-deal-stage", func() error {
					n := int(seq.Add(1))
					i := n % len(ds.DealIDs)
					to := stages[ds.Stages[i%len(ds.Stages)].PipelineID]
					return svc.ChangeDealStage(ctx, actor, ds.DealIDs[i], 0, to[n%len(to)], crm.Responsible{UserID: actor.UserID})
				}},
				{"lead-intake", func() error {
					_, err := svc.CreateInbound(ctx, actor, crm.NewInbound{Values: map[string]string{
						"name": "Лид", "phone": fmt.Sprintf("7%010d", 6_000_000_000+seq.Add(1)), "comment": "Перезвонить"}})
					return err
				}},
			} {
				for _, parallel := range []bool{false, true} {
					if c.name == "baseline" && parallel {
						continue
					}
					name := c.name
					if c.name != "baseline" {
						name += map[bool]string{false: "/serial", true: "/parallel"}[parallel]
					}
					b.Run(name, func(b *testing.B) {
						before := db.WriteStats()
						clients := 1
						if parallel {
							clients = writeClients
						}
						perOp := float64(crmtest.TimeCalls(b, clients, c.fn))
						if c.name == "baseline" {
							baseline = perOp
							return
						}
						if baseline > 0 {
							b.ReportMetric(perOp/baseline, "×baseline")
						}
						if after := db.WriteStats(); after.Commits > before.Commits {
							b.ReportMetric(float64(after.Calls-before.Calls)/float64(after.Commits-before.Commits), "calls/commit")
						}
					})
				}
			}
		})
	}
}
