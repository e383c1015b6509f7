package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
)

// sessionCookie holds a web session's token.
const sessionCookie = "crmd_session"

// sessionToken is the token the request's session cookie carries; "" when
// none.
func sessionToken(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// secure reports whether the request reached crmd over TLS: directly, or
// through a trusted proxy that says so in X-Forwarded-Proto. Cookies set
// over TLS are Secure, so that a browser never sends them in the clear.
func (h *handler) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	peer, ok := peerAddr(r)
	if !ok || !trusted(peer, h.proxies) {
		return false
	}
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

// clientAddr is the address sign-in attempts are throttled by: the peer,
// or, when the peer is a trusted proxy, the nearest address in
// X-Forwarded-For that is not one.
func (h *handler) clientAddr(r *http.Request) string {
	peer, ok := peerAddr(r)
	if !ok {
		return r.RemoteAddr
	}
	addr := peer
	if trusted(peer, h.proxies) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			addr = a.Unmap()
			if !trusted(addr, h.proxies) {
				break
			}
		}
	}
	return addr.String()
}

func peerAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err == nil
}

func trusted(a netip.Addr, proxies []netip.Prefix) bool {
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (h *handler) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
}

func (h *handler) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
}

// userHandler is a page or action of a signed-in user.
type userHandler func(w http.ResponseWriter, r *http.Request, v *view)

// signedIn runs next for a signed-in user with the page's view (its user,
// account and language) and sends anyone else to sign in, back to this
// page afterwards.
func (h *handler) signedIn(next userHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		who, err := h.auth.WebSignedIn(ctx, sessionToken(r))
		if crm.KindOf(err) == crm.KindUnauthorized {
			if r.Method == http.MethodGet && !isFetch(r) {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			v := h.anonymousView(r)
			h.renderError(w, r, v, crm.Errorf(crm.KindUnauthorized, "%s", v.T("error.signed_out")))
			return
		}
		if err != nil {
			h.internalError(w, r, err)
			return
		}
		next(w, r, h.userView(r, who))
	})
}

// isFetch reports whether the page's own script sent the request (and
// wants a short answer rather than a page).
func isFetch(r *http.Request) bool { return r.Header.Get("X-Requested-With") == "fetch" }

// loginData is the sign-in page's content.
type loginData struct {
	Login string
	Next  string
	Error string
}

func (h *handler) loginPage(w http.ResponseWriter, r *http.Request) {
	v := h.anonymousView(r)
	if _, err := h.auth.WebSession(r.Context(), sessionToken(r)); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	v.Title = v.T("login.title")
	h.render(w, r, http.StatusOK, "login", v, loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	v := h.anonymousView(r)
	v.Title = v.T("login.title")
	login, password := strings.TrimSpace(r.PostFormValue("login")), r.PostFormValue("password")
	data := loginData{Login: login, Next: safeNext(r.PostFormValue("next"))}
	actor, err := h.auth.Login(r.Context(), login, password, h.clientAddr(r))
	var limit *auth.LoginLimitError
	switch {
	case errors.As(err, &limit):
		data.Error = v.T("login.too_many")
		h.render(w, r, http.StatusTooManyRequests, "login", v, data)
		return
	case errors.Is(err, auth.ErrWrongLogin):
		data.Error = v.T("login.wrong")
		h.render(w, r, http.StatusUnauthorized, "login", v, data)
		return
	case errors.Is(err, context.Canceled):
		return
	case err != nil:
		h.internalError(w, r, err)
		return
	}
	token, expires, err := h.auth.StartWebSession(r.Context(), actor)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	h.setSessionCookie(w, r, token, expires)
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

// safeNext keeps a post-sign-in destination on this site: a path, never
// another host (an open redirect would lend crmd's name to phishing).
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.HasPrefix(next, "/login") {
		return "/deals"
	}
	return next
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.auth.EndWebSession(r.Context(), sessionToken(r)); err != nil {
		h.internalError(w, r, err)
		return
	}
	h.clearSessionCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// languageCookie keeps the language a user picked over Accept-Language.
const languageCookie = "crmd_lang"

func (h *handler) setLanguage(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if _, ok := languages[lang]; !ok {
		v := h.anonymousView(r)
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("error.unknown_language")))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: languageCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure(r)})
	back := "/deals"
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		back = safeNext(ref.RequestURI())
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
