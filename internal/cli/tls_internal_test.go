package cli

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCertificateReport: serve logs the certificate it starts with, and
// warns when its dates make clients refuse it. (crmtest.NewTestCert cannot
// serve here: crmtest imports this package.)
func TestCertificateReport(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	notBefore := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "crm.example.com"},
		DNSNames: []string{"crm.example.com"}, NotBefore: notBefore, NotAfter: notBefore.AddDate(0, 3, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	c, err := loadCertificate(certFile, keyFile, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		now  time.Time
		want string
	}{
		{notBefore.AddDate(0, 1, 0), `level=INFO msg="TLS: serving HTTPS" names=[crm.example.com] not_after=2030-04-01T00:00:00Z`},
		{notBefore.AddDate(0, 4, 0), `level=WARN msg="TLS: the certificate has expired; clients will refuse it" names=[crm.example.com] not_after=2030-04-01T00:00:00Z`},
		{notBefore.AddDate(0, 0, -1), `level=WARN msg="TLS: the certificate is not valid yet; clients will refuse it" names=[crm.example.com] not_after=2030-04-01T00:00:00Z not_before=2030-01-01T00:00:00Z`},
	} {
		logs.Reset()
		c.report(x.now)
		if !strings.Contains(logs.String(), x.want) {
			t.Errorf("at %s: log %q, want %q", x.now, logs.String(), x.want)
		}
	}
}
