package server

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"time"

	"github.com/crmd/crmd/internal/obs"
)

// RequestIDHeader carries a request's id in and out: a proxy in front of
// crmd may send one, and every answer names its own.
const RequestIDHeader = "X-Request-Id"

// MaxRequestIDLen bounds an id accepted from a client. Longer ids, and ids
// with characters outside RequestIDChars, are replaced by a fresh one: the
// id is written into every log line of the request, and a client must not
// be able to write what it likes there.
const MaxRequestIDLen = 64

// RequestIDChars are the characters an accepted request id may hold:
// enough for UUIDs, ULIDs and the ids of common proxies.
const RequestIDChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:"

// requestID returns the id a client sent when it is acceptable, else a new
// one: 26 characters of base32 from 128 random bits.
func requestID(sent string) string {
	if validRequestID(sent) {
		return sent
	}
	return rand.Text()
}

func validRequestID(id string) bool {
	if id == "" || len(id) > MaxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !requestIDChar[id[i]] {
			return false
		}
	}
	return true
}

var requestIDChar = func() (t [256]bool) {
	for i := 0; i < len(RequestIDChars); i++ {
		t[RequestIDChars[i]] = true
	}
	return t
}()

// requestLogger returns log (slog's default when nil) with its lines
// carrying the id of the request whose context they are logged with.
func requestLogger(log *slog.Logger) *slog.Logger {
	if log == nil {
		log = slog.Default()
	}
	return slog.New(obs.NewLogHandler(log.Handler()))
}

// The dialect labels of the access log and the metrics.
const (
	dialectAmoCRM  = "amocrm"
	dialectEnvybox = "envybox"
	dialectUIS     = "uis"
	dialectWidget  = "widget"
	dialectWeb     = "web"
	dialectOther   = "other"
)

// dialectOfPattern names the dialect of each pattern NewHandler mounts a
// dialect at; every other pattern (/healthz, /readyz, what later issues
// mount) is "other".
var dialectOfPattern = map[string]string{
	"/api/v4/":    dialectAmoCRM,
	"/api/v2/":    dialectAmoCRM,
	envyboxPrefix: dialectEnvybox,
	envyboxAlias:  dialectEnvybox,
	"/v2.0":       dialectUIS,
	"/widget.js":  dialectWidget,
	"/widget/":    dialectWidget,
	"/":           dialectWeb,
}

// observe is the outermost middleware: it gives the request its id (the
// X-Request-Id answer header, and request_id in every log line written
// with the request's context), starts the request's obs.Request, serves it
// through next and then writes the access log line and, when metrics is
// not nil, counts it. mux is the root mux next routes with: its pattern
// for the request names the dialect.
//
// The route is, first, what a dialect named with obs.SetRoute (Envybox
// and UIS methods); else the pattern of the innermost mux that matched
// (amoCRM's, the web workspace's and the widget's muxes set it on the
// request they are handed); else the root mux's pattern. It is never the
// path: ids in paths would give every record its own series. The access
// log shows the path, never the query string, which carries Envybox's
// api_key.
func observe(log *slog.Logger, metrics *Metrics, mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		parent := r.Context()
		id := requestID(r.Header.Get(RequestIDHeader))
		w.Header().Set(RequestIDHeader, id)
		_, rootPattern := mux.Handler(r)
		dialect := labelOr(dialectOfPattern[rootPattern], dialectOther)
		ctx, rec := obs.Start(r.Context(), id, dialect)
		r = r.WithContext(ctx)
		if metrics != nil {
			metrics.inFlight.Inc()
			defer metrics.inFlight.Dec()
		}
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		took := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK // the handler wrote nothing
		}
		route := rec.Route()
		if route == "" {
			route = labelOr(labelOr(r.Pattern, rootPattern), "unmatched")
		}
		logAccess(parent, log.Handler(), r.Method, r.URL.Path, dialect, route, status, took, id)
		if metrics != nil {
			metrics.served(dialect, route, status, took, rec.Refusals())
		}
	})
}

// logAccess writes a request's access log line through h: msg "request",
// method, path, dialect, route, status, took, then request_id. That is the
// line LogAttrs wrote with the request's context (obs's handler appended
// request_id last), field for field, built for less: the record gets its
// seven attributes at once (appending request_id afterwards grew them a
// second time) and no look-up of the caller, which no crmd log format
// shows. ctx must not carry the request (obs.Start), or obs's handler
// would add the id twice.
func logAccess(ctx context.Context, h slog.Handler, method, path, dialect, route string, status int, took time.Duration, id string) {
	if !h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	rec := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
	attrs := [...]slog.Attr{slog.String("method", method), slog.String("path", path), slog.String("dialect", dialect),
		slog.String("route", route), slog.Int("status", status), slog.Duration("took", took), slog.String(obs.RequestIDKey, id)}
	rec.AddAttrs(attrs[:]...)
	_ = h.Handle(ctx, rec)
}
