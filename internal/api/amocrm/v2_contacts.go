package amocrm

import (
	"net/http"
	"strings"

	"github.com/crmd/crmd/internal/crm"
)

// amoCRM API v2 contacts and companies, read only: GET /api/v2/contacts and
// GET /api/v2/companies, the lists v2 customers link to
// (main_contact._links, contacts._links, company._links are
// /api/v2/contacts?id=… and /api/v2/companies?id=…). Seed 001 documents
// neither; they follow the conventions it documents for customers: the v2
// envelope with relative links and Runtime-Timestamp, id as one id, a
// comma list or id[]=…, every other parameter ignored when id is given,
// limit_rows (at most 500, the system limit) and limit_offset, 204 when
// nothing matches. The items are amoCRM v2's contact and company models:
//
//   - company (on a contact) is its Envybox client company (the primary
//     one), {id, name, _links} or {}; contacts (on a company) are the
//     contacts that work for it; customers are the customers it is linked
//     to, {id: […], _links} or {}.
//   - leads is {}: crmd serves no v2 leads to link to (v4 serves them).
//   - custom_fields are the custom field values as on v2 customers; a
//     contact's phones and emails (crmd's contact data) are not among them.
//   - group_id is 0 and closest_task_at 0: crmd keeps no user groups and no
//     tasks on contacts and companies.
//
// Other parameters amoCRM v2 defines for these lists: query (searched as
// v4's query does) and responsible_user_id (one or a list) are served.

// v2ContactJSON is a contact as amoCRM v2 lists it.
type v2ContactJSON struct {
	ID                int64         `json:"id"`
	Name              string        `json:"name"`
	FirstName         string        `json:"first_name"`
	LastName          string        `json:"last_name"`
	ResponsibleUserID int64         `json:"responsible_user_id"`
	CreatedBy         int64         `json:"created_by"`
	CreatedAt         int64         `json:"created_at"`
	UpdatedAt         int64         `json:"updated_at"`
	AccountID         int64         `json:"account_id"`
	UpdatedBy         int64         `json:"updated_by"`
	GroupID           int64         `json:"group_id"`
	Company           v2CompanyRef  `json:"company"`
	Leads             struct{}      `json:"leads"`
	ClosestTaskAt     int64         `json:"closest_task_at"`
	Tags              []v2TagJSON   `json:"tags"`
	CustomFields      []v2FieldJSON `json:"custom_fields"`
	Customers         v2ContactsRef `json:"customers"`
	Links             v2Links       `json:"_links"`
}

// v2CompanyJSON is a company as amoCRM v2 lists it.
type v2CompanyJSON struct {
	ID                int64         `json:"id"`
	Name              string        `json:"name"`
	ResponsibleUserID int64         `json:"responsible_user_id"`
	CreatedBy         int64         `json:"created_by"`
	CreatedAt         int64         `json:"created_at"`
	UpdatedAt         int64         `json:"updated_at"`
	AccountID         int64         `json:"account_id"`
	UpdatedBy         int64         `json:"updated_by"`
	GroupID           int64         `json:"group_id"`
	Contacts          v2ContactsRef `json:"contacts"`
	Leads             struct{}      `json:"leads"`
	ClosestTaskAt     int64         `json:"closest_task_at"`
	Tags              []v2TagJSON   `json:"tags"`
	CustomFields      []v2FieldJSON `json:"custom_fields"`
	Customers         v2ContactsRef `json:"customers"`
	Links             v2Links       `json:"_links"`
}

// v2ContactRoutes are the v2 contacts and companies reads.
func (h *handler) v2ContactRoutes() []route {
	return []route{
		{"GET " + v2ContactsPath, h.v2ListContacts},
		{"GET " + v2CompaniesPath, h.v2ListCompanies},
	}
}

// v2IDsRef is a list of linked ids with the v2 link to read them, or {}.
func v2IDsRef(base string, ids []int64) v2ContactsRef {
	if len(ids) == 0 {
		return v2ContactsRef{}
	}
	l := v2Get(v2IDHref(base, ids...))
	return v2ContactsRef{ID: ids, Links: &l}
}

func toV2Tags(tags []crm.Tag) []v2TagJSON {
	out := make([]v2TagJSON, len(tags))
	for i, t := range tags {
		out[i] = v2TagJSON{ID: t.ID, Name: t.Name}
	}
	return out
}

func toV2Contact(c crm.ContactCard, companies map[int64]crm.Company) v2ContactJSON {
	out := v2ContactJSON{ID: c.ID, Name: c.Name, FirstName: c.FirstName, LastName: c.LastName,
		ResponsibleUserID: c.ResponsibleUserID, CreatedBy: c.CreatedBy, CreatedAt: unixOr0(c.CreatedAt),
		UpdatedAt: unixOr0(c.UpdatedAt), AccountID: c.AccountID, UpdatedBy: c.UpdatedBy,
		Tags: toV2Tags(c.Tags), CustomFields: toV2Fields(c.Fields), Customers: v2IDsRef(v2CustomersPath, c.CustomerIDs),
		Links: v2Get(v2IDHref(v2ContactsPath, c.ID))}
	if len(c.CompanyIDs) > 0 { // the primary company comes first; v2 shows one
		company := companies[c.CompanyIDs[0]]
		l := v2Get(v2IDHref(v2CompaniesPath, company.ID))
		out.Company = v2CompanyRef{ID: company.ID, Name: &company.Name, Links: &l}
	}
	return out
}

func toV2Company(c crm.CompanyCard) v2CompanyJSON {
	return v2CompanyJSON{ID: c.ID, Name: c.Name, ResponsibleUserID: c.ResponsibleUserID, CreatedBy: c.CreatedBy,
		CreatedAt: unixOr0(c.CreatedAt), UpdatedAt: unixOr0(c.UpdatedAt), AccountID: c.AccountID, UpdatedBy: c.UpdatedBy,
		Contacts: v2IDsRef(v2ContactsPath, c.ContactIDs), Tags: toV2Tags(c.Tags), CustomFields: toV2Fields(c.Fields),
		Customers: v2IDsRef(v2CustomersPath, c.CustomerIDs), Links: v2Get(v2IDHref(v2CompaniesPath, c.ID))}
}

// v2ListQuery reads the parameters of a v2 contacts or companies list and
// the number of rows asked for (limit_rows, or as many ids as are given).
func v2ListQuery(r *http.Request) (crm.ListQuery, int, error) {
	q := r.URL.Query()
	ids, _, err := v2QueryIDs(q, "id")
	if err != nil {
		return crm.ListQuery{}, 0, err
	}
	if len(ids) > 0 {
		if len(ids) > crm.MaxV2Rows {
			return crm.ListQuery{}, 0, v2Bad("id", "At most 500 ids may be asked for at once (the system limit).")
		}
		// With id, every other parameter is ignored (seed 001's rule for customers).
		return crm.ListQuery{IDs: ids}, len(ids), nil
	}
	var lq crm.ListQuery
	rows, offset, err := v2Rows(q)
	if err != nil {
		return lq, 0, err
	}
	lq.Offset = offset
	if lq.ResponsibleUserIDs, _, err = v2QueryIDs(q, "responsible_user_id"); err != nil {
		return lq, 0, err
	}
	lq.Search = strings.TrimSpace(q.Get("query"))
	return lq, rows, nil
}

// v2Window reads rows rows of a list from q.Offset, in pages the domain
// accepts (at most crm.MaxPageLimit a read; v2 allows up to 500).
func v2Window[T any](q crm.ListQuery, rows int, read func(crm.ListQuery) ([]T, int, error)) ([]T, error) {
	var out []T
	for len(out) < rows {
		q.Limit = min(rows-len(out), crm.MaxPageLimit)
		page, total, err := read(q)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		q.Offset += len(page)
		if len(page) < q.Limit || q.Offset >= total {
			break
		}
	}
	return out, nil
}

// v2ListContacts serves GET /api/v2/contacts.
func (h *handler) v2ListContacts(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	q, rows, err := v2ListQuery(r)
	if err != nil {
		return err
	}
	list, err := v2Window(q, rows, func(q crm.ListQuery) ([]crm.ContactCard, int, error) {
		return h.svc.ContactCards(r.Context(), actor, q, crm.CardWith{Customers: true})
	})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		writeV2Empty(w)
		return nil
	}
	// v2 names a contact's company beside its id: read them in one list.
	var companyIDs []int64
	for _, c := range list {
		if len(c.CompanyIDs) > 0 {
			companyIDs = append(companyIDs, c.CompanyIDs[0])
		}
	}
	companies := map[int64]crm.Company{}
	if len(companyIDs) > 0 {
		found, _, err := h.svc.Companies(r.Context(), actor, crm.ListQuery{IDs: companyIDs, Limit: len(companyIDs)})
		if err != nil {
			return err
		}
		for _, c := range found {
			companies[c.ID] = c
		}
	}
	items := make([]v2ContactJSON, len(list))
	for i, c := range list {
		items[i] = toV2Contact(c, companies)
	}
	writeV2(w, r, v2ContactsPath, map[string]any{"items": items})
	return nil
}

// v2ListCompanies serves GET /api/v2/companies.
func (h *handler) v2ListCompanies(w http.ResponseWriter, r *http.Request, actor crm.Actor) error {
	q, rows, err := v2ListQuery(r)
	if err != nil {
		return err
	}
	list, err := v2Window(q, rows, func(q crm.ListQuery) ([]crm.CompanyCard, int, error) {
		return h.svc.CompanyCards(r.Context(), actor, q, crm.CardWith{Contacts: true, Customers: true})
	})
	if err != nil {
		return err
	}
	if len(list) == 0 {
		writeV2Empty(w)
		return nil
	}
	items := make([]v2CompanyJSON, len(list))
	for i, c := range list {
		items[i] = toV2Company(c)
	}
	writeV2(w, r, v2CompaniesPath, map[string]any{"items": items})
	return nil
}
