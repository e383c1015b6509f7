package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/signal"
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
