package amocrm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
)

// OAuthAuthority answers the OAuth endpoints (auth.Authority does). from
// is the client address, which refusals are throttled by.
type OAuthAuthority interface {
	Token(ctx context.Context, r auth.TokenRequest, from string) (auth.TokenPair, error)
	AccountByRefreshToken(ctx context.Context, token, from string) (crm.Account, error)
	AccountByAccessToken(ctx context.Context, token, from string) (crm.Account, error)
}

// maxTokenBody bounds a token request's body: six short fields.
const maxTokenBody = 64 << 10

// The OAuth endpoints' paths, mounted by internal/server, and their
// method-and-pattern as the API documents list them (OAuthRoutes): exported
// so that the mount and the coverage tests of internal/apidocs name one
// path rather than copies that could drift.
const (
	TokenPath  = "/oauth2/access_token"
	TokenRoute = http.MethodPost + " " + TokenPath
	// SubdomainPath is the subdomain lookup by refresh token (§11.6).
	SubdomainPath  = "/oauth2/account/current/subdomain"
	SubdomainRoute = http.MethodGet + " " + SubdomainPath
	// LegacySubdomainPath is its deprecated form, by access token.
	LegacySubdomainPath  = "/oauth2/account/subdomain"
	LegacySubdomainRoute = http.MethodGet + " " + LegacySubdomainPath
)

// OAuthRoutes lists the OAuth endpoints' routes.
func OAuthRoutes() []string { return []string{TokenRoute, SubdomainRoute, LegacySubdomainRoute} }

// OAuthConfig is what the OAuth endpoints are built from.
type OAuthConfig struct {
	Authority OAuthAuthority
	Logger    *slog.Logger
	// PublicURL is how clients reach crmd (crmd serve --public-url); nil
	// takes each request's Host. The subdomain lookup's domain is the
	// account's subdomain on that host, as the consent page's referer.
	PublicURL *url.URL
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client whose refusals are counted; empty trusts none.
	TrustedProxies []netip.Prefix
}

// NewOAuthHandler serves the OAuth endpoints under their paths:
// POST /oauth2/access_token (amocrm-v4-core.md §11.3), a JSON or
// form-encoded body answered with application/json on success and on error
// alike, as amoCRM does; and the subdomain lookups GET
// /oauth2/account/current/subdomain (X-Refresh-Token) and GET
// /oauth2/account/subdomain (Authorization: Bearer), §11.6, whose errors
// are the token endpoint's bodies as application/problem+json. A client
// refused too often (auth.OAuthLimitError) gets amoCRM's 429 problem with
// Retry-After.
func NewOAuthHandler(c OAuthConfig) http.Handler {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	h := &oauthHandler{OAuthConfig: c}
	mux := http.NewServeMux()
	mux.HandleFunc(TokenPath, h.token)
	mux.HandleFunc(SubdomainPath, h.subdomain)
	mux.HandleFunc(LegacySubdomainPath, h.subdomain)
	return mux
}

type oauthHandler struct{ OAuthConfig }

func (h *oauthHandler) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeTokenJSON(w, "application/json", http.StatusMethodNotAllowed, methodNotAllowed("Use POST"))
		return
	}
	req, err := decodeTokenRequest(r)
	if err != nil {
		writeTokenJSON(w, "application/json", http.StatusBadRequest, &auth.OAuthError{Hint: "The request body is malformed: " + err.Error(),
			Title: "Некорректный запрос", Type: "https://developers.amocrm.ru/v3/errors/OAuthProblemJson", Status: 400,
			Detail: "В запросе отсутствует ряд параметров или параметры невалидны"})
		return
	}
	pair, err := h.Authority.Token(r.Context(), req, h.clientAddr(r))
	if err != nil {
		h.refuse(w, r, "application/json", err)
		return
	}
	writeTokenJSON(w, "application/json", http.StatusOK, pair)
}

func (h *oauthHandler) subdomain(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeTokenJSON(w, "application/problem+json", http.StatusMethodNotAllowed, methodNotAllowed("Use GET"))
		return
	}
	var acc crm.Account
	var err error
	if r.URL.Path == SubdomainPath {
		acc, err = h.Authority.AccountByRefreshToken(r.Context(), strings.TrimSpace(r.Header.Get("X-Refresh-Token")), h.clientAddr(r))
	} else {
		token, _ := bearer(r.Header.Get("Authorization"))
		acc, err = h.Authority.AccountByAccessToken(r.Context(), token, h.clientAddr(r))
	}
	if err != nil {
		h.refuse(w, r, "application/problem+json", err)
		return
	}
	// The host crmd is reached at, as the consent page's referer takes it
	// (internal/web): --public-url's host, else the request's Host.
	host := r.Host
	if h.PublicURL != nil {
		host = h.PublicURL.Host
	}
	writeTokenJSON(w, "application/json", http.StatusOK, auth.NewAccountDomain(acc, host))
}

// refuse answers a refused OAuth request: its *auth.OAuthError as
// contentType, an *auth.OAuthLimitError as amoCRM's 429 problem, anything
// else as a logged 500.
func (h *oauthHandler) refuse(w http.ResponseWriter, r *http.Request, contentType string, err error) {
	if refused, ok := errors.AsType[*auth.OAuthError](err); ok {
		writeTokenJSON(w, contentType, refused.Status, refused)
		return
	}
	if limited, ok := errors.AsType[*auth.OAuthLimitError](err); ok {
		// The window is the longest wait: the count started at most that
		// long ago.
		w.Header().Set("Retry-After", retryAfter(limited.Window))
		w.Header().Set("Cache-Control", "no-store")
		writeProblem(w, newProblem(http.StatusTooManyRequests, limited.Error()))
		return
	}
	h.Logger.ErrorContext(r.Context(), "oauth", "path", r.URL.Path, "err", err)
	writeTokenJSON(w, contentType, http.StatusInternalServerError, &auth.OAuthError{Title: "Internal Server Error",
		Type: "https://httpstatus.es/500", Status: 500, Detail: "Internal Server Error"})
}

func methodNotAllowed(hint string) *auth.OAuthError {
	return &auth.OAuthError{Hint: hint, Title: "Method Not Allowed", Type: "https://httpstatus.es/405",
		Status: http.StatusMethodNotAllowed, Detail: "Method Not Allowed"}
}

// clientAddr is the address refusals are counted against: the peer, or,
// when the peer is a trusted proxy, the nearest X-Forwarded-For hop that
// is not one (as the web sign-in's and the widget's).
func (h *oauthHandler) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return r.RemoteAddr
	}
	addr = addr.Unmap().WithZone("")
	if !trustedProxy(addr, h.TrustedProxies) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		addr = a.Unmap().WithZone("")
		if !trustedProxy(addr, h.TrustedProxies) {
			break
		}
	}
	return addr.String()
}

func trustedProxy(a netip.Addr, proxies []netip.Prefix) bool {
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// decodeTokenRequest reads a JSON body, or a form-encoded one (the Go client
// alexeykhan/amocrm posts forms; amoCRM's docs and PHP provider send JSON).
func decodeTokenRequest(r *http.Request) (auth.TokenRequest, error) {
	var req auth.TokenRequest
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxTokenBody))
	if err != nil {
		return req, errors.New("too large or unreadable")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" || (mt == "" && len(body) > 0 && body[0] == '{') {
		if err := json.Unmarshal(body, &req); err != nil {
			return req, errors.New("not a JSON object of strings")
		}
		return req, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return req, errors.New("not a form")
	}
	req = auth.TokenRequest{ClientID: form.Get("client_id"), ClientSecret: form.Get("client_secret"),
		GrantType: form.Get("grant_type"), Code: form.Get("code"), RefreshToken: form.Get("refresh_token"),
		RedirectURI: form.Get("redirect_uri")}
	return req, nil
}

func writeTokenJSON(w http.ResponseWriter, contentType string, status int, v any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store") // RFC 6749 §5.1
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
