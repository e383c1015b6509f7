package envybox

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/obs"
	"github.com/crmd/crmd/internal/ratelimit"
)

// Authenticator checks an Envybox api_key.
type Authenticator interface {
	Envybox(ctx context.Context, key string) (crm.Actor, error)
}

// Deps is what the dialect needs from the rest of the program.
type Deps struct {
	Service *crm.Service
	Auth    Authenticator
	Logger  *slog.Logger
	// Limiter counts requests (limits.go); nil switches limits off.
	Limiter *ratelimit.Limiter
}

type handler struct {
	svc  *crm.Service
	auth Authenticator
	log  *slog.Logger
	mux  *http.ServeMux

	limiter *ratelimit.Limiter // request limits (limits.go); nil: off

	// methods are the route patterns as declared, in registration order
	// (Routes).
	methods []string
}

// call is one request being served: the actor, the account's time zone for
// rendering dates, and the decoded request parameters.
type call struct {
	actor crm.Actor
	loc   *time.Location
	req   params
	r     *http.Request
}

// endpoint serves one method. It returns the body to send on success (the
// envelope's status_code and message are added) or an error.
type endpoint func(ctx context.Context, c *call) (map[string]any, error)

// route is one method at one path.
type route struct {
	pattern string
	fn      endpoint
}

// NewHandler returns the Envybox API, to be mounted at /openapi/v1/.
func NewHandler(d Deps) http.Handler {
	h := &handler{svc: d.Service, auth: d.Auth, log: d.Logger, mux: http.NewServeMux(), limiter: d.Limiter}
	if h.log == nil {
		h.log = slog.Default()
	}
	var routes []route
	routes = append(routes, h.referenceRoutes()...)
	routes = append(routes, h.leadRoutes()...)
	routes = append(routes, h.dealRoutes()...)
	routes = append(routes, h.clientRoutes()...)
	routes = append(routes, h.taskRoutes()...)
	routes = append(routes, h.logRoutes()...) // history and tags (log_methods.go)
	routes = append(routes, h.statRoutes()...)
	for _, rt := range routes {
		// Every documented path ends with "/": serve exactly it ({$}: not
		// the subtree a trailing slash means to the mux) and it without "/".
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.TrimSuffix(path, "/")
		// The method's name ("lead/set") names the route in the access log
		// and the metrics, whichever prefix and spelling the client used.
		name := strings.TrimPrefix(path, "/openapi/v1/")
		h.mux.Handle(method+" "+path+"/{$}", h.serve(name, rt.fn))
		h.mux.Handle(method+" "+path, h.serve(name, rt.fn))
		h.methods = append(h.methods, rt.pattern)
	}
	return h
}

// Routes lists the methods NewHandler serves as their declared patterns
// ("POST /openapi/v1/lead/set/"; each is also served without the trailing
// slash), in registration order. It builds a handler and reads what was
// registered, so the list cannot drift from the routes; the API documents
// (internal/apidocs) are checked against it.
func Routes() []string {
	return slices.Clone(NewHandler(Deps{}).(*handler).methods)
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := h.mux.Handler(r); pattern == "" {
		writeEnvelope(w, http.StatusNotFound, map[string]any{"status_code": http.StatusNotFound, "message": "Метод не найден"})
		return
	}
	h.mux.ServeHTTP(w, r)
}

// Envybox's wrong-key text, answered to any request with a missing or bad key.
const msgWrongKey = "Неправильный ключ api"

func (h *handler) serve(name string, fn endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		obs.SetRoute(ctx, name)
		// The query is parsed once: for the key here and for the
		// parameters (readParams).
		query := r.URL.Query()
		actor, err := h.auth.Envybox(ctx, query.Get("api_key"))
		if crm.KindOf(err) == crm.KindUnauthorized {
			h.fail(w, r, &apiError{status: http.StatusUnauthorized, message: msgWrongKey})
			return
		}
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if err := h.limit(w, r, actor); err != nil {
			h.fail(w, r, err)
			return
		}
		req, err := readParams(r, query)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		// The account's time zone came with the credential: no second read.
		body, err := fn(ctx, &call{actor: actor, loc: actor.Location(), req: req, r: r})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if body == nil {
			body = map[string]any{}
		}
		body["status_code"] = http.StatusOK
		body["message"] = "success"
		writeEnvelope(w, http.StatusOK, body)
	})
}

func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg, ok := errorReply(err)
	if !ok {
		h.log.ErrorContext(r.Context(), "envybox: internal error", "path", r.URL.Path, "err", err)
		status, msg = http.StatusInternalServerError, "Внутренняя ошибка сервера"
	}
	writeEnvelope(w, status, map[string]any{"status_code": status, "message": msg})
}

func writeEnvelope(w http.ResponseWriter, status int, body map[string]any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(body)
}
