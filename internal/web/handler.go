package web

import (
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/ratelimit"
)

// Deps is what the workspace is built from.
type Deps struct {
	Service *crm.Service
	Auth    *auth.Authority
	Logger  *slog.Logger
	// TrustedProxies are the reverse proxies whose X-Forwarded-Proto and
	// X-Forwarded-For the workspace believes (secure cookies, and the
	// address sign-in attempts are throttled by); empty trusts none.
	TrustedProxies []netip.Prefix
	// PublicURL is how users reach crmd (crmd serve --public-url): the
	// OAuth consent page's referer is the account's subdomain on its host.
	// Nil takes each request's Host.
	PublicURL *url.URL
	// Limits shows and sets accounts' request limits on the settings
	// page (nil: the page says they cannot be set here); LimitsEnforced
	// says whether the server applies them (crmd serve --limits).
	Limits         *ratelimit.Limiter
	LimitsEnforced bool
	// LivePoll is how often a live page (the inbox) looks for new records;
	// zero means DefaultLivePoll.
	LivePoll time.Duration
	// WebhookAllowPrivate lets the calls crmd makes to addresses
	// administrators give from the settings screens (an integration's
	// disconnect hook) reach loopback, private and link-local addresses,
	// as crmd serve --webhook-allow-private does for deliveries.
	WebhookAllowPrivate bool
}

// DefaultLivePoll is how often an open inbox asks the database for new
// leads. Polling the database's history, not an in-process signal, is
// what lets a lead taken in by another crmd process on the same PostgreSQL
// appear too; the read walks the history entries settled since the last
// poll.
const DefaultLivePoll = time.Second

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// handler serves the workspace.
type handler struct {
	svc     *crm.Service
	auth    *auth.Authority
	log     *slog.Logger
	proxies []netip.Prefix
	poll    time.Duration
	public  *url.URL
	// limits and limitsOn: Deps.Limits and Deps.LimitsEnforced.
	limits   *ratelimit.Limiter
	limitsOn bool
	pages    pages
	// live ends the inbox's event streams when the server shuts down.
	live liveStreams
	// hookClient sends disconnect hooks (settings_integrations.go).
	hookClient *http.Client
}

// NewHandler returns the workspace's handler. It serves every path the API
// dialects do not: mount it at "/".
func NewHandler(d Deps) http.Handler {
	h := &handler{svc: d.Service, auth: d.Auth, log: d.Logger, proxies: d.TrustedProxies, poll: d.LivePoll, public: d.PublicURL,
		limits: d.Limits, limitsOn: d.LimitsEnforced, pages: mustParsePages()}
	h.hookClient = newHookClient(d.WebhookAllowPrivate)
	if h.poll <= 0 {
		h.poll = DefaultLivePoll
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	mux := http.NewServeMux()
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded directory is part of the build
	}
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET /{$}", h.root)
	mux.HandleFunc("GET /login", h.loginPage)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("POST /language", h.setLanguage)

	mux.Handle("GET /deals", h.signedIn(h.board))
	mux.Handle("GET /deals/column", h.signedIn(h.boardColumn))
	mux.Handle("POST /deals/{id}/stage", h.signedIn(h.moveDeal))
	h.dealRoutes(mux)
	h.leadRoutes(mux)
	h.clientRoutes(mux)
	h.taskRoutes(mux)
	h.oauthRoutes(mux) // oauth.go
	h.settingsStructureRoutes(mux)
	h.settingsHookRoutes(mux)
	h.reportRoutes(mux)
	h.customerRoutes(mux)
	h.exportRoutes(mux)
	h.bulkRoutes(mux)  // bulk.go
	h.orderRoutes(mux) // order.go
	h.importRoutes(mux)
	h.peopleRoutes(mux) // settings_people.go

	mux.HandleFunc("/", h.notFound)
	// Browsers say where a request comes from (Sec-Fetch-Site, Origin):
	// a state change sent from another site is refused with 403 before
	// any handler runs.
	csrf := http.NewCrossOriginProtection()
	return securityHeaders(csrf.Handler(mux))
}

// contentSecurityPolicy lets pages load scripts, styles and images from
// crmd only: no inline script, no third-party code, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// cacheStatic lets browsers keep the embedded assets for an hour: they
// change only with the binary.
func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// root sends a signed-in user to the board and anyone else to sign in.
func (h *handler) root(w http.ResponseWriter, r *http.Request) {
	if _, err := h.auth.WebSession(r.Context(), sessionToken(r)); err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/deals", http.StatusSeeOther)
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	v := h.anonymousView(r)
	h.renderError(w, r, v, crm.Errorf(crm.KindNotFound, "%s", v.T("error.page_not_found")))
}
