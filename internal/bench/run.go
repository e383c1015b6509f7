package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/bench/load"
	"github.com/crmd/crmd/internal/store"
)

// Config is one benchmark run.
type Config struct {
	// DB is "" for a fresh SQLite file in Dir, or a PostgreSQL DSN: the run
	// creates a fresh database on that server and drops it at the end.
	DB string
	// Keep leaves the PostgreSQL database the run made in place (its DSN is
	// logged), for EXPLAIN at the seeded scale; the caller drops it.
	Keep bool
	// Reuse runs against the database an earlier run with Reuse seeded in
	// the same Dir at the same scale and backend (its dataset file,
	// datasetPath, says where it is and what it holds), and seeds and
	// keeps a new one when there is none: comparing binaries at a million
	// deals then costs one seed, not one a run. The write scenarios of
	// earlier runs have added their rows to it.
	Reuse bool
	// Dir holds the SQLite files, the crmd binary and the server's log.
	Dir string
	// Deals is the scale; everything else follows DefaultShape.
	Deals int
	// Clients is the number of concurrent HTTP clients per scenario.
	Clients int
	// Duration is how long each scenario (and each baseline) runs.
	Duration time.Duration
	// Crmd is the crmd binary; "" builds one from this module into Dir.
	Crmd string
	// Self is this benchmark's own binary, re-executed for the baselines.
	Self string
	// Only, when not empty, keeps the scenarios whose name contains it, or
	// any of its "|"-separated parts (Selected).
	Only string
	// WebhookRuns, when above 0, ends the run with the webhook intake
	// comparison (WebhookIntake): this many intake runs without and with a
	// webhook.
	WebhookRuns int
	// WebhookBatch makes that webhook a batching one (crm.Webhook.Batch).
	WebhookBatch bool
	// Log receives progress lines.
	Log io.Writer
}

// Figures is one measured workload and its ratios to its baseline.
type Figures struct {
	Group        string   `json:"group"`
	Name         string   `json:"name"`
	Baseline     Kind     `json:"baseline,omitempty"`
	Clients      int      `json:"clients"`
	Requests     int      `json:"requests"`
	Errors       int      `json:"errors"`
	ErrorSamples []string `json:"error_samples,omitempty"`
	Throughput   float64  `json:"throughput_rps"`
	P50          float64  `json:"p50_ms"`
	P95          float64  `json:"p95_ms"`
	P99          float64  `json:"p99_ms"`
	Max          float64  `json:"max_ms"`
	// ThroughputRatio is throughput ÷ the baseline's; P99Ratio is p99 ÷ the
	// baseline's p99 (lower is better).
	ThroughputRatio float64 `json:"throughput_ratio,omitempty"`
	P99Ratio        float64 `json:"p99_ratio,omitempty"`
	// Bare is the bare handler the scenario is also divided by
	// (Kind.Bare): "read", the bare GET, or "post", the bare POST;
	// BareRatio is throughput ÷ that handler's.
	Bare      Kind    `json:"bare,omitempty"`
	BareRatio float64 `json:"bare_throughput_ratio,omitempty"`
	// RecordsPerRequest is how many records a request writes (1 but for
	// batches) and RecordsPerSecond the throughput in records.
	RecordsPerRequest int     `json:"records_per_request,omitempty"`
	RecordsPerSecond  float64 `json:"records_per_second,omitempty"`
	// PeakRSS is the server's peak resident memory during the scenario,
	// in bytes (0 when the system cannot reset the peak between scenarios).
	PeakRSS int64 `json:"peak_rss_bytes,omitempty"`
}

// Report is the whole run.
type Report struct {
	Backend  string         `json:"backend"`
	Deals    int            `json:"deals"`
	Seeded   map[string]int `json:"seeded_rows"`
	SeedRows int            `json:"seed_rows_total"`
	SeedTime float64        `json:"seed_seconds"`
	// BoardDeals is how many deals the pipeline the board scenarios show
	// holds (Dataset.BoardDeals).
	BoardDeals int       `json:"board_pipeline_deals"`
	Clients    int       `json:"clients"`
	Duration   float64   `json:"seconds_per_scenario"`
	Machine    string    `json:"machine"`
	Started    time.Time `json:"started"`
	Baselines  []Figures `json:"baselines"`
	Scenarios  []Figures `json:"scenarios"`
	// PeakRSS is the server's peak resident memory over the whole run.
	PeakRSS int64 `json:"server_peak_rss_bytes"`
	// Reused says the run measured a database an earlier run seeded
	// (Config.Reuse): its writes have grown it a little.
	Reused bool `json:"reused_database,omitempty"`
	// WebhookIntake is the webhook comparison, when asked for.
	WebhookIntake *WebhookIntake `json:"webhook_intake,omitempty"`
}

func figures(group string, base Kind, r load.Result) Figures {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return Figures{Group: group, Name: r.Name, Baseline: base, Clients: r.Concurrency, Requests: r.Requests, Errors: r.Errors,
		ErrorSamples: r.ErrorSamples, Throughput: r.Throughput, P50: ms(r.P50), P95: ms(r.P95), P99: ms(r.P99), Max: ms(r.Max)}
}

// Run seeds, measures the baselines, starts crmd and runs every scenario.
func Run(ctx context.Context, c Config) (*Report, error) {
	logf := func(format string, args ...any) {
		if c.Log != nil {
			fmt.Fprintf(c.Log, format+"\n", args...)
		}
	}
	if c.Deals < 10 {
		return nil, errors.New("--deals must be at least 10")
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, err
	}
	var seeded *seededDatabase
	if c.Reuse {
		var err error
		if seeded, err = loadSeeded(datasetPath(c)); err != nil {
			return nil, err
		}
	}
	var dsn, backend string
	if seeded != nil {
		dsn, backend = seeded.DSN, seeded.Backend
		logf("reusing the database an earlier run seeded (%d rows): %s", seeded.Dataset.Rows, dsn)
	} else {
		var drop func()
		var err error
		if dsn, backend, drop, err = freshDatabase(ctx, c); err != nil {
			return nil, err
		}
		if c.Keep || c.Reuse {
			// The seeded database outlives the run so that its plans can be
			// studied at scale without seeding again (a PostgreSQL million takes
			// 10–15 minutes); the SQLite file stays in Dir anyway.
			logf("keeping the database: %s", dsn)
		} else {
			defer drop()
		}
	}
	rep := &Report{Backend: backend, Deals: c.Deals, Clients: c.Clients, Duration: c.Duration.Seconds(), Machine: machine(), Started: time.Now().UTC(),
		Reused: seeded != nil}

	crmd := c.Crmd
	if crmd == "" {
		crmd = filepath.Join(c.Dir, "crmd")
		logf("building crmd into %s", crmd)
		build := exec.CommandContext(ctx, "go", "build", "-o", crmd, "github.com/crmd/crmd/cmd/crmd")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build crmd (or pass --crmd): %v\n%s", err, out)
		}
	}

	var ds *Dataset
	if seeded != nil {
		ds = seeded.Dataset
	} else {
		logf("seeding %d deals on %s", c.Deals, backend)
		db, err := store.Open(ctx, dsn)
		if err != nil {
			return nil, err
		}
		ds, err = Seed(ctx, db, c.Deals, DefaultShape, func(s string) { logf("  %s", s) })
		db.Close()
		if err != nil {
			return nil, err
		}
		logf("seeded %d rows in %s", ds.Rows, ds.Elapsed.Round(time.Millisecond))
		if c.Reuse {
			if err := saveSeeded(datasetPath(c), &seededDatabase{Backend: backend, DSN: dsn, Dataset: ds}); err != nil {
				return nil, err
			}
		}
	}
	rep.Seeded, rep.SeedRows, rep.SeedTime, rep.BoardDeals = ds.Counts, ds.Rows, ds.Elapsed.Seconds(), ds.BoardDeals

	client := load.NewClient(c.Clients)
	baselines := map[Kind]Figures{}
	writeDSN := dsn
	if backend == "sqlite" {
		writeDSN = filepath.Join(c.Dir, "baseline-write.db")
		os.Remove(writeDSN)
	}
	for _, b := range []struct {
		kind Kind
		args []string
		req  load.Request
	}{
		{AgainstRead, []string{"baseline", "read"}, load.Request{Method: http.MethodGet, Path: "/read"}},
		{AgainstPost, []string{"baseline", "post"}, load.Request{}},
		{AgainstWrite, []string{"baseline", "write", "--db", writeDSN}, load.Request{}},
	} {
		f, err := runBaseline(ctx, c, client, b.kind, b.args, b.req)
		if err != nil {
			return nil, fmt.Errorf("%s baseline: %w", b.kind, err)
		}
		logf("baseline %-6s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms", b.kind, f.Throughput, f.P50, f.P99)
		baselines[b.kind] = f
		rep.Baselines = append(rep.Baselines, f)
	}

	addr, err := load.FreeAddr()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(c.Dir, "crmd.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	server, err := load.StartProcess(ctx, crmd, []string{"serve", "--addr", addr, "--db", dsn, "--limits=false", "--lifecycle-interval=0",
		// The webhook comparison's receiver listens on 127.0.0.1.
		"--webhook-allow-private"},
		os.Environ(), "http://"+addr+"/healthz", logFile)
	if err != nil {
		return nil, fmt.Errorf("start crmd: %w", err)
	}
	defer server.Stop(30 * time.Second)
	logf("crmd serving on %s (pid %d, log %s)", addr, server.PID(), logFile.Name())

	base := "http://" + addr
	session, err := SignIn(ctx, client, base, ds)
	if err != nil {
		return nil, err
	}
	logf("signed in to the web workspace; the board shows pipeline %d with %d deals", ds.BoardPipeline, ds.BoardDeals)

	for _, s := range Scenarios(ds, session, c.Clients, c.Duration) {
		if !Selected(s.Name, c.Only) {
			continue
		}
		resetOK := server.ResetPeakRSS() == nil
		r := load.Run(ctx, client, base, s.Scenario)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f := figures(s.Group, s.Baseline, r)
		if b := baselines[s.Baseline]; b.Throughput > 0 && b.P99 > 0 {
			f.ThroughputRatio, f.P99Ratio = f.Throughput/b.Throughput, f.P99/b.P99
		}
		f.Bare = s.Baseline.Bare()
		if b := baselines[f.Bare]; b.Throughput > 0 {
			f.BareRatio = f.Throughput / b.Throughput
		}
		f.RecordsPerRequest = max(1, s.Records)
		f.RecordsPerSecond = f.Throughput * float64(f.RecordsPerRequest)
		if rss, err := server.PeakRSS(); err == nil && resetOK {
			f.PeakRSS = rss
		}
		rep.Scenarios = append(rep.Scenarios, f)
		logf("%-42s %8.0f req/s  %8.0f rec/s  p50 %7.2f ms  p99 %7.2f ms  errors %d", f.Name, f.Throughput, f.RecordsPerSecond, f.P50, f.P99, f.Errors)
		for _, e := range f.ErrorSamples {
			logf("    error: %s", e)
		}
	}
	if c.WebhookRuns > 0 {
		for _, s := range Scenarios(ds, session, c.Clients, c.Duration) {
			if s.Group == "intake" {
				if rep.WebhookIntake, err = compareWebhookIntake(ctx, c, client, base, dsn, ds, s, logf); err != nil {
					return nil, err
				}
			}
		}
	}
	// A graceful shutdown waits for connections the client keeps idle.
	client.CloseIdleConnections()
	for _, f := range rep.Scenarios {
		rep.PeakRSS = max(rep.PeakRSS, f.PeakRSS)
	}
	if rss, err := server.PeakRSS(); err == nil {
		rep.PeakRSS = max(rep.PeakRSS, rss)
	}
	if err := server.Stop(30 * time.Second); err != nil {
		return rep, fmt.Errorf("stop crmd: %w", err)
	}
	return rep, nil
}

// Selected reports whether --only's only keeps the scenario named name:
// only is empty, or name contains one of its "|"-separated parts, so that
// one run can pick several families ("list with total|plain create").
func Selected(name, only string) bool {
	if only == "" {
		return true
	}
	for _, part := range strings.Split(only, "|") {
		if part != "" && strings.Contains(name, part) {
			return true
		}
	}
	return false
}

// sessionCookie is the web workspace's session cookie (internal/web).
const sessionCookie = "crmd_session"

// SignIn signs the dataset's administrator in to the web workspace at
// base as a browser would — a form POST to /login saying it comes from the
// workspace's own page (Origin, Sec-Fetch-Site), without which the
// workspace refuses it as cross-site — and returns the session's token.
func SignIn(ctx context.Context, client *http.Client, base string, ds *Dataset) (string, error) {
	form := url.Values{"login": {strconv.FormatInt(ds.Creds.UserID, 10)}, "password": {ds.Password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("sign in: %w", err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c.Value, nil
		}
	}
	return "", fmt.Errorf("sign in: HTTP %d without a session cookie: %.200s", resp.StatusCode, body)
}

// runBaseline starts this binary as a baseline server and loads it like a
// scenario would: same clients, same duration.
func runBaseline(ctx context.Context, c Config, client *http.Client, kind Kind, args []string, req load.Request) (Figures, error) {
	addr, err := load.FreeAddr()
	if err != nil {
		return Figures{}, err
	}
	p, err := load.StartProcess(ctx, c.Self, append(args, "--addr", addr), os.Environ(), "http://"+addr+"/healthz", io.Discard)
	if err != nil {
		return Figures{}, err
	}
	defer p.Stop(10 * time.Second)
	s := load.Scenario{Name: string(kind) + " baseline", Concurrency: c.Clients, Duration: c.Duration}
	if kind == AgainstWrite || kind == AgainstPost {
		// The bare POST gets the very body the write baseline decodes.
		seqs := make([]int, c.Clients)
		s.Next = func(r *rand.Rand, worker int) load.Request {
			seqs[worker]++
			return load.Request{Method: http.MethodPost, Path: "/" + string(kind), Header: jsonHeader,
				Body: fmt.Appendf(nil, `{"api_key":"0123456789abcdef0123456789abcdef","name":"%s %s","phone":"7%03d%07d","email":"","comment":"Заявка с сайта: перезвонить после обеда","utm_source":"google"}`,
					pick(r, firstNames), pick(r, surnames), 100+worker, seqs[worker])}
		}
	} else {
		s.Next = func(*rand.Rand, int) load.Request { return req }
	}
	r := load.Run(ctx, client, "http://"+addr, s)
	client.CloseIdleConnections()
	if r.Errors > 0 {
		return Figures{}, fmt.Errorf("%d of %d requests failed: %v", r.Errors, r.Requests, r.ErrorSamples)
	}
	return figures("baseline", "", r), p.Stop(10 * time.Second)
}

// freshDatabase names the database the run seeds: a new SQLite file in
// Dir, or a new database on the PostgreSQL server of c.DB, dropped by the
// returned func.
func freshDatabase(ctx context.Context, c Config) (dsn, backend string, drop func(), err error) {
	dialect, path, err := store.ParseDSN(c.DB)
	if err != nil {
		return "", "", nil, fmt.Errorf("--db: %w", err)
	}
	if dialect == store.DialectSQLite {
		if path == "" {
			path = filepath.Join(c.Dir, "bench.db")
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return "", "", nil, err
			}
		}
		return path, "sqlite", func() {}, nil
	}
	u, err := url.Parse(c.DB)
	if err != nil {
		return "", "", nil, fmt.Errorf("--db: %w", err)
	}
	admin, err := sql.Open("pgx", c.DB)
	if err != nil {
		return "", "", nil, err
	}
	name := fmt.Sprintf("crmdbench_%d_%d", os.Getpid(), time.Now().Unix())
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		return "", "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	return u.String(), "postgres", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		admin.Close()
	}, nil
}

// machine describes the host for the report.
func machine() string {
	desc := fmt.Sprintf("%s/%s, %d CPUs", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				desc += ", " + strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			desc += fmt.Sprintf(", %.0f GiB RAM", float64(kb)/(1<<20))
		}
	}
	return desc + ", " + runtime.Version()
}
