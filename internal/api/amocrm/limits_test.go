package amocrm_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
)

// Black-box tests of amoCRM's request limits (companion spec §0.6, §0.7):
// 429 over 7 requests per second, 403 for 15 minutes after more than 10
// refused requests in a minute.

// limitClock drives a server's clock (env.Server.DB.Now) without data races.
type limitClock struct{ nanos atomic.Int64 }

func newLimitClock(env *crmtest.Env, t0 time.Time) *limitClock {
	c := &limitClock{}
	c.nanos.Store(t0.UnixNano())
	env.Server.DB.Now = func() time.Time { return time.Unix(0, c.nanos.Load()).UTC() }
	return c
}

func (c *limitClock) Add(d time.Duration) { c.nanos.Add(int64(d)) }

// limitProblem checks a problem+json answer of the given status.
func limitProblem(t *testing.T, resp *crmtest.Response, status int, detail string) {
	t.Helper()
	if resp.Status != status || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("status %d %q, want %d problem+json: %s", resp.Status, resp.Header.Get("Content-Type"), status, resp.Body)
	}
	p := resp.Object(t)
	d, _ := p["detail"].(string)
	if p["title"] != http.StatusText(status) || p["type"] != "https://httpstatus.es/"+strconv.Itoa(status) ||
		p["status"] != json.Number(strconv.Itoa(status)) || !strings.Contains(d, detail) {
		t.Errorf("problem %v, want status %d and detail containing %q", p, status, detail)
	}
	if _, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil {
		t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
}

func TestLimitAmoCRM(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.StartLimited(t, dsn)
		t0 := time.Date(2026, 6, 1, 12, 0, 0, 100_000_000, time.UTC)
		clock := newLimitClock(env, t0)
		a := env.NewAccount(t, "Limited")
		member := env.NewUser(t, a.AccountID, crm.RoleMember)
		get := func(token string) *crmtest.Response { return env.Do(t, "GET", "/api/v4/account", token, "") }

		for i := 1; i <= 7; i++ {
			if resp := get(a.AmoCRMToken); resp.Status != 200 {
				t.Fatalf("request %d: %d %s", i, resp.Status, resp.Body)
			}
		}
		resp := get(a.AmoCRMToken)
		limitProblem(t, resp, http.StatusTooManyRequests, "7 requests per second")
		if resp.Header.Get("Retry-After") != "1" {
			t.Errorf("Retry-After %q, want 1", resp.Header.Get("Retry-After"))
		}
		// v2 shares the counters and answers in its own envelope.
		resp = env.Do(t, "GET", "/api/v2/customers", a.AmoCRMToken, "")
		if resp.Status != http.StatusTooManyRequests || !strings.Contains(string(resp.Body), `"error_code"`) {
			t.Errorf("v2 over the limit: %d %s", resp.Status, resp.Body)
		}
		// A bad token is refused as before, without counting.
		if resp := get("nonsense"); resp.Status != http.StatusUnauthorized {
			t.Errorf("bad token: %d", resp.Status)
		}
		// Another user's token has counters of its own.
		for i := 1; i <= 7; i++ {
			if resp := get(member.AmoCRMToken); resp.Status != 200 {
				t.Fatalf("member request %d: %d %s", i, resp.Status, resp.Body)
			}
		}

		// The next second admits 7 again.
		clock.Add(time.Second)
		for i := 1; i <= 7; i++ {
			if resp := get(a.AmoCRMToken); resp.Status != 200 {
				t.Fatalf("next second, request %d: %d %s", i, resp.Status, resp.Body)
			}
		}
		// Two violations so far; nine more make eleven in this minute.
		for i := 0; i < 9; i++ {
			limitProblem(t, get(a.AmoCRMToken), http.StatusTooManyRequests, "per second")
		}
		// Now the whole account is blocked, every amoCRM token, v4 and v2.
		clock.Add(time.Second)
		limitProblem(t, get(member.AmoCRMToken), http.StatusForbidden, "blocked until 2026-06-01T12:15:01Z")
		resp = get(a.AmoCRMToken)
		limitProblem(t, resp, http.StatusForbidden, "repeated violations")
		if resp.Header.Get("Retry-After") != "899" {
			t.Errorf("Retry-After %q, want 899", resp.Header.Get("Retry-After"))
		}
		if resp := env.Do(t, "GET", "/api/v2/customers", a.AmoCRMToken, ""); resp.Status != http.StatusForbidden {
			t.Errorf("v2 while blocked: %d %s", resp.Status, resp.Body)
		}
		// Envybox counts apart and does not block.
		if resp := env.Do(t, "GET", "/openapi/v1/main/data/?api_key="+a.EnvyboxAPIKey, "", ""); resp.Status != 200 {
			t.Errorf("Envybox while amoCRM is blocked: %d %s", resp.Status, resp.Body)
		}
		// Another account is not affected.
		b := env.NewAccount(t, "Other")
		if resp := get(b.AmoCRMToken); resp.Status != 200 {
			t.Errorf("another account: %d %s", resp.Status, resp.Body)
		}

		clock.Add(15*time.Minute - 2*time.Second)
		limitProblem(t, get(a.AmoCRMToken), http.StatusForbidden, "blocked")
		clock.Add(time.Second) // 12:15:01.1: the block is over
		for i := 1; i <= 7; i++ {
			if resp := get(a.AmoCRMToken); resp.Status != 200 {
				t.Fatalf("after the block, request %d: %d %s", i, resp.Status, resp.Body)
			}
		}
		limitProblem(t, get(a.AmoCRMToken), http.StatusTooManyRequests, "7 requests per second")
	})
}

// TestLimitAmoCRMOff: crmtest.Start has no limits, as existing tests need.
func TestLimitAmoCRMOff(t *testing.T) {
	env := crmtest.Start(t, crmtest.NewDSN(t, crmtest.SQLite))
	newLimitClock(env, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	a := env.NewAccount(t, "Unlimited")
	for i := 1; i <= 30; i++ {
		if resp := env.Do(t, "GET", "/api/v4/account", a.AmoCRMToken, ""); resp.Status != 200 {
			t.Fatalf("request %d: %d %s", i, resp.Status, resp.Body)
		}
	}
}
