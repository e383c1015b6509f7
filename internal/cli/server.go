package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/crmd/crmd/internal/api/amocrm"
	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/ratelimit"
	"github.com/crmd/crmd/internal/server"
	"github.com/crmd/crmd/internal/store"
	"github.com/crmd/crmd/internal/webhook"
)

// Server is a running crmd: the store, the HTTP listener and the server.
type Server struct {
	DB        *store.DB
	Authority *auth.Authority
	Service   *crm.Service
	http      *http.Server
	listener  net.Listener
	done      chan error
	log       *slog.Logger
	// drain is how long Shutdown waits for in-flight requests; conns counts
	// the open connections, so that a cut-short drain can say how many it
	// closed.
	drain time.Duration
	conns atomic.Int64
	// certs is the TLS certificate when the server speaks HTTPS; nil for
	// plain HTTP.
	certs *certificate
	// stopJobs ends the background jobs; jobsDone closes when they have.
	stopJobs context.CancelFunc
	jobsDone chan struct{}

	// Limiter is the request limiter; nil when limits are off.
	Limiter *ratelimit.Limiter
	// metrics serves /metrics (observe.go); nil when off.
	metrics *metricsServer
}

// ServerConfig configures Start.
type ServerConfig struct {
	Addr   string // host:port to listen on; port 0 picks a free one
	DSN    string // database, see store.Open
	Logger *slog.Logger
	// LifecycleInterval is how often customers are moved on by the passage
	// of time; 0 switches the job off.
	LifecycleInterval time.Duration
	// Limits switches the request limits on (ratelimit.Limiter: the
	// dialects' defaults and the accounts' overrides, counted in the
	// database). The zero value leaves them off; crmd serve turns them on
	// unless told --limits=false.
	Limits bool
	// ShutdownTimeout is the drain window: how long Shutdown waits for
	// in-flight requests before it closes the connections still open.
	// Zero means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For the
	// widget believes (widget.ParseTrustedProxies); empty trusts none.
	TrustedProxies []netip.Prefix
	// TLSCertFile and TLSKeyFile, both set, make the server speak HTTPS
	// (HTTP/2 and HTTP/1.1) with this PEM certificate chain and private
	// key; both empty, plain HTTP. Start fails, before it opens the
	// database, when the pair does not load. The files are read again when
	// they change (tls.go).
	TLSCertFile, TLSKeyFile string
	// MetricsAddr is the host:port of the metrics listener (observe.go;
	// port 0 picks a free one); empty switches the metrics off.
	MetricsAddr string
	// PublicURL is how users reach crmd (crmd serve --public-url); nil
	// takes each request's Host.
	PublicURL *url.URL
	// WebhookAllowPrivate lets webhooks reach loopback, private and
	// link-local addresses (crmd serve --webhook-allow-private).
	WebhookAllowPrivate bool
	// WebhookLease and WebhookPoll tune delivery (webhook.Options Lease and
	// Poll); zero: the defaults.
	WebhookLease, WebhookPoll time.Duration
}

// DefaultShutdownTimeout is the drain window when none is configured.
const DefaultShutdownTimeout = 30 * time.Second

// Start opens (and migrates) the database, listens on the address and serves
// in the background until Shutdown.
func Start(ctx context.Context, c ServerConfig) (*Server, error) {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	var certs *certificate
	if c.TLSCertFile != "" || c.TLSKeyFile != "" {
		if c.TLSCertFile == "" || c.TLSKeyFile == "" {
			return nil, errors.New("TLS needs both a certificate and a key (--tls-cert and --tls-key)")
		}
		var err error
		if certs, err = loadCertificate(c.TLSCertFile, c.TLSKeyFile, c.Logger); err != nil {
			return nil, err
		}
		certs.report(time.Now())
	}
	db, err := store.Open(ctx, c.DSN)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	s, err := startOn(ctx, db, c, certs)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func startOn(ctx context.Context, db *store.DB, c ServerConfig, certs *certificate) (*Server, error) {
	authority, err := auth.New(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("load signing key: %w", err)
	}
	svc := crm.NewService(db)
	var limiter *ratelimit.Limiter
	if c.Limits {
		// The store's clock, read on every request, so tests can move it.
		limiter = ratelimit.NewLimiter(db, func() time.Time { return db.Now() }, server.LimitDialects()...)
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return nil, err
	}
	s := &Server{DB: db, Authority: authority, Service: svc, Limiter: limiter, listener: ln, done: make(chan error, 1),
		log: c.Logger, drain: c.ShutdownTimeout, certs: certs}
	if s.drain <= 0 {
		s.drain = DefaultShutdownTimeout
	}
	var metrics *server.Metrics
	if c.MetricsAddr != "" {
		metrics = server.NewMetrics(db)
		svc.OnIntake(metrics.LeadsTaken)
		if s.metrics, err = startMetrics(c.MetricsAddr, metrics, c.Logger); err != nil {
			ln.Close()
			return nil, err
		}
	}
	handler := server.NewHandler(server.Config{Service: svc, Authority: authority, Logger: c.Logger, Limiter: limiter,
		LimitStore: db, TrustedProxies: c.TrustedProxies, PublicURL: c.PublicURL, Metrics: metrics, Readiness: db,
		WebhookAllowPrivate: c.WebhookAllowPrivate})
	s.http = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(c.Logger.Handler(), slog.LevelWarn),
		ConnState: func(_ net.Conn, state http.ConnState) {
			switch state {
			case http.StateNew:
				s.conns.Add(1)
			case http.StateClosed, http.StateHijacked:
				s.conns.Add(-1)
			}
		},
	}
	jobs, stop := context.WithCancel(context.Background())
	s.stopJobs, s.jobsDone = stop, make(chan struct{})
	deliverer := webhook.New(db, webhookFormats(svc, c.PublicURL), webhook.Options{AllowPrivate: c.WebhookAllowPrivate,
		Lease: c.WebhookLease, Poll: c.WebhookPoll, Now: db.Now, Logger: c.Logger, Observe: metrics.WebhookAttempt})
	var jobsRunning sync.WaitGroup
	jobsRunning.Add(2)
	go func() {
		defer jobsRunning.Done()
		deliverer.Run(jobs)
	}()
	go func() {
		defer jobsRunning.Done()
		if c.LifecycleInterval > 0 {
			svc.RunLifecycle(jobs, c.LifecycleInterval, func(err error) {
				c.Logger.Error("customer life cycle job failed", "err", err)
			})
		}
	}()
	go func() {
		jobsRunning.Wait()
		close(s.jobsDone)
	}()
	if certs != nil {
		s.http.TLSConfig = tlsConfig(certs)
		// Said outright rather than left to the default: HTTP/2 over TLS,
		// HTTP/1.1 for clients that do not offer h2.
		s.http.Protocols = new(http.Protocols)
		s.http.Protocols.SetHTTP1(true)
		s.http.Protocols.SetHTTP2(true)
	}
	go func() {
		var err error
		if certs != nil {
			// ServeTLS, not Serve on a TLS listener: it is what sets up
			// HTTP/2 on the connections whose ALPN chose h2. The
			// certificate is TLSConfig's, so no file names here.
			err = s.http.ServeTLS(ln, "", "")
		} else {
			err = s.http.Serve(ln)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.listener.Addr() }

// URL is the base URL clients use, https:// when the server speaks TLS; a
// wildcard listen address is shown as 127.0.0.1.
func (s *Server) URL() string {
	addr := s.listener.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	scheme := "http://"
	if s.certs != nil {
		scheme = "https://"
	}
	return scheme + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// Shutdown stops accepting connections and waits for in-flight requests
// for the drain window (ServerConfig.ShutdownTimeout) or until ctx ends,
// whichever comes first. Connections still open then are closed, with a
// warning in the log: one client trickling a request body must not turn a
// requested stop into a failure, so a drain cut short is not an error.
// Last, the database is closed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stopJobs()
	drainCtx, cancel := context.WithTimeout(ctx, s.drain)
	defer cancel()
	err := s.http.Shutdown(drainCtx)
	if drainCtx.Err() != nil && err != nil {
		// Shutdown fails only by its context here; what it has not drained
		// is still open, and Close cuts it (handlers reading or writing
		// those connections get errors and return).
		s.log.Warn("shutdown: the drain window ended with requests in flight; closing their connections",
			"connections", s.conns.Load(), "drain", s.drain.String())
		err = s.http.Close()
	}
	<-s.jobsDone
	if serveErr := <-s.done; serveErr != nil && err == nil {
		err = serveErr
	}
	err = errors.Join(err, s.metrics.shutdown(ctx))
	return errors.Join(err, s.DB.Close())
}

// Done delivers the serving error (nil after a clean Shutdown).
func (s *Server) Done() <-chan error { return s.done }

// webhookFormats are the bodies each kind of webhook is sent.
func webhookFormats(svc *crm.Service, public *url.URL) map[crm.WebhookKind]webhook.Format {
	return map[crm.WebhookKind]webhook.Format{
		crm.WebhookCRMD:   webhook.CRMDFormat{Service: svc},
		crm.WebhookAmoCRM: amocrm.WebhookFormat{Service: svc, PublicURL: public},
	}
}
