package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
)

// view is what every page template gets: who is signed in, in which
// language and time zone, and the page's own Data. Its methods format for
// the user ({{$.T "key"}}, {{$.Money .Price}}, {{$.Time .CreatedAt}}).
type view struct {
	Lang    string
	Title   string
	Section string // the navigation entry to mark current
	// Tab is the entry of a section's own menu to mark current (the
	// settings menu's "users", say).
	Tab      string
	SignedIn bool
	Actor    crm.Actor
	User     crm.User
	Account  crm.Account
	// Path is the request's path and query, for links back to this page.
	Path string
	Data any
	loc  *time.Location
	now  time.Time
}

// anonymousView is the view of a page anyone may see (sign-in, errors).
func (h *handler) anonymousView(r *http.Request) *view {
	return &view{Lang: language(r), Path: r.URL.RequestURI(), loc: time.UTC, now: time.Now()}
}

// userView is the view of a signed-in user's page, from the user and
// account the session check read.
func (h *handler) userView(r *http.Request, who auth.SignedIn) *view {
	v := h.anonymousView(r)
	v.SignedIn, v.Actor, v.User, v.Account, v.loc = true, who.Actor, who.User, who.Account, who.Actor.Location()
	v.now = time.Now().In(v.loc)
	return v
}

// IsAdmin reports whether the signed-in user administers the account.
func (v *view) IsAdmin() bool { return v.Actor.Role == crm.RoleAdmin }

// T translates a message key into the page's language; with args, the
// message is a fmt format.
func (v *view) T(key string, args ...any) string {
	s := translate(v.Lang, key)
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Money formats whole currency units with the account's currency, digits
// grouped the way the language writes them: "1 250 000 ₽", "₽1,250,000".
func (v *view) Money(n int64) string {
	sym := crm.CurrencySymbol(v.Account.Currency)
	if v.Lang == "ru" {
		return groupDigits(n, "\u00a0") + "\u00a0" + sym
	}
	if len([]rune(sym)) > 1 {
		return groupDigits(n, ",") + " " + sym
	}
	if n < 0 {
		return "-" + sym + groupDigits(-n, ",")
	}
	return sym + groupDigits(n, ",")
}

// Currency is the sign of the account's currency.
func (v *view) Currency() string { return crm.CurrencySymbol(v.Account.Currency) }

// Number groups the digits of a count.
func (v *view) Number(n int) string {
	if v.Lang == "ru" {
		return groupDigits(int64(n), "\u00a0")
	}
	return groupDigits(int64(n), ",")
}

func groupDigits(n int64, sep string) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Time is a moment in the account's time zone; "" for the zero time.
func (v *view) Time(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(v.loc)
	if v.Lang == "ru" {
		return t.Format("02.01.2006 15:04")
	}
	return t.Format("Jan 2, 2006 15:04")
}

// Date is a day in the account's time zone; "" for the zero time.
func (v *view) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(v.loc)
	if v.Lang == "ru" {
		return t.Format("02.01.2006")
	}
	return t.Format("Jan 2, 2006")
}

// ISODate is a day in the account's time zone as a date input wants it.
func (v *view) ISODate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(v.loc).Format(time.DateOnly)
}

// ISOTime is a moment in the account's time zone as a datetime-local
// input wants it.
func (v *view) ISOTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(v.loc).Format("2006-01-02T15:04")
}

// Overdue reports whether a due time has passed.
func (v *view) Overdue(t time.Time) bool { return !t.IsZero() && t.Before(v.now) }

// staleAfter is how long a deal may go untouched before its card says so.
const staleAfter = 7 * 24 * time.Hour

// StaleDays is how many whole days ago t was when that is past
// staleAfter, else 0: cards flag deals nobody has touched for a week.
func (v *view) StaleDays(t time.Time) int {
	if t.IsZero() || v.now.Sub(t) < staleAfter {
		return 0
	}
	return int(v.now.Sub(t) / (24 * time.Hour))
}

// Location is the account's time zone.
func (v *view) Location() *time.Location { return v.loc }

// pages are the parsed templates, one set per page: the layout, the shared
// partials and the page's own file.
type pages map[string]*template.Template

// templateFuncs are the helpers templates may call besides the view's
// methods.
var templateFuncs = template.FuncMap{
	"add": func(a, b int) int { return a + b },
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"join": strings.Join,
	// args bundles values for a sub-template, which takes one argument:
	// {{template "card" (args "V" $ "Card" .)}}.
	"args": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("args: odd number of values")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("args: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

func mustParsePages() pages {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := pages{}
	for _, name := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t := template.Must(template.New(base).Funcs(templateFuncs).ParseFS(templateFS,
			"templates/layout.html", "templates/partials.html", name))
		out[base] = t
	}
	return out
}

// render writes a whole page: the layout around the page's "content".
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view, data any) {
	h.execute(w, r, status, page, "layout", v, data)
}

// renderFragment writes one named template of a page (the cards a "show
// more" button appends, say) without the layout.
func (h *handler) renderFragment(w http.ResponseWriter, r *http.Request, page, name string, v *view, data any) {
	h.execute(w, r, http.StatusOK, page, name, v, data)
}

// fragment renders one named template of a page into a string: HTML that
// travels inside another answer (a live list's new row, in an event).
func (h *handler) fragment(page, name string, data any) (string, error) {
	t, ok := h.pages[page]
	if !ok {
		return "", fmt.Errorf("no page template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("render %s/%s: %w", page, name, err)
	}
	return buf.String(), nil
}

func (h *handler) execute(w http.ResponseWriter, r *http.Request, status int, page, name string, v *view, data any) {
	t, ok := h.pages[page]
	if !ok {
		h.internalError(w, r, fmt.Errorf("no page template %q", page))
		return
	}
	v.Data = data
	// Rendered into a buffer first, so that a template error becomes a
	// clean 500 instead of half a page.
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		h.internalError(w, r, fmt.Errorf("render %s/%s: %w", page, name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorStatus is the HTTP status of a domain error's kind.
func errorStatus(err error) int {
	switch crm.KindOf(err) {
	case crm.KindNotFound:
		return http.StatusNotFound
	case crm.KindInvalid, crm.KindUnprocessable:
		return http.StatusUnprocessableEntity
	case crm.KindForbidden:
		return http.StatusForbidden
	case crm.KindConflict:
		return http.StatusConflict
	case crm.KindLimit:
		return http.StatusTooManyRequests
	case crm.KindUnauthorized:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// errorData is the error page's content.
type errorData struct {
	Status  int
	Message string
}

// renderError answers with a domain error: a page saying what went wrong,
// or for the page's own script a JSON {"error": "..."}. Errors without a
// kind are internal: logged, and told to the user without detail.
func (h *handler) renderError(w http.ResponseWriter, r *http.Request, v *view, err error) {
	status := errorStatus(err)
	if status == http.StatusInternalServerError {
		h.internalError(w, r, err)
		return
	}
	msg := errorMessage(err)
	if isFetch(r) {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	v.Title = v.T("error.title")
	h.render(w, r, status, "error", v, errorData{Status: status, Message: msg})
}

// errorMessage is what the user reads of a domain error: its message, and
// the detail of each violation an invalid input carries.
func errorMessage(err error) string {
	var e *crm.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	msg := e.Message
	for _, vio := range e.Violations {
		if vio.Detail != "" && !strings.Contains(msg, vio.Detail) {
			msg += " " + vio.Detail
		}
	}
	if msg = strings.TrimSpace(msg); msg == "" {
		// Some errors carry only a code for the dialects to word.
		msg = strings.ReplaceAll(string(e.Code), "_", " ")
	}
	return msg
}

func (h *handler) internalError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client went away
	}
	h.log.ErrorContext(r.Context(), "web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	v := h.anonymousView(r)
	if isFetch(r) {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": v.T("error.internal")})
		return
	}
	v.Title = v.T("error.title")
	h.execute(w, r, http.StatusInternalServerError, "error", "layout", v,
		errorData{Status: http.StatusInternalServerError, Message: v.T("error.internal")})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// queryOffset reads a list page's "offset" from the query: 0 when absent,
// an invalid error (worded by the page's badKey message) when it is not a
// whole non-negative number.
func queryOffset(v *view, q url.Values, badKey string, args ...any) (int, error) {
	o := q.Get("offset")
	if o == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(o)
	if err != nil || n < 0 {
		return 0, crm.Errorf(crm.KindInvalid, "%s", v.T(badKey, args...))
	}
	return n, nil
}

// replaceQuery sets the pairs of key and value kv in q (an empty value
// drops the key) and encodes it: the links a list page makes of its own
// filter with one thing changed (the page, the view).
func replaceQuery(q url.Values, kv ...string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	return q.Encode()
}
