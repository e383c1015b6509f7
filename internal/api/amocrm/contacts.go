package amocrm

import (
	"net/http"
	"strconv"

	"github.com/crmd/crmd/internal/crm"
)

// The minimal v4 contacts and companies API: enough to create the records a
// customer links to and to read them back. They are the shared contact and
// company records other dialects serve too.

func contactPath(id int64) string { return "/api/v4/contacts/" + strconv.FormatInt(id, 10) }
func companyPath(id int64) string { return "/api/v4/companies/" + strconv.FormatInt(id, 10) }

type v4Contact struct {
	ID                int64     `json:"id"`
	Name              string    `json:"name"`
	FirstName         string    `json:"first_name"`
	LastName          string    `json:"last_name"`
	ResponsibleUserID int64     `json:"responsible_user_id"`
	CreatedBy         int64     `json:"created_by"`
	UpdatedBy         int64     `json:"updated_by"`
	CreatedAt         int64     `json:"created_at"`
	UpdatedAt         int64     `json:"updated_at"`
	AccountID         int64     `json:"account_id"`
	Links             selfLinks `json:"_links"`
}

func toV4Contact(r *http.Request, c crm.Contact) v4Contact {
	return v4Contact{ID: c.ID, Name: c.Name, FirstName: c.FirstName, LastName: c.LastName, ResponsibleUserID: c.ResponsibleUserID,
		CreatedBy: c.CreatedBy, UpdatedBy: c.UpdatedBy, CreatedAt: c.CreatedAt.Unix(), UpdatedAt: c.UpdatedAt.Unix(),
		AccountID: c.AccountID, Links: selfLink(r, contactPath(c.ID))}
}

type v4Company struct {
	ID                int64     `json:"id"`
	Name              string    `json:"name"`
	ResponsibleUserID int64     `json:"responsible_user_id"`
	CreatedBy         int64     `json:"created_by"`
	UpdatedBy         int64     `json:"updated_by"`
	CreatedAt         int64     `json:"created_at"`
	UpdatedAt         int64     `json:"updated_at"`
	AccountID         int64     `json:"account_id"`
	Links             selfLinks `json:"_links"`
}

func toV4Company(r *http.Request, c crm.Company) v4Company {
	return v4Company{ID: c.ID, Name: c.Name, ResponsibleUserID: c.ResponsibleUserID,
		CreatedBy: c.CreatedBy, UpdatedBy: c.UpdatedBy, CreatedAt: c.CreatedAt.Unix(), UpdatedAt: c.UpdatedAt.Unix(),
		AccountID: c.AccountID, Links: selfLink(r, companyPath(c.ID))}
}

// readListQuery reads what amoCRM defines for the contacts and companies
// lists (core reference §3.3, companion §1.8): page, limit, query,
// filter[id|name|created_by|updated_by|responsible_user_id], the
// filter[created_at|updated_at] ranges, order[id|updated_at] and with. What
// crmd cannot serve is a 400 naming the reason, never ignored: an ignored
// filter answers a wider list than asked, and an integration acting on it
// (linking the first contact found) acts on the wrong record. Keys amoCRM
// does not define are ignored, as amoCRM does.
func readListQuery(r *http.Request, entity string, unserved map[string]string) (crm.Page, crm.ListQuery, error) {
	page, err := v4Page(r)
	if err != nil {
		return page, crm.ListQuery{}, err
	}
	qr := newQueryReader(r)
	q := crm.ListQuery{
		IDs:                qr.ints("id"),
		Names:              qr.strs("name"),
		ResponsibleUserIDs: qr.ints("responsible_user_id"),
		CreatedBy:          qr.ints("created_by"),
		UpdatedBy:          qr.ints("updated_by"),
		CreatedAt:          qr.rng("created_at"),
		UpdatedAt:          qr.rng("updated_at"),
		// query is a literal, case-insensitive substring of the filled
		// fields (crm.ListQuery.Search; docs/amocrm.md, "Search and list parameters").
		Search: r.URL.Query().Get("query"),
		Limit:  page.Limit, Offset: page.Offset(),
	}
	qr.refuse("closest_task_at", "crmd keeps no tasks on "+entity+".")
	qr.refuse("custom_fields_values", "crmd does not filter "+entity+" by custom field values; use query.")
	q.OrderBy, q.Desc = qr.order("id", "updated_at")
	qr.refuseWith(unserved)
	return page, q, qr.done()
}

// The with values amoCRM documents for contacts and companies, none of
// which crmd embeds yet (each says why). Unknown values are ignored, as for
// every with (readWith).
var (
	contactWith = map[string]string{
		"leads":            "crmd does not embed leads in contacts (it serves no /api/v4/leads).",
		"customers":        "crmd does not embed customers in contacts; GET /api/v4/customers?with=contacts lists the links.",
		"catalog_elements": "crmd has no catalogs.",
		"social_profiles":  "crmd keeps no social profiles.",
		"only_deleted":     "crmd keeps no deleted contacts.",
	}
	companyWith = map[string]string{
		"leads":            "crmd does not embed leads in companies (it serves no /api/v4/leads).",
		"customers":        "crmd does not embed customers in companies; GET /api/v4/customers?with=companies lists the links.",
		"contacts":         "crmd does not embed contacts in companies.",
		"catalog_elements": "crmd has no catalogs.",
		"only_deleted":     "crmd keeps no deleted companies.",
	}
)

// listContacts serves GET /api/v4/contacts (empty, a query matching nothing
// included: 204 with no body, like every v4 list; writeList).
func (h *handler) listContacts(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	page, q, err := readListQuery(r, "contacts", contactWith)
	if err != nil {
		return err
	}
	list, total, err := h.svc.Contacts(r.Context(), actor, q)
	if err != nil {
		return err
	}
	items := make([]v4Contact, len(list))
	for i, c := range list {
		items[i] = toV4Contact(r, c)
	}
	writeList(w, len(items), v4Paged(r, page, total, "contacts", items))
	return nil
}

func (h *handler) getContact(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := refuseWith(r, contactWith); err != nil {
		return err
	}
	c, err := h.svc.Contact(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, toV4Contact(r, c))
	return nil
}

// addContacts serves POST /api/v4/contacts (array; name, or first_name and
// last_name, and responsible_user_id).
func (h *handler) addContacts(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	var errs []crm.Violation
	items, ids := batchItems(body, &errs)
	if err := batchLimit(len(items), "contacts"); err != nil {
		return err
	}
	in := make([]crm.NewContact, len(items))
	for i, it := range items {
		rd := newReader(it, i, "", &errs)
		rd.str("request_id")
		in[i] = crm.NewContact{Name: rd.str("name"), ResponsibleUserID: rd.int64("responsible_user_id")}
		if s := rd.str("first_name"); s != nil {
			in[i].FirstName = *s
		}
		if s := rd.str("last_name"); s != nil {
			in[i].LastName = *s
		}
	}
	if err := violationsErr(errs); err != nil {
		return withItems(err, ids)
	}
	created, err := h.svc.AddContacts(r.Context(), actor, in)
	if err != nil {
		return withItems(err, ids)
	}
	out := make([]createdJSON, len(created))
	for i, c := range created {
		out[i] = createdJSON{ID: c.ID, RequestID: ids[i], Links: selfLink(r, contactPath(c.ID))}
	}
	writeHAL(w, http.StatusOK, v4Batch{Links: selfLink(r, "/api/v4/contacts"), Embedded: map[string]any{"contacts": out}})
	return nil
}

// listCompanies serves GET /api/v4/companies.
func (h *handler) listCompanies(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	page, q, err := readListQuery(r, "companies", companyWith)
	if err != nil {
		return err
	}
	list, total, err := h.svc.Companies(r.Context(), actor, q)
	if err != nil {
		return err
	}
	items := make([]v4Company, len(list))
	for i, c := range list {
		items[i] = toV4Company(r, c)
	}
	writeList(w, len(items), v4Paged(r, page, total, "companies", items))
	return nil
}

func (h *handler) getCompany(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := refuseWith(r, companyWith); err != nil {
		return err
	}
	c, err := h.svc.Company(r.Context(), actor, id)
	if err != nil {
		return err
	}
	writeHAL(w, http.StatusOK, toV4Company(r, c))
	return nil
}

// addCompanies serves POST /api/v4/companies (array; name required).
func (h *handler) addCompanies(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	body, err := readJSON(r)
	if err != nil {
		return err
	}
	var errs []crm.Violation
	items, ids := batchItems(body, &errs)
	if err := batchLimit(len(items), "companies"); err != nil {
		return err
	}
	in := make([]crm.NewCompany, len(items))
	for i, it := range items {
		rd := newReader(it, i, "", &errs)
		rd.str("request_id")
		in[i] = crm.NewCompany{Name: rd.str("name"), ResponsibleUserID: rd.int64("responsible_user_id")}
	}
	if err := violationsErr(errs); err != nil {
		return withItems(err, ids)
	}
	created, err := h.svc.AddCompanies(r.Context(), actor, in)
	if err != nil {
		return withItems(err, ids)
	}
	out := make([]createdJSON, len(created))
	for i, c := range created {
		out[i] = createdJSON{ID: c.ID, RequestID: ids[i], Links: selfLink(r, companyPath(c.ID))}
	}
	writeHAL(w, http.StatusOK, v4Batch{Links: selfLink(r, "/api/v4/companies"), Embedded: map[string]any{"companies": out}})
	return nil
}
