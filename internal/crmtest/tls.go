package crmtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/crmd/crmd/internal/cli"
)

// TestCert is a self-signed ECDSA certificate for 127.0.0.1, ::1 and
// localhost, valid from an hour ago for a day, written as PEM files in a
// temporary directory for crmd's --tls-cert and --tls-key.
type TestCert struct {
	CertFile, KeyFile string
	// CertPEM and KeyPEM are the files' contents.
	CertPEM, KeyPEM []byte
	// Cert is the parsed certificate; Pool trusts it and nothing else.
	Cert *x509.Certificate
	Pool *x509.CertPool
}

// NewTestCert makes a fresh TestCert; each has its own key and serial.
func NewTestCert(t testing.TB) *TestCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "crmd test"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // its own issuer, so that a pool can trust it
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	c := &TestCert{
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
		Cert:    cert,
		Pool:    x509.NewCertPool(),
	}
	c.Pool.AddCert(cert)
	dir := t.TempDir()
	c.CertFile, c.KeyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(c.CertFile, c.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.KeyFile, c.KeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}

// Transport is an HTTP transport that trusts only the certificate and
// offers HTTP/2 (ALPN h2, then http/1.1), as browsers do.
func (c *TestCert) Transport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: c.Pool}
	// A transport with its own TLSClientConfig speaks HTTP/2 only when
	// asked to.
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP1(true)
	tr.Protocols.SetHTTP2(true)
	return tr
}

// StartTLS is Start serving HTTPS with a fresh TestCert: Env.URL is
// https://127.0.0.1:port and Env.Client trusts the certificate and
// negotiates HTTP/2. Request limits are off, as in Start.
func StartTLS(t testing.TB, dsn string) (*Env, *TestCert) {
	t.Helper()
	cert := NewTestCert(t)
	env := start(t, cli.ServerConfig{DSN: dsn, TLSCertFile: cert.CertFile, TLSKeyFile: cert.KeyFile})
	tr := cert.Transport()
	t.Cleanup(tr.CloseIdleConnections)
	env.Client.Transport = tr
	return env, cert
}

// StartEachTLS runs fn once per backend with a fresh StartTLS server.
func StartEachTLS(t *testing.T, fn func(t *testing.T, env *Env, cert *TestCert)) {
	ForEachBackend(t, func(t *testing.T, dsn string) {
		env, cert := StartTLS(t, dsn)
		fn(t, env, cert)
	})
}
