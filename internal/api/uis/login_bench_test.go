package uis_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// floodAttackers is how many goroutines send wrong passwords at once, as
// in the probe that found login.user unthrottled (issue 11, item 4).
const floodAttackers = 8

// floodPace is the interval between the measured client's calls.
const floodPace = 10 * time.Millisecond

// BenchmarkLoginFlood measures what a flood of wrong passwords does to
// another client: the latency of get.sales_funnel with a permanent key,
// one call every floodPace as an integration polling would, first alone
// (b.N calls), then while floodAttackers goroutines send login.user with
// wrong passwords for a real user as fast as they are answered (b.N calls
// again), each over its own keep-alive connection. The figure to read is
// p50-ratio, the loaded p50 over the unloaded one of the same run.
// Variants:
//
//   - throttled: crmd as it runs (failed logins throttled, password checks
//     bounded);
//   - unthrottled: the throttle switched off, so only the bound on
//     concurrent password checks protects the other client.
//
// "logins/s" is how many attempts the flood made while the other client
// was measured, "checks/s" how many PBKDF2 checks they cost the server.
//
//	go test -run '^$' -bench LoginFlood -benchtime 300x ./internal/api/uis
func BenchmarkLoginFlood(b *testing.B) {
	for _, backend := range []crmtest.Backend{crmtest.SQLite, crmtest.Postgres} {
		for _, v := range []struct {
			name   string
			policy auth.LoginPolicy
		}{
			{"throttled", auth.DefaultLoginPolicy},
			{"unthrottled", auth.LoginPolicy{}},
		} {
			b.Run(string(backend)+"/"+v.name, func(b *testing.B) {
				env := crmtest.Start(b, crmtest.NewDSN(b, backend))
				env.Server.Authority.SetLoginPolicy(v.policy)
				loginFlood(b, env)
			})
		}
	}
}

func loginFlood(b *testing.B, env *crmtest.Env) {
	ctx := context.Background()
	creds := env.NewAccount(b, "Flood")
	u, err := env.Server.Authority.CreateUser(ctx, crm.NewUser{AccountID: creds.AccountID, Name: "Victim", Role: crm.RoleMember, Email: "victim@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	if err := env.Server.Authority.SetPassword(ctx, u.UserID, "the right password"); err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: time.Minute}
	funnels := rpcBody("get.sales_funnel", map[string]any{"access_token": creds.UISAccessToken})
	measure := func(n int) []time.Duration {
		out := make([]time.Duration, 0, n)
		tick := time.NewTicker(floodPace)
		defer tick.Stop()
		for range n {
			<-tick.C
			start := time.Now()
			if err := rpc(client, env.URL, funnels, "result"); err != nil {
				b.Fatal(err)
			}
			out = append(out, time.Since(start))
		}
		return out
	}
	measure(20) // warm up the connection and the credential cache
	alone := measure(b.N)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var attempts atomic.Int64
	for i := range floodAttackers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: time.Minute}
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				body := rpcBody("login.user", map[string]any{"login": "victim@example.com", "password": fmt.Sprintf("guess %d-%d", i, n)})
				// A refusal is what the flood should get; only a
				// success would be wrong.
				if err := rpc(c, env.URL, body, "error"); err != nil {
					b.Error(err)
					return
				}
				attempts.Add(1)
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // let the flood take hold
	floodStart, attempts0, checks0 := time.Now(), attempts.Load(), env.Server.Authority.PasswordChecks()
	b.ResetTimer()
	loaded := measure(b.N)
	b.StopTimer()
	secs := time.Since(floodStart).Seconds()
	attempted, checked := attempts.Load()-attempts0, env.Server.Authority.PasswordChecks()-checks0
	close(stop)
	wg.Wait()

	base, p50 := percentile(alone, 50), percentile(loaded, 50)
	b.ReportMetric(float64(base)/1e6, "alone-p50-ms")
	b.ReportMetric(float64(p50)/1e6, "flood-p50-ms")
	b.ReportMetric(float64(percentile(loaded, 99))/1e6, "flood-p99-ms")
	b.ReportMetric(float64(p50)/float64(base), "p50-ratio")
	b.ReportMetric(float64(attempted)/secs, "logins/s")
	b.ReportMetric(float64(checked)/secs, "checks/s")
}

func rpcBody(method string, params map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	return b
}

// rpc posts a JSON-RPC request and checks that the reply holds want
// ("result" or "error").
func rpc(c *http.Client, url string, body []byte, want string) error {
	resp, err := c.Post(url+"/v2.0", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if !strings.Contains(string(b), `"`+want+`"`) {
		return fmt.Errorf("reply without %q: %s", want, b)
	}
	return nil
}

// percentile returns the p-th percentile of ds (nearest rank).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)]
}
