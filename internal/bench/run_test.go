package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestMain lets the test binary stand in for crmdbench as its own baseline
// servers: Run re-executes Config.Self with "baseline …".
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "baseline" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		err := ServeBaseline(ctx, os.Args[2:])
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRunSmoke runs the whole benchmark at a smoke size on each backend, as
// `go run ./cmd/crmdbench --deals 300 --duration 300ms` would, so that the
// command cannot rot: crmd is built and started as its own process, every
// scenario runs without a failed request against baselines that answered,
// and the report holds every figure.
func TestRunSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs crmd")
	}
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		var log strings.Builder
		c := Config{DB: dsn, Dir: t.TempDir(), Deals: 300, Clients: 4, Duration: 300 * time.Millisecond, Self: os.Args[0], Log: &log}
		rep, err := Run(context.Background(), c)
		if err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		if len(rep.Baselines) != 3 {
			t.Fatalf("baselines %+v", rep.Baselines)
		}
		for _, b := range rep.Baselines {
			if b.Requests == 0 || b.Throughput <= 0 || b.P99 <= 0 {
				t.Errorf("baseline %+v", b)
			}
		}
		if len(rep.Scenarios) != 31 {
			t.Errorf("%d scenarios ran, want 31", len(rep.Scenarios))
		}
		bare := map[Kind]float64{}
		for _, b := range rep.Baselines {
			bare[Kind(strings.TrimSuffix(b.Name, " baseline"))] = b.Throughput
		}
		for _, f := range rep.Scenarios {
			if f.Requests == 0 || f.Errors > 0 || f.ThroughputRatio <= 0 || f.P99Ratio <= 0 || f.P50 > f.P99 {
				t.Errorf("%s: %+v", f.Name, f)
			}
			// The ratio to the bare handler is to the bare GET for reads
			// and the bare POST for writes, whichever the baseline.
			want := AgainstRead
			if f.Baseline == AgainstWrite {
				want = AgainstPost
			}
			if f.Bare != want || bare[want] <= 0 || math.Abs(f.BareRatio-f.Throughput/bare[want]) > 1e-9 {
				t.Errorf("%s: against the bare %s at %.4f, want %s (%v)", f.Name, f.Bare, f.BareRatio, want, bare)
			}
			if f.RecordsPerSecond != f.Throughput*float64(f.RecordsPerRequest) || (f.RecordsPerRequest > 1) != strings.HasPrefix(f.Name, "bulk create") {
				t.Errorf("%s: %d records a request, %.0f a second", f.Name, f.RecordsPerRequest, f.RecordsPerSecond)
			}
		}
		if rep.Seeded["deals"] != 300 || rep.SeedRows == 0 || rep.PeakRSS <= 0 || rep.BoardDeals == 0 {
			t.Errorf("report %+v", rep)
		}
		table := rep.String()
		for _, want := range []string{"read baseline", "write baseline", "envybox lead/set", "uis get.sales_funnel", "amocrm v4 leads page", "web deal board", "web lead inbox", "p99 × base",
			"post baseline", "× bare", "rec/s", "list with total: envybox deal/list stage+window", "bulk create: amocrm v4 leads (250 per request)"} {
			if !strings.Contains(table, want) {
				t.Errorf("table lacks %q:\n%s", want, table)
			}
		}
		b, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		var back Report
		if err := json.Unmarshal(b, &back); err != nil || len(back.Scenarios) != len(rep.Scenarios) {
			t.Errorf("JSON round trip: %v", err)
		}
	})
}

func TestSelected(t *testing.T) {
	for _, c := range []struct {
		name, only string
		want       bool
	}{
		{"envybox deal/get", "", true},
		{"envybox deal/get", "deal/get", true},
		{"envybox deal/get", "deal/list", false},
		{"list with total: envybox deal/list stage+window", "plain create|list with total", true},
		{"plain create: envybox deal/create", "plain create|list with total", true},
		{"mixed 70% read / 20% update / 10% create", "plain create|list with total", false},
		{"envybox deal/get", "|", false},
	} {
		if got := Selected(c.name, c.only); got != c.want {
			t.Errorf("Selected(%q, %q) = %v", c.name, c.only, got)
		}
	}
}

// TestRunReuse runs twice with Reuse in one Dir: the first run seeds and
// keeps its database, the second measures that same database without
// seeding (its account's credentials still sign in and every scenario it
// runs answers), and a run at another scale seeds its own.
func TestRunReuse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs crmd")
	}
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		dir := t.TempDir()
		crmd := filepath.Join(dir, "crmd-bin")
		if out, err := exec.Command("go", "build", "-o", crmd, "github.com/crmd/crmd/cmd/crmd").CombinedOutput(); err != nil {
			t.Fatalf("build crmd: %v\n%s", err, out)
		}
		run := func(deals int) (*Report, string) {
			t.Helper()
			var log strings.Builder
			c := Config{DB: dsn, Dir: dir, Deals: deals, Clients: 2, Duration: 200 * time.Millisecond, Self: os.Args[0], Log: &log,
				Crmd: crmd, Reuse: true, Only: "deal/get|deal/create|web deal board"}
			rep, err := Run(context.Background(), c)
			if err != nil {
				t.Fatalf("%v\n%s", err, log.String())
			}
			for _, f := range rep.Scenarios {
				if f.Requests == 0 || f.Errors > 0 {
					t.Errorf("%s: %+v", f.Name, f)
				}
			}
			if len(rep.Scenarios) != 4 { // the board, filtered and not
				t.Errorf("%d scenarios ran, want 4", len(rep.Scenarios))
			}
			return rep, log.String()
		}
		first, log1 := run(200)
		var kept []string
		t.Cleanup(func() { dropBenchDatabases(t, dsn, kept) })
		for _, deals := range []int{200, 100} {
			s, err := loadSeeded(datasetPath(Config{DB: dsn, Dir: dir, Deals: deals}))
			if deals == 100 {
				if s != nil || err != nil {
					t.Errorf("a dataset at 100 deals before any such run: %+v, %v", s, err)
				}
				continue
			}
			if err != nil || s == nil || s.Dataset.AccountID == 0 || len(s.Dataset.DealIDs) != 200 {
				t.Fatalf("kept dataset %+v, %v", s, err)
			}
			kept = append(kept, s.DSN)
		}
		if first.Reused || strings.Contains(log1, "reusing") || !strings.Contains(log1, "seeding 200 deals") {
			t.Errorf("the first run reused a database:\n%s", log1)
		}
		second, log2 := run(200)
		if !second.Reused || !strings.Contains(log2, "reusing the database") || strings.Contains(log2, "seeding") || strings.Contains(log2, "rows in") ||
			!strings.Contains(second.String(), "seeded by an earlier run") {
			t.Errorf("the second run seeded again:\n%s", log2)
		}
		other, log3 := run(100)
		if other.Reused || !strings.Contains(log3, "seeding 100 deals") {
			t.Errorf("a run at another scale reused:\n%s", log3)
		}
		if s, _ := loadSeeded(datasetPath(Config{DB: dsn, Dir: dir, Deals: 100})); s != nil {
			kept = append(kept, s.DSN)
		}
	})
}

// dropBenchDatabases drops the PostgreSQL databases a Reuse run kept
// (SQLite's files go with the test's directory).
func dropBenchDatabases(t *testing.T, server string, dsns []string) {
	if !strings.HasPrefix(server, "postgres") {
		return
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Error(err)
		return
	}
	defer admin.Close()
	for _, dsn := range dsns {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Error(err)
			continue
		}
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + strings.TrimPrefix(u.Path, "/") + ` WITH (FORCE)`); err != nil {
			t.Error(err)
		}
	}
}
