package cli

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// The TLS side of serve: with --tls-cert and --tls-key crmd answers HTTPS
// itself, HTTP/2 and HTTP/1.1 negotiated by ALPN, so that a one-machine
// installation needs no proxy in front of it. Without them it speaks plain
// HTTP, for a proxy that terminates TLS (--trusted-proxies and
// X-Forwarded-Proto then tell the web workspace the browser used https).

// tlsConfig is the server's TLS configuration: TLS 1.2 at least (1.0 and
// 1.1 are deprecated by RFC 8996 and no browser offers only them), Go's
// default cipher suites and curves (which leave out the weak ones and keep
// to those HTTP/2 permits), and ALPN offering h2 before http/1.1. The
// certificate comes from certs, which reloads it when its files change.
func tlsConfig(certs *certificate) *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		NextProtos:     []string{"h2", "http/1.1"},
		GetCertificate: certs.get,
	}
}

// certificate serves the key pair of two PEM files and reloads it when
// either file changes, so that a renewed certificate (certbot and the like
// replace the files, or the links to them, every couple of months) is used
// from the next handshake on, without a restart. Each handshake compares
// the files' sizes and modification times with the loaded ones: two stat
// calls, nothing beside a handshake's own cost. A pair that does not load
// (a renewal half written, a key that does not match) leaves the loaded
// one in use and is reported once.
type certificate struct {
	certFile, keyFile string
	log               *slog.Logger

	mu     sync.Mutex
	cert   *tls.Certificate
	loaded fileStamps // the files the current certificate was read from
	// failed are the last files that did not load (when hasFailed), and
	// were reported already.
	failed    fileStamps
	hasFailed bool
}

// fileStamp is what tells a changed file: its size and modification time
// (ok false when it cannot be read).
type fileStamp struct {
	size    int64
	modTime time.Time
	ok      bool
}

type fileStamps [2]fileStamp

// loadCertificate reads the pair once; its error names the files and what
// is wrong, since it is what an operator sees when serve refuses to start.
func loadCertificate(certFile, keyFile string, log *slog.Logger) (*certificate, error) {
	c := &certificate{certFile: certFile, keyFile: keyFile, log: log}
	stamps := c.stamps()
	cert, err := c.read()
	if err != nil {
		return nil, err
	}
	c.cert, c.loaded = cert, stamps
	return c, nil
}

func (c *certificate) stamps() fileStamps {
	var s fileStamps
	for i, name := range []string{c.certFile, c.keyFile} {
		// Stat follows symbolic links: a renewal that swaps the link's
		// target changes the stamp too.
		if fi, err := os.Stat(name); err == nil {
			s[i] = fileStamp{size: fi.Size(), modTime: fi.ModTime(), ok: true}
		}
	}
	return s
}

// read loads and checks the pair.
func (c *certificate) read() (*tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		// crypto/tls says what is wrong ("private key does not match
		// public key", "PEM inputs may have been switched"); say where.
		return nil, fmt.Errorf("load the TLS certificate (--tls-cert %s) and key (--tls-key %s): %w", c.certFile, c.keyFile, err)
	}
	// LoadX509KeyPair fills cert.Leaf since Go 1.23, unless GODEBUG
	// x509keypairleaf=0 says otherwise.
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, fmt.Errorf("TLS certificate %s: %w", c.certFile, err)
		}
	}
	return &cert, nil
}

// get is tls.Config.GetCertificate.
func (c *certificate) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	now := c.stamps()
	c.mu.Lock()
	defer c.mu.Unlock()
	if now == c.loaded || (c.hasFailed && now == c.failed) {
		return c.cert, nil
	}
	cert, err := c.read()
	if err != nil {
		c.failed, c.hasFailed = now, true
		c.log.Warn("TLS: the changed certificate files do not load; serving the certificate loaded before",
			append([]any{"err", err}, certAttrs(c.cert.Leaf)...)...)
		return c.cert, nil
	}
	c.cert, c.loaded, c.hasFailed = cert, now, false
	c.log.Info("TLS: certificate reloaded", certAttrs(cert.Leaf)...)
	return c.cert, nil
}

// certAttrs describe a certificate for the log.
func certAttrs(leaf *x509.Certificate) []any {
	names := append([]string(nil), leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	return []any{"names", names, "not_after", leaf.NotAfter.UTC().Format(time.RFC3339)}
}

// report logs the certificate serve starts with: its names and expiry,
// or a warning when clients will refuse it for its dates (crmd serves it
// all the same: the clock may be what is wrong, and a renewal is picked
// up without a restart).
func (c *certificate) report(now time.Time) {
	leaf := c.cert.Leaf
	switch {
	case now.After(leaf.NotAfter):
		c.log.Warn("TLS: the certificate has expired; clients will refuse it", certAttrs(leaf)...)
	case now.Before(leaf.NotBefore):
		c.log.Warn("TLS: the certificate is not valid yet; clients will refuse it",
			append(certAttrs(leaf), "not_before", leaf.NotBefore.UTC().Format(time.RFC3339))...)
	default:
		c.log.Info("TLS: serving HTTPS", certAttrs(leaf)...)
	}
}

// tlsFlags declares serve's --tls-cert and --tls-key (env CRMD_TLS_CERT,
// CRMD_TLS_KEY). The function it returns, called once the flags are
// parsed, gives the two files, or a usage error when only one is set: a
// key without its certificate is a mistake, not a request for plain HTTP.
func (m *Main) tlsFlags(fs *flag.FlagSet) func() (certFile, keyFile string, err error) {
	cert := fs.String("tls-cert", m.env("CRMD_TLS_CERT", ""),
		"PEM certificate chain `FILE`: serve HTTPS, HTTP/2 included, with --tls-key (env CRMD_TLS_CERT)")
	key := fs.String("tls-key", m.env("CRMD_TLS_KEY", ""), "PEM private key `FILE` of --tls-cert (env CRMD_TLS_KEY)")
	return func() (string, string, error) {
		if (*cert == "") != (*key == "") {
			return "", "", fmt.Errorf("%w: --tls-cert and --tls-key (env CRMD_TLS_CERT, CRMD_TLS_KEY) go together: give both or neither", errUsage)
		}
		return *cert, *key, nil
	}
}
