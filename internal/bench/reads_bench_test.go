package bench

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/server"
)

// processCPU is the CPU time this process has used, user and system, in
// nanoseconds. The machine the benchmarks run on is shared, so wall time
// per call moves with everyone else's load; the CPU a call costs moves
// much less, so the read benchmarks report it beside ns/op.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkReadsByID measures issue 18's reads by id end to end in
// process: crmd's whole HTTP handler (middleware, auth, the store read,
// rendering) served without a network, and, beside each, the domain call
// alone, so that a difference between the two is what the handler adds.
// The requests are crmdbench's (the same paths, headers and bodies), with
// the same seed, one goroutine. cpu-ns/op is the process's CPU time per
// call (the database's work included on SQLite, not PostgreSQL's server).
//
//	go test -run '^$' -bench ReadsByID -benchmem -count 5 ./internal/bench
//	CRMD_BENCH_DEALS=100000 go test -run '^$' -bench 'ReadsByID/sqlite' ./internal/bench
func BenchmarkReadsByID(b *testing.B) {
	for _, backend := range []crmtest.Backend{crmtest.SQLite, crmtest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			ctx := context.Background()
			db, ds, svc, authority := seededHotPaths(ctx, b, backend)
			handler := server.NewHandler(server.Config{Service: svc, Authority: authority,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), LimitStore: db, Readiness: db})
			q := newRequests(ds, "")
			actor := crm.Actor{AccountID: ds.AccountID, UserID: ds.Creds.UserID, Role: crm.RoleAdmin, TimeZone: ds.TimeZone}
			i := 0
			next := func(ids []int64) int64 { i++; return ids[i%len(ids)] }
			serve := func(b *testing.B, req func() (string, string, []byte, http.Header)) {
				for range b.N {
					method, path, body, header := req()
					r := httptest.NewRequestWithContext(ctx, method, "http://crmd.test"+path, bytes.NewReader(body))
					r.Header = header
					w := httptest.NewRecorder()
					handler.ServeHTTP(w, r)
					if w.Code != http.StatusOK {
						b.Fatalf("%s %s: %d %.300s", method, path, w.Code, w.Body.String())
					}
				}
			}
			// parallel serves the same requests from 16 goroutines at once,
			// crmdbench's clients: what concurrency adds (the shared auth
			// epoch read, the pools, the allocator's locks) shows only here.
			var seq atomic.Int64
			parallel := func(b *testing.B, path func(n int64) string) {
				b.SetParallelism(8) // × GOMAXPROCS 2 = 16 on the benchmark machine
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						r := httptest.NewRequestWithContext(ctx, http.MethodGet, "http://crmd.test"+path(seq.Add(1)), nil)
						r.Header = q.amo.Clone()
						w := httptest.NewRecorder()
						handler.ServeHTTP(w, r)
						if w.Code != http.StatusOK {
							b.Fatalf("%s: %d %.300s", r.URL, w.Code, w.Body.String())
						}
					}
				})
			}
			amo := func(path string) (string, string, []byte, http.Header) {
				return http.MethodGet, path, nil, q.amo.Clone()
			}
			for _, c := range []struct {
				name string
				fn   func(b *testing.B)
			}{
				{"lead-by-id/handler", func(b *testing.B) {
					serve(b, func() (string, string, []byte, http.Header) {
						return amo("/api/v4/leads/" + strconv.FormatInt(next(ds.DealIDs), 10))
					})
				}},
				{"lead-by-id/parallel", func(b *testing.B) {
					parallel(b, func(n int64) string {
						return "/api/v4/leads/" + strconv.FormatInt(ds.DealIDs[n%int64(len(ds.DealIDs))], 10)
					})
				}},
				{"lead-by-id/service", func(b *testing.B) {
					for range b.N {
						if _, err := svc.Lead(ctx, actor, next(ds.DealIDs)); err != nil {
							b.Fatal(err)
						}
					}
				}},
				{"deal-get/handler", func(b *testing.B) {
					serve(b, func() (string, string, []byte, http.Header) {
						r := q.envyboxCall("deal/get", map[string]any{"deal_id": next(ds.DealIDs)})
						return r.Method, r.Path, r.Body, r.Header.Clone()
					})
				}},
				{"deal-get/service", func(b *testing.B) {
					for range b.N {
						if _, err := svc.Deal(ctx, actor, next(ds.DealIDs), false); err != nil {
							b.Fatal(err)
						}
					}
				}},
				{"customer-by-id/handler", func(b *testing.B) {
					serve(b, func() (string, string, []byte, http.Header) {
						return amo("/api/v4/customers/" + strconv.FormatInt(next(ds.CustomerIDs), 10))
					})
				}},
				{"customer-by-id/parallel", func(b *testing.B) {
					parallel(b, func(n int64) string {
						return "/api/v4/customers/" + strconv.FormatInt(ds.CustomerIDs[n%int64(len(ds.CustomerIDs))], 10)
					})
				}},
				{"customer-by-id/service", func(b *testing.B) {
					for range b.N {
						if _, err := svc.Customer(ctx, actor, next(ds.CustomerIDs)); err != nil {
							b.Fatal(err)
						}
					}
				}},
				{"segments-page/handler", func(b *testing.B) {
					serve(b, func() (string, string, []byte, http.Header) {
						r := q.v4Segments(nil)
						return r.Method, r.Path, nil, r.Header.Clone()
					})
				}},
			} {
				b.Run(c.name, func(b *testing.B) {
					cpu := processCPU()
					c.fn(b)
					b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
				})
			}
		})
	}
}
