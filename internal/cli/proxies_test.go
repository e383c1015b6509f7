package cli_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestServeTrustedProxies: the widget believes X-Forwarded-For only from
// the proxies serve is given (--trusted-proxies, CRMD_TRUSTED_PROXIES);
// by default a loopback client rotating the header is still limited by its
// own address. A malformed list stops serve before it listens.
func TestServeTrustedProxies(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		// post sends 11 widget leads, each claiming a new address, and counts
		// the refused ones: 11 requests span at most two minute windows of
		// the default 5 a minute per visitor, so one visitor is refused.
		post := func(s *serving, account, round string) (refused int) {
			for i := range 11 {
				req, _ := http.NewRequest(http.MethodPost, s.url+"/widget/v1/"+account+"/lead",
					strings.NewReader(fmt.Sprintf(`{"phone": "7999%s00%04d"}`, round, i)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", 10*len(round)+i))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch resp.StatusCode {
				case http.StatusOK:
				case http.StatusTooManyRequests:
					refused++
				default:
					t.Fatalf("widget lead: HTTP %d", resp.StatusCode)
				}
			}
			return refused
		}
		trusting := startServe(t, dsn, "CRMD_TRUSTED_PROXIES", "127.0.0.1")
		account := regexp.MustCompile(`account:\s+id (\d+)`).FindStringSubmatch(trusting.out.String())
		if account == nil {
			t.Fatalf("no account printed: %s", trusting.out.String())
		}
		if n := post(trusting, account[1], "1"); n != 0 {
			t.Errorf("behind a trusted proxy, %d of 11 distinct visitors were refused", n)
		}
		trusting.stop(t)

		plain := startServe(t, dsn)
		if n := post(plain, account[1], "22"); n == 0 {
			t.Error("with no trusted proxy, a client rotating X-Forwarded-For was never limited")
		}
		plain.stop(t)
	})

	dsn := crmtest.NewDSN(t, crmtest.SQLite)
	for _, tt := range []struct {
		env  string
		args []string
	}{
		{"10.0.0.0/33", nil},
		{"", []string{"--trusted-proxies", "10.0.0.0/8,proxy.local"}},
	} {
		errOut := &syncBuffer{}
		m := &cli.Main{Stdout: io.Discard, Stderr: errOut,
			Getenv: env{"CRMD_ADDR": "127.0.0.1:0", "CRMD_TRUSTED_PROXIES": tt.env}.get}
		// A server that starts anyway is stopped by the context.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := m.Run(ctx, append([]string{"serve", "--db", dsn}, tt.args...))
		cancel()
		if !cli.IsUsage(err) || !strings.Contains(err.Error(), "--trusted-proxies") {
			t.Errorf("env %q, args %q: %v, want a usage error naming --trusted-proxies", tt.env, tt.args, err)
		}
		if strings.Contains(errOut.String(), "crmd serving") {
			t.Errorf("env %q, args %q: serve started with a malformed proxy list", tt.env, tt.args)
		}
	}
}
