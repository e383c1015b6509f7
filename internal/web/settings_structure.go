package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/crmd/crmd/internal/auth"
	"github.com/crmd/crmd/internal/crm"
)

// The settings screens that shape the CRM's structure: "My profile"
// (/settings, every user), the account (/settings/account), pipelines
// and stages (/settings/pipelines) and custom fields (/settings/fields),
// the last three for administrators only.
//
// Every change is one crm.Service call, the one behind the amoCRM,
// Envybox and CLI requests that make the same change, so the rules and
// the errors are theirs; the pages add none. A member asking for an
// administrator's page or posting to it gets the 403 page before any call
// (the calls would refuse them too). A form that succeeds redirects back
// (POST-redirect-GET) with ?saved=1 and an anchor at what changed; one
// that fails shows the page again with the error above it, at the error's
// HTTP status.

// settingsStructureRoutes registers the profile, account, pipeline and
// field settings.
func (h *handler) settingsStructureRoutes(mux *http.ServeMux) {
	mux.Handle("GET /settings", h.signedIn(h.profilePage))
	mux.Handle("POST /settings/password", h.signedIn(h.changePassword))
	mux.Handle("GET /settings/account", h.adminOnly(h.accountPage))
	mux.Handle("POST /settings/account", h.adminOnly(h.saveAccount))
	h.pipelineSettingsRoutes(mux)
	h.fieldSettingsRoutes(mux)
}

// settingsForm is what every settings page carries besides its records:
// the outcome of the form just sent.
type settingsForm struct {
	// Saved is set after a change succeeded (?saved=1).
	Saved bool
	// Error is why the form just sent was refused.
	Error string
}

// formFailed tells apart a refusal the page shows above its form (invalid
// input, a conflict, a limit) from one that ends on the error page (not
// found, forbidden) or is internal. It answers the latter itself and
// reports false; for the former it returns the message and status.
func (h *handler) formFailed(w http.ResponseWriter, r *http.Request, v *view, err error) (string, int, bool) {
	if errors.Is(err, context.Canceled) {
		return "", 0, false
	}
	var limit *auth.LoginLimitError
	if errors.As(err, &limit) {
		return v.T("login.too_many"), http.StatusTooManyRequests, true
	}
	status := errorStatus(err)
	switch status {
	case http.StatusUnprocessableEntity, http.StatusConflict, http.StatusTooManyRequests, http.StatusBadRequest:
		return settingsMessage(v, err), status, true
	}
	h.renderError(w, r, v, err)
	return "", 0, false
}

// savedRedirect sends the browser back to path after a change, saying so,
// at the element named by anchor ("" for the top).
func savedRedirect(w http.ResponseWriter, r *http.Request, path, anchor string) {
	u := path + "?saved=1"
	if anchor != "" {
		u += "#" + anchor
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// profileData is "My profile".
type profileData struct {
	settingsForm
	MinPassword int
}

func (h *handler) profilePage(w http.ResponseWriter, r *http.Request, v *view) {
	h.renderProfile(w, r, v, http.StatusOK, settingsForm{Saved: r.URL.Query().Get("saved") == "1"})
}

func (h *handler) renderProfile(w http.ResponseWriter, r *http.Request, v *view, status int, f settingsForm) {
	v.Section, v.Tab, v.Title = "settings", "profile", v.T("settings.nav.profile")
	h.render(w, r, status, "settings_profile", v, profileData{settingsForm: f, MinPassword: auth.MinPasswordLength})
}

// changePassword replaces the signed-in user's own password: the current
// one is checked (and failures throttled like sign-in attempts), the new
// one follows `crmd user password`'s rule. The repeat must match: a check
// of the form, not a rule of the domain.
func (h *handler) changePassword(w http.ResponseWriter, r *http.Request, v *view) {
	current, next := r.PostFormValue("current_password"), r.PostFormValue("new_password")
	if next != r.PostFormValue("repeat_password") {
		h.renderProfile(w, r, v, http.StatusUnprocessableEntity, settingsForm{Error: v.T("profile.mismatch")})
		return
	}
	err := h.auth.ChangePassword(r.Context(), v.Actor.UserID, current, next, h.clientAddr(r), sessionToken(r))
	if errors.Is(err, auth.ErrWrongCurrentPassword) {
		h.renderProfile(w, r, v, http.StatusUnprocessableEntity, settingsForm{Error: v.T("profile.wrong_current")})
		return
	}
	if err != nil {
		if msg, status, ok := h.formFailed(w, r, v, err); ok {
			h.renderProfile(w, r, v, status, settingsForm{Error: msg})
		}
		return
	}
	savedRedirect(w, r, "/settings", "password")
}

// accountData is the account's settings page.
type accountData struct {
	settingsForm
	// Name, TimeZone and Currency are the form's values: the account's,
	// or what was sent when it was refused.
	Name, TimeZone, Currency string
	// Zones are suggestions for the time zone box; any IANA name is taken.
	Zones []string
	// Currencies are suggestions for the currency box.
	Currencies []string
}

// suggestedZones are the time zones of the countries crmd's dialects
// serve, west to east, and UTC: the box's suggestions, not its limits.
var suggestedZones = []string{
	"UTC", "Europe/Kaliningrad", "Europe/Minsk", "Europe/Moscow", "Europe/Kyiv", "Europe/Samara",
	"Asia/Yekaterinburg", "Asia/Tashkent", "Asia/Almaty", "Asia/Omsk", "Asia/Novosibirsk",
	"Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan",
	"Asia/Kamchatka", "Europe/Berlin", "Europe/London", "America/New_York",
}

// suggestedCurrencies are the currencies the workspace has signs for.
var suggestedCurrencies = []string{"RUB", "USD", "EUR", "KZT", "UAH", "BYN"}

func (h *handler) accountPage(w http.ResponseWriter, r *http.Request, v *view) {
	a, err := h.svc.Account(r.Context(), v.Actor)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	h.renderAccount(w, r, v, http.StatusOK, accountData{settingsForm: settingsForm{Saved: r.URL.Query().Get("saved") == "1"},
		Name: a.Name, TimeZone: a.TimeZone, Currency: a.Currency})
}

func (h *handler) renderAccount(w http.ResponseWriter, r *http.Request, v *view, status int, d accountData) {
	v.Section, v.Tab, v.Title = "settings", "account", v.T("settings.nav.account")
	d.Zones, d.Currencies = suggestedZones, suggestedCurrencies
	h.render(w, r, status, "settings_account", v, d)
}

// saveAccount writes the account's name, time zone and currency in one
// call (crm.Service.UpdateAccount): a refused currency leaves the name
// unchanged too.
func (h *handler) saveAccount(w http.ResponseWriter, r *http.Request, v *view) {
	name := r.PostFormValue("name")
	zone := strings.TrimSpace(r.PostFormValue("time_zone"))
	currency := strings.TrimSpace(r.PostFormValue("currency"))
	_, err := h.svc.UpdateAccount(r.Context(), v.Actor, crm.AccountPatch{Name: &name, TimeZone: &zone, Currency: &currency})
	if err != nil {
		if msg, status, ok := h.formFailed(w, r, v, err); ok {
			h.renderAccount(w, r, v, status, accountData{settingsForm: settingsForm{Error: msg}, Name: name, TimeZone: zone, Currency: currency})
		}
		return
	}
	savedRedirect(w, r, "/settings/account", "")
}
