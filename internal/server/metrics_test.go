package server_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
	"github.com/crmd/crmd/internal/ratelimit"
	"github.com/crmd/crmd/internal/server"
)

// unsortedForms is an amoCRM unsorted forms batch of two items.
const unsortedForms = `[
 {"request_id":"a","source_name":"Site","source_uid":"site-1","_embedded":{"contacts":[{"name":"Ivan",
   "custom_fields_values":[{"field_code":"PHONE","values":[{"value":"+79990000101"}]}]}]},
  "metadata":{"form_id":"f1","form_name":"Contact us","form_page":"https://example.com","form_sent_at":1590830520,"ip":"10.0.0.1"}},
 {"request_id":"b","source_name":"Site","source_uid":"site-1","_embedded":{"contacts":[{"name":"Olga",
   "custom_fields_values":[{"field_code":"PHONE","values":[{"value":"+79990000102"}]}]}]},
  "metadata":{"form_id":"f1","form_name":"Contact us","form_page":"https://example.com","form_sent_at":1590830520,"ip":"10.0.0.2"}}]`

// TestMetrics drives every dialect, the limits and the intakes, then reads
// /metrics from its own listener: requests by dialect, route pattern or
// method and status, latency histograms with the declared buckets,
// refusals by dialect and reason, leads by dialect, the pools, the Go
// runtime and the process. No label holds a path's id or a secret.
func TestMetrics(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		o := startObserved(t, dsn, cli.ServerConfig{Limits: true, MetricsAddr: "127.0.0.1:0"})
		metricsURL := o.srv.MetricsURL()
		if metricsURL == "" || strings.HasPrefix(metricsURL, o.url) {
			t.Fatalf("metrics at %q, want a listener of their own beside %s", metricsURL, o.url)
		}
		// The limiter's clock stands still unless the test moves it, so
		// that the limit windows are the test's.
		var clock atomic.Int64
		clock.Store(time.Now().UnixNano())
		o.srv.DB.Now = func() time.Time { return time.Unix(0, clock.Load()) }
		accountID, _, amo, key, uisToken := o.account("Metrics")
		bearer := "Authorization: Bearer " + amo
		want := func(r reply, status int, what string) {
			t.Helper()
			if r.status != status {
				t.Fatalf("%s: HTTP %d, want %d: %s", what, r.status, status, r.body)
			}
		}
		uis := func(method, params string) reply {
			return o.do("POST", "/v2.0", fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":%q,"params":%s}`, method, params))
		}

		want(o.do("GET", "/api/v4/account", "", bearer), 200, "amoCRM account")
		want(o.do("GET", "/api/v4/leads/987654", "", bearer), 204, "amoCRM missing lead (amoCRM answers 204)")
		want(o.do("POST", "/api/v4/leads/unsorted/forms", unsortedForms, bearer), 200, "amoCRM unsorted forms")
		want(o.do("POST", "/openapi/v1/lead/set/?api_key="+key,
			`{"request":{"method":"create","values":{"name":"A","phone":"+7 499 322-97-10"}}}`), 200, "Envybox lead/set")
		want(o.do("POST", "/crm/api/v1/lead/set?api_key="+key,
			`{"request":{"method":"create","values":{"name":"B","phone":"+7 499 322-97-11"}}}`), 200, "Envybox lead/set under the alias")
		want(o.do("POST", "/openapi/v1/no/such/?api_key="+key, `{}`), 404, "Envybox unknown method")
		if r := uis("get.sales_funnel", fmt.Sprintf(`{"access_token":%q}`, uisToken)); r.status != 200 || !strings.Contains(r.body, `"result"`) {
			t.Fatalf("UIS get.sales_funnel: %d %s", r.status, r.body)
		}
		if r := uis("no.such_method_42", `{}`); !strings.Contains(r.body, `"error"`) {
			t.Fatalf("UIS unknown method: %d %s", r.status, r.body)
		}
		want(o.do("GET", "/login", ""), 200, "web sign-in page")
		want(o.do("GET", "/nowhere/123456", ""), 404, "web unknown page")
		want(o.do("GET", "/healthz", ""), 200, "healthz")
		if r := o.do("GET", "/metrics", ""); r.status != 404 || strings.Contains(r.body, "crmd_http_requests_total") {
			t.Errorf("/metrics on the public port: HTTP %d %.200s", r.status, r.body)
		}

		// The widget's per-visitor limit (5 a minute): its leads count
		// until it refuses.
		widgetLeads, widgetRefused := 0, 0
		for i := 0; i < 15 && widgetRefused == 0; i++ {
			r := o.do("POST", fmt.Sprintf("/widget/v1/%d/lead", accountID), fmt.Sprintf(`{"name":"W","phone":"+7999000%04d"}`, i))
			switch r.status {
			case 200:
				widgetLeads++
			case 429:
				widgetRefused++
			default:
				t.Fatalf("widget: HTTP %d %s", r.status, r.body)
			}
		}
		if widgetRefused != 1 || widgetLeads < 5 {
			t.Fatalf("widget: %d leads, %d refusals; want at least 5 leads, then a refusal", widgetLeads, widgetRefused)
		}

		// Every dialect's own limit, lowered to one request per window, in
		// windows of their own.
		clock.Add(int64(2 * time.Minute))
		one := int64(1)
		ctx := context.Background()
		for _, d := range []struct {
			dialect string
			o       ratelimit.Override
		}{{"amocrm", ratelimit.Override{PerSecond: &one}}, {"envybox", ratelimit.Override{PerSecond: &one}},
			{"uis", ratelimit.Override{PerMinute: &one}}} {
			if _, err := o.srv.Limiter.SetLimits(ctx, accountID, d.dialect, d.o); err != nil {
				t.Fatal(err)
			}
		}
		want(o.do("GET", "/openapi/v1/main/data/?api_key="+key, ""), 200, "Envybox within its limit")
		want(o.do("GET", "/openapi/v1/main/data/?api_key="+key, ""), 429, "Envybox over its limit")
		if r := uis("get.sales_funnel", fmt.Sprintf(`{"access_token":%q}`, uisToken)); !strings.Contains(r.body, `"result"`) {
			t.Fatalf("UIS within its limit: %s", r.body)
		}
		if r := uis("get.sales_funnel", fmt.Sprintf(`{"access_token":%q}`, uisToken)); !strings.Contains(r.body, `"limit_exceeded"`) {
			t.Fatalf("UIS over its limit: %s", r.body)
		}
		// amoCRM: over the limit, then blocked for repeated violations.
		amoLimited, amoBlocked := 0, 0
		for i := 0; i < 30 && amoBlocked == 0; i++ {
			switch r := o.do("GET", "/api/v4/account", "", bearer); r.status {
			case 200:
			case 429:
				amoLimited++
			case 403:
				amoBlocked++
			default:
				t.Fatalf("amoCRM under limits: HTTP %d %s", r.status, r.body)
			}
		}
		if amoLimited == 0 || amoBlocked == 0 {
			t.Fatalf("amoCRM: %d refused over the limit, %d while blocked; want both", amoLimited, amoBlocked)
		}
		// The failed-login throttle of UIS login.user.
		loginRefused := 0
		for i := 0; i < 15 && loginRefused == 0; i++ {
			if r := uis("login.user", `{"login":"nobody@example.com","password":"wrong"}`); strings.Contains(r.body, `"limit_exceeded"`) {
				loginRefused++
			}
		}
		if loginRefused == 0 {
			t.Fatal("UIS login.user: no refusal after 15 failed logins")
		}

		m := scrape(t, metricsURL)
		count := func(name string, want float64, labels ...string) {
			t.Helper()
			got, ok := value(m, name, labels...)
			if !ok || got != want {
				t.Errorf("%s%v = %v (present %v), want %v", name, labels, got, ok, want)
			}
		}
		atLeast := func(name string, min float64, labels ...string) {
			t.Helper()
			if got, ok := value(m, name, labels...); !ok || got < min {
				t.Errorf("%s%v = %v (present %v), want at least %v", name, labels, got, ok, min)
			}
		}
		const reqs = "crmd_http_requests_total"
		atLeast(reqs, 1, "dialect", "amocrm", "route", "GET /api/v4/account", "status", "200")
		count(reqs, 1, "dialect", "amocrm", "route", "GET /api/v4/leads/{id}", "status", "204")
		count(reqs, float64(amoLimited), "dialect", "amocrm", "route", "GET /api/v4/account", "status", "429")
		count(reqs, 1, "dialect", "amocrm", "route", "POST /api/v4/leads/unsorted/forms", "status", "200")
		count(reqs, 2, "dialect", "envybox", "route", "lead/set", "status", "200")
		count(reqs, 1, "dialect", "envybox", "route", "/openapi/v1/", "status", "404")
		count(reqs, 1, "dialect", "envybox", "route", "main/data", "status", "429")
		atLeast(reqs, 3, "dialect", "uis", "route", "get.sales_funnel", "status", "200")
		count(reqs, 1, "dialect", "uis", "route", "/v2.0", "status", "200")
		atLeast(reqs, 10, "dialect", "uis", "route", "login.user", "status", "200")
		count(reqs, float64(widgetLeads), "dialect", "widget", "route", "POST /widget/v1/{crm_id}/lead", "status", "200")
		count(reqs, 1, "dialect", "widget", "route", "POST /widget/v1/{crm_id}/lead", "status", "429")
		count(reqs, 1, "dialect", "web", "route", "GET /login", "status", "200")
		count(reqs, 2, "dialect", "web", "route", "/", "status", "404") // /nowhere/123456 and /metrics
		count(reqs, 1, "dialect", "other", "route", "GET /healthz", "status", "200")

		const refusals = "crmd_request_limit_refusals_total"
		count(refusals, float64(amoLimited), "dialect", "amocrm", "reason", "limit")
		count(refusals, float64(amoBlocked), "dialect", "amocrm", "reason", "blocked")
		count(refusals, 1, "dialect", "envybox", "reason", "limit")
		count(refusals, 1, "dialect", "uis", "reason", "limit")
		count(refusals, 1, "dialect", "uis", "reason", "login")
		count(refusals, 1, "dialect", "widget", "reason", "limit")

		const leads = "crmd_leads_taken_total"
		count(leads, 2, "dialect", "amocrm")
		count(leads, 2, "dialect", "envybox")
		count(leads, float64(widgetLeads), "dialect", "widget")

		// The latency histogram of Envybox's lead/set: the declared
		// buckets, cumulative, +Inf holding both requests.
		const hist = "crmd_http_request_duration_seconds"
		var bounds []float64
		last := -1.0
		for _, s := range m {
			if s.name != hist+"_bucket" || s.labels["dialect"] != "envybox" || s.labels["route"] != "lead/set" {
				continue
			}
			le, err := strconv.ParseFloat(s.labels["le"], 64)
			if err != nil {
				t.Fatalf("bucket le %q: %v", s.labels["le"], err)
			}
			bounds = append(bounds, le)
			if s.value < last {
				t.Errorf("bucket le=%v holds %v, less than the bucket below (%v)", le, s.value, last)
			}
			last = s.value
		}
		wantBounds := append(append([]float64(nil), server.DurationBuckets...), math.Inf(1))
		if fmt.Sprint(bounds) != fmt.Sprint(wantBounds) {
			t.Errorf("lead/set buckets %v, want %v", bounds, wantBounds)
		}
		if last != 2 {
			t.Errorf("lead/set +Inf bucket %v, want 2", last)
		}
		count(hist+"_count", 2, "dialect", "envybox", "route", "lead/set")
		if sum, ok := value(m, hist+"_sum", "dialect", "envybox", "route", "lead/set"); !ok || sum <= 0 {
			t.Errorf("lead/set latency sum %v (present %v)", sum, ok)
		}

		// The pools, the store's failures, the runtime and the process.
		pools := []string{"read", "write"}
		if o.srv.DB.Dialect() == "postgres" {
			pools = []string{"readwrite"}
		}
		for _, p := range pools {
			atLeast("crmd_db_max_open_connections", 1, "pool", p)
			atLeast("crmd_db_open_connections", 1, "pool", p)
			for _, name := range []string{"crmd_db_in_use_connections", "crmd_db_idle_connections", "crmd_db_wait_count_total",
				"crmd_db_wait_duration_seconds_total", "crmd_db_max_idle_closed_total", "crmd_db_max_idle_time_closed_total",
				"crmd_db_max_lifetime_closed_total"} {
				atLeast(name, 0, "pool", p)
			}
		}
		count("crmd_db_query_errors_total", 0)
		count("crmd_http_requests_in_flight", 0)
		atLeast("go_goroutines", 1)
		atLeast("go_memstats_alloc_bytes", 1)
		atLeast("process_start_time_seconds", 1)
		atLeast("process_resident_memory_bytes", 1)

		// Labels come from fixed sets: no id of a path, no query, no key.
		for _, s := range m {
			for k, v := range s.labels {
				for _, bad := range []string{"987654", "123456", "api_key", key, amo, uisToken, "no.such_method", "/no/such"} {
					if strings.Contains(v, bad) {
						t.Errorf("%s has label %s=%q, which holds %q", s.name, k, v, bad)
					}
				}
			}
		}

		// A database that went away: the domain's reads fail and count.
		o.srv.DB.Close()
		want(o.do("POST", fmt.Sprintf("/widget/v1/%d/lead", accountID), `{"name":"Z","phone":"+79990009999"}`), 500, "widget without a database")
		m = scrape(t, metricsURL)
		atLeast("crmd_db_query_errors_total", 1)
		count(reqs, 1, "dialect", "widget", "route", "POST /widget/v1/{crm_id}/lead", "status", "500")
	})
}

// TestMetricsOff: without --metrics-addr there is no metrics listener and
// the public port has no /metrics; with it the listener answers only
// /metrics.
func TestMetricsOff(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		off := startObserved(t, dsn, cli.ServerConfig{})
		if u := off.srv.MetricsURL(); u != "" {
			t.Errorf("metrics listener at %q while off", u)
		}
		for _, path := range []string{"/metrics", "/metrics/"} {
			if r := off.do("GET", path, ""); r.status != http.StatusNotFound || strings.Contains(r.body, "crmd_") {
				t.Errorf("GET %s with metrics off: HTTP %d %.200s", path, r.status, r.body)
			}
		}

		on := startObserved(t, dsn, cli.ServerConfig{MetricsAddr: "127.0.0.1:0"})
		base := strings.TrimSuffix(on.srv.MetricsURL(), "/metrics")
		for _, path := range []string{"/", "/healthz", "/api/v4/account"} {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("metrics listener GET %s: HTTP %d, want 404", path, resp.StatusCode)
			}
		}
		if m := scrape(t, on.srv.MetricsURL()); len(m) == 0 {
			t.Error("the metrics listener served no metrics")
		}
	})
}
