package bench

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"testing"

	"github.com/crmd/crmd/internal/bench/load"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/server"
)

// BenchmarkListsWithTotals serves the API lists of issue 18's "lists with
// totals" goal through crmd's whole handler in process, as crmdbench asks
// for them (the same requests, the same seed): Envybox deal/list of a
// stage and a creation window with its total, and amoCRM's leads of a
// pipeline, stage, responsible and window; and amoCRM's unfiltered page
// of 250 leads with their contacts. cpu-ns/op is the process's CPU
// per request, steadier than wall time on a shared machine; a CPU profile
// shows what each costs besides the store.
//
//	CRMD_BENCH_DEALS=100000 go test -run '^$' -bench 'ListsWithTotals/sqlite' -cpuprofile cpu.out ./internal/bench
func BenchmarkListsWithTotals(b *testing.B) {
	for _, backend := range []crmtest.Backend{crmtest.SQLite, crmtest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			ctx := context.Background()
			db, ds, svc, authority := seededHotPaths(ctx, b, backend)
			handler := server.NewHandler(server.Config{Service: svc, Authority: authority,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), LimitStore: db, Readiness: db})
			q := newRequests(ds, "")
			for _, c := range []struct {
				name string
				req  func(*rand.Rand) load.Request
				ok   func(int, []byte) error
			}{
				{"envybox-deal-list-stage-window", q.dealListStageWindow, envyboxOK},
				{"amocrm-leads-filtered", q.v4LeadsFiltered, nil},
				{"amocrm-leads-page-250-contacts", q.v4LeadsPage, nil},
			} {
				b.Run(c.name, func(b *testing.B) {
					r := rand.New(rand.NewPCG(18, 3))
					cpu := processCPU()
					for range b.N {
						req := c.req(r)
						hr := httptest.NewRequestWithContext(ctx, req.Method, "http://crmd.test"+req.Path, bytes.NewReader(req.Body))
						hr.Header = req.Header.Clone()
						w := httptest.NewRecorder()
						handler.ServeHTTP(w, hr)
						if w.Code != 200 && w.Code != 204 {
							b.Fatalf("%s %s: %d %.300s", req.Method, req.Path, w.Code, w.Body.String())
						}
						if c.ok != nil {
							if err := c.ok(w.Code, w.Body.Bytes()); err != nil {
								b.Fatalf("%s: %v", req.Path, err)
							}
						}
					}
					b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
				})
			}
		})
	}
}
