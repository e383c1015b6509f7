// Command crmdbench is crmd's load and scale benchmark. It seeds a fresh
// database at a chosen scale, runs crmd as a separate process, drives every
// dialect's scenarios over loopback and prints one table of throughput and
// latency, each as a ratio to baselines measured in the same run; the same
// figures go to a JSON file. See docs/PERFORMANCE.md.
//
// The baselines are three servers of this binary's own ("crmdbench
// baseline read|post|write"): the bare GET (net/http answering a fixed
// deal-sized JSON), the bare POST (the body read unparsed, a fixed answer,
// no database) and the write baseline (a lead decoded and inserted as one
// row). Every scenario is divided by its baseline (read for reads, lists
// and pages; write for writes) and by its bare handler (the bare GET for
// reads, the bare POST for writes), and a batch's requests also count as
// the records they carry (records per second).
//
// The scenarios, in the order they run: reads by id; lists, among them the
// lists with their totals (one stage and a creation window matching 10% of
// the deals through Envybox deal/list, and narrowed to a responsible user
// through amoCRM's GET /api/v4/leads and the web table and board column);
// UIS; the web pages; intake (Envybox lead/set); plain creates (Envybox
// deal/create, amoCRM POST /api/v4/leads with one lead); single writes
// (stage changes through Envybox and amoCRM PATCH, amoCRM notes and tasks);
// batches (amoCRM POST /api/v4/leads with 250 leads, /leads/complex with
// 50 leads and contacts); the 70/20/10 mixed workload. --only picks
// scenarios by a part of their name, several with "|":
//
//	go run ./cmd/crmdbench --deals 100000
//	go run ./cmd/crmdbench --deals 100000 --db postgres://postgres@127.0.0.1:5432/postgres
//	go run ./cmd/crmdbench --deals 100000 --clients 16 --duration 5s --only 'list with total|list filtered|plain create|write:|bulk create'
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/crmd/crmd/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "baseline" {
		err = bench.ServeBaseline(ctx, os.Args[2:])
	} else {
		err = run(ctx, os.Args[1:])
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "crmdbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("crmdbench", flag.ContinueOnError)
	c := bench.Config{Log: os.Stderr}
	fs.StringVar(&c.DB, "db", os.Getenv("CRMD_BENCH_DB"), "PostgreSQL `DSN` of a server to create a fresh database on (default: a fresh SQLite file in --dir; env CRMD_BENCH_DB)")
	fs.StringVar(&c.Dir, "dir", filepath.Join(os.TempDir(), "crmdbench"), "working `DIR` for the database, the crmd binary and its log")
	fs.IntVar(&c.Deals, "deals", 100_000, "scale: number of deals (clients, leads, customers … follow)")
	fs.IntVar(&c.Clients, "clients", 8, "concurrent HTTP clients per scenario")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "how long each scenario and baseline runs")
	fs.StringVar(&c.Crmd, "crmd", "", "crmd `BINARY` to run (default: build this module's cmd/crmd into --dir)")
	fs.StringVar(&c.Only, "only", "", "run only the scenarios whose name contains `TEXT` (or one of its |-separated parts)")
	fs.IntVar(&c.WebhookRuns, "webhook-runs", 0, "end with `N` intake runs without and N with a webhook subscribed, and compare their medians (0: skip)")
	fs.BoolVar(&c.WebhookBatch, "webhook-batch", false, "make --webhook-runs' webhook a batching one (several events a POST)")
	fs.BoolVar(&c.Keep, "keep", false, "keep the PostgreSQL database the run seeded (its DSN is printed; drop it yourself)")
	fs.BoolVar(&c.Reuse, "reuse", false, "measure the database an earlier --reuse run seeded in --dir at the same --deals and backend (seed and keep one if there is none)")
	out := fs.String("json", "", "write the report as JSON to `FILE` (default: DIR/report-BACKEND-DEALS.json)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	c.Self = self
	rep, err := bench.Run(ctx, c)
	if err != nil {
		return err
	}
	fmt.Println()
	if err := rep.WriteTable(os.Stdout); err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = filepath.Join(c.Dir, fmt.Sprintf("report-%s-%d.json", rep.Backend, rep.Deals))
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Println("JSON:", path)
	if n := rep.Errors(); n > 0 {
		return fmt.Errorf("%d requests failed", n)
	}
	return nil
}
