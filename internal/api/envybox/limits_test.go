package envybox_test

import (
	"context"
	"encoding/json"
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
		a := env.NewAccount(t, "Limited")
		call := func() *crmtest.Response {
			return env.Do(t, "GET", "/openapi/v1/main/data/?api_key="+a.EnvyboxAPIKey, "", "")
		}
		refused := func(resp *crmtest.Response) {
			t.Helper()
			if resp.Status != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
				t.Fatalf("over the limit: %d Retry-After %q %s", resp.Status, resp.Header.Get("Retry-After"), resp.Body)
			}
			obj := resp.Object(t)
			if len(obj) != 2 || obj["status_code"] != json.Number("429") || obj["message"] != "Превышен лимит запросов" {
				t.Errorf("body %s", resp.Body)
			}
		}
		for i := 1; i <= 10; i++ {
			if resp := call(); resp.Status != 200 {
				t.Fatalf("request %d: %d %s", i, resp.Status, resp.Body)
			}
		}
		refused(call())
		// A wrong key is still a wrong key.
		if resp := env.Do(t, "GET", "/openapi/v1/main/data/?api_key=nonsense", "", ""); resp.Status == http.StatusTooManyRequests {
			t.Errorf("bad key counted: %s", resp.Body)
		}

		// The minute allows 300: 29 more seconds of 10.
		for s := 1; s < 30; s++ {
			nanos.Add(int64(time.Second))
			for i := 0; i < 10; i++ {
				if _, err := env.Server.Limiter.Allow(context.Background(),
					ratelimit.ActorKey("envybox", crm.Actor{AccountID: a.AccountID, UserID: a.UserID}), env.Server.DB.Now()); err != nil {
					t.Fatal(err)
				}
			}
		}
		nanos.Add(int64(time.Second))
		refused(call())
		// Many refusals do not block Envybox.
		for i := 0; i < 20; i++ {
			refused(call())
		}
		nanos.Add(int64(30 * time.Second)) // the next minute
		if resp := call(); resp.Status != 200 {
			t.Fatalf("next minute: %d %s", resp.Status, resp.Body)
		}
	})
}
