package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/crmd/crmd/internal/server"
)

// The log formats of crmd serve --log-format.
const (
	LogText = "text" // slog's key=value lines, for people reading a terminal
	LogJSON = "json" // one JSON object per line, for log collectors
)

// NewLogger returns the logger crmd serve writes to w in format (LogText
// or LogJSON). Lines logged with a request's context get its request_id
// from the server (internal/obs).
func NewLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case LogText, "":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case LogJSON:
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("log format %q: want %s or %s", format, LogText, LogJSON)
}

// The metrics listener.
//
// /metrics is served on a listener of its own (ServerConfig.MetricsAddr,
// crmd serve --metrics-addr), off unless configured, and never on the
// public port:
//   - the metrics describe every account's traffic — request and lead
//     counts, refusals — in one place, while every credential crmd issues
//     belongs to one account; crmd has no operator credential a bearer
//     token on the public port could be checked against, and a new kind of
//     secret to issue, store and rotate is more than a one-person
//     installation should have to manage;
//   - a listener of its own can be bound to loopback or a private
//     interface and firewalled, the way Prometheus scrapes its exporters,
//     and leaves the public port's surface as it was;
//   - off by default rather than on 127.0.0.1:9090: 9090 is Prometheus's
//     own port (a crmd beside a Prometheus would not start), and several
//     crmd processes on one host would collide on any fixed port. The
//     README suggests 127.0.0.1:9464.

// metricsServer serves m's metrics at GET /metrics on addr until
// shutdown.
type metricsServer struct {
	http     *http.Server
	listener net.Listener
	done     chan error
}

func startMetrics(addr string, m *server.Metrics, log *slog.Logger) (*metricsServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	// The Go profiler, on this private listener only: what an operator
	// needs to see where a busy server's time goes (docs/operations.md).
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	s := &metricsServer{listener: ln, done: make(chan error, 1), http: &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}}
	go func() {
		err := s.http.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s, nil
}

// shutdown stops the metrics listener, waiting for scrapes in flight
// until ctx ends.
func (s *metricsServer) shutdown(ctx context.Context) error {
	if s == nil {
		return nil
	}
	err := s.http.Shutdown(ctx)
	if err != nil {
		err = s.http.Close()
	}
	return errors.Join(err, <-s.done)
}

// MetricsURL is the URL of the metrics (http://HOST:PORT/metrics), or ""
// when the metrics listener is off.
func (s *Server) MetricsURL() string {
	if s.metrics == nil {
		return ""
	}
	return "http://" + hostPort(s.metrics.listener.Addr()) + "/metrics"
}

// hostPort renders a listener's address for a URL, a wildcard host as
// 127.0.0.1.
func hostPort(a net.Addr) string {
	addr := a.(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, fmt.Sprint(addr.Port))
}
