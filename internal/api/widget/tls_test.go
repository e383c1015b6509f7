package widget_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/crmtest"
)

// TestWidgetOverTLS: with crmd serving HTTPS itself, the script, the CORS
// preflight and the intake answer over HTTP/2 as over plain HTTP, and the
// lead is recorded.
func TestWidgetOverTLS(t *testing.T) {
	crmtest.StartEachTLS(t, func(t *testing.T, env *crmtest.Env, _ *crmtest.TestCert) {
		a := env.NewAccount(t, "Secure shop")
		send := func(method, path, body string, headers ...string) (*http.Response, string) {
			t.Helper()
			var rd io.Reader
			if body != "" {
				rd = strings.NewReader(body)
			}
			req, err := http.NewRequest(method, env.URL+path, rd)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i+1 < len(headers); i += 2 {
				req.Header.Set(headers[i], headers[i+1])
			}
			resp, err := env.Client.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.ProtoMajor != 2 {
				t.Errorf("%s %s over %s, want HTTP/2", method, path, resp.Proto)
			}
			return resp, string(b)
		}
		resp, body := send(http.MethodGet, "/widget.js", "")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") ||
			!strings.Contains(body, "sendCrmLead") {
			t.Errorf("widget.js: HTTP %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		resp, _ = send(http.MethodOptions, wtLeadPath(a.AccountID), "",
			"Origin", "https://shop.example", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type")
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("preflight: HTTP %d, Allow-Origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
		resp, body = send(http.MethodPost, wtLeadPath(a.AccountID), `{"name": "Через HTTPS", "phone": "+7 999 000-11-22"}`,
			"Origin", "https://shop.example", "Content-Type", "application/json")
		if resp.StatusCode != http.StatusOK || strings.TrimSpace(body) != `{"message":"success","status_code":200}` {
			t.Errorf("intake: HTTP %d %s", resp.StatusCode, body)
		}
		leads := wtLeads(t, env, a.EnvyboxAPIKey)
		if len(leads) != 1 || leads[0]["name"] != "Через HTTPS" || leads[0]["phone"] != "79990001122" {
			t.Errorf("leads %v", leads)
		}
	})
}
