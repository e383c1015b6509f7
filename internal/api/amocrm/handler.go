package amocrm

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/api/wiretext"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/ratelimit"
)

// Authenticator checks an amoCRM bearer token.
type Authenticator interface {
	AmoCRM(ctx context.Context, token string) (crm.Actor, error)
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

	// patterns are the method-and-path patterns registered on mux, in
	// registration order (Routes).
	patterns []string
}

// apiFunc is an endpoint: it gets the authenticated actor and returns an error
// to be answered as a problem, or nil when it has written the response.
type apiFunc func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error

// NewHandler returns the amoCRM API, to be mounted at /api/v4/.
func NewHandler(d Deps) http.Handler {
	h := &handler{svc: d.Service, auth: d.Auth, log: d.Logger, mux: http.NewServeMux(), limiter: d.Limiter}
	if h.log == nil {
		h.log = slog.Default()
	}
	routes := []route{
		{"GET /api/v4/account", h.getAccount},
		{"PATCH /api/v4/customers/mode", h.patchCustomersMode},

		{"GET /api/v4/customers/statuses", h.listStatuses},
		{"POST /api/v4/customers/statuses", h.addStatuses},
		{"GET /api/v4/customers/statuses/{id}", h.getStatus},
		{"PATCH /api/v4/customers/statuses/{id}", h.patchStatus},
		{"DELETE /api/v4/customers/statuses/{id}", deleteBy(h.svc.DeleteCustomerStatus)},

		{"GET /api/v4/customers/segments", h.listSegments},
		{"POST /api/v4/customers/segments", h.addSegment},
		{"GET /api/v4/customers/segments/{id}", h.getSegment},
		{"PATCH /api/v4/customers/segments/{id}", h.patchSegment},
		{"DELETE /api/v4/customers/segments/{id}", deleteBy(h.svc.DeleteSegment)},
	}
	routes = append(routes, h.fieldRoutes("/api/v4/customers/segments", crm.EntitySegment)...)
	routes = append(append(routes, h.userRoutes()...), h.tagRoutes()...)
	routes = append(routes, h.unsortedRoutes()...)
	routes = append(routes, h.contactRoutes()...)
	routes = append(routes, h.activityRoutes()...)
	routes = append(routes, h.leadRoutes()...)
	routes = append(routes, h.webhookRoutes()...)
	for _, rt := range append(append(routes, h.customerRoutes()...), h.pipelineRoutes()...) {
		h.handle(rt.pattern, h.authed(rt.fn, writeV4Error))
	}
	for _, rt := range append(h.v2Routes(), h.v2ContactRoutes()...) {
		h.handle(rt.pattern, h.authed(rt.fn, writeV2Error))
	}
	return h
}

// handle registers one route on the mux and remembers its pattern.
func (h *handler) handle(pattern string, next http.Handler) {
	h.mux.Handle(pattern, next)
	h.patterns = append(h.patterns, pattern)
}

// Routes lists the method-and-path patterns NewHandler serves ("GET
// /api/v4/leads/{id}"), in the order it registers them. It builds a
// handler and reads what was registered, so the list cannot drift from the
// routes; the API documents (internal/apidocs) are checked against it.
// A {sub} segment stands for the sub-lists its function serves ("links",
// "notes", and "transactions" of customers); see entitySub, customerSub
// and noteSub.
func Routes() []string {
	return slices.Clone(NewHandler(Deps{}).(*handler).patterns)
}

// route is one endpoint: a method-and-path pattern and its function.
type route struct {
	pattern string
	fn      apiFunc
}

// errorWriter answers an error in one API generation's format (v4 problems,
// v2's own envelope).
type errorWriter func(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error)

// errorWriterFor picks the error format by the path's API generation.
func errorWriterFor(r *http.Request) errorWriter {
	if strings.HasPrefix(r.URL.Path, "/api/v2/") {
		return writeV2Error
	}
	return writeError
}

// ServeHTTP routes the request, answering unknown paths and methods with
// problem bodies instead of the standard mux's plain text.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.matches(r) {
		h.mux.ServeHTTP(w, r)
		return
	}
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if h.matches(probe) {
			allowed = append(allowed, m)
		}
	}
	writeErr := errorWriterFor(r)
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeErr(w, r, h.log, newProblem(http.StatusMethodNotAllowed, "Method "+r.Method+" is not supported here"))
		return
	}
	writeErr(w, r, h.log, newProblem(http.StatusNotFound, "Not found"))
}

// matches reports whether a pattern serves r. A match counts only when the
// pattern's id wildcards ({id}, {customer_id}, {pipeline_id}, {entity_id}) hold positive integers:
// GET /api/v4/customers/{id} also matches /api/v4/customers/mode, and such a
// path must keep the 404 or 405 (with the literal route's Allow) it would
// get without the wildcard route, with or without credentials.
func (h *handler) matches(r *http.Request) bool {
	_, pattern := h.mux.Handler(r)
	if pattern == "" {
		return false
	}
	_, patternPath, _ := strings.Cut(pattern, " ")
	want := strings.Split(strings.Trim(patternPath, "/"), "/")
	got := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	for i, seg := range want {
		if (seg == "{id}" || seg == "{customer_id}" || seg == "{pipeline_id}" || seg == "{entity_id}") && i < len(got) {
			if n, err := strconv.ParseInt(got[i], 10, 64); err != nil || n <= 0 {
				return false
			}
		}
		// The notes patterns' {sub} (notes.go) stands for "notes" only.
		if seg == "{sub}" && strings.Contains(patternPath, "{entity_id}") && i < len(got) && got[i] != "notes" {
			return false
		}
	}
	return true
}

// unauthorizedDetail is the detail amoCRM sends with 401 (seen in real responses).
const unauthorizedDetail = "Неверный логин или пароль"

// errUnauthorized is what a missing or bad token gets, in either generation.
var errUnauthorized = crm.Errorf(crm.KindUnauthorized, unauthorizedDetail)

// authed authenticates the bearer token, applies the request limits, runs
// fn, and answers errors with writeErr.
func (h *handler) authed(fn apiFunc, writeErr errorWriter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			writeErr(w, r, h.log, errUnauthorized)
			return
		}
		actor, err := h.auth.AmoCRM(r.Context(), token)
		if crm.KindOf(err) == crm.KindUnauthorized {
			err = errUnauthorized
		}
		if err == nil {
			err = h.limit(w, r, actor)
		}
		if err == nil {
			actor, err = h.contextActor(r, actor)
		}
		if err == nil {
			// Every parameter of every endpoint is checked here once; the
			// body is checked where it is decoded (parseJSON).
			if fault := wiretext.Query(r.URL.RawQuery); fault != nil {
				err = queryFault(fault)
			}
		}
		if err == nil {
			err = fn(w, r, actor)
		}
		if err != nil {
			writeErr(w, r, h.log, err)
		}
	})
}

func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// itemsError carries the request ids of a batch's items to the problem
// renderer, so that validation-errors name each item as the client did.
type itemsError struct {
	err        error
	requestIDs []string
}

func (e *itemsError) Error() string { return e.err.Error() }
func (e *itemsError) Unwrap() error { return e.err }

// withItems attaches request ids to err (nil stays nil).
func withItems(err error, requestIDs []string) error {
	if err == nil {
		return nil
	}
	return &itemsError{err: err, requestIDs: requestIDs}
}

// pathID reads the {id} path segment; a malformed id names no entity (404).
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, crm.Errorf(crm.KindNotFound, "Not found")
	}
	return id, nil
}

// baseURL is the scheme and host the client used, for absolute _links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

type link struct {
	Href string `json:"href"`
}

type selfLinks struct {
	Self link `json:"self"`
}

func selfLink(r *http.Request, path string) selfLinks {
	return selfLinks{Self: link{Href: baseURL(r) + path}}
}

// deleteBy serves DELETE …/{id} with del: 204 and an empty body on success.
func deleteBy(del func(context.Context, crm.Actor, int64) error) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if err := del(r.Context(), actor, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
