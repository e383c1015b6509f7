package cli_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// TestHealthcheck: crmd healthcheck succeeds against a serving crmd, found
// from CRMD_ADDR (a wildcard host asked on 127.0.0.1) or named by --url,
// over HTTP and over TLS, and fails — not as a usage error, so the
// container's HEALTHCHECK sees exit 1 — when the server answers anything
// but 200, redirects, or does not answer.
func TestHealthcheck(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		plain := crmtest.Start(t, dsn)
		port := fmt.Sprint(plain.Server.Addr().(*net.TCPAddr).Port)
		for _, c := range []struct {
			env  env
			args []string
		}{
			{env{"CRMD_ADDR": "127.0.0.1:" + port}, nil},
			{env{"CRMD_ADDR": "0.0.0.0:" + port}, nil},
			{env{"CRMD_ADDR": ":" + port}, nil},
			{env{"CRMD_ADDR": "127.0.0.1:1"}, []string{"--url", plain.URL + "/healthz"}},
		} {
			out, err := run(t, c.env, append([]string{"healthcheck"}, c.args...)...)
			if err != nil || out != "http://127.0.0.1:"+port+"/healthz: ok\n" {
				t.Errorf("healthcheck %q with %v: %q %v", c.args, c.env, out, err)
			}
		}

		secure, cert := crmtest.StartTLS(t, dsn)
		tlsAddr := secure.Server.Addr().String()
		out, err := run(t, env{"CRMD_ADDR": tlsAddr, "CRMD_TLS_CERT": cert.CertFile, "CRMD_TLS_KEY": cert.KeyFile}, "healthcheck")
		if err != nil || out != secure.URL+"/healthz: ok\n" {
			t.Errorf("healthcheck of the TLS server from the environment: %q %v", out, err)
		}
		// A --url is checked like any client checks it: the test
		// certificate is trusted by no one.
		if _, err := run(t, nil, "healthcheck", "--url", secure.URL+"/healthz"); err == nil || cli.IsUsage(err) ||
			!strings.Contains(err.Error(), "certificate") {
			t.Errorf("an untrusted certificate passed: %v", err)
		}
		if _, err := run(t, nil, "healthcheck", "--url", secure.URL+"/healthz", "--insecure"); err != nil {
			t.Errorf("--insecure: %v", err)
		}
	})

	unhealthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/healthz", http.StatusFound)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "store unreachable")
		}
	}))
	defer unhealthy.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String() + "/healthz"
	closed.Close()
	for _, c := range []struct{ url, want string }{
		{unhealthy.URL + "/healthz", "HTTP 503 store unreachable"},
		{unhealthy.URL + "/moved", "HTTP 302"},
		{closedURL, "connection refused"},
	} {
		_, err := run(t, nil, "healthcheck", "--url", c.url, "--timeout", "3s")
		if err == nil || cli.IsUsage(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("healthcheck of %s: %v, want an error saying %q", c.url, err, c.want)
		}
	}
	for _, args := range [][]string{{"--url", "ftp://127.0.0.1/healthz"}, {"--timeout", "0s"}, {"extra"}} {
		if _, err := run(t, env{}, append([]string{"healthcheck"}, args...)...); !cli.IsUsage(err) {
			t.Errorf("healthcheck %q: %v, want a usage error", args, err)
		}
	}
	if _, err := run(t, env{"CRMD_ADDR": "no port"}, "healthcheck"); !cli.IsUsage(err) {
		t.Errorf("a CRMD_ADDR without a port: %v", err)
	}
}
