package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/ratelimit"
)

// limitNow returns a settable clock for a server's store.
func limitNow(t0 time.Time) (*atomic.Int64, func() time.Time) {
	var nanos atomic.Int64
	nanos.Store(t0.UnixNano())
	return &nanos, func() time.Time { return time.Unix(0, nanos.Load()).UTC() }
}

func limitGet(t *testing.T, url string, header ...string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if len(header) == 2 {
		req.Header.Set(header[0], header[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// TestLimitsSetCommand sets an account's limits with `crmd limits set`
// while a server runs on the database; the server applies them at once.
func TestLimitsSetCommand(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.StartLimited(t, dsn)
		_, now := limitNow(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
		env.Server.DB.Now = now
		a := env.NewAccount(t, "Limited")
		id := strconv.FormatInt(a.AccountID, 10)
		envybox := func() int { return limitGet(t, env.URL+"/openapi/v1/main/data/?api_key="+a.EnvyboxAPIKey) }

		out, err := run(t, nil, "limits", "set", "--db", dsn, "--account", id, "--dialect", "envybox", "--per-second", "2", "--json")
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("not JSON: %q", out)
		}
		want := map[string]any{"account_id": float64(a.AccountID), "dialect": "envybox", "per_second": float64(2), "per_minute": float64(300), "per_day": float64(0)}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %v, want %v (%s)", k, got[k], v, out)
			}
		}
		if s1, s2, s3 := envybox(), envybox(), envybox(); s1 != 200 || s2 != 200 || s3 != http.StatusTooManyRequests {
			t.Fatalf("with 2 per second: %d %d %d", s1, s2, s3)
		}
		// The other flags stay as stored; -1 restores the default, 0 lifts a limit.
		out, err = run(t, nil, "limits", "set", "--db", dsn, "--account", id, "--dialect", "envybox", "--per-day", "1000")
		if err != nil || out != "account "+id+", envybox: 2 per second, 300 per minute, 1000 per day\n" {
			t.Fatalf("per-day: %q %v", out, err)
		}
		out, err = run(t, nil, "limits", "set", "--db", dsn, "--account", id, "--dialect", "envybox", "--per-second", "-1", "--per-minute", "0")
		if err != nil || out != "account "+id+", envybox: 10 per second, no limit per minute, 1000 per day\n" {
			t.Fatalf("restore: %q %v", out, err)
		}
		if s := envybox(); s != 200 {
			t.Fatalf("after restoring 10 per second: %d", s)
		}
		// amoCRM through the same command.
		if _, err := run(t, nil, "limits", "set", "--db", dsn, "--account", id, "--dialect", "amocrm", "--per-second", "1"); err != nil {
			t.Fatal(err)
		}
		bearer := []string{"Authorization", "Bearer " + a.AmoCRMToken}
		if s1, s2 := limitGet(t, env.URL+"/api/v4/account", bearer...), limitGet(t, env.URL+"/api/v4/account", bearer...); s1 != 200 || s2 != 429 {
			t.Fatalf("amoCRM with 1 per second: %d %d", s1, s2)
		}

		for _, bad := range [][]string{
			{"--account", id, "--dialect", "bitrix"},
			{"--dialect", "uis"},
			{"--account", id, "--dialect", "uis", "--per-day", "x"},
		} {
			if _, err := run(t, nil, append([]string{"limits", "set", "--db", dsn}, bad...)...); !cli.IsUsage(err) {
				t.Errorf("%v: %v, want a usage error", bad, err)
			}
		}
		if _, err := run(t, nil, "limits", "set", "--db", dsn, "--account", id, "--dialect", "uis", "--per-day", "-5"); err == nil || !strings.Contains(err.Error(), "--per-day") {
			t.Errorf("negative limit: %v", err)
		}
		if _, err := run(t, nil, "limits", "set", "--db", dsn, "--account", "99999", "--dialect", "uis", "--per-day", "5"); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("unknown account: %v", err)
		}
	})
}

// TestLimitServeFlag: crmd serve applies limits unless --limits=false or
// CRMD_LIMITS=false.
func TestLimitServeFlag(t *testing.T) {
	dsn := crmtest.NewDSN(t, crmtest.SQLite)
	for _, tt := range []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"default", "", nil, "limits=true"},
		{"flag", "", []string{"--limits=false"}, "limits=false"},
		{"env", "false", nil, "limits=false"},
		{"flag over env", "false", []string{"--limits"}, "limits=true"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sig := make(chan os.Signal, 1)
			errOut, done := &syncBuffer{}, make(chan error, 1)
			m := &cli.Main{Stdout: io.Discard, Stderr: errOut, Signals: sig,
				Getenv: env{"CRMD_ADDR": "127.0.0.1:0", "CRMD_DB": dsn, "CRMD_LIMITS": tt.env}.get}
			go func() { done <- m.Run(context.Background(), append([]string{"serve"}, tt.args...)) }()
			deadline := time.Now().Add(20 * time.Second)
			for !regexp.MustCompile(`crmd serving.*limits=`).MatchString(errOut.String()) {
				if time.Now().After(deadline) {
					t.Fatalf("serve did not start: %s", errOut.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			if !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("want %s in %s", tt.want, errOut.String())
			}
			sig <- syscall.SIGTERM
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	m := &cli.Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: env{"CRMD_LIMITS": "sometimes"}.get}
	if err := m.Run(context.Background(), []string{"serve", "--db", dsn}); !cli.IsUsage(err) {
		t.Errorf("CRMD_LIMITS=sometimes: %v, want a usage error", err)
	}
}

// TestLimitTwoProcesses runs two crmd servers on one database, as two
// processes would, and splits one caller's requests between them: the
// limits hold in total, not per server.
func TestLimitTwoProcesses(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		var servers []*cli.Server
		t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		clock, now := limitNow(t0)
		for i := 0; i < 2; i++ {
			srv, err := cli.Start(ctx, cli.ServerConfig{Addr: "127.0.0.1:0", DSN: dsn, Logger: logger, Limits: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				srv.Shutdown(ctx)
			})
			srv.DB.Now = now
			servers = append(servers, srv)
		}
		a, err := servers[0].Authority.CreateAccount(ctx, crm.NewAccount{Name: "Shared"})
		if err != nil {
			t.Fatal(err)
		}
		// amoCRM: 7 per second in total, the requests alternating.
		bearer := []string{"Authorization", "Bearer " + a.AmoCRMToken}
		count := func(n int, url func(i int) string, hdr ...string) (ok, refused int) {
			for i := 0; i < n; i++ {
				switch s := limitGet(t, url(i), hdr...); s {
				case 200:
					ok++
				case 429:
					refused++
				default:
					t.Fatalf("request %d: status %d", i, s)
				}
			}
			return ok, refused
		}
		amo := func(i int) string { return servers[i%2].URL() + "/api/v4/account" }
		if ok, refused := count(10, amo, bearer...); ok != 7 || refused != 3 {
			t.Fatalf("amoCRM over two servers: %d admitted, %d refused; want 7 and 3", ok, refused)
		}

		// Envybox: a minute limit of 5 and no second limit, set on one
		// server's database, enforced on both across several seconds.
		if _, err := servers[1].Limiter.SetLimits(ctx, a.AccountID, "envybox", ratelimit.Override{PerSecond: new(int64), PerMinute: limitPtr(int64(5))}); err != nil {
			t.Fatal(err)
		}
		envybox := func(i int) string {
			if i%3 == 2 {
				clock.Add(int64(time.Second))
			}
			return servers[i%2].URL() + "/openapi/v1/main/data/?api_key=" + a.EnvyboxAPIKey
		}
		if ok, refused := count(9, envybox); ok != 5 || refused != 4 {
			t.Fatalf("Envybox over two servers: %d admitted, %d refused; want 5 and 4", ok, refused)
		}

		// Concurrent requests to both servers at once.
		clock.Add(int64(time.Minute))
		results := make(chan int, 40)
		for i := 0; i < 40; i++ {
			go func() {
				results <- limitGet(t, servers[i%2].URL()+"/api/v4/account", bearer...)
			}()
		}
		ok := 0
		for i := 0; i < 40; i++ {
			if <-results == 200 {
				ok++
			}
		}
		if ok != 7 {
			t.Fatalf("40 concurrent amoCRM requests over two servers: %d admitted, want 7", ok)
		}
	})
}

func limitPtr[T any](v T) *T { return &v }
