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

// readListQuery reads page, limit and filter[id] of the contacts and
// companies lists.
func readListQuery(r *http.Request) (crm.Page, crm.ListQuery, error) {
	page, err := v4Page(r)
	if err != nil {
		return page, crm.ListQuery{}, err
	}
	qr := newQueryReader(r)
	q := crm.ListQuery{IDs: qr.ints("id"), Limit: page.Limit, Offset: page.Offset()}
	return page, q, qr.done()
}

// listContacts serves GET /api/v4/contacts (empty: 200 with an empty array,
// like every list of this dialect).
func (h *handler) listContacts(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	page, q, err := readListQuery(r)
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
	writeHAL(w, http.StatusOK, v4Paged(r, page, total, "contacts", items))
	return nil
}

func (h *handler) getContact(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
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
	page, q, err := readListQuery(r)
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
	writeHAL(w, http.StatusOK, v4Paged(r, page, total, "companies", items))
	return nil
}

func (h *handler) getCompany(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	id, err := pathID(r)
	if err != nil {
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
