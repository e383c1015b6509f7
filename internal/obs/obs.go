// Package obs carries what crmd observes about one HTTP request through the
// request's context: its id, which every log line written with the
// context carries (NewLogHandler), and the facts only code deep inside the
// request knows — the route a dialect served when the mux's pattern does
// not name it (an Envybox or UIS method), and request-limit refusals — for
// the access log and the metrics the server keeps.
//
// The server starts a Request for every request it serves (Start); the
// dialects, the limiter and auth report into it through the context. The
// package imports nothing but the standard library, so they can report
// without knowing about metrics or the server, and code running outside a
// request (the command line, tests calling the domain directly) reports
// into nothing at no cost.
package obs

import (
	"context"
	"sync"
)

// Refusal is why a request was refused by a request limit.
type Refusal string

// The refusals reported by the limiter and auth.
const (
	// RefusalLimit: a dialect's or the widget's request limit was
	// exceeded in one of its windows.
	RefusalLimit Refusal = "limit"
	// RefusalBlocked: the account is blocked for repeated violations of
	// the limit (amoCRM's 403).
	RefusalBlocked Refusal = "blocked"
	// RefusalLogin: a login attempt was refused by the failed-login
	// throttle (UIS login.user, the web sign-in), or an OAuth request by
	// its like (amoCRM's token endpoint and subdomain lookup).
	RefusalLogin Refusal = "login"
)

// Request is one request being served. Its methods are safe for concurrent
// use and do nothing on a nil *Request, which is what FromContext returns
// outside a request.
type Request struct {
	id      string
	dialect string

	mu       sync.Mutex
	route    string
	refusals []Refusal
}

type requestKey struct{}

// Start returns ctx carrying a new Request with the request's id and the
// dialect that serves it (a label for logs and metrics: "amocrm",
// "envybox", …).
func Start(ctx context.Context, id, dialect string) (context.Context, *Request) {
	r := &Request{id: id, dialect: dialect}
	return context.WithValue(ctx, requestKey{}, r), r
}

// FromContext returns the Request ctx carries, or nil.
func FromContext(ctx context.Context) *Request {
	r, _ := ctx.Value(requestKey{}).(*Request)
	return r
}

// RequestID is the id of the request ctx belongs to; "" outside one.
func RequestID(ctx context.Context) string { return FromContext(ctx).ID() }

// Dialect is the dialect serving the request ctx belongs to; "" outside
// one.
func Dialect(ctx context.Context) string { return FromContext(ctx).Dialect() }

// SetRoute names the route that serves the request ctx belongs to, for a
// dialect whose routes the mux's pattern does not tell apart (Envybox's
// methods, UIS's JSON-RPC methods). The name must come from the dialect's
// own fixed set, never from the request: it becomes a metric label.
func SetRoute(ctx context.Context, route string) {
	if r := FromContext(ctx); r != nil {
		r.mu.Lock()
		r.route = route
		r.mu.Unlock()
	}
}

// NoteRefusal records that a request limit refused the request ctx belongs
// to.
func NoteRefusal(ctx context.Context, why Refusal) {
	if r := FromContext(ctx); r != nil {
		r.mu.Lock()
		r.refusals = append(r.refusals, why)
		r.mu.Unlock()
	}
}

// ID is the request's id.
func (r *Request) ID() string {
	if r == nil {
		return ""
	}
	return r.id
}

// Dialect is the dialect label the request was started with.
func (r *Request) Dialect() string {
	if r == nil {
		return ""
	}
	return r.dialect
}

// Route is the route a dialect named with SetRoute; "" when none did.
func (r *Request) Route() string {
	if r == nil {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.route
}

// Refusals are the request-limit refusals noted for the request, in order.
func (r *Request) Refusals() []Refusal {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Refusal(nil), r.refusals...)
}
