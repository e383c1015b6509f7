package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
)

// The amoCRM OAuth 2.0 consent page (amocrm-v4-core.md §11.2):
// /oauth?client_id=…&state=…&mode=popup|post_message, as amoCRM's
// www.amocrm.ru/oauth. A signed-in user sees the integration and their
// account and allows or denies; the answer goes to the integration's
// redirect URI. Only integrations of the user's own account are offered:
// an integration belongs to one account.

func (h *handler) oauthRoutes(mux *http.ServeMux) {
	for _, p := range []string{"/oauth", "/oauth/"} { // the PHP provider adds the slash
		mux.Handle("GET "+p, h.signedIn(h.consentPage))
		mux.Handle("POST "+p, h.signedIn(h.consent))
	}
}

// ParsePublicURL checks crmd serve --public-url: "" is none (nil), anything
// else an absolute http or https URL with a host and no query.
func ParsePublicURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q is not an absolute http or https URL", s)
	}
	return u, nil
}

// consentData is the consent page's content.
type consentData struct {
	Integration string
	ClientID    string
	State       string
	Mode        string
	RedirectURI string
	// Target is where the popup page sends the opener (mode popup).
	Target string
}

// consentMode is the mode a request asks for; anything else is "".
func consentMode(s string) string {
	if s == "popup" || s == "post_message" {
		return s
	}
	return ""
}

func (h *handler) consentTarget(w http.ResponseWriter, r *http.Request, v *view, clientID string) (consentData, bool) {
	if clientID == "" {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("oauth.no_client_id")))
		return consentData{}, false
	}
	t, err := h.auth.Consent(r.Context(), v.Actor, clientID)
	if crm.KindOf(err) == crm.KindNotFound {
		h.renderError(w, r, v, crm.Errorf(crm.KindNotFound, "%s", v.T("oauth.unknown_client", clientID)))
		return consentData{}, false
	}
	if errors.Is(err, auth.ErrIntegrationRevoked) {
		h.renderError(w, r, v, crm.Errorf(crm.KindForbidden, "%s", v.T("oauth.revoked")))
		return consentData{}, false
	}
	if err != nil {
		h.internalError(w, r, err)
		return consentData{}, false
	}
	return consentData{Integration: t.Integration.Name, ClientID: clientID, RedirectURI: t.Integration.RedirectURI}, true
}

func (h *handler) consentPage(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	data, ok := h.consentTarget(w, r, v, q.Get("client_id"))
	if !ok {
		return
	}
	data.State, data.Mode = q.Get("state"), consentMode(q.Get("mode"))
	// The form's answer redirects to the integration: browsers hold that
	// redirect to form-action too, so the page allows its origin.
	if u, err := url.Parse(data.RedirectURI); err == nil {
		w.Header().Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy,
			"form-action 'self'", "form-action 'self' "+u.Scheme+"://"+u.Host, 1))
	}
	v.Title = v.T("oauth.title")
	h.render(w, r, http.StatusOK, "oauth", v, data)
}

func (h *handler) consent(w http.ResponseWriter, r *http.Request, v *view) {
	data, ok := h.consentTarget(w, r, v, r.PostFormValue("client_id"))
	if !ok {
		return
	}
	data.State, data.Mode = r.PostFormValue("state"), consentMode(r.PostFormValue("mode"))
	target, err := url.Parse(data.RedirectURI)
	if err != nil {
		h.internalError(w, r, fmt.Errorf("integration %s: redirect URI: %w", data.ClientID, err))
		return
	}
	q := target.Query()
	switch r.PostFormValue("decision") {
	case "allow":
		code, err := h.auth.Authorize(r.Context(), v.Actor.UserID, data.ClientID)
		if errors.Is(err, auth.ErrIntegrationRevoked) { // revoked while the page was open
			err = crm.Errorf(crm.KindForbidden, "%s", v.T("oauth.revoked"))
		}
		if err != nil {
			h.renderError(w, r, v, err)
			return
		}
		q.Set("code", code)
		q.Set("referer", h.referer(r, v.Account.Subdomain))
		q.Set("platform", "1")
	case "deny":
		q.Set("error", "access_denied")
	default:
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("oauth.no_decision")))
		return
	}
	if data.State != "" {
		q.Set("state", data.State)
	}
	target.RawQuery = q.Encode()
	if data.Mode != "popup" {
		// post_message (and no mode): the redirect happens in this window;
		// the integration's page talks to its opener itself.
		http.Redirect(w, r, target.String(), http.StatusSeeOther)
		return
	}
	// popup: this window closes and the window that opened it goes to the
	// redirect URI (static/oauth.js; a link when script does not run).
	data.Target = target.String()
	v.Title = v.T("oauth.title")
	h.render(w, r, http.StatusOK, "oauth_done", v, data)
}

// referer is the account's host as amoCRM's referer names it
// ("example.amocrm.ru"): the subdomain on the host of --public-url, or on
// the request's Host, unless that host already is the account's own
// (auth.AccountHost, which the subdomain lookup answers with too).
func (h *handler) referer(r *http.Request, subdomain string) string {
	host := r.Host
	if h.public != nil {
		host = h.public.Host
	}
	return auth.AccountHost(host, subdomain)
}

// oauthMessages are the consent page's texts.
var oauthMessages = catalog{
	"oauth.title":          {"Allow access", "Предоставить доступ"},
	"oauth.asks":           {"The integration “%s” asks for access to the account “%s” with your rights.", "Интеграция «%s» запрашивает доступ к аккаунту «%s» с вашими правами."},
	"oauth.scope":          {"It will read and change the account's records through the amoCRM API, for as long as it keeps renewing its token (up to three months between uses), or until an administrator revokes the integration.", "Она сможет читать и изменять записи аккаунта через API amoCRM, пока продлевает свой токен (до трёх месяцев между обращениями) или пока администратор не отзовёт интеграцию."},
	"oauth.redirect":       {"After your answer you will be sent to %s.", "После ответа вы перейдёте на %s."},
	"oauth.allow":          {"Allow", "Разрешить"},
	"oauth.deny":           {"Deny", "Отказать"},
	"oauth.done":           {"Returning to the integration…", "Возвращаемся в интеграцию…"},
	"oauth.continue":       {"Continue", "Продолжить"},
	"oauth.no_client_id":   {"The link lacks client_id: ask the integration for a correct one.", "В ссылке нет client_id: попросите у интеграции правильную ссылку."},
	"oauth.unknown_client": {"There is no integration with client_id %s in your account.", "В вашем аккаунте нет интеграции с client_id %s."},
	"oauth.no_decision":    {"Choose Allow or Deny.", "Выберите «Разрешить» или «Отказать»."},
	"oauth.revoked":        {"This integration has been revoked in your account and can no longer be given access. Ask its developer, or the account's administrator, for a new one.", "Эта интеграция отключена в вашем аккаунте, и доступ ей больше не может быть предоставлен. Обратитесь к её разработчику или к администратору аккаунта за новой."},
}
