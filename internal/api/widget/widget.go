// Package widget serves the website lead widget (Envybox §4): the script
// GET /widget.js, which defines WBK.sendCrmLead(crm_id, {name, email,
// phone, comment}), and the public intake endpoint it posts to,
// POST /widget/v1/{crm_id}/lead (CORS-enabled, with its OPTIONS preflight).
//
// A lead sent through the widget is recorded exactly as Envybox lead/set
// records one (crm.Service.CreateInbound as the account's administrator):
// the default deal pipeline and inbox type, the phone normalised, merged
// into the first lead of the same phone or email (parent_id). The endpoint
// takes no API key, since the page that calls it is public, so it can do
// nothing but create leads, and it defends itself:
//
//   - a body of at most MaxBodyBytes (413 beyond);
//   - JSON object bodies only, with name, email, phone and comment as
//     strings (or numbers) within their length limits, a phone of 5 to 15
//     digits or a plausible email, at least one of the two, and no control
//     characters;
//   - every refusal of the content, and an unknown crm_id, gets the same
//     answer (400 "Заявка не принята"); this hides nothing, since an
//     account's crm_id is public in every page that embeds the widget, but
//     one answer is all a visitor needs. The content is checked before the
//     account is looked up, so junk never reaches the database;
//   - request limits per visitor address (per account) and per account, in
//     the database's limit counters (ratelimit.FixedLimiter), so that they
//     hold across crmd processes (429 with Retry-After beyond). They apply
//     whether or not the API request limits are on: the API is keyed, the
//     widget is not.
//
// The visitor's address is the connection's peer, unless the peer is one
// of the proxies the operator trusts (Config.TrustedProxies, crmd serve
// --trusted-proxies): then it is the right-most address of X-Forwarded-For
// that is not itself a trusted proxy. Nothing is trusted by default, since
// any client may send the header; trusting whole private ranges would let
// every machine on an office LAN claim a fresh address per request.
package widget

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crmd/crmd/internal/api/wiretext"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/ratelimit"
)

//go:embed widget.js
var script []byte

// MaxBodyBytes is the largest intake body accepted (16 KiB).
const MaxBodyBytes = 16 << 10

// Field length limits, in characters.
const (
	MaxName    = 255
	MaxEmail   = 254
	MaxPhone   = 50
	MaxComment = 4000
)

// The answers' messages.
const (
	MsgRejected = "Заявка не принята"
	MsgTooLarge = "Слишком большая заявка"
	MsgLimited  = "Слишком много заявок, попробуйте позже"
	MsgInternal = "Внутренняя ошибка сервера"
)

// Limits are the intake's request limits: PerIP counts one visitor
// address's requests to one account (an IPv6 address counts by its /64),
// PerAccount all requests to the account. A zero window is not limited.
type Limits struct {
	PerIP      ratelimit.Limits
	PerAccount ratelimit.Limits
}

// DefaultLimits are crmd's choice: a visitor may send 5 leads a minute and
// 50 a day to one account; an account takes 60 a minute and 2000 a day.
func DefaultLimits() Limits {
	return Limits{
		PerIP:      ratelimit.Limits{PerMinute: 5, PerDay: 50},
		PerAccount: ratelimit.Limits{PerMinute: 60, PerDay: 2000},
	}
}

// Config is what the widget is built from.
type Config struct {
	Service *crm.Service
	Logger  *slog.Logger
	// Limits, when nil, are DefaultLimits(); &Limits{} switches them off.
	Limits *Limits
	// Limiter counts the intake's requests in the database's shared
	// counters (ratelimit.NewFixedLimiter over the store). Required unless
	// Limits switches every window off: the widget's limits hold whether
	// or not the API's are on.
	Limiter *ratelimit.FixedLimiter
	// Now is the clock of the limit windows; time.Now when nil.
	Now func() time.Time
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (ParseTrustedProxies reads them). Empty: none, and the
	// visitor is the TCP peer.
	TrustedProxies []netip.Prefix
}

// ParseTrustedProxies reads a comma-separated list of CIDR prefixes, such
// as "10.0.0.0/8, 192.168.1.10"; a bare address stands for itself (/32 or
// /128). An empty list trusts no proxy.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			a, err := netip.ParseAddr(item)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is neither a CIDR prefix nor an IP address", item)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR prefix: %v", item, err)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			// ::ffff:10.0.0.0/104 means 10.0.0.0/8: peers are compared unmapped.
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

type handler struct {
	svc     *crm.Service
	log     *slog.Logger
	limits  Limits
	now     func() time.Time
	mux     *http.ServeMux
	limiter *ratelimit.FixedLimiter
	proxies []netip.Prefix // trusted to name the visitor in X-Forwarded-For
}

// NewHandler returns the widget handler, to be mounted at /widget.js and
// /widget/.
func NewHandler(c Config) http.Handler {
	h := &handler{svc: c.Service, log: c.Logger, limits: DefaultLimits(), now: c.Now, mux: http.NewServeMux(),
		limiter: c.Limiter, proxies: c.TrustedProxies}
	if h.log == nil {
		h.log = slog.Default()
	}
	if c.Limits != nil {
		h.limits = *c.Limits
	}
	if h.limiter == nil && h.limits != (Limits{}) {
		// Serving without one would leave a public endpoint unlimited.
		panic("widget: Config.Limiter is required while limits are on")
	}
	if h.now == nil {
		h.now = time.Now
	}
	for _, rt := range h.routes() {
		h.mux.HandleFunc(rt.pattern, rt.fn)
	}
	h.mux.HandleFunc("/widget/", func(w http.ResponseWriter, r *http.Request) {
		cors(w)
		reply(w, http.StatusNotFound, "Метод не найден")
	})
	return h.mux
}

// route is one endpoint: a method-and-path pattern and its function.
type route struct {
	pattern string
	fn      http.HandlerFunc
}

// routes are the widget's endpoints; every other path under /widget/ is
// the 404 envelope.
func (h *handler) routes() []route {
	return []route{
		{"GET /widget.js", h.serveScript},
		{"OPTIONS /widget/v1/{crm_id}/lead", h.preflight},
		{"POST /widget/v1/{crm_id}/lead", h.intake},
	}
}

// Routes lists the method-and-path patterns NewHandler serves, from the
// same table it registers; the API documents (internal/apidocs) are checked
// against it.
func Routes() []string {
	var out []string
	for _, rt := range (&handler{}).routes() {
		out = append(out, rt.pattern)
	}
	return out
}

func (h *handler) serveScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	http.ServeContent(w, r, "widget.js", time.Time{}, bytes.NewReader(script))
}

// cors lets any page read the intake's answers. No credentials are
// involved: the endpoint reads no cookies.
func cors(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
}

func (h *handler) preflight(w http.ResponseWriter, r *http.Request) {
	cors(w)
	w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	w.Header().Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

func reply(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(map[string]any{"status_code": status, "message": msg})
}

func (h *handler) intake(w http.ResponseWriter, r *http.Request) {
	cors(w)
	ctx := r.Context()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			reply(w, http.StatusRequestEntityTooLarge, MsgTooLarge)
			return
		}
		reply(w, http.StatusBadRequest, MsgRejected)
		return
	}
	values, reason := parseLead(body)
	if reason != "" {
		h.log.DebugContext(ctx, "widget: lead refused", "reason", reason)
		reply(w, http.StatusBadRequest, MsgRejected)
		return
	}
	accountID, err := strconv.ParseInt(r.PathValue("crm_id"), 10, 64)
	if err != nil || accountID <= 0 {
		reply(w, http.StatusBadRequest, MsgRejected)
		return
	}
	admin, err := h.svc.Administrator(ctx, accountID)
	if crm.KindOf(err) == crm.KindNotFound {
		reply(w, http.StatusBadRequest, MsgRejected)
		return
	}
	if err != nil {
		h.internal(ctx, w, err)
		return
	}
	now := h.now()
	retry, err := h.allow(ctx, accountID, visitorKey(r, h.proxies), now)
	if err != nil {
		h.internal(ctx, w, err)
		return
	}
	if retry > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((retry+time.Second-1)/time.Second), 10))
		reply(w, http.StatusTooManyRequests, MsgLimited)
		return
	}
	_, err = h.svc.CreateInbound(ctx, admin, crm.NewInbound{Values: values})
	if k := crm.KindOf(err); k == crm.KindInvalid || k == crm.KindNotFound {
		h.log.DebugContext(ctx, "widget: lead refused", "err", err)
		reply(w, http.StatusBadRequest, MsgRejected)
		return
	}
	if err != nil {
		h.internal(ctx, w, err)
		return
	}
	reply(w, http.StatusOK, "success")
}

func (h *handler) internal(ctx context.Context, w http.ResponseWriter, err error) {
	h.log.ErrorContext(ctx, "widget: internal error", "err", err)
	reply(w, http.StatusInternalServerError, MsgInternal)
}

var (
	emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s.]+$`)
	fieldLimits  = map[string]int{"name": MaxName, "email": MaxEmail, "phone": MaxPhone, "comment": MaxComment}
)

// parseLead checks an intake body and returns the lead's values (lead/set
// name_ids); reason says why the body was refused.
func parseLead(body []byte) (map[string]string, string) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var in map[string]any
	if err := dec.Decode(&in); err != nil || in == nil {
		return nil, "not a JSON object"
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, "trailing data"
	}
	// The checks below see decoded text, in which invalid UTF-8 and lone
	// surrogates have already become U+FFFD: those are caught on the wire.
	if fault := wiretext.JSON(body); fault != nil {
		return nil, fault.Dotted() + ": " + fault.Detail
	}
	values := map[string]string{}
	for key, limit := range fieldLimits {
		var text string
		switch v := in[key].(type) {
		case nil:
			continue
		case string:
			text = v
		case json.Number:
			text = v.String()
		default:
			return nil, key + " is not a string"
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if utf8.RuneCountInString(text) > limit {
			return nil, key + " is too long"
		}
		for _, c := range text {
			if unicode.IsControl(c) && !(key == "comment" && (c == '\n' || c == '\r' || c == '\t')) {
				return nil, key + " has control characters"
			}
		}
		values[key] = text
	}
	if p, ok := values["phone"]; ok {
		if n := len(crm.NormalizePhone(p)); n < 5 || n > 15 {
			return nil, "phone is not a phone number"
		}
	}
	if e, ok := values["email"]; ok && !emailPattern.MatchString(e) {
		return nil, "email is not an email address"
	}
	if values["phone"] == "" && values["email"] == "" {
		return nil, "neither phone nor email"
	}
	return values, ""
}

// visitorKey names the visitor's address for the per-IP limit.
func visitorKey(r *http.Request, proxies []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = forwardedFor(r.Header.Values("X-Forwarded-For"), addr.Unmap().WithZone(""), proxies)
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// forwardedFor is the client address behind peer. This is the usual
// right-to-left walk: each trusted proxy appends the address it received
// the request from, so the hops are read from the right while they are
// trusted proxies, and the first one that is not is the client. Entries to
// its left were written by the client and prove nothing. An entry that is
// not an address ends the walk at the last trusted hop, so that junk
// cannot be rotated into fresh identities.
func forwardedFor(headers []string, peer netip.Addr, proxies []netip.Prefix) netip.Addr {
	addr := peer
	if !trusted(addr, proxies) {
		return addr
	}
	for i := len(headers) - 1; i >= 0; i-- {
		hops := strings.Split(headers[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			hop, ok := parseHop(hops[j])
			if !ok {
				return addr
			}
			addr = hop
			if !trusted(addr, proxies) {
				return addr
			}
		}
	}
	// Every hop was a trusted proxy: the left-most is the nearest to the
	// client there is.
	return addr
}

// parseHop reads one X-Forwarded-For entry: an address, or an address with
// a port, as some proxies write it.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, perr := netip.ParseAddrPort(s)
		if perr != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	return a.Unmap().WithZone(""), true
}

func trusted(a netip.Addr, proxies []netip.Prefix) bool {
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// allow counts a request against the per-IP and per-account limits and
// says how long to wait when a limit refuses it (0: allowed).
func (h *handler) allow(ctx context.Context, accountID int64, ip string, now time.Time) (time.Duration, error) {
	return h.limiter.Allow(ctx, accountID, []ratelimit.Check{
		{Key: "widget:ip:" + ip, Limits: h.limits.PerIP},
		{Key: "widget:account", Limits: h.limits.PerAccount},
	}, now)
}
