package cli_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestServeJSONLogsAndMetrics runs `crmd serve` as an operator would with
// CRMD_LOG_FORMAT=json and CRMD_METRICS_ADDR: every line on stderr is a
// JSON object, the start line names the metrics' URL, the access lines
// carry the request id the answers name, the metrics listener counts the
// requests, and none of the secrets serve printed once on stdout — nor
// the ones the requests carried — appears in the log.
func TestServeJSONLogsAndMetrics(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		s := startServe(t, dsn, "CRMD_LOG_FORMAT", "json", "CRMD_METRICS_ADDR", "127.0.0.1:0")
		printed := s.out.String()
		field := func(re string) string {
			m := regexp.MustCompile(re).FindStringSubmatch(printed)
			if m == nil {
				t.Fatalf("%s not printed: %s", re, printed)
			}
			return m[1]
		}
		token := field(`amoCRM bearer token:\s+(\S+)`)
		key := field(`Envybox api_key:\s+(\S+)`)
		uisToken := field(`UIS access_token:\s+(\S+)`)
		login, password := field(`web sign-in:\s+\S+/login\s+login (\d+)`), field(`password (\S+)`)

		send := func(method, path, body string, headers ...string) *http.Response {
			t.Helper()
			req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
			for _, h := range headers {
				k, v, _ := strings.Cut(h, ": ")
				req.Header.Set(k, v)
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp
		}
		ids := map[string]string{} // request id → path
		for _, r := range []*http.Response{
			send("GET", "/api/v4/account", "", "Authorization: Bearer "+token, "X-Request-Id: from-the-proxy-1"),
			send("GET", "/openapi/v1/main/data/?api_key="+key, ""),
			send("POST", "/v2.0", fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"login.user","params":{"login":%q,"password":%q}}`, login, password)),
			send("POST", "/v2.0", fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"get.sales_funnel","params":{"access_token":%q}}`, uisToken)),
			send("POST", "/login", url.Values{"login": {login}, "password": {password}}.Encode(), "Content-Type: application/x-www-form-urlencoded"),
		} {
			id := r.Header.Get("X-Request-Id")
			if id == "" {
				t.Fatalf("%s %s: no X-Request-Id", r.Request.Method, r.Request.URL.Path)
			}
			ids[id] = r.Request.URL.Path
		}
		if _, ok := ids["from-the-proxy-1"]; !ok {
			t.Errorf("the proxy's request id was not kept: %v", ids)
		}

		var metricsURL string
		var lines []map[string]any
		for _, raw := range strings.Split(strings.TrimSpace(s.errOut.String()), "\n") {
			var l map[string]any
			if err := json.Unmarshal([]byte(raw), &l); err != nil {
				t.Fatalf("a log line is not JSON (%v): %s", err, raw)
			}
			lines = append(lines, l)
			if l["msg"] == "crmd serving" {
				metricsURL, _ = l["metrics"].(string)
			}
		}
		if !strings.HasPrefix(metricsURL, "http://127.0.0.1:") || !strings.HasSuffix(metricsURL, "/metrics") {
			t.Fatalf("the start line names metrics at %q", metricsURL)
		}
		resp, err := http.Get(metricsURL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{
			`crmd_http_requests_total{dialect="amocrm",route="GET /api/v4/account",status="200"} 1`,
			`crmd_http_requests_total{dialect="envybox",route="main/data",status="200"} 1`,
			`crmd_http_requests_total{dialect="uis",route="login.user",status="200"} 1`,
			`crmd_http_requests_total{dialect="web",route="POST /login",status="303"} 1`,
		} {
			if !strings.Contains(string(body), want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		// The profiler stands beside the metrics, on the private listener.
		prof, err := http.Get(strings.TrimSuffix(metricsURL, "/metrics") + "/debug/pprof/goroutine?debug=1")
		if err != nil {
			t.Fatal(err)
		}
		goroutines, _ := io.ReadAll(prof.Body)
		prof.Body.Close()
		if prof.StatusCode != http.StatusOK || !strings.Contains(string(goroutines), "goroutine profile:") {
			t.Errorf("pprof on the metrics listener: %d %.200s", prof.StatusCode, goroutines)
		}
		// Never on the public port (net/http/pprof also registers itself on
		// http.DefaultServeMux, which crmd does not serve).
		if public, err := http.Get(s.url + "/debug/pprof/goroutine?debug=1"); err != nil {
			t.Fatal(err)
		} else if public.Body.Close(); public.StatusCode == http.StatusOK {
			t.Errorf("the public port serves the profiler")
		}
		s.stop(t)

		for _, l := range lines {
			if l["msg"] == "request" {
				id, _ := l["request_id"].(string)
				if path, ok := ids[id]; !ok || l["path"] != path {
					t.Errorf("access line %v: its request_id names no request to %v", l, l["path"])
				}
				delete(ids, id)
			}
		}
		if len(ids) > 0 {
			t.Errorf("requests without an access line: %v", ids)
		}
		out := s.errOut.String()
		for _, secret := range []string{token, key, uisToken, password} {
			if strings.Contains(out, secret) {
				t.Errorf("the log holds the secret %q", secret)
			}
		}
	})
}

// TestServeLogFormat: a log format serve does not know is a usage error,
// found before anything starts; the flag wins over the environment.
func TestServeLogFormat(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
	}{
		{nil, []string{"serve", "--log-format", "xml"}},
		{nil, []string{"serve", "--log-format", "JSON"}},
		{env{"CRMD_LOG_FORMAT": "yaml"}, []string{"serve"}},
		{env{"CRMD_LOG_FORMAT": "json"}, []string{"serve", "--log-format", "xml"}},
	} {
		if _, err := run(t, tc.env, tc.args...); !cli.IsUsage(err) {
			t.Errorf("%v %q: err = %v, want a usage error", tc.env, tc.args, err)
		}
	}
}
