package envybox_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/ratelimit"
)

// Black-box tests of Envybox's request limits: the document has none, so
// crmd answers HTTP 429 {"status_code": 429, "message": "Превышен лимит
// запросов"} over its defaults (10 per second, 300 per minute).

func TestLimitEnvybox(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		env := crmtest.StartLimited(t, dsn)
		var nanos atomic.Int64
		t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		nanos.Store(t0.UnixNano())
		env.Server.DB.Now = func() time.Time { return time.Unix(0, nanos.Load()).UTC() }
		a := newAccount(t, env, "Limited")
		call := func() *crmtest.Reply { return a.call(t, http.MethodGet, "main/data/", "") }
		limited := func(r *crmtest.Reply) {
			t.Helper()
			refused(t, r, http.StatusTooManyRequests, "Превышен лимит запросов")
			if r.Header.Get("Retry-After") == "" {
				t.Errorf("over the limit without Retry-After")
			}
		}
		for range 10 {
			success(call())
		}
		limited(call())
		// A wrong key is still a wrong key.
		refused(t, a.as("nonsense").call(t, http.MethodGet, "main/data/", ""), http.StatusUnauthorized, "Неправильный ключ api")

		// The minute allows 300: 29 more seconds of 10.
		for s := 1; s < 30; s++ {
			nanos.Add(int64(time.Second))
			for i := 0; i < 10; i++ {
				if _, err := env.Server.Limiter.Allow(context.Background(),
					ratelimit.ActorKey("envybox", crm.Actor{AccountID: a.id, UserID: a.admin}), env.Server.DB.Now()); err != nil {
					t.Fatal(err)
				}
			}
		}
		nanos.Add(int64(time.Second))
		limited(call())
		// Many refusals do not block Envybox.
		for range 20 {
			limited(call())
		}
		nanos.Add(int64(30 * time.Second)) // the next minute
		success(call())
	})
}
