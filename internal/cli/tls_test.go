package cli_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/cli"
	"github.com/crmd/crmd/internal/crmtest"
)

// tlsGet sends a GET through client and reads the answer whole.
func tlsGet(t *testing.T, client *http.Client, u, token string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestServeTLS runs `crmd serve` with CRMD_TLS_CERT and CRMD_TLS_KEY and a
// certificate made here for 127.0.0.1: the printed URLs are https, a
// client offering h2 gets HTTP/2, the API answers with https links, the
// printed web sign-in sets a Secure cookie, HTTP/1.1 over TLS still works,
// and neither plain HTTP nor TLS 1.1 is served.
func TestServeTLS(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		cert := crmtest.NewTestCert(t)
		s := startServe(t, dsn, "CRMD_TLS_CERT", cert.CertFile, "CRMD_TLS_KEY", cert.KeyFile)
		defer s.stop(t)
		if !strings.HasPrefix(s.url, "https://127.0.0.1:") {
			t.Fatalf("the logged URL is %q, want https://127.0.0.1:…", s.url)
		}
		out := s.out.String()
		for _, want := range []string{"base URL:               " + s.url + "\n", "web sign-in:            " + s.url + "/login "} {
			if !strings.Contains(out, want) {
				t.Errorf("the bootstrap text lacks %q:\n%s", want, out)
			}
		}
		token := regexp.MustCompile(`amoCRM bearer token:\s+(\S+)`).FindStringSubmatch(out)[1]

		tr := cert.Transport()
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, body := tlsGet(t, client, s.url+"/healthz", "")
		if resp.StatusCode != 200 || body != "ok\n" {
			t.Errorf("healthz: %d %q", resp.StatusCode, body)
		}
		if resp.ProtoMajor != 2 || resp.TLS == nil || resp.TLS.NegotiatedProtocol != "h2" {
			t.Errorf("healthz over %s, ALPN %q: want HTTP/2", resp.Proto, resp.TLS.NegotiatedProtocol)
		}
		if resp.TLS.Version < tls.VersionTLS12 {
			t.Errorf("TLS version %x", resp.TLS.Version)
		}
		resp, body = tlsGet(t, client, s.url+"/api/v4/account", token)
		if resp.StatusCode != 200 || resp.ProtoMajor != 2 || !strings.Contains(body, `"subdomain":"crmd"`) {
			t.Errorf("account over %s: %d %s", resp.Proto, resp.StatusCode, body)
		}
		if want := `"href":"` + s.url + `/api/v4/account"`; !strings.Contains(body, want) {
			t.Errorf("the account's self link is not %s: %s", want, body)
		}

		// The printed sign-in, over HTTP/2: the session cookie is Secure.
		signIn := regexp.MustCompile(`web sign-in:\s+\S+/login\s+login (\d+)\s+password (\S+)`).FindStringSubmatch(out)
		req, _ := http.NewRequest(http.MethodPost, s.url+"/login",
			strings.NewReader(url.Values{"login": {signIn[1]}, "password": {signIn[2]}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", s.url)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cookie := resp.Header.Get("Set-Cookie")
		if resp.StatusCode != http.StatusSeeOther || resp.ProtoMajor != 2 || !strings.HasPrefix(cookie, "crmd_session=") ||
			!strings.Contains(cookie, "; Secure") || !strings.Contains(cookie, "; HttpOnly") {
			t.Errorf("sign-in over %s: HTTP %d, cookie %q", resp.Proto, resp.StatusCode, cookie)
		}

		// A client without h2 gets HTTP/1.1 over the same port.
		h1 := cert.Transport()
		h1.Protocols = new(http.Protocols)
		h1.Protocols.SetHTTP1(true)
		defer h1.CloseIdleConnections()
		resp, body = tlsGet(t, &http.Client{Transport: h1, Timeout: 30 * time.Second}, s.url+"/healthz", "")
		if resp.StatusCode != 200 || resp.ProtoMajor != 1 || body != "ok\n" {
			t.Errorf("HTTP/1.1 over TLS: %s %d %q", resp.Proto, resp.StatusCode, body)
		}

		// Plain HTTP on the TLS port is refused, not served.
		resp, body = tlsGet(t, &http.Client{Timeout: 30 * time.Second}, "http://"+strings.TrimPrefix(s.url, "https://")+"/api/v4/account", token)
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(body, "subdomain") {
			t.Errorf("plain HTTP to the TLS port: %d %q", resp.StatusCode, body)
		}

		// TLS 1.1 is below the minimum.
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", strings.TrimPrefix(s.url, "https://"),
			&tls.Config{RootCAs: cert.Pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
		if err == nil {
			conn.Close()
			t.Error("a TLS 1.1 handshake succeeded")
		}
	})
}

// TestServeTLSFlags: --tls-cert and --tls-key (or their environment
// variables) go together; a pair that does not load stops serve at start
// with an error naming the files, before the database is touched.
func TestServeTLSFlags(t *testing.T) {
	cert := crmtest.NewTestCert(t)
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "crmd.db")
	vars := env{"CRMD_ADDR": "127.0.0.1:0", "CRMD_DB": dbFile}
	for _, c := range []struct {
		env  env
		args []string
	}{
		{env{}, []string{"--tls-cert", cert.CertFile}},
		{env{}, []string{"--tls-key", cert.KeyFile}},
		{env{"CRMD_TLS_CERT": cert.CertFile}, nil},
		{env{"CRMD_TLS_KEY": cert.KeyFile}, nil},
		{env{"CRMD_TLS_CERT": cert.CertFile}, []string{"--tls-cert", cert.CertFile}},
	} {
		merged := env{}
		for k, v := range vars {
			merged[k] = v
		}
		for k, v := range c.env {
			merged[k] = v
		}
		_, err := run(t, merged, append([]string{"serve"}, c.args...)...)
		if !cli.IsUsage(err) || !strings.Contains(err.Error(), "--tls-cert and --tls-key") {
			t.Errorf("serve %q with %v: err = %v, want a usage error about the pair", c.args, c.env, err)
		}
	}

	other := crmtest.NewTestCert(t)
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, cert, key string
		want            string
	}{
		{"missing certificate", filepath.Join(dir, "absent.pem"), cert.KeyFile, "no such file"},
		{"another certificate's key", cert.CertFile, other.KeyFile, "private key does not match public key"},
		{"files swapped", cert.KeyFile, cert.CertFile, "PEM inputs may have been switched"},
		{"not PEM", garbage, cert.KeyFile, "failed to find any PEM data"},
	} {
		_, err := run(t, vars, "serve", "--tls-cert", c.cert, "--tls-key", c.key)
		if err == nil || cli.IsUsage(err) || !strings.Contains(err.Error(), c.want) ||
			!strings.Contains(err.Error(), "--tls-cert "+c.cert) || !strings.Contains(err.Error(), "--tls-key "+c.key) {
			t.Errorf("%s: err = %v, want one naming both files and saying %q", c.name, err, c.want)
		}
	}
	if _, err := os.Stat(dbFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a serve that could not load its certificate created the database (%v)", err)
	}
}

// TestTLSCertificateReload: a certificate whose files are replaced (a
// renewal) is served from the next handshake on, without a restart; files
// that do not load leave the last good certificate in use, with one
// warning.
func TestTLSCertificateReload(t *testing.T) {
	crmtest.ForEachBackend(t, func(t *testing.T, dsn string) {
		first := crmtest.NewTestCert(t)
		logs := &syncBuffer{}
		srv, err := cli.Start(context.Background(), cli.ServerConfig{Addr: "127.0.0.1:0", DSN: dsn,
			Logger: slog.New(slog.NewTextHandler(logs, nil)), TLSCertFile: first.CertFile, TLSKeyFile: first.KeyFile})
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := srv.Shutdown(context.Background()); err != nil {
				t.Error(err)
			}
		}()
		addr := srv.Addr().String()
		served := func() []byte {
			t.Helper()
			// No verification: the test asks which certificate comes.
			conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			return conn.ConnectionState().PeerCertificates[0].Raw
		}
		if !bytes.Equal(served(), first.Cert.Raw) {
			t.Fatal("the server does not serve its certificate")
		}

		// A renewal writes new files; their times move on.
		second := crmtest.NewTestCert(t)
		replace := func(certPEM, keyPEM []byte, at time.Time) {
			t.Helper()
			for _, f := range []struct {
				name string
				data []byte
			}{{first.CertFile, certPEM}, {first.KeyFile, keyPEM}} {
				if err := os.WriteFile(f.name, f.data, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(f.name, at, at); err != nil {
					t.Fatal(err)
				}
			}
		}
		replace(second.CertPEM, second.KeyPEM, time.Now().Add(time.Minute))
		if !bytes.Equal(served(), second.Cert.Raw) {
			t.Fatal("the renewed certificate is not served")
		}
		if !strings.Contains(logs.String(), "TLS: certificate reloaded") {
			t.Errorf("no log line about the reload:\n%s", logs)
		}

		// A renewal half done: the new certificate with the old key.
		third := crmtest.NewTestCert(t)
		replace(third.CertPEM, second.KeyPEM, time.Now().Add(2*time.Minute))
		for range 3 {
			if !bytes.Equal(served(), second.Cert.Raw) {
				t.Fatal("a pair that does not load replaced the served certificate")
			}
		}
		if n := strings.Count(logs.String(), "changed certificate files do not load"); n != 1 {
			t.Errorf("%d warnings about the broken pair, want 1:\n%s", n, logs)
		}
		// The renewal completes.
		replace(third.CertPEM, third.KeyPEM, time.Now().Add(3*time.Minute))
		if !bytes.Equal(served(), third.Cert.Raw) {
			t.Fatal("the completed renewal is not served")
		}

		// The API still answers over HTTP/2 on the new certificate.
		tr := third.Transport()
		defer tr.CloseIdleConnections()
		resp, body := tlsGet(t, &http.Client{Transport: tr, Timeout: 30 * time.Second}, srv.URL()+"/healthz", "")
		if resp.StatusCode != 200 || resp.ProtoMajor != 2 || body != "ok\n" {
			t.Errorf("healthz after the renewal: %s %d %q", resp.Proto, resp.StatusCode, body)
		}
	})
}
