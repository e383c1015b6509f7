package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
	"github.com/crmd/crmd/internal/webhook"
)

// Integrations (/settings/integrations): amoCRM OAuth 2.0 integrations as
// crmd integration create|list|revoke manage them, through the same
// auth.Authority calls. Those take an account rather than an actor, so the
// administrator check is adminOnly's. Revoking asks first (a page of its
// own, so it works without script), then sends the disconnect hook once,
// as the CLI does, and says how it went: the revocation stands whatever the
// receiver answers.

// integrationRoutes registers the integrations' screens.
func (h *handler) integrationRoutes(mux *http.ServeMux) {
	mux.Handle("GET /settings/integrations", h.adminOnly(h.integrationsPage))
	mux.Handle("POST /settings/integrations", h.adminOnly(h.createIntegration))
	mux.Handle("GET /settings/integrations/{client}/revoke", h.adminOnly(h.revokeIntegrationPage))
	mux.Handle("POST /settings/integrations/{client}/revoke", h.adminOnly(h.revokeIntegration))
}

// disconnectHookTimeout bounds the disconnect hook's one attempt, as crmd
// integration revoke's does: the administrator waits for the page.
const disconnectHookTimeout = 5 * time.Second

// newHookClient is the client disconnect hooks go out with: the address
// policy of webhook deliveries.
func newHookClient(allowPrivate bool) *http.Client {
	return webhook.NewClient(allowPrivate, "crmd serve --webhook-allow-private")
}

// integrationForm is the create form's values, kept when it is refused.
type integrationForm struct {
	Name, RedirectURI, DisconnectURL string
}

// revokeOutcome is what revoking did, for the page to say.
type revokeOutcome struct {
	ClientID string
	Name     string
	// HookURL is the disconnect URL ("" when the integration has none);
	// HookStatus the receiver's HTTP status, HookError why it failed.
	HookURL    string
	HookStatus int
	HookError  string
}

// integrationsData is the integrations page's content.
type integrationsData struct {
	Integrations []crm.IntegrationListing
	Form         integrationForm
	Error        string
	// Created holds the new integration's client secret: on this answer
	// only.
	Created *auth.IntegrationCredentials
	Revoked *revokeOutcome
}

func (h *handler) integrationsPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.renderIntegrations(w, r, v, http.StatusOK, integrationsData{})
}

func (h *handler) renderIntegrations(w http.ResponseWriter, r *http.Request, v *view, status int, d integrationsData) {
	list, err := h.auth.ListIntegrations(r.Context(), v.Actor.AccountID)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	d.Integrations = list
	v.Title, v.Tab = v.T("settings.nav.integrations"), "integrations"
	h.render(w, r, status, "settings_integrations", v, d)
}

func (h *handler) createIntegration(w http.ResponseWriter, r *http.Request, v *view) {
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, v, crm.Errorf(crm.KindInvalid, "%s", v.T("webhooks.bad_form")))
		return
	}
	f := integrationForm{Name: r.PostForm.Get("name"), RedirectURI: strings.TrimSpace(r.PostForm.Get("redirect_uri")),
		DisconnectURL: strings.TrimSpace(r.PostForm.Get("disconnect_url"))}
	creds, err := h.auth.CreateIntegration(r.Context(), v.Actor.AccountID,
		auth.NewIntegration{Name: f.Name, RedirectURI: f.RedirectURI, DisconnectURL: f.DisconnectURL})
	if crm.KindOf(err) == crm.KindInvalid {
		h.renderIntegrations(w, r, v, http.StatusUnprocessableEntity, integrationsData{Form: f, Error: integrationError(v, err)})
		return
	}
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	h.renderIntegrations(w, r, v, http.StatusCreated, integrationsData{Created: &creds})
}

// integrationError words CreateIntegration's violations, whose details
// name no field ("must be 1 to 255 characters"), with the form's labels.
func integrationError(v *view, err error) string {
	e, ok := crm.AsError(err)
	if !ok || len(e.Violations) == 0 {
		return errorMessage(err)
	}
	var parts []string
	for _, vio := range e.Violations {
		switch vio.Path {
		case "name":
			parts = append(parts, v.T("integrations.bad_name"))
		case "redirect-uri":
			parts = append(parts, v.T("integrations.bad_redirect"))
		case "disconnect-url":
			parts = append(parts, v.T("integrations.bad_disconnect"))
		default:
			parts = append(parts, vio.Path+": "+vio.Detail)
		}
	}
	return strings.Join(parts, " ")
}

// findIntegration is one of the account's integrations by client_id.
func (h *handler) findIntegration(ctx context.Context, v *view, clientID string) (crm.IntegrationListing, error) {
	list, err := h.auth.ListIntegrations(ctx, v.Actor.AccountID)
	if err != nil {
		return crm.IntegrationListing{}, err
	}
	for _, in := range list {
		if in.ClientID == clientID {
			return in, nil
		}
	}
	return crm.IntegrationListing{}, crm.Errorf(crm.KindNotFound, "%s", v.T("integrations.not_found"))
}

func (h *handler) revokeIntegrationPage(w http.ResponseWriter, r *http.Request, v *view) {
	in, err := h.findIntegration(r.Context(), v, r.PathValue("client"))
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	v.Title, v.Tab = v.T("integrations.revoke_title", in.Name), "integrations"
	h.render(w, r, http.StatusOK, "settings_integration_revoke", v, in)
}

func (h *handler) revokeIntegration(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	clientID := r.PathValue("client")
	// Looked up first so that an unknown client_id is a 404 in the user's
	// words, like the consent page's, and the page can name it.
	if _, err := h.findIntegration(ctx, v, clientID); err != nil {
		h.renderError(w, r, v, err)
		return
	}
	rev, err := h.auth.RevokeIntegration(ctx, v.Actor.AccountID, clientID)
	if err != nil && rev.Integration.ID == 0 {
		if crm.KindOf(err) == crm.KindConflict {
			err = crm.Errorf(crm.KindConflict, "%s", v.T("integrations.already_revoked"))
		}
		h.renderError(w, r, v, err)
		return
	}
	out := &revokeOutcome{ClientID: rev.Integration.ClientID, Name: rev.Integration.Name}
	switch {
	case err != nil: // revoked, but the hook could not be signed
		out.HookURL, out.HookError = rev.Integration.DisconnectURL, err.Error()
	case rev.HookURL != "":
		out.HookURL = rev.Integration.DisconnectURL
		if out.HookStatus, err = h.sendDisconnectHook(ctx, rev.HookURL); err != nil {
			out.HookError = err.Error()
		}
	case rev.Integration.DisconnectURL != "":
		out.HookURL, out.HookError = rev.Integration.DisconnectURL, v.T("integrations.hook_no_key")
	}
	h.renderIntegrations(w, r, v, http.StatusOK, integrationsData{Revoked: out})
}

// sendDisconnectHook makes the hook's one attempt: GET, bounded by
// disconnectHookTimeout, redirects not followed (a 3xx is the answer).
// It runs on its own deadline, not the request's: the administrator
// leaving the page must not cut the receiver's notice short.
func (h *handler) sendDisconnectHook(ctx context.Context, hookURL string) (int, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), disconnectHookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, hookURL, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "crmd")
	resp, err := h.hookClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

var settingsIntegrationMessages = catalog{
	"integrations.intro":           {"Outside applications users of the account may let act for them through amoCRM OAuth 2.0 (docs/amocrm.md).", "Внешние приложения, которым пользователи аккаунта могут разрешить действовать от их имени через OAuth 2.0 amoCRM (docs/amocrm.md)."},
	"integrations.none":            {"No integrations yet.", "Интеграций пока нет."},
	"integrations.client_id":       {"Client ID", "ID интеграции"},
	"integrations.redirect_uri":    {"Redirect URI", "Redirect URI"},
	"integrations.disconnect_url":  {"Disconnect URL (optional)", "Адрес отключения (необязательно)"},
	"integrations.disconnect_hint": {"Called (GET, signed) when the integration is revoked.", "Вызывается (GET, с подписью) при отзыве интеграции."},
	"integrations.live_grants":     {"Live grants", "Действующие доступы"},
	"integrations.revoked":         {"Revoked", "Отозвана"},
	"integrations.active":          {"Active", "Действует"},
	"integrations.create":          {"New integration", "Новая интеграция"},
	"integrations.create_button":   {"Create integration", "Создать интеграцию"},
	"integrations.created":         {"Integration created.", "Интеграция создана."},
	"integrations.client_secret":   {"Client secret", "Секретный ключ"},
	"integrations.secret_once":     {"Copy it now: it is shown only this once; crmd keeps only its hash.", "Скопируйте его сейчас: он показывается только один раз; crmd хранит лишь его хеш."},
	"integrations.revoke":          {"Revoke", "Отозвать"},
	"integrations.revoke_title":    {"Revoke %s", "Отозвать %s"},
	"integrations.revoke_warning":  {"Its authorization codes, refresh tokens and access tokens stop working at once, and it is given no new access. This cannot be undone.", "Её коды авторизации, refresh- и access-токены сразу перестанут работать, новых доступов она не получит. Отменить это нельзя."},
	"integrations.revoke_hook":     {"Its disconnect URL %s will be called once.", "Её адрес отключения %s будет вызван один раз."},
	"integrations.revoke_confirm":  {"Revoke the integration", "Отозвать интеграцию"},
	"integrations.revoked_done":    {"Integration %s revoked: its codes, refresh tokens and access tokens no longer work.", "Интеграция %s отозвана: её коды, refresh- и access-токены больше не работают."},
	"integrations.hook_none":       {"Disconnect hook: none.", "Вызов отключения: не задан."},
	"integrations.hook_ok":         {"Disconnect hook %s: HTTP %d.", "Вызов отключения %s: HTTP %d."},
	"integrations.hook_failed":     {"Disconnect hook %s failed: %s (the revocation stands).", "Вызов отключения %s не удался: %s (интеграция всё равно отозвана)."},
	"integrations.hook_no_key":     {"not sent: the integration predates crmd keeping a signing key", "не отправлен: интеграция создана до того, как crmd стал хранить ключ подписи"},
	"integrations.not_found":       {"Integration not found.", "Интеграция не найдена."},
	"integrations.already_revoked": {"The integration has been revoked already.", "Интеграция уже отозвана."},
	"integrations.bad_name":        {"The name must be 1 to 255 characters.", "Название — от 1 до 255 символов."},
	"integrations.bad_redirect":    {"The redirect URI must be an absolute http or https URL without a fragment.", "Redirect URI должен быть абсолютным URL http или https без фрагмента."},
	"integrations.bad_disconnect":  {"The disconnect URL must be an absolute http or https URL without a fragment.", "Адрес отключения должен быть абсолютным URL http или https без фрагмента."},
}
