package amocrm

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// Users and roles (core §8) are read-only here. How crmd's users look:
//
//   - name is the full name (crmd's name and surname), email the user's
//     email, lang "ru": crmd keeps no language per user and serves Russian
//     accounts.
//   - rights say what crmd enforces, nothing more: every user, administrator
//     or member, may view, add, edit, delete and export every lead, contact,
//     company and task of the account ("A") and every status of every lead
//     pipeline; rights.is_admin is the one difference (administrators
//     change settings: pipelines, custom fields, statuses, segments).
//     is_active is false for a user an administrator deactivated (who can
//     no longer sign in or call any API), is_free false,
//     mail_access and catalog_access false (crmd has neither mail nor
//     catalogs).
//   - crmd has no amoCRM roles (rights templates) and keeps no users in
//     groups, so role_id and group_id are null, with=role and with=group
//     embed empty lists, and GET /api/v4/roles answers "nothing" (204),
//     as GET /api/v4/account?with=users_groups shows no groups.
//   - uuid, amojo_id and user_rank are null when asked for: crmd keeps none
//     of them per user. phone_number is the user's phone (its internal
//     number in Envybox), null when it has none.
//
// Access: core §8 says users and roles need an administrator; the user list
// and a user are served to every user of the account anyway (§8's
// [inferred]: integrations map responsible_user_id to names with them), the
// roles to administrators only.
//
// Writes are not served: POST /api/v4/users and POST, PATCH and DELETE of
// roles answer 403, the status amoCRM gives a user or an integration without
// the rights to manage users (§8.2's codes list 403 for each of them, and
// 405 would tell a client the method does not exist, which in amoCRM it
// does). crmd adds users with its CLI (crmd user create).

// userLang is the lang of every user: crmd keeps no language per user.
const userLang = "ru"

// notServedUsers is the detail of a refused user or role write.
const notServedUsers = "Access denied: users and roles are managed by crmd's administrator (crmd user create), not through the API"

func userPath(id int64) string { return "/api/v4/users/" + strconv.FormatInt(id, 10) }

// userRoutes are the users and roles endpoints (core §8).
func (h *handler) userRoutes() []route {
	return []route{
		{"GET /api/v4/users", h.listUsers},
		{"POST /api/v4/users", notServed},
		{"GET /api/v4/users/{id}", h.getUser},
		{"GET /api/v4/roles", h.listRoles},
		{"POST /api/v4/roles", notServed},
		{"GET /api/v4/roles/{id}", h.getRole},
		{"PATCH /api/v4/roles/{id}", notServed},
		{"DELETE /api/v4/roles/{id}", notServed},
	}
}

// notServed answers a user or role write: 403 whoever asks, before the
// body is read.
func notServed(http.ResponseWriter, *http.Request, crm.Actor) error {
	return newProblem(http.StatusForbidden, notServedUsers)
}

// userJSON is §8.1's user model. The with= fields are RawMessage so that an
// asked-for field is sent as null and an unasked one not at all.
type userJSON struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Email       string          `json:"email"`
	Lang        string          `json:"lang"`
	Rights      userRightsJSON  `json:"rights"`
	UUID        json.RawMessage `json:"uuid,omitempty"`
	AmojoID     json.RawMessage `json:"amojo_id,omitempty"`
	UserRank    json.RawMessage `json:"user_rank,omitempty"`
	PhoneNumber json.RawMessage `json:"phone_number,omitempty"`
	Links       selfLinks       `json:"_links"`
	Embedded    *userEmbedded   `json:"_embedded,omitempty"`
}

// userEmbedded holds with=role and with=group: always empty (see above).
type userEmbedded struct {
	Roles  *[]roleRefJSON `json:"roles,omitempty"`
	Groups *[]struct{}    `json:"groups,omitempty"`
}

// roleRefJSON is an embedded role, {id, name, _links}.
type roleRefJSON struct {
	ID    int64     `json:"id"`
	Name  string    `json:"name"`
	Links selfLinks `json:"_links"`
}

// userRightsJSON is §8.1's rights object; the PHP library reads leads,
// contacts, companies, tasks, mail_access and catalog_access without
// defaults, so every key is always sent.
type userRightsJSON struct {
	Leads         entityRightsJSON  `json:"leads"`
	Contacts      entityRightsJSON  `json:"contacts"`
	Companies     entityRightsJSON  `json:"companies"`
	Tasks         taskRightsJSON    `json:"tasks"`
	MailAccess    bool              `json:"mail_access"`
	CatalogAccess bool              `json:"catalog_access"`
	StatusRights  []statusRightJSON `json:"status_rights"`
	IsAdmin       bool              `json:"is_admin"`
	IsFree        bool              `json:"is_free"`
	IsActive      bool              `json:"is_active"`
	GroupID       *int64            `json:"group_id"`
	RoleID        *int64            `json:"role_id"`
}

type entityRightsJSON struct {
	View   string `json:"view"`
	Edit   string `json:"edit"`
	Add    string `json:"add"`
	Delete string `json:"delete"`
	Export string `json:"export"`
}

type taskRightsJSON struct {
	Edit   string `json:"edit"`
	Delete string `json:"delete"`
}

// statusRightJSON is one status_rights entry; rights has view, edit and
// delete, and export except on the unsorted status (§8.1).
type statusRightJSON struct {
	EntityType string            `json:"entity_type"`
	PipelineID int64             `json:"pipeline_id"`
	StatusID   int64             `json:"status_id"`
	Rights     map[string]string `json:"rights"`
}

// rightAll is amoCRM's "A": the right over all records.
const rightAll = "A"

// statusRights lists every status of every lead pipeline with full rights:
// crmd restricts no user by status.
func statusRights(pipelines []crm.Pipeline) []statusRightJSON {
	out := []statusRightJSON{}
	for _, p := range pipelines {
		unsorted := unsortedStage(p)
		for _, st := range p.Stages {
			rights := map[string]string{"view": rightAll, "edit": rightAll, "delete": rightAll}
			if st.ID != unsorted {
				rights["export"] = rightAll
			}
			out = append(out, statusRightJSON{EntityType: "leads", PipelineID: p.ID, StatusID: statusWireID(st), Rights: rights})
		}
	}
	return out
}

// userRights is the rights object of a user (see the comment at the top).
func userRights(u crm.User, status []statusRightJSON) userRightsJSON {
	all := entityRightsJSON{View: rightAll, Edit: rightAll, Add: rightAll, Delete: rightAll, Export: rightAll}
	return userRightsJSON{Leads: all, Contacts: all, Companies: all, Tasks: taskRightsJSON{Edit: rightAll, Delete: rightAll},
		StatusRights: status, IsAdmin: u.Role == crm.RoleAdmin, IsActive: u.Active()}
}

var jsonNull = json.RawMessage("null")

// fullName is the user's name and surname.
func fullName(u crm.User) string {
	return strings.TrimSpace(strings.TrimSpace(u.Name) + " " + strings.TrimSpace(u.Surname))
}

func toUserJSON(r *http.Request, u crm.User, status []statusRightJSON, with withSet) userJSON {
	out := userJSON{ID: u.ID, Name: fullName(u), Email: u.Email, Lang: userLang, Rights: userRights(u, status),
		Links: selfLink(r, userPath(u.ID))}
	if with["uuid"] {
		out.UUID = jsonNull
	}
	if with["amojo_id"] {
		out.AmojoID = jsonNull
	}
	if with["user_rank"] {
		out.UserRank = jsonNull
	}
	if with["phone_number"] {
		out.PhoneNumber = jsonNull
		if u.Phone != "" {
			out.PhoneNumber, _ = json.Marshal(u.Phone)
		}
	}
	if with["role"] || with["group"] {
		out.Embedded = &userEmbedded{}
		if with["role"] {
			out.Embedded.Roles = &[]roleRefJSON{}
		}
		if with["group"] {
			out.Embedded.Groups = &[]struct{}{}
		}
	}
	return out
}

// listUsers serves GET /api/v4/users: the account's users in id order with
// §8.2's envelope (_total_items, _page, _page_count, _links, _embedded).
// No filter or order is documented for users; any is refused.
func (h *handler) listUsers(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	page, err := v4Page(r)
	if err != nil {
		return err
	}
	if err := newQueryReader(r).done(); err != nil {
		return err
	}
	users, err := h.svc.AccountUsers(r.Context(), actor)
	if err != nil {
		return err
	}
	pipelines, err := h.svc.DealPipelines(r.Context(), actor)
	if err != nil {
		return err
	}
	status, with := statusRights(pipelines), readWith(r)
	items := []userJSON{}
	for i := page.Offset(); i < len(users) && i < page.Offset()+page.Limit; i++ {
		items = append(items, toUserJSON(r, users[i], status, with))
	}
	writeList(w, len(items), v4Paged(r, page, len(users), "users", items))
	return nil
}

// getUser serves GET /api/v4/users/{id}; a missing user is amoCRM's 204.
func (h *handler) getUser(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := h.svc.AccountUser(r.Context(), actor, id)
	if err != nil {
		return err
	}
	pipelines, err := h.svc.DealPipelines(r.Context(), actor)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, toUserJSON(r, u, statusRights(pipelines), readWith(r)))
	return nil
}

// listRoles serves GET /api/v4/roles to administrators: crmd has no roles,
// so the list is amoCRM's "nothing" (204) once page and limit are valid.
func (h *handler) listRoles(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if err := adminOnly(actor); err != nil {
		return err
	}
	if _, err := v4Page(r); err != nil {
		return err
	}
	if err := newQueryReader(r).done(); err != nil {
		return err
	}
	writeList(w, 0, nil)
	return nil
}

// getRole serves GET /api/v4/roles/{id} to administrators: no role exists,
// so every id is a missing entity, amoCRM's 204.
func (h *handler) getRole(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	if err := adminOnly(actor); err != nil {
		return err
	}
	if _, err := pathID(r); err != nil {
		return err
	}
	return crm.Errorf(crm.KindNotFound, "Role not found")
}

// contextUserHeader names the user an administrator's token acts as (core
// §1.4).
const contextUserHeader = "X-Context-User-ID"

// contextActor applies X-Context-User-ID: without it (or empty) the call
// runs as the token's user; with it, as the user it names (crm.RunAs). A
// value that names no user of the account (not a positive integer, an
// unknown id) is refused like a bad token, amoCRM's authorization error.
func (h *handler) contextActor(r *http.Request, actor crm.Actor) (crm.Actor, error) {
	v := strings.TrimSpace(r.Header.Get(contextUserHeader))
	if v == "" {
		return actor, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return crm.Actor{}, errUnauthorized
	}
	actor, err = h.svc.RunAs(r.Context(), actor, id)
	if crm.KindOf(err) == crm.KindUnauthorized {
		return crm.Actor{}, errUnauthorized
	}
	return actor, err
}
