package amocrm_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

// limited checks a refusal of the limits: a problem of the status whose
// detail contains detail, with Retry-After in seconds.
func limited(t *testing.T, r *crmtest.Reply, status int, detail string) *crmtest.Reply {
	t.Helper()
	if d := r.Problem(status).Str("detail"); !strings.Contains(d, detail) {
		t.Errorf("detail %q, want it to contain %q", d, detail)
	}
	if _, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	return r
}

func TestLimitAmoCRM(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.StartLimited(t, dsn)
		t0 := time.Date(2026, 6, 1, 12, 0, 0, 100_000_000, time.UTC)
		clock := newLimitClock(env, t0)
		a := newAccount(t, env, "Limited", "")
		member := a.member(t, env)
		get := func(api *crmtest.Client) *crmtest.Reply { return api.Get(t, accountPath) }

		for range 7 {
			get(a.api).Expect(200)
		}
		if r := limited(t, get(a.api), http.StatusTooManyRequests, "7 requests per second"); r.Header.Get("Retry-After") != "1" {
			t.Errorf("Retry-After %q, want 1", r.Header.Get("Retry-After"))
		}
		// v2 shares the counters and answers in its own envelope.
		a.api.Get(t, "/api/v2/customers").Expect(http.StatusTooManyRequests).At("response.error_code")
		// A bad token is refused as before, without counting.
		get(env.AmoCRM("nonsense")).Expect(http.StatusUnauthorized)
		// Another user's token has counters of its own.
		for range 7 {
			get(member).Expect(200)
		}

		// The next second admits 7 again.
		clock.Add(time.Second)
		for range 7 {
			get(a.api).Expect(200)
		}
		// Two violations so far; nine more make eleven in this minute.
		for range 9 {
			limited(t, get(a.api), http.StatusTooManyRequests, "per second")
		}
		// Now the whole account is blocked, every amoCRM token, v4 and v2.
		clock.Add(time.Second)
		limited(t, get(member), http.StatusForbidden, "blocked until 2026-06-01T12:15:01Z")
		if r := limited(t, get(a.api), http.StatusForbidden, "repeated violations"); r.Header.Get("Retry-After") != "899" {
			t.Errorf("Retry-After %q, want 899", r.Header.Get("Retry-After"))
		}
		a.api.Get(t, "/api/v2/customers").Expect(http.StatusForbidden)
		// Envybox counts apart and does not block.
		env.Envybox(a.EnvyboxAPIKey).Get(t, "/openapi/v1/main/data/").Expect(200)
		// Another account is not affected.
		get(newAccount(t, env, "Other", "").api).Expect(200)

		clock.Add(15*time.Minute - 2*time.Second)
		limited(t, get(a.api), http.StatusForbidden, "blocked")
		clock.Add(time.Second) // 12:15:01.1: the block is over
		for range 7 {
			get(a.api).Expect(200)
		}
		limited(t, get(a.api), http.StatusTooManyRequests, "7 requests per second")
	})
}

// TestLimitAmoCRMOff: crmtest.Start has no limits, as existing tests need.
func TestLimitAmoCRMOff(t *testing.T) {
	env := crmtest.Start(t, crmtest.NewDSN(t, crmtest.SQLite))
	newLimitClock(env, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	a := newAccount(t, env, "Unlimited", "")
	for range 30 {
		a.api.Get(t, accountPath).Expect(200)
	}
}
