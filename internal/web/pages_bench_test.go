package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/bench"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/store"
	"github.com/crmd/crmd/internal/web"
)

// pageBenchDeals is the scale of BenchmarkPages (CRMD_BENCH_DEALS, default
// 20,000 so that a run starts within seconds).
func pageBenchDeals() int {
	if n, err := strconv.Atoi(os.Getenv("CRMD_BENCH_DEALS")); err == nil && n > 0 {
		return n
	}
	return 20_000
}

// processCPU is the CPU time this process has used, user and system, in
// nanoseconds: on a shared machine a page's CPU moves much less than its
// wall time, so BenchmarkPages reports it beside ns/op (cpu-ns/op).
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkPages times the workspace's pages in process, without HTTP:
// the handler alone, on crmdbench's seeded account (internal/bench), one
// request at a time, so that a CPU profile shows what a page costs.
//
//	CRMD_BENCH_DEALS=100000 go test -run '^$' -bench Pages/sqlite -cpuprofile cpu.out ./internal/web
func BenchmarkPages(b *testing.B) {
	for _, backend := range []crmtest.Backend{crmtest.SQLite, crmtest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			ctx := context.Background()
			db, err := store.Open(ctx, crmtest.NewDSN(b, backend))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			ds, err := bench.Seed(ctx, db, pageBenchDeals(), bench.DefaultShape, nil)
			if err != nil {
				b.Fatal(err)
			}
			authority, err := auth.New(ctx, db)
			if err != nil {
				b.Fatal(err)
			}
			h := web.NewHandler(web.Deps{Service: crm.NewService(db), Auth: authority})
			cookie := benchSignIn(b, h, strconv.FormatInt(ds.Creds.UserID, 10), ds.Password)
			pipeline := strconv.FormatInt(ds.BoardPipeline, 10)
			user := strconv.FormatInt(ds.UserIDs[1], 10)
			i := 0
			// The filtered lists of crmdbench's "list with total" scenarios:
			// a responsible and a creation window from about a year back.
			from := ds.LastDeal.AddDate(-1, 0, 0).Format(time.DateOnly)
			lastStage := strconv.FormatInt(ds.Stages[len(ds.Stages)-1].ID, 10) // of the last pipeline, the largest
			for _, p := range []struct{ name, path, marker string }{
				{"board", "/deals?pipeline=" + pipeline, `class="board"`},
				{"board-responsible", "/deals?pipeline=" + pipeline + "&responsible=" + user, `class="board"`},
				{"table-responsible-window", "/deals?view=table&pipeline=" + pipeline + "&responsible=" + user + "&from=" + from, `<table class="list">`},
				{"column-responsible-window", "/deals/column?pipeline=" + pipeline + "&stage=" + lastStage + "&responsible=" + user + "&from=" + from, `class="card"`},
				{"table", "/deals?view=table&pipeline=" + pipeline, `<table class="list">`},
				{"column-more", "/deals/column?pipeline=" + pipeline + "&stage=" + lastStage + "&offset=50", `class="card"`},
				{"card", "/deals/{id}", `class="page medium deal-card"`},
				{"inbox", "/leads", `class="list leads"`},
				{"reports", "/reports?pipeline=" + pipeline, `id="chart-funnel"`},
			} {
				b.Run(p.name, func(b *testing.B) {
					cpu := processCPU()
					defer func() { b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op") }()
					for range b.N {
						path := p.path
						if strings.Contains(path, "{id}") {
							i++
							path = strings.Replace(path, "{id}", strconv.FormatInt(ds.DealIDs[i*7919%len(ds.DealIDs)], 10), 1)
						}
						req := httptest.NewRequest(http.MethodGet, "http://crmd.test"+path, nil)
						req.AddCookie(cookie)
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), p.marker) {
							b.Fatalf("GET %s: HTTP %d: %.300s", path, rec.Code, rec.Body)
						}
					}
				})
			}
		})
	}
}

// BenchmarkPagesOnDB times the inbox and the reports dashboard in process
// on an existing crmdbench SQLite database, CRMD_BENCH_SQLITE (skipped
// without), such as a copy of a million-deal run's bench.db: seeding that
// many takes minutes. It signs in as the seeded administrator
// (CRMD_BENCH_USER, default 1) and shows the reports of CRMD_BENCH_PIPELINE
// (default: the primary pipeline). The database is migrated first.
//
//	CRMD_BENCH_SQLITE=/tmp/x/bench.db CRMD_BENCH_PIPELINE=3 go test -run '^$' -bench PagesOnDB -count 3 ./internal/web
func BenchmarkPagesOnDB(b *testing.B) {
	path := os.Getenv("CRMD_BENCH_SQLITE")
	if path == "" {
		b.Skip("CRMD_BENCH_SQLITE is not set")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, abs)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	authority, err := auth.New(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	h := web.NewHandler(web.Deps{Service: crm.NewService(db), Auth: authority})
	user := os.Getenv("CRMD_BENCH_USER")
	if user == "" {
		user = "1"
	}
	// crmdbench's administrator password (internal/bench's benchPassword).
	cookie := benchSignIn(b, h, user, "crmdbench-password")
	for _, p := range []struct{ name, path, marker string }{
		{"inbox", "/leads", `class="list leads"`},
		{"inbox-all", "/leads?status=all", `class="list leads"`},
		{"reports", "/reports?pipeline=" + os.Getenv("CRMD_BENCH_PIPELINE"), `id="chart-funnel"`},
	} {
		b.Run(p.name, func(b *testing.B) {
			cpu := processCPU()
			defer func() { b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op") }()
			for range b.N {
				req := httptest.NewRequest(http.MethodGet, "http://crmd.test"+p.path, nil)
				req.AddCookie(cookie)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), p.marker) {
					b.Fatalf("GET %s: HTTP %d: %.300s", p.path, rec.Code, rec.Body)
				}
			}
		})
	}
}

// benchSignIn signs login in through the workspace's form and returns the
// session cookie the pages are then read with.
func benchSignIn(b *testing.B, h http.Handler, login, password string) *http.Cookie {
	b.Helper()
	form := url.Values{"login": {login}, "password": {password}}
	req := httptest.NewRequest(http.MethodPost, "http://crmd.test/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://crmd.test")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "crmd_session" {
			return c
		}
	}
	b.Fatalf("sign in: HTTP %d: %s", rec.Code, rec.Body)
	return nil
}
