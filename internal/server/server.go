package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/api/amocrm"
	"github.com/crmd/crmd/internal/api/envybox"
	"github.com/crmd/crmd/internal/api/uis"
	"github.com/crmd/crmd/internal/api/widget"
	"github.com/crmd/crmd/internal/apidocs"
	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/ratelimit"
	"github.com/crmd/crmd/internal/web"
)

// Config is what the HTTP handler is built from.
type Config struct {
	Service   *crm.Service
	Authority *auth.Authority
	Logger    *slog.Logger
	// Limiter applies the request limits of every dialect; nil switches
	// them off. Build it with ratelimit.NewLimiter(store, now,
	// LimitDialects()...).
	Limiter *ratelimit.Limiter
	// LimitStore holds the limit counters the widget counts its intake in;
	// the widget is limited whether or not Limiter is on.
	LimitStore ratelimit.Store
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the widget's visitor (widget.Config); empty trusts none.
	TrustedProxies []netip.Prefix
	// Metrics counts requests (metrics.go); nil counts nothing.
	Metrics *Metrics
	// PublicURL is how users reach crmd (crmd serve --public-url); nil
	// takes each request's Host (web.Deps.PublicURL).
	PublicURL *url.URL
	// Readiness is the store /readyz checks (health.go); nil checks only
	// that the database answers.
	Readiness Readiness
	// WebhookAllowPrivate lets the workspace's outgoing calls (a revoked
	// integration's disconnect hook) reach private addresses
	// (web.Deps.WebhookAllowPrivate).
	WebhookAllowPrivate bool
}

// LimitDialects are the request-limit policies of the dialects NewHandler
// serves, each declared by its dialect, for the limiter the server and
// crmd limits set build. Their order is the order operators read them in.
func LimitDialects() []ratelimit.Dialect {
	return []ratelimit.Dialect{amocrm.RateLimits(), uis.RateLimits(), envybox.RateLimits()}
}

// NewHandler returns crmd's root handler.
func NewHandler(c Config) http.Handler {
	// Lines logged with a request's context carry its id (observe.go).
	c.Logger = requestLogger(c.Logger)
	mux := http.NewServeMux()
	amo := amocrm.NewHandler(amocrm.Deps{Service: c.Service, Auth: c.Authority, Logger: c.Logger, Limiter: c.Limiter})
	mux.Handle("/api/v4/", amo)
	// amoCRM OAuth 2.0: the token endpoint and the subdomain lookups.
	oauth := amocrm.NewOAuthHandler(amocrm.OAuthConfig{Authority: c.Authority, Logger: c.Logger, PublicURL: c.PublicURL,
		TrustedProxies: c.TrustedProxies})
	for _, p := range []string{amocrm.TokenPath, amocrm.SubdomainPath, amocrm.LegacySubdomainPath} {
		mux.Handle(p, oauth)
	}
	mux.Handle("/api/v2/", amo)
	envy := envybox.NewHandler(envybox.Deps{Service: c.Service, Auth: c.Authority, Logger: c.Logger, Limiter: c.Limiter})
	mux.Handle(envyboxPrefix, envy)
	// Published Envybox integrations also call /crm/api/v1/<method>/. The
	// dialect's routes name /openapi/v1/, so the alias is rewritten to it and
	// the two prefixes cannot drift apart, the unknown-method 404 included.
	mux.Handle(envyboxAlias, rewritePrefix(envyboxAlias, envyboxPrefix, envy))
	// UIS Data API v2.0 (JSON-RPC): every HTTP method reaches the dialect,
	// which refuses all but POST in its own envelope.
	mux.Handle("/v2.0", uis.NewHandler(uis.Deps{Service: c.Service, Auth: c.Authority, Expired: auth.IsExpired,
		Limiter: c.Limiter, Logger: c.Logger}))
	// The website lead widget (Envybox §4): public, keyed by crm_id, with
	// its own request limits (internal/api/widget).
	wdg := widget.NewHandler(widget.Config{Service: c.Service, Logger: c.Logger, TrustedProxies: c.TrustedProxies,
		Limiter: ratelimit.NewFixedLimiter(c.LimitStore)})
	mux.Handle("/widget.js", wdg)
	mux.Handle("/widget/", wdg)
	mux.Handle(apidocs.Prefix, apidocs.Handler()) // the API documents, public
	// The web workspace: every path the APIs above do not claim.
	// Its settings show and set the request limits whether or not they
	// are enforced, with the limiter crmd limits set builds.
	var limits *ratelimit.Limiter
	if c.LimitStore != nil {
		limits = ratelimit.NewLimiter(c.LimitStore, time.Now, LimitDialects()...)
	}
	mux.Handle("/", web.NewHandler(web.Deps{Service: c.Service, Auth: c.Authority, Logger: c.Logger, PublicURL: c.PublicURL,
		TrustedProxies: c.TrustedProxies, WebhookAllowPrivate: c.WebhookAllowPrivate, Limits: limits, LimitsEnforced: c.Limiter != nil}))
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("GET /readyz", readyz(c.Logger, c.readiness()))
	return observe(c.Logger, c.Metrics, mux, recoverer(c.Logger, mux))
}

// The Envybox API's prefix and its alias (see NewHandler).
const (
	envyboxPrefix = "/openapi/v1/"
	envyboxAlias  = "/crm/api/v1/"
)

// rewritePrefix serves requests under from as next serves them under to.
// The access log, wrapped around the mux, still shows the path the client
// sent.
func rewritePrefix(from, to string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, from)
		if !ok {
			// The mux sends only paths under from here.
			http.NotFound(w, r)
			return
		}
		r2 := new(http.Request)
		*r2 = *r
		r2.URL = new(url.URL)
		*r2.URL = *r.URL
		r2.URL.Path = to + rest
		// A raw path carries escapes the decoded one lost; keep them, or
		// drop it when it does not share the prefix (url.URL then encodes
		// Path afresh).
		r2.URL.RawPath = ""
		if raw, ok := strings.CutPrefix(r.URL.RawPath, from); ok {
			r2.URL.RawPath = to + raw
		}
		next.ServeHTTP(w, r2)
	})
}

// statusWriter remembers the status code for the access log and the
// metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer: the
// web workspace's event stream flushes and sets write deadlines through it.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recoverer turns a panic in a handler into a logged 500, so one bad request
// cannot take the process down.
func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, `{"title":"Internal Server Error","type":"https://httpstatus.es/500","status":500,"detail":"Internal server error"}`)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
