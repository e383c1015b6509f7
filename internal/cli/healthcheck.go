package cli

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthcheck is "crmd healthcheck": it asks a running crmd's /healthz and
// succeeds only on 200. It exists for the container image's HEALTHCHECK,
// since a static image has no curl or wget, and works as well for any
// supervisor that runs a command.
//
// Without --url it asks the server this environment configures: CRMD_ADDR
// (a wildcard host is asked on 127.0.0.1), over https when CRMD_TLS_CERT is
// set. That request goes to crmd's own address, and the certificate names
// the public host rather than 127.0.0.1, so its certificate is not checked;
// nothing secret is sent. A --url is checked as any client would check it,
// unless --insecure.
func (m *Main) healthcheck(ctx context.Context, args []string) error {
	fs := m.flags("healthcheck")
	target := fs.String("url", "", "`URL` to GET (default: /healthz of the server CRMD_ADDR and CRMD_TLS_CERT describe)")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	insecure := fs.Bool("insecure", false, "do not check the certificate of an https --url")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *timeout <= 0 {
		return fmt.Errorf("%w: --timeout: %s is not a positive duration", errUsage, *timeout)
	}
	skipVerify := *insecure
	if *target == "" {
		u, err := m.localHealthURL()
		if err != nil {
			return err
		}
		*target, skipVerify = u, true
	} else if !strings.HasPrefix(*target, "http://") && !strings.HasPrefix(*target, "https://") {
		return fmt.Errorf("%w: --url: %q is not an http:// or https:// URL", errUsage, *target)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: skipVerify}
	client := &http.Client{Transport: transport, Timeout: *timeout,
		// A redirect means the URL is not crmd's /healthz.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer transport.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *target, nil)
	if err != nil {
		return fmt.Errorf("%w: --url: %v", errUsage, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	text := strings.TrimSpace(string(body))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s: HTTP %d %s", *target, resp.StatusCode, text)
	}
	fmt.Fprintf(m.Stdout, "%s: %s\n", *target, text)
	return nil
}

// localHealthURL is /healthz of the server that crmd serve would start in
// this environment.
func (m *Main) localHealthURL() (string, error) {
	addr := m.env("CRMD_ADDR", DefaultAddr)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("%w: CRMD_ADDR: %v", errUsage, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		// Listening on every address (0.0.0.0, ::) includes loopback.
		host = "127.0.0.1"
	}
	scheme := "http"
	if m.Getenv("CRMD_TLS_CERT") != "" {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/healthz", nil
}
