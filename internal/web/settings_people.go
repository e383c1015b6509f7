package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/crmd/crmd/internal/crm"
)

// Settings of people and access, for administrators only (members get the
// 403 page): the account's users (/settings/users: create, role,
// deactivate and activate, password), their API credentials and the
// account's Envybox key (issued and rotated, each secret shown once), the
// request limits (/settings/limits, settings_limits.go) and the website
// widget's snippet (/settings/widget, settings_widget.go).
//
// The rules are crm's and auth's (crm.Service.SetUserRole,
// DeactivateUser, ActivateUser, crm.PrepareUserCredential; auth's
// CreateUserAs, IssueUserCredential, RotateEnvyboxKey, ResetPassword), the
// ones `crmd user` applies; these pages only translate forms to those
// calls and their refusals to the user's language.
//
// A secret is shown exactly once: in the answer to the POST that made it,
// rendered directly rather than after a redirect, with Cache-Control
// no-store; crmd keeps only its hash, so no later page can show it again.

// peopleRoutes registers the users, limits and widget settings.
func (h *handler) peopleRoutes(mux *http.ServeMux) {
	mux.Handle("GET /settings/users", h.peopleAdmin("users", h.usersPage))
	mux.Handle("POST /settings/users", h.peopleAdmin("users", h.createUser))
	mux.Handle("POST /settings/users/envybox-key", h.peopleAdmin("users", h.rotateEnvyboxKey))
	mux.Handle("GET /settings/users/{id}", h.peopleAdmin("users", h.userPage))
	mux.Handle("POST /settings/users/{id}/role", h.peopleAdmin("users", h.setUserRole))
	mux.Handle("POST /settings/users/{id}/deactivate", h.peopleAdmin("users", h.deactivateUser))
	mux.Handle("POST /settings/users/{id}/activate", h.peopleAdmin("users", h.activateUser))
	mux.Handle("POST /settings/users/{id}/password", h.peopleAdmin("users", h.resetPassword))
	mux.Handle("POST /settings/users/{id}/credentials/{kind}", h.peopleAdmin("users", h.issueCredential))
	mux.Handle("GET /settings/limits", h.peopleAdmin("limits", h.limitsPage))
	mux.Handle("POST /settings/limits", h.peopleAdmin("limits", h.setLimits))
	mux.Handle("GET /settings/widget", h.peopleAdmin("widget", h.widgetPage))
}

// peopleAdmin runs next for a signed-in administrator, on the settings
// menu's entry tab, and refuses anyone else with the 403 page.
func (h *handler) peopleAdmin(tab string, next userHandler) http.Handler {
	return h.adminScreen("people.admin_only", tab, next)
}

// peopleMessage is what the user reads of a refusal from crm or auth: in
// their language when its code or field is one these pages know, else the
// domain's own words.
func peopleMessage(v *view, err error) string {
	switch crm.CodeOf(err) {
	case crm.CodeLastAdmin:
		return v.T("people.err.last_admin")
	case crm.CodeUserInactive:
		return v.T("people.err.inactive")
	case crm.CodeUserNotFound:
		return v.T("people.err.no_user")
	case crm.CodeUnchanged:
		return v.T("people.err.unchanged")
	}
	if crm.KindOf(err) == crm.KindForbidden {
		return v.T("people.admin_only")
	}
	var e *crm.Error
	if errors.As(err, &e) && crm.KindOf(err) == crm.KindInvalid {
		var msgs []string
		for _, vio := range e.Violations {
			switch {
			case vio.Path == "password":
				msgs = append(msgs, v.T("people.err.password_short"))
			case vio.Path == "name" && (vio.Code == crm.ViolationBlank || vio.Code == crm.ViolationRequired):
				msgs = append(msgs, v.T("people.err.name_blank"))
			case vio.Path == "role":
				msgs = append(msgs, v.T("people.err.role"))
			case vio.Path == "kind":
				msgs = append(msgs, v.T("people.err.kind"))
			default:
				msgs = append(msgs, vio.Detail)
			}
		}
		if len(msgs) > 0 {
			return strings.Join(msgs, " ")
		}
	}
	return errorMessage(err)
}

// peopleFail answers a refused action with the error page in the user's
// language; an error without a kind is internal.
func (h *handler) peopleFail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	if crm.KindOf(err) == "" {
		h.renderError(w, r, v, err)
		return
	}
	h.renderError(w, r, v, &crm.Error{Kind: crm.KindOf(err), Message: peopleMessage(v, err)})
}

// shownSecret is a secret on the page that made it, shown this once.
type shownSecret struct {
	ID    string // the element's id, for the copy button and tests
	Label string
	Value string
}

// userRow is a user as the users list shows them.
type userRow struct {
	User crm.User
	Me   bool
	// AmoCRM and UIS are when the user's credential of the kind was
	// issued (zero: none).
	AmoCRM, UIS time.Time
}

// newUserForm is what the create form was sent with, kept on a refusal.
type newUserForm struct {
	Name, Email string
	Role        crm.Role
}

// usersData is the users page's content.
type usersData struct {
	Users []userRow
	// Envybox is when the account's Envybox key was issued (zero: none),
	// EnvyboxUser the user it acts as.
	Envybox     time.Time
	EnvyboxUser string
	Form        newUserForm
	Error       string
	// Secrets is the Envybox key just rotated, shown this once.
	Secrets []shownSecret
}

// userData is one user's page.
type userData struct {
	User        crm.User
	Me          bool
	AmoCRM, UIS time.Time
	// EnvyboxActs says the account's Envybox key acts as this user (and
	// deactivating them revokes it).
	EnvyboxActs bool
	Secrets     []shownSecret
	// Created says the user was just made (the page then shows their
	// first secrets); Saved names the change just made.
	Created bool
	Saved   string
	Error   string
}

// credentialTimes is when each user's credential of each kind was issued,
// and the Envybox key's issue and user.
type credentialTimes struct {
	byUser      map[int64]map[crm.CredentialKind]time.Time
	envybox     time.Time
	envyboxUser int64
}

func (h *handler) credentialTimes(r *http.Request, v *view) (credentialTimes, error) {
	creds, err := h.svc.AccountCredentials(r.Context(), v.Actor)
	if err != nil {
		return credentialTimes{}, err
	}
	out := credentialTimes{byUser: map[int64]map[crm.CredentialKind]time.Time{}}
	for _, c := range creds {
		if c.Kind == crm.CredentialEnvybox {
			if c.CreatedAt.After(out.envybox) || out.envybox.IsZero() {
				out.envybox, out.envyboxUser = c.CreatedAt, c.UserID
			}
			continue
		}
		m := out.byUser[c.UserID]
		if m == nil {
			m = map[crm.CredentialKind]time.Time{}
			out.byUser[c.UserID] = m
		}
		if c.CreatedAt.After(m[c.Kind]) {
			m[c.Kind] = c.CreatedAt
		}
	}
	return out, nil
}

func (h *handler) usersPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.renderUsers(w, r, v, http.StatusOK, usersData{Form: newUserForm{Role: crm.RoleMember}})
}

// renderUsers renders the users list around data's form, error or secret.
func (h *handler) renderUsers(w http.ResponseWriter, r *http.Request, v *view, status int, data usersData) {
	ctx := r.Context()
	users, err := h.svc.AccountUsers(ctx, v.Actor)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	times, err := h.credentialTimes(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	for _, u := range users {
		data.Users = append(data.Users, userRow{User: u, Me: u.ID == v.Actor.UserID,
			AmoCRM: times.byUser[u.ID][crm.CredentialAmoCRM], UIS: times.byUser[u.ID][crm.CredentialUIS]})
		if u.ID == times.envyboxUser {
			data.EnvyboxUser = u.Name
		}
	}
	data.Envybox = times.envybox
	v.Title = v.T("people.users.title")
	h.render(w, r, status, "settings_users", v, data)
}

func (h *handler) createUser(w http.ResponseWriter, r *http.Request, v *view) {
	form := newUserForm{Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email")),
		Role: crm.Role(r.PostFormValue("role"))}
	created, err := h.auth.CreateUserAs(r.Context(), v.Actor, crm.NewUser{Name: form.Name, Email: form.Email, Role: form.Role},
		r.PostFormValue("password"))
	if err != nil {
		if crm.KindOf(err) == "" {
			h.renderError(w, r, v, err)
			return
		}
		h.renderUsers(w, r, v, errorStatus(err), usersData{Form: form, Error: peopleMessage(v, err)})
		return
	}
	data := userData{Created: true}
	if created.Generated {
		data.Secrets = append(data.Secrets, shownSecret{ID: "secret-password", Label: v.T("people.secret.password"), Value: created.Password})
	}
	data.Secrets = append(data.Secrets,
		shownSecret{ID: "secret-amocrm", Label: v.T("people.secret.amocrm"), Value: created.AmoCRMToken},
		shownSecret{ID: "secret-uis", Label: v.T("people.secret.uis"), Value: created.UISAccessToken})
	h.renderUser(w, r, v, created.UserID, http.StatusOK, data)
}

func (h *handler) rotateEnvyboxKey(w http.ResponseWriter, r *http.Request, v *view) {
	key, err := h.auth.RotateEnvyboxKey(r.Context(), v.Actor)
	if err != nil {
		h.peopleFail(w, r, v, err)
		return
	}
	h.renderUsers(w, r, v, http.StatusOK, usersData{Form: newUserForm{Role: crm.RoleMember},
		Secrets: []shownSecret{{ID: "secret-envybox", Label: v.T("people.secret.envybox"), Value: key}}})
}

// userID reads the {id} of a user's address.
func userID(r *http.Request, v *view) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, crm.Errorf(crm.KindNotFound, "%s", v.T("error.bad_id"))
	}
	return id, nil
}

func (h *handler) userPage(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := userID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	data := userData{}
	if key, ok := savedMessages[r.URL.Query().Get("saved")]; ok {
		data.Saved = v.T(key)
	}
	h.renderUser(w, r, v, id, http.StatusOK, data)
}

// renderUser renders one user's page around data's secrets or error.
func (h *handler) renderUser(w http.ResponseWriter, r *http.Request, v *view, id int64, status int, data userData) {
	ctx := r.Context()
	u, err := h.svc.AccountUser(ctx, v.Actor, id)
	if crm.KindOf(err) == crm.KindNotFound {
		h.renderError(w, r, v, crm.Errorf(crm.KindNotFound, "%s", v.T("people.err.no_user")))
		return
	}
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	times, err := h.credentialTimes(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	data.User, data.Me = u, u.ID == v.Actor.UserID
	data.AmoCRM, data.UIS = times.byUser[u.ID][crm.CredentialAmoCRM], times.byUser[u.ID][crm.CredentialUIS]
	data.EnvyboxActs = !times.envybox.IsZero() && times.envyboxUser == u.ID
	v.Title = u.Name
	h.render(w, r, status, "settings_user", v, data)
}

// savedMessages say what the change a user's page was sent back after
// saved, by its ?saved= name.
var savedMessages = map[string]string{
	"role": "people.saved.role", "deactivated": "people.saved.deactivated",
	"activated": "people.saved.activated", "password": "people.saved.password",
}

// userAction runs a change to the user of the address and sends the
// browser back to the user's page saying what was saved, or shows the
// refusal on that page.
func (h *handler) userAction(w http.ResponseWriter, r *http.Request, v *view, saved string,
	change func(id int64) error) {
	id, err := userID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	if err := change(id); err != nil {
		if k := crm.KindOf(err); k == "" || crm.CodeOf(err) == crm.CodeUserNotFound || k == crm.KindForbidden {
			h.peopleFail(w, r, v, err)
			return
		}
		h.renderUser(w, r, v, id, errorStatus(err), userData{Error: peopleMessage(v, err)})
		return
	}
	http.Redirect(w, r, "/settings/users/"+strconv.FormatInt(id, 10)+"?saved="+saved, http.StatusSeeOther)
}

func (h *handler) setUserRole(w http.ResponseWriter, r *http.Request, v *view) {
	h.userAction(w, r, v, "role", func(id int64) error {
		_, err := h.svc.SetUserRole(r.Context(), v.Actor, id, crm.Role(r.PostFormValue("role")))
		return err
	})
}

func (h *handler) deactivateUser(w http.ResponseWriter, r *http.Request, v *view) {
	h.userAction(w, r, v, "deactivated", func(id int64) error {
		_, err := h.svc.DeactivateUser(r.Context(), v.Actor, id)
		return err
	})
}

func (h *handler) activateUser(w http.ResponseWriter, r *http.Request, v *view) {
	h.userAction(w, r, v, "activated", func(id int64) error {
		_, err := h.svc.ActivateUser(r.Context(), v.Actor, id)
		return err
	})
}

func (h *handler) resetPassword(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := userID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	// "generate" makes one up; otherwise the administrator's own.
	given := r.PostFormValue("password")
	if r.PostFormValue("mode") == "generate" {
		given = ""
	} else if given == "" {
		h.renderUser(w, r, v, id, http.StatusUnprocessableEntity, userData{Error: v.T("people.err.password_short")})
		return
	}
	password, err := h.auth.ResetPassword(r.Context(), v.Actor, id, given)
	if err != nil {
		if k := crm.KindOf(err); k == "" || crm.CodeOf(err) == crm.CodeUserNotFound || k == crm.KindForbidden {
			h.peopleFail(w, r, v, err)
			return
		}
		h.renderUser(w, r, v, id, errorStatus(err), userData{Error: peopleMessage(v, err)})
		return
	}
	if given != "" {
		// The administrator typed it: nothing to show.
		http.Redirect(w, r, "/settings/users/"+strconv.FormatInt(id, 10)+"?saved=password", http.StatusSeeOther)
		return
	}
	h.renderUser(w, r, v, id, http.StatusOK, userData{Saved: v.T("people.saved.password"),
		Secrets: []shownSecret{{ID: "secret-password", Label: v.T("people.secret.password"), Value: password}}})
}

func (h *handler) issueCredential(w http.ResponseWriter, r *http.Request, v *view) {
	id, err := userID(r, v)
	if err != nil {
		h.renderError(w, r, v, err)
		return
	}
	kind := crm.CredentialKind(r.PathValue("kind"))
	secret, err := h.auth.IssueUserCredential(r.Context(), v.Actor, id, kind)
	if err != nil {
		if k := crm.KindOf(err); k == "" || k == crm.KindNotFound || k == crm.KindForbidden || k == crm.KindInvalid {
			h.peopleFail(w, r, v, err)
			return
		}
		h.renderUser(w, r, v, id, errorStatus(err), userData{Error: peopleMessage(v, err)})
		return
	}
	s := shownSecret{ID: "secret-" + string(kind), Value: secret, Label: v.T("people.secret.amocrm")}
	if kind == crm.CredentialUIS {
		s.Label = v.T("people.secret.uis")
	}
	h.renderUser(w, r, v, id, http.StatusOK, userData{Secrets: []shownSecret{s}})
}
