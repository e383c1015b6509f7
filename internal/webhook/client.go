package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrPrivateAddress is why a connection to a loopback, private, link-local,
// metadata or otherwise non-public address was refused.
var ErrPrivateAddress = errors.New("destination address is not public")

// blocked are ranges no webhook may reach without AllowPrivate, besides
// what netip's own predicates name (loopback, private, link-local,
// multicast, unspecified): shared address space, IETF-reserved, benchmark,
// documentation and reserved ranges, and IPv4 embedded in IPv6 forms.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// publicAddress reports whether addr is one webhooks may reach by default.
// Cloud metadata services (169.254.169.254, fd00:ec2::254) are link-local
// or private, so refused with them.
func publicAddress(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// NewClient is the client deliveries are sent with, for crmd's other
// outgoing calls to addresses users give (the amoCRM disconnect hook, sent
// by crmd integration revoke): the same address policy, no proxy, no
// redirects. allowedBy names the setting that would allow a refused
// address, for the error. Bound each request with its context.
func NewClient(allowPrivate bool, allowedBy string) *http.Client {
	return newClientAllowedBy(allowPrivate, allowedBy)
}

// newClient returns the HTTP client deliveries are sent with. The address
// check runs in the dialer's Control hook, on the very address being
// connected to: a name that resolved to a public address at registration
// and to a private one now (DNS rebinding) is refused now. No proxy from
// the environment is used (it would be the address checked instead), and
// redirects are answers, not followed.
func newClient(allowPrivate bool) *http.Client {
	return newClientAllowedBy(allowPrivate, "crmd serve --webhook-allow-private")
}

func newClientAllowedBy(allowPrivate bool, allowedBy string) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
			}
			if !publicAddress(ap.Addr()) {
				return fmt.Errorf("%w: %s (%s allows it)", ErrPrivateAddress, ap.Addr(), allowedBy)
			}
			return nil
		}
	}
	transport := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
		ForceAttemptHTTP2:      true,
		MaxIdleConnsPerHost:    16,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    5 * time.Second,
		ResponseHeaderTimeout:  30 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
