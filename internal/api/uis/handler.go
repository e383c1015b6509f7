package uis

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/crmd/crmd/internal/api/wiretext"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/obs"
	"github.com/crmd/crmd/internal/ratelimit"
)

// Authenticator checks UIS credentials and runs login sessions.
type Authenticator interface {
	// UISToken authenticates an access_token (a permanent key or a session
	// token). Errors: unauthorized; an expired session is recognised by
	// Expired.
	UISToken(ctx context.Context, token string) (crm.Actor, error)
	// Login checks a login and password sent from a client address
	// (http.Request.RemoteAddr). Errors: unauthorized; a refusal for too
	// many failed logins is an error that has a LoginLimit method
	// (loginLimited).
	Login(ctx context.Context, login, password, from string) (crm.Actor, error)
	// StartSession opens a session for the actor and returns its token and
	// expiry.
	StartSession(ctx context.Context, actor crm.Actor) (string, time.Time, error)
	// Logout ends the session a token names (a permanent key: nothing).
	Logout(ctx context.Context, token string) error
}

// Deps is what the dialect needs from the rest of the program.
type Deps struct {
	Service *crm.Service
	Auth    Authenticator
	// Expired reports whether an error of Auth means an expired session
	// (access_token_expired rather than access_token_invalid).
	Expired func(error) bool
	// Limiter counts requests; nil means limits are off and
	// metadata.limits is {}.
	Limiter *ratelimit.Limiter
	Logger  *slog.Logger
}

type handler struct {
	svc     *crm.Service
	auth    Authenticator
	expired func(error) bool
	limiter *ratelimit.Limiter
	log     *slog.Logger
	methods map[string]method
}

// call is one authenticated method call: who it runs as and its params.
type call struct {
	actor crm.Actor
	p     params
}

// outcome is what a method returns: result.data and, for get methods,
// metadata.total_items.
type outcome struct {
	data  any
	total *int
}

// method serves one authenticated JSON-RPC method.
type method func(ctx context.Context, c *call) (outcome, error)

// maxBody bounds a request body; a funnel with 100 stages is a few kB.
const maxBody = 1 << 20

// NewHandler returns the UIS Data API v2.0, to be mounted at /v2.0 (every
// method; answers other than POST are refused in the JSON-RPC envelope).
func NewHandler(d Deps) http.Handler {
	h := &handler{svc: d.Service, auth: d.Auth, expired: d.Expired, limiter: d.Limiter, log: d.Logger}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.expired == nil {
		h.expired = func(error) bool { return false }
	}
	h.methods = map[string]method{
		"get.sales_funnel":           h.getFunnels,
		"create.sales_funnel":        h.createFunnel,
		"update.sales_funnel":        h.updateFunnel,
		"delete.sales_funnel":        h.deleteFunnel,
		"create.sales_funnel_stages": h.createStage,
		"update.sales_funnel_stages": h.updateStage,
		"delete.sales_funnel_stages": h.deleteStage,
	}
	return h
}

// The session methods, served by handle itself: login.user authenticates by
// login and password rather than access_token, and logout.user ends the
// session its own token names.
const (
	methodLogin  = "login.user"
	methodLogout = "logout.user"
)

// Methods lists the JSON-RPC methods the handler serves, sorted: the
// session methods and the method table NewHandler builds (read from a
// handler, so the list cannot drift from it). The API document
// (internal/apidocs) is checked against it.
func Methods() []string {
	h := NewHandler(Deps{}).(*handler)
	out := []string{methodLogin, methodLogout}
	for name := range h.methods {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// reply is a JSON-RPC 2.0 response.
type reply struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result,omitempty"`
	Error   *wireError      `json:"error,omitempty"`
}

// wireError is UIS's error object. field, value and params are always sent
// (null or {} when they do not apply: UIS returns empty fields as null);
// metadata is sent once the caller is known and limits were counted.
type wireError struct {
	Code    int           `json:"code"`
	Message string        `json:"message"`
	Data    wireErrorData `json:"data"`
}

type wireErrorData struct {
	Mnemonic string         `json:"mnemonic"`
	Field    *string        `json:"field"`
	Value    *string        `json:"value"`
	Params   map[string]any `json:"params"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// ServeHTTP answers every JSON-RPC reply, errors included, with HTTP 200:
// UIS documents no status codes and its clients treat anything else as a
// transport failure. Only a request that is not a JSON-RPC exchange at all
// (another HTTP method, a body over 1 MiB) gets a 4xx, still with a JSON-RPC
// error body.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.write(w, http.StatusMethodNotAllowed, h.errorReply(r.Context(), nil, fail(mnInvalidRequest, ""), nil))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.write(w, http.StatusRequestEntityTooLarge, h.errorReply(r.Context(), nil, fail(mnInvalidRequest, ""), nil))
		}
		return // the client went away
	}
	// The TCP peer, not a forwarding header: anyone can send one of those,
	// and login.user throttles by this address.
	h.write(w, http.StatusOK, h.handle(r.Context(), body, r.RemoteAddr))
}

func (h *handler) write(w http.ResponseWriter, status int, rep reply) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(rep)
}

// handle reads one JSON-RPC request, sent from the client address peer,
// and returns the reply.
func (h *handler) handle(ctx context.Context, body []byte, peer string) reply {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if !json.Valid(trimmed) {
		return h.errorReply(ctx, nil, fail(mnParseError, ""), nil)
	}
	switch trimmed[0] {
	case '[':
		return h.errorReply(ctx, nil, fail(mnBatch, ""), nil)
	case '{':
	default:
		return h.errorReply(ctx, nil, fail(mnInvalidRequest, ""), nil)
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return h.errorReply(ctx, nil, fail(mnParseError, ""), nil)
	}
	rawID, ok := env["id"]
	if !ok {
		return h.errorReply(ctx, nil, fail(mnNotifications, "id"), nil)
	}
	// The id is echoed exactly as sent (a string, or a number in the
	// caller's own notation); any other type is not a valid request.
	var id json.RawMessage
	switch jsonKind(rawID) {
	case "string", "number":
		var b bytes.Buffer
		json.Compact(&b, rawID)
		id = b.Bytes()
	default:
		return h.errorReply(ctx, nil, failValue(mnInvalidRequest, "id", asSent(rawID)), nil)
	}
	var version string
	if raw, ok := env["jsonrpc"]; !ok || json.Unmarshal(raw, &version) != nil || version != "2.0" {
		e := fail(mnInvalidRequest, "jsonrpc")
		if ok {
			e = failValue(mnInvalidRequest, "jsonrpc", asSent(raw))
		}
		return h.errorReply(ctx, id, e, nil)
	}
	var name string
	if raw, ok := env["method"]; !ok || jsonKind(raw) != "string" || json.Unmarshal(raw, &name) != nil {
		e := fail(mnInvalidRequest, "method")
		if ok {
			e = failValue(mnInvalidRequest, "method", asSent(raw))
		}
		return h.errorReply(ctx, id, e, nil)
	}
	var m method
	switch name {
	case methodLogin, methodLogout:
	default:
		if m, ok = h.methods[name]; !ok {
			return h.errorReply(ctx, id, failValue(mnMethodNotFound, "method", name), nil)
		}
	}
	// A known method names the route in the access log and the metrics;
	// an unknown name, the client's text, never does.
	obs.SetRoute(ctx, name)
	if fault := wiretext.JSON(trimmed); fault != nil {
		return h.errorReply(ctx, id, textFault(fault), nil)
	}
	p := params{raw: map[string]json.RawMessage{}}
	if raw, ok := env["params"]; ok && jsonKind(raw) != "null" {
		var err error
		if p, err = decodeObject(raw, "params"); err != nil {
			return h.errorReply(ctx, id, err, nil)
		}
		p.path = ""
	}
	var result map[string]any
	var meta map[string]any
	var err error
	switch name {
	case methodLogin:
		result, meta, err = h.login(ctx, p, peer)
	case methodLogout:
		result, meta, err = h.logout(ctx, p)
	default:
		result, meta, err = h.run(ctx, p, m)
	}
	if err != nil {
		return h.errorReply(ctx, id, err, meta)
	}
	return reply{JSONRPC: "2.0", ID: id, Result: result}
}

// run authenticates a call, counts it against the limits, resolves whom it
// acts as (agents: user_id) and runs the method. UIS charges only
// successful requests, so a failed one is refunded.
func (h *handler) run(ctx context.Context, p params, m method) (result, meta map[string]any, err error) {
	caller, err := h.authenticate(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	userID, _, err := p.integer("user_id", false, true)
	if err == nil && p.has("user_id") && userID <= 0 {
		err = failValue(mnInvalidValue, "user_id", asSent(p.raw["user_id"]))
	}
	if err != nil {
		return nil, nil, err
	}
	state, err := h.admit(ctx, caller)
	if err != nil {
		return nil, limitMeta(err), err
	}
	out, err := h.act(ctx, caller, userID, p, m)
	if err != nil {
		state = h.refund(ctx, state)
		return nil, metadata(state, nil), err
	}
	return map[string]any{"data": out.data, "metadata": metadata(state, out.total)}, metadata(state, nil), nil
}

func (h *handler) act(ctx context.Context, caller crm.Actor, userID int64, p params, m method) (outcome, error) {
	actor, err := h.svc.ActAs(ctx, caller, userID)
	if err != nil {
		value := asSent(p.raw["user_id"])
		switch crm.KindOf(err) {
		case crm.KindInvalid:
			return outcome{}, fail(mnRequired, "user_id")
		case crm.KindForbidden:
			return outcome{}, failValue(mnForbidden, "user_id", value)
		}
		return outcome{}, err
	}
	return m(ctx, &call{actor: actor, p: p})
}

// authenticate checks params.access_token.
func (h *handler) authenticate(ctx context.Context, p params) (crm.Actor, error) {
	token, _, err := p.str("access_token", true)
	if err != nil {
		return crm.Actor{}, err
	}
	actor, err := h.auth.UISToken(ctx, token)
	switch {
	case err == nil:
		return actor, nil
	case h.expired(err):
		return crm.Actor{}, fail(mnTokenExpired, "access_token")
	case crm.KindOf(err) == crm.KindUnauthorized:
		return crm.Actor{}, fail(mnTokenInvalid, "access_token")
	}
	return crm.Actor{}, err
}

// errorReply turns err into a JSON-RPC error reply; anything that is not a
// known error is logged and answered as internal_error.
func (h *handler) errorReply(ctx context.Context, id json.RawMessage, err error, meta map[string]any) reply {
	e := h.translate(ctx, err)
	data := wireErrorData{Mnemonic: e.mnemonic(), Value: e.value, Params: e.params, Metadata: meta}
	if e.field != "" {
		data.Field = &e.field
	}
	if data.Params == nil {
		data.Params = map[string]any{}
	}
	return reply{JSONRPC: "2.0", ID: id, Error: &wireError{Code: catalogue[e.key].code, Message: e.message(), Data: data}}
}

// translate maps an error to the UIS error it is answered with. Methods
// translate the domain errors whose meaning depends on the method (which
// entity was not found, what a conflict means); this is the rest.
func (h *handler) translate(ctx context.Context, err error) *rpcError {
	var re *rpcError
	if errors.As(err, &re) {
		return re
	}
	e, ok := crm.AsError(err)
	if !ok {
		h.log.ErrorContext(ctx, "uis: internal error", "err", err)
		return fail(mnInternal, "")
	}
	switch e.Kind {
	case crm.KindInvalid, crm.KindUnprocessable:
		if len(e.Violations) > 0 {
			return violation(e.Violations[0], func(p string) string { return p })
		}
		return fail(mnInvalidValue, "")
	case crm.KindNotFound:
		return fail(mnEntityNotFound, "")
	case crm.KindConflict:
		return fail(mnDuplicate, "")
	case crm.KindLimit:
		return fail(mnDataLimitExceeded, "")
	case crm.KindForbidden:
		return fail(mnForbidden, "")
	case crm.KindUnauthorized:
		return fail(mnTokenInvalid, "access_token")
	}
	h.log.ErrorContext(ctx, "uis: unmapped domain error", "err", err)
	return fail(mnInternal, "")
}

// violation translates a domain violation; field maps the domain's path to
// the request's.
func violation(v crm.Violation, field func(string) string) *rpcError {
	f := field(v.Path)
	switch v.Code {
	case crm.ViolationRequired:
		return fail(mnRequired, f)
	case crm.ViolationType:
		return fail(mnDataType, f)
	case crm.ViolationUnexpected:
		return fail(mnUnexpected, f)
	}
	return fail(mnInvalidValue, f)
}
